import { type CompiledMatcher, type Labels, compileMatchers, matchesAll } from '../../core/index.js';
import type { InhibitRuleSpec } from './route.js';

/** What the inhibitor needs to know about an alert that may inhibit others. */
export interface InhibitionSource {
  fingerprint: string;
  labels: Labels;
}

/**
 * Inhibition with Alertmanager's semantics (inhibit/inhibit.go): a target alert
 * is muted when, for some rule, it matches `target_matchers` and a *firing*
 * alert matches `source_matchers` with the same values for every `equal` label
 * (a label absent on both counts as equal). When the target also matches the
 * rule's source side, sources that also match the target side are not
 * considered, so an alert never inhibits itself and two alerts matching both
 * sides do not inhibit each other.
 */
export class Inhibitor {
  private readonly rules: ReadonlyArray<{ sourceMatchers: CompiledMatcher[]; targetMatchers: CompiledMatcher[]; equal: readonly string[] }>;

  constructor(rules: readonly InhibitRuleSpec[]) {
    this.rules = rules.map((r) => ({ sourceMatchers: compileMatchers(r.sourceMatchers), targetMatchers: compileMatchers(r.targetMatchers), equal: r.equal }));
  }

  /**
   * Fingerprints of the firing alerts that inhibit an alert with these labels
   * (empty: not inhibited). `firing` must hold only firing alerts; silenced
   * sources inhibit too, as in Alertmanager.
   */
  /** False when there are no inhibition rules (nothing can be muted). */
  get hasRules(): boolean {
    return this.rules.length > 0;
  }

  inhibitedBy(target: Labels, firing: Iterable<InhibitionSource>, targetFingerprint?: string): string[] {
    if (this.rules.length === 0) return [];
    const sources = Array.isArray(firing) ? (firing as InhibitionSource[]) : [...firing];
    const out = new Set<string>();
    for (const rule of this.rules) {
      if (!matchesAll(rule.targetMatchers, target)) continue;
      const twoSided = matchesAll(rule.sourceMatchers, target);
      for (const s of sources) {
        if (s.fingerprint === targetFingerprint) continue;
        if (!matchesAll(rule.sourceMatchers, s.labels)) continue;
        if (!rule.equal.every((n) => (s.labels[n] ?? '') === (target[n] ?? ''))) continue;
        if (twoSided && matchesAll(rule.targetMatchers, s.labels)) continue;
        out.add(s.fingerprint);
      }
    }
    return [...out];
  }

  mutes(target: Labels, firing: Iterable<InhibitionSource>, targetFingerprint?: string): boolean {
    return this.inhibitedBy(target, firing, targetFingerprint).length > 0;
  }
}
