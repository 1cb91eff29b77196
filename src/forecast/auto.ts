import type { ForecastOptions, ForecastResult } from './types.js';

const Z95 = 1.959963984540054;

/**
 * The default automatic forecaster. First version: seasonal naive with an
 * interval from the in-sample seasonal differences; replaced by backtested
 * model selection.
 */
export function autoForecast(y: Float64Array, horizon: number, opts: ForecastOptions): ForecastResult {
  const level = opts.level ?? 0.95;
  const m = Math.max(1, Math.floor(opts.season));
  const n = y.length;
  const mean = new Float64Array(horizon);
  const lower = new Float64Array(horizon);
  const upper = new Float64Array(horizon);
  let ss = 0;
  let cnt = 0;
  for (let t = m; t < n; t++) {
    const d = y[t] - y[t - m];
    if (Number.isFinite(d)) { ss += d * d; cnt++; }
  }
  const sigma = cnt > 0 ? Math.sqrt(ss / cnt) : 0;
  const z = level === 0.95 ? Z95 : Z95;
  for (let h = 0; h < horizon; h++) {
    let v = NaN;
    for (let t = n - m + (h % m); t >= 0 && !Number.isFinite(v); t -= m) v = t < n ? y[t] : NaN;
    const k = Math.floor(h / m) + 1;
    const w = z * sigma * Math.sqrt(k);
    mean[h] = v;
    lower[h] = v - w;
    upper[h] = v + w;
  }
  return { mean, lower, upper, level, model: 'snaive' };
}
