import { type CompiledMatcher, type Labels, SEVERITIES, type Severity, compileMatchers, matchesAll } from '../../core/index.js';
import type { EscalationSpec } from './route.js';

/** Severity one step up (info → low → medium → high → critical; critical stays). */
export function raiseSeverity(s: Severity, steps = 1): Severity {
  const i = SEVERITIES.indexOf(s);
  return SEVERITIES[Math.max(0, i - steps)]!;
}

/** Per-alert escalation progress. */
export interface EscalationState {
  /** Indexes of the escalation rules already applied. */
  readonly applied: Set<number>;
  /** How many severity steps were added. */
  steps: number;
  /** Receivers added by the applied rules. */
  readonly addedReceivers: Set<string>;
}

export function newEscalationState(): EscalationState {
  return { applied: new Set(), steps: 0, addedReceivers: new Set() };
}

export interface EscalationSubject {
  fingerprint: string;
  labels: Labels;
  /** When the alert started firing (ms). */
  startsAt: number;
}

/**
 * Escalation of alerts nobody acknowledges: an alert that matches a rule's
 * matchers and has been firing for the rule's `after` without being
 * acknowledged escalates once per rule (several rules with growing `after`
 * give several steps). Acknowledgement is the rules stage's: it is asked
 * through `isAcknowledged(fingerprint)`; an acknowledged alert escalates no
 * further (what already happened stays).
 */
export class Escalator {
  readonly rules: ReadonlyArray<EscalationSpec & { compiled: CompiledMatcher[] }>;

  constructor(
    rules: readonly EscalationSpec[],
    private readonly isAcknowledged: (fingerprint: string) => boolean = () => false,
  ) {
    this.rules = rules.map((r) => ({ ...r, compiled: compileMatchers(r.matchers) }));
  }

  /** Applies the rules that are due at `now`; returns the indexes newly applied (empty: nothing changed). */
  evaluate(alert: EscalationSubject, state: EscalationState, now: number): number[] {
    if (this.rules.length === 0) return [];
    const due: number[] = [];
    this.rules.forEach((r, i) => {
      if (!state.applied.has(i) && now - alert.startsAt >= r.afterMs && matchesAll(r.compiled, alert.labels)) due.push(i);
    });
    if (due.length === 0 || this.isAcknowledged(alert.fingerprint)) return [];
    for (const i of due) {
      const r = this.rules[i]!;
      state.applied.add(i);
      if (r.raiseSeverity) state.steps++;
      for (const name of r.addReceivers) state.addedReceivers.add(name);
    }
    return due;
  }

  /** The earliest time after `now` at which some rule may become due for this alert (undefined: none). */
  nextDue(alert: EscalationSubject, state: EscalationState, now: number): number | undefined {
    let next: number | undefined;
    this.rules.forEach((r, i) => {
      const at = alert.startsAt + r.afterMs;
      if (!state.applied.has(i) && at > now && (next === undefined || at < next)) next = at;
    });
    return next;
  }
}
