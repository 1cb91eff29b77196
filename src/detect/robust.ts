// Robust location/scale tracking: a Huber-clipped EWMA of the level and an EWMA
// of the absolute deviation (a streaming stand-in for median/MAD). A value far
// from the level moves the estimates by at most `clip` scales, so one spike does
// not drag the baseline, while a sustained change is followed at rate `alpha`.
import type { Layout } from './layout.js';

export interface RobustConfig {
  /** EWMA weight once warmed up (1/alpha ~ memory in samples). */
  alpha: number;
  /** Clip updates to level +- clip * scale. */
  clip: number;
  /** Samples before clipping applies (the first ones are a running average). */
  warmup: number;
}

/** E|X - mu| of a Gaussian is sigma * sqrt(2/pi): scale = MAD * 1.2533 estimates sigma. */
const MAD_TO_SIGMA = 1.2533141373155;

export class RobustTracker {
  /** Slots: count, level, mean absolute deviation. */
  readonly at: number;

  constructor(layout: Layout, readonly cfg: RobustConfig) {
    this.at = layout.reserve(3);
  }

  init(s: Float64Array): void {
    s[this.at] = 0;
    s[this.at + 1] = 0;
    s[this.at + 2] = 0;
  }

  count(s: Float64Array): number {
    return s[this.at]!;
  }

  level(s: Float64Array): number {
    return s[this.at + 1]!;
  }

  /** Sigma estimate, floored so that flat series do not divide by zero. */
  scale(s: Float64Array): number {
    const m = s[this.at + 1]!;
    const d = s[this.at + 2]! * MAD_TO_SIGMA;
    const floor = 1e-3 * Math.abs(m) + 1e-9;
    return d > floor ? d : floor;
  }

  /** Signed z-score of x against the current estimates (before update). */
  z(s: Float64Array, x: number): number {
    return (x - s[this.at + 1]!) / this.scale(s);
  }

  update(s: Float64Array, x: number): void {
    const a = this.at;
    const n = s[a]! + 1;
    s[a] = n;
    if (n === 1) {
      s[a + 1] = x;
      s[a + 2] = 0;
      return;
    }
    const alpha = Math.max(this.cfg.alpha, 1 / n);
    const m = s[a + 1]!;
    let xc = x;
    if (n > this.cfg.warmup) {
      const lim = this.cfg.clip * this.scale(s);
      if (xc > m + lim) xc = m + lim;
      else if (xc < m - lim) xc = m - lim;
    }
    const m2 = m + alpha * (xc - m);
    s[a + 1] = m2;
    s[a + 2] = s[a + 2]! + alpha * (Math.abs(xc - m2) - s[a + 2]!);
  }

  /** Re-baseline at a new level (after a confirmed level shift), keeping the scale. */
  reset(s: Float64Array, level: number): void {
    s[this.at + 1] = level;
  }
}
