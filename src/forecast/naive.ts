import type { ForecastOptions, ForecastResult, Forecaster } from './types.js';
import { classicalSeasonalIndices, isSeasonal } from './decompose.js';
import { fillGaps, normalInterval } from './math.js';

/**
 * Seasonal naive: each future value repeats the value one season earlier.
 * Interval: residual sd of the in-sample seasonal differences times
 * sqrt(number of seasons ahead).
 */
export const seasonalNaive: Forecaster = {
  name: 'snaive',
  forecast(yIn: Float64Array, horizon: number, opts: ForecastOptions): ForecastResult {
    const y = fillGaps(yIn);
    const n = y.length;
    const m = Math.max(1, Math.min(Math.floor(opts.season), n));
    let ss = 0, cnt = 0;
    for (let t = m; t < n; t++) {
      const d = y[t] - y[t - m];
      ss += d * d;
      cnt++;
    }
    const sigma = cnt > 0 ? Math.sqrt(ss / cnt) : 0;
    const mean = new Float64Array(horizon);
    const sd = new Float64Array(horizon);
    for (let h = 0; h < horizon; h++) {
      mean[h] = n > 0 ? y[n - m + (h % m)] : NaN;
      sd[h] = sigma * Math.sqrt(Math.floor(h / m) + 1);
    }
    return normalInterval(mean, sd, opts.level ?? 0.95, 'snaive');
  },
};

/**
 * M4's Naive2: the last value of the seasonally adjusted series, re-seasonalised
 * by the classical multiplicative indices when the 90% seasonality test passes.
 * Interval: random-walk sd (one-step sd times sqrt(h)) on the adjusted scale.
 */
export const naive2: Forecaster = {
  name: 'naive2',
  forecast(yIn: Float64Array, horizon: number, opts: ForecastOptions): ForecastResult {
    const y = fillGaps(yIn);
    const n = y.length;
    const m = Math.max(1, Math.floor(opts.season));
    let positive = true;
    for (let i = 0; i < n; i++) if (!(y[i] > 0)) positive = false;
    const seasonal = positive && isSeasonal(y, m);
    const idx = seasonal ? classicalSeasonalIndices(y, m, true) : null;
    const si = (t: number): number => (idx ? idx[t % m] : 1);
    let ss = 0;
    for (let t = 1; t < n; t++) ss += (y[t] / si(t) - y[t - 1] / si(t - 1)) ** 2;
    const sigma = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
    const last = n > 0 ? y[n - 1] / si(n - 1) : NaN;
    const mean = new Float64Array(horizon);
    const sd = new Float64Array(horizon);
    for (let h = 0; h < horizon; h++) {
      mean[h] = last * si(n + h);
      sd[h] = sigma * Math.sqrt(h + 1) * si(n + h);
    }
    return normalInterval(mean, sd, opts.level ?? 0.95, 'naive2');
  },
};
