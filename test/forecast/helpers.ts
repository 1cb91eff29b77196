import type { ForecastResult } from '../../src/forecast/types.js';

/** Standard normal draws from a uniform source (Box-Muller). */
export function gaussian(rnd: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(rnd() || 1e-12)) * Math.cos(2 * Math.PI * rnd());
}

/**
 * Empirical coverage of a forecaster's intervals: `trials` simulated series of
 * `n + horizon` values (`simulate` gets that length), the model sees the first n
 * and forecasts the rest.
 */
export function coverageOf(trials: number, horizon: number, simulate: (n: number) => Float64Array, forecast: (y: Float64Array, h: number) => ForecastResult, n: number): number {
  let inside = 0, total = 0;
  for (let k = 0; k < trials; k++) {
    const y = simulate(n + horizon);
    const f = forecast(y.subarray(0, n), horizon);
    for (let h = 0; h < horizon; h++) {
      const a = y[n + h];
      if (a >= f.lower[h] && a <= f.upper[h]) inside++;
      total++;
    }
  }
  return inside / total;
}
