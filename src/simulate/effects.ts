import type { Effect, Incident } from './incident-types.js';

/** Trapezoid envelope in [0, 1]: linear rise over rampMs, hold, linear fall over decayMs. */
export function envelope(e: Effect, t: number): number {
  if (t < e.startsAt) return 0;
  const up = t - e.startsAt;
  if (up < e.rampMs) return up / e.rampMs;
  if (t < e.endsAt) return 1;
  const down = t - e.endsAt;
  if (down < e.decayMs) return 1 - down / e.decayMs;
  return 0;
}

/** When an effect has fully worn off. */
export function effectEnd(e: Effect): number {
  return Math.max(e.endsAt, e.startsAt + e.rampMs) + e.decayMs;
}

/**
 * Applies the effects of the given incidents at time t, then re-clamps the touched series to
 * their bounds (an error ratio stays <= 1, a disk never holds more than its size).
 */
export function applyIncidents(
  incidents: readonly Incident[],
  t: number,
  values: Float64Array,
  lower: (i: number) => number,
  upper: (i: number) => number,
): void {
  for (const inc of incidents) {
    for (const e of inc.effects) {
      const env = envelope(e, t);
      if (env === 0) continue;
      const v = values[e.series]!;
      let next: number;
      if (e.op === 'mul') next = v * (1 + e.amount * env);
      else if (e.op === 'add') next = v + e.amount * env;
      else next = v + (e.amount - v) * env;
      const lo = lower(e.series);
      const hi = upper(e.series);
      values[e.series] = next < lo ? lo : next > hi ? hi : next;
    }
  }
}
