// Anomaly likelihood (after Numenta's AnomalyLikelihood, written from its
// published description): raw scores are compared with their own long-run
// distribution. A short-window average of raw scores is tested against the
// long-run mean and standard deviation of raw scores with the Gaussian tail;
// a series whose raw scores are always high (noisy) thus needs much more to
// alarm than a quiet one, which makes one threshold mean the same everywhere.
// Bounded state: EW moments instead of a window of past scores.
import type { Layout } from './layout.js';
import { normalTail } from './math.js';

export interface LikelihoodConfig {
  /** EWMA weight of the long-run moments of raw scores. */
  alphaLong: number;
  /** EWMA weight of the short average of raw scores. */
  alphaShort: number;
  /** Minimum long-run standard deviation (raw-score units). */
  minStd: number;
}

export class AnomalyLikelihood {
  readonly at: number;

  constructor(layout: Layout, readonly cfg: LikelihoodConfig) {
    // Slots: n, mean, variance, short mean.
    this.at = layout.reserve(4);
  }

  init(s: Float64Array): void {
    s.fill(0, this.at, this.at + 4);
  }

  /**
   * Adds a raw score and returns the tail probability of the short average
   * under the long-run distribution (small = anomalous), before learning it.
   */
  update(s: Float64Array, raw: number): number {
    const a = this.at;
    const c = this.cfg;
    const n = s[a]! + 1;
    s[a] = n;
    const mean = s[a + 1]!;
    const v = s[a + 2]!;
    const short = n === 1 ? raw : s[a + 3]! + c.alphaShort * (raw - s[a + 3]!);
    s[a + 3] = short;
    const std = Math.sqrt(v) > c.minStd ? Math.sqrt(v) : c.minStd;
    const p = n > 1 ? normalTail((short - mean) / std) : 0.5;
    const al = Math.max(c.alphaLong, 1 / n);
    const d = raw - mean;
    s[a + 1] = mean + al * d;
    s[a + 2] = (1 - al) * (v + al * d * d);
    return p;
  }
}
