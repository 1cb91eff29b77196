import type { ForecastOptions, ForecastResult, Forecaster } from './types.js';
import { fillGaps, solveRidge, sortedQuantile } from './math.js';
import { mulberry32 } from '../core/mulberry32.js';

/**
 * A seasonal autoregression: the next value from the last `season` values and
 * the same hour on each of the previous `seasonalLags` seasons (with
 * season = 24 on hourly data: yesterday at this hour back to a week ago), by
 * ridge least squares, forecast recursively. Intervals by simulating sample
 * paths with Gaussian innovations of the residual sd.
 */
export interface AutoregressionOptions {
  seasonalLags?: number;
  /** Ridge penalty per sample on standardised values. */
  penalty?: number;
  paths?: number;
  /** Model the differences at this lag (1 = changes, `season` = seasonal changes) and integrate back; 0 = levels. */
  difference?: number | 'season';
}

export function arLags(season: number, n: number, seasonalLags: number): Int32Array {
  const lags: number[] = [];
  const short = Math.max(1, Math.min(season, 48));
  for (let k = 1; k <= short; k++) lags.push(k);
  if (season > 1) for (let s = 2; s <= seasonalLags; s++) if (s * season < n / 2) lags.push(s * season);
  return Int32Array.from(lags.filter((l) => l < n / 2));
}

/**
 * Ridge least squares of y[t] on an intercept and y[t - lag] for each lag
 * (penalty per sample, intercept unpenalised). coef[0] is the intercept,
 * coef[j + 1] the weight of lags[j]; sigma the residual sd.
 */
export function fitAutoregression(y: Float64Array, lags: Int32Array, penalty: number): { coef: Float64Array; sigma: number } {
  const n = y.length;
  const L = lags.length;
  const maxLag = L > 0 ? lags[L - 1] : 0;
  const p = L + 1;
  const A = new Float64Array(p * p), b = new Float64Array(p), row = new Float64Array(p);
  const rows = n - maxLag;
  for (let t = maxLag; t < n; t++) {
    row[0] = 1;
    for (let j = 0; j < L; j++) row[j + 1] = y[t - lags[j]];
    for (let r = 0; r < p; r++) {
      b[r] += row[r] * y[t];
      for (let c = 0; c <= r; c++) A[r * p + c] += row[r] * row[c];
    }
  }
  for (let r = 0; r < p; r++) for (let c = r + 1; c < p; c++) A[r * p + c] = A[c * p + r];
  const ridge = new Float64Array(p).fill(penalty * rows);
  ridge[0] = 1e-9;
  const coef = rows > p ? solveRidge(A, b, p, ridge) : new Float64Array(p);
  let ss = 0;
  for (let t = maxLag; t < n; t++) {
    let f = coef[0];
    for (let j = 0; j < L; j++) f += coef[j + 1] * y[t - lags[j]];
    ss += (y[t] - f) ** 2;
  }
  return { coef, sigma: Math.sqrt(ss / Math.max(1, rows - p)) };
}

export class AutoregressionForecaster implements Forecaster {
  readonly name = 'ar';
  constructor(private readonly opts: AutoregressionOptions = {}) {}

  forecast(yIn: Float64Array, horizon: number, fopts: ForecastOptions): ForecastResult {
    const level = fopts.level ?? 0.95;
    const season = Math.max(1, Math.floor(fopts.season));
    const level0 = fillGaps(yIn);
    const d = this.opts.difference === 'season' ? (season > 1 ? season : 1) : Math.max(0, Math.floor(this.opts.difference ?? 0));
    if (d > 0 && level0.length <= 4 * d + 8) return new AutoregressionForecaster({ ...this.opts, difference: 0 }).forecast(yIn, horizon, fopts);
    const raw = d > 0 ? level0.subarray(d).map((v, i) => v - level0[i]) : level0;
    const n = raw.length;
    const lags = arLags(season, n, this.opts.seasonalLags ?? 7);
    const L = lags.length;
    let mu = 0, sd = 0;
    for (let i = 0; i < n; i++) mu += raw[i];
    mu /= n;
    for (let i = 0; i < n; i++) sd += (raw[i] - mu) ** 2;
    sd = Math.sqrt(sd / n) || 1;
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) y[i] = (raw[i] - mu) / sd;
    const { coef, sigma } = fitAutoregression(y, lags, this.opts.penalty ?? 0.02);
    // Recursive forecast (point) and simulated paths (interval) over an extended buffer.
    const paths = this.opts.paths ?? 200;
    const buf = new Float64Array(n + horizon);
    const step = (noise: (() => number) | null): void => {
      buf.set(y);
      for (let h = 0; h < horizon; h++) {
        const t = n + h;
        let f = coef[0];
        for (let j = 0; j < L; j++) f += coef[j + 1] * buf[t - lags[j]];
        buf[t] = noise ? f + sigma * noise() : f;
      }
    };
    step(null);
    const mean = new Float64Array(horizon);
    for (let h = 0; h < horizon; h++) mean[h] = mu + sd * buf[n + h];
    const rnd = mulberry32(7);
    const gauss = (): number => Math.sqrt(-2 * Math.log(rnd() || 1e-12)) * Math.cos(2 * Math.PI * rnd());
    const sims = new Float64Array(paths * horizon);
    for (let q = 0; q < paths; q++) {
      step(gauss);
      for (let h = 0; h < horizon; h++) sims[h * paths + q] = buf[n + h] - (mean[h] - mu) / sd;
    }
    if (d > 0) {
      // Back to levels: each value adds the level d steps earlier (history, then the path itself).
      const N = level0.length;
      for (let h = 0; h < horizon; h++) mean[h] += h >= d ? mean[h - d] : level0[N - d + h];
      for (let q = 0; q < paths; q++) for (let h = d; h < horizon; h++) sims[h * paths + q] += sims[(h - d) * paths + q];
    }
    const lower = new Float64Array(horizon), upper = new Float64Array(horizon);
    const a = (1 - level) / 2;
    for (let h = 0; h < horizon; h++) {
      // Quantiles of the simulated deviations from the point path, centred on the point forecast.
      const col = sims.subarray(h * paths, (h + 1) * paths).sort();
      lower[h] = mean[h] + sd * sortedQuantile(col, a);
      upper[h] = mean[h] + sd * sortedQuantile(col, 1 - a);
    }
    return { mean, lower, upper, level, model: d > 0 ? `ar-d${d}` : 'ar' };
  }
}
