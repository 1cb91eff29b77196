import type { RcaSignal } from './rank.js';
import { inferKind } from './signal-kind.js';

/**
 * With a target whose problem is being explained: a service whose anomaly is smaller in absolute
 * terms than the target's can account for only that share of it, and its signal counts by that
 * share. Absolute terms are units that add up along calls (RcaSignal.excess): seconds of waiting
 * beyond normal (latency rise x requests), failed requests beyond normal. A dependency that adds
 * 2 s of waiting in all cannot explain callers waiting 30 s more in all; a node that serves a
 * handful of calls may double its latency and still matter little. Compared per kind, with the
 * target's largest excess of that kind; signals without an excess, or of a kind the target shows
 * none of, are left as they are.
 */
export function budgetSignals(signals: RcaSignal[], target: string): RcaSignal[] {
  const targetExcess = new Map<string, number>();
  for (const s of signals) {
    if (s.service !== target || !(s.excess! > 0)) continue;
    const kind = s.kind ?? inferKind(s.metric);
    targetExcess.set(kind, Math.max(targetExcess.get(kind) ?? 0, s.excess!));
  }
  if (targetExcess.size === 0) return signals;
  return signals.map((s) => {
    const whole = targetExcess.get(s.kind ?? inferKind(s.metric));
    if (s.service === target || whole === undefined || s.excess === undefined || !Number.isFinite(s.excess)) return s;
    return { ...s, score: s.score * Math.min(1, Math.max(0, s.excess) / whole) };
  });
}
