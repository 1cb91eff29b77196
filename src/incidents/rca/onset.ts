/**
 * When did a series leave its normal range, and how far? A robust baseline (median and MAD of
 * the samples before the window of interest) and the first run of `persist` samples beyond
 * `zThreshold` scales on the same side. Used to turn raw series into root-cause signals where no
 * detector has run (stored scenarios, benchmarks, PetShop).
 */

export interface OnsetOptions {
  zThreshold: number;
  /** Consecutive samples beyond the threshold before it counts (one outlier is not an onset). */
  persist: number;
  /** Scale floor as a fraction of |median|, so flat series do not turn every wiggle into an anomaly. */
  relativeFloor: number;
}

export const DEFAULT_ONSET_OPTIONS: OnsetOptions = { zThreshold: 5, persist: 3, relativeFloor: 0.02 };

export interface Onset {
  /** Index of the first sample of the run. */
  index: number;
  /** Largest |z| from the onset on. */
  maxZ: number;
  /** Strength in [0, 1): 0 at the threshold, 0.5 at twice it, towards 1 beyond. */
  score: number;
  direction: 'above' | 'below';
}

/** Median and MAD-based sigma of values[from, to), ignoring NaN. */
export function robustBaseline(values: ArrayLike<number>, from: number, to: number, relativeFloor: number): { median: number; sigma: number } | undefined {
  const xs: number[] = [];
  for (let i = from; i < to; i++) if (Number.isFinite(values[i])) xs.push(values[i]);
  if (xs.length < 3) return undefined;
  xs.sort((a, b) => a - b);
  const median = quantileSorted(xs, 0.5);
  for (let i = 0; i < xs.length; i++) xs[i] = Math.abs(xs[i] - median);
  xs.sort((a, b) => a - b);
  const mad = quantileSorted(xs, 0.5) * 1.4826;
  const floor = relativeFloor * Math.abs(median) + 1e-9;
  return { median, sigma: Math.max(mad, floor) };
}

export function detectOnset(values: ArrayLike<number>, baselineEnd: number, opts: OnsetOptions = DEFAULT_ONSET_OPTIONS): Onset | undefined {
  const base = robustBaseline(values, 0, baselineEnd, opts.relativeFloor);
  if (!base) return undefined;
  let run = 0;
  let runStart = -1;
  let runSign = 0;
  for (let i = baselineEnd; i < values.length; i++) {
    const x = values[i];
    if (!Number.isFinite(x)) continue;
    const z = (x - base.median) / base.sigma;
    const sign = z > opts.zThreshold ? 1 : z < -opts.zThreshold ? -1 : 0;
    if (sign !== 0 && sign === runSign) run++;
    else {
      run = sign !== 0 ? 1 : 0;
      runStart = i;
      runSign = sign;
    }
    if (run >= opts.persist) {
      let maxZ = 0;
      for (let k = runStart; k < values.length; k++) {
        const zk = (runSign * (values[k] - base.median)) / base.sigma;
        if (zk > maxZ) maxZ = zk;
      }
      return { index: runStart, maxZ, score: 1 - opts.zThreshold / maxZ, direction: runSign > 0 ? 'above' : 'below' };
    }
  }
  return undefined;
}

function quantileSorted(xs: number[], q: number): number {
  const pos = (xs.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo);
}
