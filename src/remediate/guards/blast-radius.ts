import { SlidingWindowLog } from './sliding-window.js';

/**
 * Blast-radius limits per rule and window: at most `maxTargets` distinct
 * targets (what the actions touch), and at most `maxServiceShare` of a
 * service's instances when the executions are about instances, so a rule
 * restarting "the bad host" can never take down a whole service one host at a time.
 */
export interface BlastRadiusLimits {
  maxTargets: number;
  maxServiceShare: number;
  windowMs: number;
}

export interface Subject {
  service?: string;
  instance?: string;
}

export type BlastVerdict = { ok: true } | { ok: false; reason: string };

export class BlastRadiusGuard {
  private readonly targets = new SlidingWindowLog<string>();
  private readonly instances = new SlidingWindowLog<string>();

  constructor(private readonly instanceCount: (service: string) => number | undefined = () => undefined) {}

  check(rule: string, targets: readonly string[], subject: Subject, limits: BlastRadiusLimits, now: number): BlastVerdict {
    const seen = new Set(this.targets.within(rule, now, limits.windowMs));
    const fresh = targets.filter((t) => !seen.has(t));
    const total = seen.size + new Set(fresh).size;
    if (total > limits.maxTargets) return { ok: false, reason: `blast radius: ${total} distinct targets within ${limits.windowMs / 60_000} min would exceed ${limits.maxTargets} (already: ${[...seen].slice(0, 5).join(', ')})` };
    if (subject.service && subject.instance) {
      const n = this.instanceCount(subject.service);
      if (n && n > 0) {
        const touched = new Set(this.instances.within(`${rule}\u0000${subject.service}`, now, limits.windowMs));
        touched.add(subject.instance);
        if (touched.size / n > limits.maxServiceShare + 1e-9)
          return { ok: false, reason: `blast radius: ${touched.size} of ${n} instances of ${subject.service} within ${limits.windowMs / 60_000} min would exceed ${Math.round(limits.maxServiceShare * 100)}%` };
      }
    }
    return { ok: true };
  }

  record(rule: string, targets: readonly string[], subject: Subject, now: number): void {
    for (const t of new Set(targets)) this.targets.add(rule, now, t);
    if (subject.service && subject.instance) this.instances.add(`${rule}\u0000${subject.service}`, now, subject.instance);
  }
}
