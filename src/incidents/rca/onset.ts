/**
 * When did a series leave its normal range, and how far? Two baselines from the samples before the
 * window of interest (their median and MAD, and a straight line with the MAD of its residuals) and the first run of `persist` samples beyond
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

/**
 * Least-squares line through the finite baseline samples, so a slow daily ramp in traffic is
 * expected rather than flagged; the scale is the MAD of what the line leaves.
 */
export function trendBaseline(values: ArrayLike<number>, baselineEnd: number, relativeFloor: number): { at: (i: number) => number; sigma: number } | undefined {
  let n = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < baselineEnd; i++) {
    const y = values[i];
    if (!Number.isFinite(y)) continue;
    n++;
    sx += i;
    sy += y;
    sxx += i * i;
    sxy += i * y;
  }
  if (n < 3) return undefined;
  const den = n * sxx - sx * sx;
  const slope = den > 0 ? (n * sxy - sx * sy) / den : 0;
  const icept = (sy - slope * sx) / n;
  const residuals = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < baselineEnd; i++) if (Number.isFinite(values[i])) residuals[k++] = values[i] - (icept + slope * i);
  const spread = robustBaseline(residuals, 0, n, 0)!;
  const level = Math.abs(sy / n);
  return { at: (i) => icept + slope * i + spread.median, sigma: Math.max(spread.sigma, relativeFloor * level + 1e-9) };
}

export function detectOnset(values: ArrayLike<number>, baselineEnd: number, opts: OnsetOptions = DEFAULT_ONSET_OPTIONS): Onset | undefined {
  const trend = trendBaseline(values, baselineEnd, opts.relativeFloor);
  const flat = robustBaseline(values, 0, baselineEnd, opts.relativeFloor);
  if (!trend || !flat) return undefined;
  // Out of range against both a flat level and the baseline's trend: a ramp that was already
  // under way (morning traffic) and a sawtooth that a line mistakes for a trend (GC cycles) both pass.
  const zAt = (i: number): number => {
    const a = (values[i] - flat.median) / flat.sigma;
    const b = (values[i] - trend.at(i)) / trend.sigma;
    return a > 0 && b > 0 ? Math.min(a, b) : a < 0 && b < 0 ? Math.max(a, b) : 0;
  };
  let run = 0;
  let runStart = -1;
  let runSign = 0;
  for (let i = baselineEnd; i < values.length; i++) {
    const x = values[i];
    if (!Number.isFinite(x)) continue;
    const z = zAt(i);
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
        const zk = runSign * zAt(k);
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
