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

export class SeasonalBaseline {
  readonly at: number;
  readonly size: number;
  private readonly nb: number;
  // Slot offsets (relative to `at`).
  private static readonly T0 = 0; // first timestamp
  private static readonly LEVEL = 1; // slow daily level
  private static readonly ERR_S = 2; // EW |x - seasonal prediction|
  private static readonly ERR_L = 3; // EW |x - level|
  private static readonly ERR_W = 4; // EW |x - seasonal prediction with weekly|
  private static readonly N = 5;
  private static readonly HEAD = 6;
  // Then per phase [offset, spread, visits] side by side (a sample reads and writes one
  // phase: one cache line, not three), then week[7], weekCount[7].

  constructor(layout: Layout, readonly cfg: SeasonalConfig) {
    this.nb = cfg.bins;
    this.size = SeasonalBaseline.HEAD + 3 * this.nb + 14;
    this.at = layout.reserve(this.size);
  }

  init(s: Float64Array): void {
    s.fill(0, this.at, this.at + this.size);
    s[this.at] = NaN;
  }

  private bin(t: number): number {
    const b = Math.floor(dayFraction(t) * this.nb);
    return b >= this.nb ? this.nb - 1 : b;
  }

  /** Days since the first sample. */
  age(s: Float64Array, t: number): number {
    const t0 = s[this.at + SeasonalBaseline.T0]!;
    return t0 === t0 ? (t - t0) / DAY : 0;
  }

  /** True when the daily cycle is established and explains the series. */
  active(s: Float64Array, t: number): boolean {
    const a = this.at;
    return this.age(s, t) >= this.cfg.minDays && s[a + SeasonalBaseline.ERR_S]! < this.cfg.ratio * s[a + SeasonalBaseline.ERR_L]!;
  }

  private weeklyActive(s: Float64Array, t: number): boolean {
    const a = this.at;
    return this.cfg.weekly && this.age(s, t) >= 14 && s[a + SeasonalBaseline.ERR_W]! < 0.9 * s[a + SeasonalBaseline.ERR_S]!;
  }

  /** Expected value at time t. */
  expected(s: Float64Array, t: number): number {
    const a = this.at;
    const b = this.bin(t);
    const h = a + SeasonalBaseline.HEAD;
    let e = s[a + SeasonalBaseline.LEVEL]! + s[h + 3 * b]!;
    if (this.weeklyActive(s, t)) e += s[h + 3 * this.nb + dayOfWeek(t)]!;
    return e;
  }

  /** Spread (sigma estimate) of the phase of t, floored by the overall error. */
  scale(s: Float64Array, t: number): number {
    const a = this.at;
    const h = a + SeasonalBaseline.HEAD;
    const p = h + 3 * this.bin(t);
    const cnt = s[p + 2]!;
    const overall = s[a + SeasonalBaseline.ERR_S]! * 1.2533;
    const dev = s[p + 1]! * 1.2533;
    // Few visits of this phase: lean on the overall error.
    const w = cnt >= 8 ? 1 : cnt / 8;
    const sc = w * dev + (1 - w) * overall;
    const floor = 0.25 * overall + 1e-3 * Math.abs(s[a + SeasonalBaseline.LEVEL]!) + 1e-9;
    return sc > floor ? sc : floor;
  }

  /** Level alpha from the sampling interval: about one day of memory. */
  update(s: Float64Array, t: number, x: number, dt: number, clipScale: number): void {
    const a = this.at;
    const h = a + SeasonalBaseline.HEAD;
    const nb = this.nb;
    if (s[a + SeasonalBaseline.T0] !== s[a + SeasonalBaseline.T0]) {
      s[a + SeasonalBaseline.T0] = t;
      s[a + SeasonalBaseline.LEVEL] = x;
    }
    const n = s[a + SeasonalBaseline.N]! + 1;
    s[a + SeasonalBaseline.N] = n;
    const perDay = dt > 0 ? DAY / dt : 288;
    const p = h + 3 * this.bin(t);
    const level = s[a + SeasonalBaseline.LEVEL]!;
    const off = s[p]!;
    const cnt = s[p + 2]!;
    const pred = level + off;
    const weekly = this.cfg.weekly;
    const dw = weekly ? dayOfWeek(t) : 0;
    // Without the weekly component its offsets stay 0 and its error is never read.
    const wk = weekly ? s[h + 3 * nb + dw]! : 0;
    // Errors for the model selection (one day of memory).
    const ae = Math.max(1 / n, 1 / perDay);
    const errS = cnt > 0 ? Math.abs(x - pred) : Math.abs(x - level);
    s[a + SeasonalBaseline.ERR_S] = s[a + SeasonalBaseline.ERR_S]! + ae * (errS - s[a + SeasonalBaseline.ERR_S]!);
    s[a + SeasonalBaseline.ERR_L] = s[a + SeasonalBaseline.ERR_L]! + ae * (Math.abs(x - level) - s[a + SeasonalBaseline.ERR_L]!);
    if (weekly) {
      const errW = cnt > 0 && s[h + 3 * nb + 7 + dw]! > 0 ? Math.abs(x - pred - wk) : errS;
      s[a + SeasonalBaseline.ERR_W] = s[a + SeasonalBaseline.ERR_W]! + ae * (errW - s[a + SeasonalBaseline.ERR_W]!);
    }

    // Clip what is learnt so that anomalies do not rewrite the cycle.
    let xc = x;
    if (clipScale > 0 && cnt >= 8) {
      const lim = this.cfg.clip * clipScale;
      if (xc > pred + lim) xc = pred + lim;
      else if (xc < pred - lim) xc = pred - lim;
    }
    const al = Math.max(1 / n, 1 / perDay);
    s[a + SeasonalBaseline.LEVEL] = level + al * (xc - off - wk - level);
    const visits = perDay / nb > 1 ? perDay / nb : 1;
    const ab = Math.max(1 / (cnt + 1), 1 / (this.cfg.memoryDays * visits));
    const r = xc - s[a + SeasonalBaseline.LEVEL]! - wk;
    s[p] = off + ab * (r - off);
    s[p + 1] = s[p + 1]! + ab * (Math.abs(xc - pred) - s[p + 1]!);
    s[p + 2] = cnt + 1;
    if (weekly) {
      const wc = s[h + 3 * nb + 7 + dw]!;
      const aw = Math.max(1 / (wc + 1), 1 / (perDay * 3));
      s[h + 3 * nb + dw] = wk + aw * (xc - pred - wk);
      s[h + 3 * nb + 7 + dw] = wc + 1;
    }
  }

  /** Converts the phases of a state saved in the first layout (offsets, spreads, visits each together). */
  upgradeFromPlanarPhases(s: Float64Array): void {
    const h = this.at + SeasonalBaseline.HEAD;
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
    s[this.at + SeasonalBaseline.LEVEL] = s[this.at + SeasonalBaseline.LEVEL]! + delta;
  }
}
