import type { ForecastOptions, ForecastResult, Forecaster } from './types.js';

/** True when every finite value is positive (and there is at least one), so a log scale applies. */
export function allPositive(y: Float64Array): boolean {
  let any = false;
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (Number.isNaN(v)) continue;
    if (!(v > 0)) return false;
    any = true;
  }
  return any;
}

/**
 * Runs a model on log(y) when the series is positive and maps the forecast
 * back (the point becomes the median, the interval stays exact); otherwise on y.
 * Multiplicative seasonality and growth become additive on the log scale.
 */
export function onLogScale(inner: Forecaster): Forecaster {
  return {
    name: `log-${inner.name}`,
    forecast(y: Float64Array, horizon: number, opts: ForecastOptions): ForecastResult {
      if (!allPositive(y)) return inner.forecast(y, horizon, opts);
      const z = new Float64Array(y.length);
      for (let i = 0; i < y.length; i++) z[i] = Math.log(y[i]);
      const r = inner.forecast(z, horizon, opts);
      const exp = (a: Float64Array): Float64Array => a.map(Math.exp);
      return { mean: exp(r.mean), lower: exp(r.lower), upper: exp(r.upper), level: r.level, model: `log-${r.model}` };
    },
  };
}
