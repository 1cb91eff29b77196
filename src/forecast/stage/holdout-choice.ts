import type { ForecastFn } from './series-forecast.js';

/**
 * Picks, per series, the candidate that forecast the series' own recent past
 * best: each forecasts the last k points (k = the horizon, at most a quarter
 * of the history) from what came before, and the one with the smallest mean
 * absolute error forecasts the future. The stage uses it with the automatic
 * model and a least-squares line: capacity questions look far ahead, where a
 * model tuned to damp trends can miss a disk filling at a steady rate.
 */
export function chooseByHoldout(candidates: readonly ForecastFn[]): ForecastFn {
  if (candidates.length === 0) throw new RangeError('chooseByHoldout needs at least one candidate');
  return (y, horizon, opts) => {
    const n = y.length;
    const k = Math.min(horizon, Math.floor(n / 4));
    if (candidates.length === 1 || k < 2 || n - k < 8) return candidates[0]!(y, horizon, opts);
    const past = y.subarray(0, n - k);
    const pastOpts = { ...opts, season: opts.season < past.length / 2 ? opts.season : 1 };
    let best = 0;
    let bestErr = Infinity;
    candidates.forEach((fn, i) => {
      let err = 0;
      try {
        const r = fn(past, k, pastOpts);
        for (let h = 0; h < k; h++) err += Math.abs(y[n - k + h]! - r.mean[h]!);
      } catch {
        err = Infinity;
      }
      if (err < bestErr) {
        bestErr = err;
        best = i;
      }
    });
    return candidates[best]!(y, horizon, opts);
  };
}
