import { isStaleMarker } from '../../core/sample.js';

/**
 * Raw samples onto an equally spaced grid, which is what the models take.
 * Each point holds the mean of the samples in a bucket of one step and is
 * placed at the bucket's middle (where a mean of a trend belongs, so a
 * crossing time read off the grid is not half a step late); interior gaps are filled by linear interpolation (a scrape
 * or two missing must not look like a drop to zero), leading and trailing
 * empty buckets are cut, so `values` runs from the first to the last bucket
 * with data.
 */
export interface Grid {
  /** Time of the first point (the middle of its bucket), ms. */
  start: number;
  stepMs: number;
  values: Float64Array;
}

/** Time of the last point of a grid (the forecast's origin). */
export function gridEnd(g: Grid): number {
  return g.start + (g.values.length - 1) * g.stepMs;
}

export function resample(ts: ArrayLike<number>, vs: ArrayLike<number>, start: number, end: number, stepMs: number): Grid {
  if (!(stepMs > 0)) throw new RangeError('step must be greater than 0');
  const n = Math.max(1, Math.floor((end - start) / stepMs));
  const first = end - (n - 1) * stepMs;
  const sum = new Float64Array(n);
  const cnt = new Uint32Array(n);
  for (let i = 0; i < ts.length; i++) {
    const v = vs[i]!;
    if (!Number.isFinite(v) || isStaleMarker(v)) continue;
    // Bucket k covers (first + (k-1)*step, first + k*step].
    const k = Math.ceil((ts[i]! - first) / stepMs);
    if (k < 0 || k >= n) continue;
    sum[k]! += v;
    cnt[k]!++;
  }
  let lo = 0;
  while (lo < n && cnt[lo] === 0) lo++;
  let hi = n - 1;
  while (hi >= lo && cnt[hi] === 0) hi--;
  if (lo > hi) return { start: end - stepMs / 2, stepMs, values: new Float64Array(0) };
  const values = new Float64Array(hi - lo + 1);
  let prev = -1;
  for (let k = lo; k <= hi; k++) {
    if (cnt[k] === 0) continue;
    const v = sum[k]! / cnt[k]!;
    values[k - lo] = v;
    if (prev >= 0 && k - prev > 1) {
      const a = values[prev - lo]!;
      for (let j = prev + 1; j < k; j++) values[j - lo] = a + ((v - a) * (j - prev)) / (k - prev);
    }
    prev = k;
  }
  return { start: first + lo * stepMs - stepMs / 2, stepMs, values };
}

/** Steps that divide a day, so a daily cycle is a whole number of points. */
const NICE_STEPS_MS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400].map((s) => s * 1000);
const DAY_MS = 86_400_000;

/**
 * The step for a forecast: no finer than the data, and coarse enough that
 * the history has at most `maxHistoryPoints` and the horizon at most
 * `maxHorizonSteps` points; rounded up to a step dividing a day.
 */
export function chooseStep(windowMs: number, horizonMs: number, sampleIntervalMs: number, maxHistoryPoints: number, maxHorizonSteps: number): number {
  const want = Math.max(sampleIntervalMs, windowMs / maxHistoryPoints, horizonMs / maxHorizonSteps, 1);
  for (const s of NICE_STEPS_MS) if (s >= want) return s;
  return Math.ceil(want / DAY_MS) * DAY_MS;
}

/** The daily cycle in points when the history holds at least two of them, else 1 (no season). */
export function dailySeason(stepMs: number, points: number): number {
  const m = Math.round(DAY_MS / stepMs);
  return m >= 2 && Math.abs(m * stepMs - DAY_MS) < 1 && points >= 2 * m ? m : 1;
}

/** Median spacing of timestamps (the scrape interval), or 0 with fewer than 2. */
export function medianInterval(ts: ArrayLike<number>): number {
  const n = ts.length;
  if (n < 2) return 0;
  const d = new Float64Array(n - 1);
  for (let i = 1; i < n; i++) d[i - 1] = ts[i]! - ts[i - 1]!;
  d.sort();
  return d[(d.length - 1) >> 1]!;
}
