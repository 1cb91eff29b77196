// Level-shift detection: a two-sided CUSUM over standardised residuals. The
// statistic accumulates evidence of a persistent shift (small shifts included);
// past `confirm` the shift is confirmed and the caller re-baselines, using the
// short-memory mean kept here as the new level.
import type { Layout } from './layout.js';

export interface ChangePointConfig {
  /** Allowance per sample, in sigmas (half the smallest shift worth detecting). */
  drift: number;
  /** Confirmation level of the CUSUM statistic. */
  confirm: number;
  /** Standardised residuals are clipped to +-clip before accumulating. */
  clip: number;
  /** EWMA weight of the short-memory mean used as the new level. */
  alphaShort: number;
}

export class ChangePointDetector {
  readonly at: number;

  constructor(layout: Layout, readonly cfg: ChangePointConfig) {
    // Slots: S+, S-, short mean, samples since the last reset.
    this.at = layout.reserve(4);
  }

  init(s: Float64Array): void {
    s.fill(0, this.at, this.at + 4);
    s[this.at + 2] = NaN;
  }

  /** Upward (positive) or downward (negative) statistic, whichever is larger. */
  statistic(s: Float64Array): number {
    const up = s[this.at]!;
    const down = s[this.at + 1]!;
    return up >= down ? up : -down;
  }

  shortMean(s: Float64Array): number {
    return s[this.at + 2]!;
  }

  /** Accumulates z; returns true when a shift is confirmed. */
  update(s: Float64Array, x: number, z: number): boolean {
    const a = this.at;
    const c = this.cfg;
    const m = s[a + 2]!;
    s[a + 2] = m === m ? m + c.alphaShort * (x - m) : x;
    s[a + 3] = s[a + 3]! + 1;
    const u = z > c.clip ? c.clip : z < -c.clip ? -c.clip : z;
    const up = s[a]! + u - c.drift;
    const down = s[a + 1]! - u - c.drift;
    s[a] = up > 0 ? up : 0;
    s[a + 1] = down > 0 ? down : 0;
    return s[a]! > c.confirm || s[a + 1]! > c.confirm;
  }

  reset(s: Float64Array): void {
    s[this.at] = 0;
    s[this.at + 1] = 0;
    s[this.at + 3] = 0;
  }
}
