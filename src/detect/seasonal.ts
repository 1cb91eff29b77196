// Seasonal baseline with automatic period selection. The day is cut into `bins`
// phases (by the samples' UTC time of day); each phase learns its offset from a
// slow daily level, and its own spread, so a normal daily peak is expected (and a
// missing one is not). A weekly component (day-of-week offsets) is added on top.
// Whether a cycle is real is decided online, like a periodogram test at the
// candidate periods: a cycle is used only once it has been seen for `minDays`
// and its one-step errors are clearly smaller than those of the level alone.
import type { Layout } from './layout.js';
import { dayFraction, dayOfWeek } from './math.js';

export interface SeasonalConfig {
  /** Phases per day. */
  bins: number;
  /** Memory of each phase's offset and spread, in days. */
  memoryDays: number;
  /** Learning clips values to the expectation +- clip scales. */
  clip: number;
  /** Days of history before the daily cycle can be used. */
  minDays: number;
  /** The cycle is used when its mean abs error < ratio * the level-only error. */
  ratio: number;
  /** Learn day-of-week offsets too (needs 2 weeks to be used). */
  weekly: boolean;
}

const DAY = 86_400_000;
// Slot offsets (relative to the baseline's first slot). Module constants, not fields, so that
// compiled code takes them as immediates.
const T0 = 0; // first timestamp
const LEVEL = 1; // slow daily level
const ERR_S = 2; // EW |x - seasonal prediction|
const ERR_L = 3; // EW |x - level|
const ERR_W = 4; // EW |x - seasonal prediction with weekly|
const N = 5;
const HEAD = 6;
// Then per phase [offset, spread, visits] side by side (a sample reads and writes one
// phase: one cache line, not three), then week[7], weekCount[7].

// The math is in plain functions of (state, offset, settings, phase) so that the ensemble's
// compiled update (ensemble-update.ts) inlines them with its settings as constants, and finds
// a sample's phase once for all of them.

/** The daily phase of time t (UTC), of `nb` a day. */
export function seasonalPhase(t: number, nb: number): number {
  const b = Math.floor(dayFraction(t) * nb);
  return b >= nb ? nb - 1 : b;
}

/** Days since the first sample of the baseline at `at`. */
function ageDays(s: Float64Array, at: number, t: number): number {
  const t0 = s[at + T0]!;
  return t0 === t0 ? (t - t0) / DAY : 0;
}

/** True when the daily cycle is established (`minDays`) and explains the series (`ratio`). */
export function seasonalActive(s: Float64Array, at: number, t: number, minDays: number, ratio: number): boolean {
  return ageDays(s, at, t) >= minDays && s[at + ERR_S]! < ratio * s[at + ERR_L]!;
}

function weeklyActive(s: Float64Array, at: number, weekly: boolean, t: number): boolean {
  return weekly && ageDays(s, at, t) >= 14 && s[at + ERR_W]! < 0.9 * s[at + ERR_S]!;
}

/** Expected value at time t, of phase b. */
export function seasonalExpected(s: Float64Array, at: number, nb: number, weekly: boolean, t: number, b: number): number {
  const h = at + HEAD;
  let e = s[at + LEVEL]! + s[h + 3 * b]!;
  if (weeklyActive(s, at, weekly, t)) e += s[h + 3 * nb + dayOfWeek(t)]!;
  return e;
}

/** Spread (sigma estimate) of phase b, floored by the overall error. */
export function seasonalScale(s: Float64Array, at: number, b: number): number {
  const p = at + HEAD + 3 * b;
  const cnt = s[p + 2]!;
  const overall = s[at + ERR_S]! * 1.2533;
  const dev = s[p + 1]! * 1.2533;
  // Few visits of this phase: lean on the overall error.
  const w = cnt >= 8 ? 1 : cnt / 8;
  const sc = w * dev + (1 - w) * overall;
  const floor = 0.25 * overall + 1e-3 * Math.abs(s[at + LEVEL]!) + 1e-9;
  return sc > floor ? sc : floor;
}

/**
 * Learns x at time t (phase b); `dt` is the sampling interval (the level's alpha gives about
 * one day of memory), `clipScale` > 0 clips what is learnt to the expectation +- clip scales.
 * In two halves (the ensemble's update calls them directly), each under V8's size limit for
 * inlining (460 bytes of bytecode; the whole was 1,000); the second reads the state the first
 * left, which it did not change where the second reads it, so the arithmetic is that of one
 * function.
 */
export function seasonalUpdate(
  s: Float64Array, at: number, nb: number, clip: number, memoryDays: number, weekly: boolean,
  t: number, b: number, x: number, dt: number, clipScale: number,
): void {
  seasonalLearnErrors(s, at, nb, weekly, t, b, x, dt);
  seasonalLearnCycle(s, at, nb, clip, memoryDays, weekly, t, b, x, dt, clipScale);
}

/** First half: the start, the count and the errors the model selection reads (one day of memory). */
export function seasonalLearnErrors(s: Float64Array, a: number, nb: number, weekly: boolean, t: number, b: number, x: number, dt: number): void {
  const h = a + HEAD;
  if (s[a + T0] !== s[a + T0]) {
    s[a + T0] = t;
    s[a + LEVEL] = x;
  }
  const n = s[a + N]! + 1;
  s[a + N] = n;
  const perDay = dt > 0 ? DAY / dt : 288;
  const p = h + 3 * b;
  const level = s[a + LEVEL]!;
  const cnt = s[p + 2]!;
  const pred = level + s[p]!;
  const ae = Math.max(1 / n, 1 / perDay);
  const errS = cnt > 0 ? Math.abs(x - pred) : Math.abs(x - level);
  s[a + ERR_S] = s[a + ERR_S]! + ae * (errS - s[a + ERR_S]!);
  s[a + ERR_L] = s[a + ERR_L]! + ae * (Math.abs(x - level) - s[a + ERR_L]!);
  if (weekly) learnWeeklyError(s, a, nb, t, x, pred, cnt, errS, ae);
}

/** The weekly component's error (only with `weekly`). */
function learnWeeklyError(s: Float64Array, a: number, nb: number, t: number, x: number, pred: number, cnt: number, errS: number, ae: number): void {
  const h = a + HEAD;
  const dw = dayOfWeek(t);
  // Without the weekly component its offsets stay 0 and its error is never read.
  const wk = s[h + 3 * nb + dw]!;
  const errW = cnt > 0 && s[h + 3 * nb + 7 + dw]! > 0 ? Math.abs(x - pred - wk) : errS;
  s[a + ERR_W] = s[a + ERR_W]! + ae * (errW - s[a + ERR_W]!);
}

/** Second half: the level, phase b's offset, spread and visits, and the weekly offsets. */
export function seasonalLearnCycle(
  s: Float64Array, a: number, nb: number, clip: number, memoryDays: number, weekly: boolean,
  t: number, b: number, x: number, dt: number, clipScale: number,
): void {
  const h = a + HEAD;
  const n = s[a + N]!;
  const perDay = dt > 0 ? DAY / dt : 288;
  const p = h + 3 * b;
  const level = s[a + LEVEL]!;
  const off = s[p]!;
  const cnt = s[p + 2]!;
  const pred = level + off;
  const dw = weekly ? dayOfWeek(t) : 0;
  const wk = weekly ? s[h + 3 * nb + dw]! : 0;
  const xc = clipped(x, pred, clip, clipScale, cnt);
  const al = Math.max(1 / n, 1 / perDay);
  s[a + LEVEL] = level + al * (xc - off - wk - level);
  const visits = perDay / nb > 1 ? perDay / nb : 1;
  const ab = Math.max(1 / (cnt + 1), 1 / (memoryDays * visits));
  const r = xc - s[a + LEVEL]! - wk;
  s[p] = off + ab * (r - off);
  s[p + 1] = s[p + 1]! + ab * (Math.abs(xc - pred) - s[p + 1]!);
  s[p + 2] = cnt + 1;
  if (weekly) learnWeekly(s, h + 3 * nb + dw, perDay, xc, pred, wk);
}

/** What is learnt of x: clipped to the expectation +- clip scales, so that anomalies do not rewrite the cycle. */
function clipped(x: number, pred: number, clip: number, clipScale: number, cnt: number): number {
  if (!(clipScale > 0 && cnt >= 8)) return x;
  const lim = clip * clipScale;
  return x > pred + lim ? pred + lim : x < pred - lim ? pred - lim : x;
}

/** The weekly offset of the sample's day (at w) and its count (at w + 7). */
function learnWeekly(s: Float64Array, w: number, perDay: number, xc: number, pred: number, wk: number): void {
  const wc = s[w + 7]!;
  const aw = Math.max(1 / (wc + 1), 1 / (perDay * 3));
  s[w] = wk + aw * (xc - pred - wk);
  s[w + 7] = wc + 1;
}

export class SeasonalBaseline {
  readonly at: number;
  readonly size: number;
  private readonly nb: number;

  constructor(layout: Layout, readonly cfg: SeasonalConfig) {
    this.nb = cfg.bins;
    this.size = HEAD + 3 * this.nb + 14;
    this.at = layout.reserve(this.size);
  }

  init(s: Float64Array): void {
    s.fill(0, this.at, this.at + this.size);
    s[this.at] = NaN;
  }

  /** Days since the first sample. */
  age(s: Float64Array, t: number): number {
    return ageDays(s, this.at, t);
  }

  /** True when the daily cycle is established and explains the series. */
  active(s: Float64Array, t: number): boolean {
    return seasonalActive(s, this.at, t, this.cfg.minDays, this.cfg.ratio);
  }

  /** Expected value at time t. */
  expected(s: Float64Array, t: number): number {
    return seasonalExpected(s, this.at, this.nb, this.cfg.weekly, t, seasonalPhase(t, this.nb));
  }

  /** Spread (sigma estimate) of the phase of t, floored by the overall error. */
  scale(s: Float64Array, t: number): number {
    return seasonalScale(s, this.at, seasonalPhase(t, this.nb));
  }

  /** Level alpha from the sampling interval: about one day of memory. */
  update(s: Float64Array, t: number, x: number, dt: number, clipScale: number): void {
    seasonalUpdate(s, this.at, this.nb, this.cfg.clip, this.cfg.memoryDays, this.cfg.weekly, t, seasonalPhase(t, this.nb), x, dt, clipScale);
  }

  /** Converts the phases of a state saved in the first layout (offsets, spreads, visits each together). */
  upgradeFromPlanarPhases(s: Float64Array): void {
    const h = this.at + HEAD;
    const nb = this.nb;
    const planar = s.slice(h, h + 3 * nb);
    for (let b = 0; b < nb; b++) {
      s[h + 3 * b] = planar[b]!;
      s[h + 3 * b + 1] = planar[nb + b]!;
      s[h + 3 * b + 2] = planar[2 * nb + b]!;
    }
  }

  /** Re-baseline the level after a confirmed shift. */
  shiftLevel(s: Float64Array, delta: number): void {
    s[this.at + LEVEL] = s[this.at + LEVEL]! + delta;
  }
}
