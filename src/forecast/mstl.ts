import type { ForecastOptions, ForecastResult, Forecaster } from './types.js';
import { fillGaps } from './math.js';
import { etsForecast, etsName, selectEts, type EtsTrend } from './ets.js';

/**
 * Multiple seasonal decomposition (MSTL-style): daily and weekly seasonal
 * profiles estimated by recency-weighted phase means of the detrended series,
 * refined by a few back-fitting passes; the seasonally adjusted remainder is
 * forecast by non-seasonal ETS (chosen by AICc) and the profiles are repeated.
 */
export interface MstlOptions {
  /** Multiples of `season` used as periods (1 = daily, 7 = weekly on hourly data); each needs two cycles of history. */
  periodFactors?: number[];
  /** Half-life of the phase-mean weights, in cycles: recent cycles count more, so profiles can drift. */
  halfLifeCycles?: number;
  trends?: EtsTrend[];
}

function centredMovingAverage(y: Float64Array, w: number): Float64Array {
  const n = y.length;
  const out = new Float64Array(n);
  const half = Math.floor(w / 2);
  // Prefix sums; the window shrinks at the edges.
  const cs = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) cs[i + 1] = cs[i] + y[i];
  for (let i = 0; i < n; i++) {
    const a = Math.max(0, i - half), b = Math.min(n, i + half + 1);
    out[i] = (cs[b] - cs[a]) / (b - a);
  }
  return out;
}

function phaseProfile(x: Float64Array, P: number, halfLife: number): Float64Array {
  const n = x.length;
  const sum = new Float64Array(P), wsum = new Float64Array(P);
  const decay = Math.pow(0.5, 1 / (halfLife * P));
  let w = 1;
  for (let t = n - 1; t >= 0; t--) {
    sum[t % P] += w * x[t];
    wsum[t % P] += w;
    w *= decay;
  }
  let avg = 0;
  for (let k = 0; k < P; k++) {
    sum[k] = wsum[k] > 0 ? sum[k] / wsum[k] : 0;
    avg += sum[k];
  }
  avg /= P;
  for (let k = 0; k < P; k++) sum[k] -= avg;
  return sum;
}

export class MstlForecaster implements Forecaster {
  readonly name = 'mstl';
  constructor(private readonly opts: MstlOptions = {}) {}

  forecast(yIn: Float64Array, horizon: number, fopts: ForecastOptions): ForecastResult {
    const level = fopts.level ?? 0.95;
    const y = fillGaps(yIn);
    const n = y.length;
    const m = Math.max(1, Math.floor(fopts.season));
    const periods = (this.opts.periodFactors ?? [1, 7]).map((f) => f * m).filter((P) => P >= 2 && n >= 2 * P);
    const halfLife = this.opts.halfLifeCycles ?? 3;
    const profiles: Float64Array[] = periods.map((P) => new Float64Array(P));
    const rest = new Float64Array(n);
    const seasonalAt = (t: number, skip: number): number => {
      let s = 0;
      for (let k = 0; k < periods.length; k++) if (k !== skip) s += profiles[k][t % periods[k]];
      return s;
    };
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < periods.length; k++) {
        for (let t = 0; t < n; t++) rest[t] = y[t] - seasonalAt(t, k);
        const trend = centredMovingAverage(rest, periods[k]);
        for (let t = 0; t < n; t++) rest[t] -= trend[t];
        profiles[k] = phaseProfile(rest, periods[k], halfLife);
      }
    }
    const adjusted = new Float64Array(n);
    for (let t = 0; t < n; t++) adjusted[t] = y[t] - seasonalAt(t, -1);
    const fit = selectEts(adjusted, 1, { trends: this.opts.trends ?? ['N', 'Ad'], seasons: ['N'] });
    if (!fit) {
      const nan = new Float64Array(horizon).fill(NaN);
      return { mean: nan, lower: nan.slice(), upper: nan.slice(), level, model: 'mstl' };
    }
    const r = etsForecast(fit, horizon, level, `mstl-${etsName(fit)}`);
    for (let h = 0; h < horizon; h++) {
      const s = seasonalAt(n + h, -1);
      r.mean[h] += s;
      r.lower[h] += s;
      r.upper[h] += s;
    }
    return r;
  }
}
