import type { Effect, Incident } from './incident-types.js';

/**
 * Trapezoid envelope in [0, 1]: linear rise over rampMs, hold, linear fall over decayMs. An
 * effect cut by a remediation falls from its level at `cutAt` to zero over `cutDecayMs`.
 */
export function envelope(e: Effect, t: number): number {
  if (e.cutAt === undefined || t < e.cutAt) return natural(e, t);
  const level = natural(e, e.cutAt);
  if (level === 0) return 0;
  const d = e.cutDecayMs ?? 0;
  const since = t - e.cutAt;
  if (since >= d) return 0;
  return Math.min(natural(e, t), level * (1 - since / d));
}

function natural(e: Effect, t: number): number {
  if (t < e.startsAt) return 0;
  const up = t - e.startsAt;
  if (up < e.rampMs) return up / e.rampMs;
  if (t < e.endsAt) return 1;
  const down = t - e.endsAt;
  if (down < e.decayMs) return 1 - down / e.decayMs;
  return 0;
}

/** When an effect has fully worn off (never before it starts). */
export function effectEnd(e: Effect): number {
  const end = Math.max(e.endsAt, e.startsAt + e.rampMs) + e.decayMs;
  if (e.cutAt === undefined || e.cutAt >= end) return end;
  if (natural(e, e.cutAt) === 0) return Math.max(e.startsAt, Math.min(end, e.cutAt));
  return Math.min(end, e.cutAt + (e.cutDecayMs ?? 0));
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
  for (const inc of incidents) applyEffects(inc.effects, t, values, lower, upper);
}

/** Applies effects at time t, clamping each touched series to its bounds. */
export function applyEffects(
  effects: readonly Effect[],
  t: number,
  values: Float64Array,
  lower: (i: number) => number,
  upper: (i: number) => number,
): void {
  for (const e of effects) {
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
