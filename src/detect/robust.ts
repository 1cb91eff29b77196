// Robust location/scale tracking: a Huber-clipped EWMA of the level and an EWMA
// of the absolute deviation (a streaming stand-in for median/MAD). A value far
// from the level moves the estimates by at most `clip` scales, so one spike does
// not drag the baseline, while a sustained change is followed at rate `alpha`.
// The math is in plain functions of (state, offset, settings) so that the ensemble's
// compiled update (ensemble-update.ts) inlines them with its settings as constants.
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

/** Sigma estimate of the tracker at `at` (slots: count, level, MAD), floored so that flat series do not divide by zero. */
export function robustScale(s: Float64Array, at: number): number {
  const m = s[at + 1]!;
  const d = s[at + 2]! * MAD_TO_SIGMA;
  const floor = 1e-3 * Math.abs(m) + 1e-9;
  return d > floor ? d : floor;
}

/** Signed z-score of x against the tracker at `at` (before update). */
export function robustZ(s: Float64Array, at: number, x: number): number {
  return (x - s[at + 1]!) / robustScale(s, at);
}

/**
 * Learns x into the tracker at `at`; `scale` is its robustScale before this update (a caller
 * that has it passes it on, rather than have it derived again).
 */
export function robustUpdate(s: Float64Array, at: number, alphaMin: number, clip: number, warmup: number, x: number, scale: number): void {
  const n = s[at]! + 1;
  s[at] = n;
  if (n === 1) {
    s[at + 1] = x;
    s[at + 2] = 0;
    return;
  }
  const alpha = Math.max(alphaMin, 1 / n);
  const m = s[at + 1]!;
  let xc = x;
  if (n > warmup) {
    const lim = clip * scale;
    if (xc > m + lim) xc = m + lim;
    else if (xc < m - lim) xc = m - lim;
  }
  const m2 = m + alpha * (xc - m);
  s[at + 1] = m2;
  s[at + 2] = s[at + 2]! + alpha * (Math.abs(xc - m2) - s[at + 2]!);
}

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
    return robustScale(s, this.at);
  }

  /** Signed z-score of x against the current estimates (before update). */
  z(s: Float64Array, x: number): number {
    return robustZ(s, this.at, x);
  }

  update(s: Float64Array, x: number): void {
    robustUpdate(s, this.at, this.cfg.alpha, this.cfg.clip, this.cfg.warmup, x, robustScale(s, this.at));
  }

  /** Re-baseline at a new level (after a confirmed level shift), keeping the scale. */
  reset(s: Float64Array, level: number): void {
    s[this.at + 1] = level;
  }
}
