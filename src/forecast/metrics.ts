/**
 * Forecast accuracy as the M4 competition defines it. Each function scores
 * one series; average over series before combining into OWA.
 */

/** sMAPE in percent: mean of 200 |y - f| / (|y| + |f|). */
export function smape(actual: ArrayLike<number>, forecast: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i]) + Math.abs(forecast[i]);
    s += d === 0 ? 0 : (200 * Math.abs(actual[i] - forecast[i])) / d;
  }
  return s / actual.length;
}

/** The MASE scale: in-sample mean absolute seasonal difference at lag m (lag 1 when the history is too short). */
export function maseScale(history: ArrayLike<number>, m: number): number {
  const n = history.length;
  const lag = n > m ? m : 1;
  let s = 0, c = 0;
  for (let t = lag; t < n; t++) {
    const d = Math.abs(history[t] - history[t - lag]);
    if (Number.isFinite(d)) { s += d; c++; }
  }
  return c > 0 ? s / c : NaN;
}

export function mase(actual: ArrayLike<number>, forecast: ArrayLike<number>, scale: number): number {
  let s = 0;
  for (let i = 0; i < actual.length; i++) s += Math.abs(actual[i] - forecast[i]);
  return s / actual.length / scale;
}

/** Mean scaled interval score of a central (1 - alpha) interval. */
export function msis(actual: ArrayLike<number>, lower: ArrayLike<number>, upper: ArrayLike<number>, scale: number, alpha = 0.05): number {
  let s = 0;
  for (let i = 0; i < actual.length; i++) {
    const y = actual[i], l = lower[i], u = upper[i];
    s += u - l;
    if (y < l) s += (2 / alpha) * (l - y);
    if (y > u) s += (2 / alpha) * (y - u);
  }
  return s / actual.length / scale;
}

/** Fraction of actual values inside [lower, upper]. */
export function coverage(actual: ArrayLike<number>, lower: ArrayLike<number>, upper: ArrayLike<number>): number {
  let c = 0;
  for (let i = 0; i < actual.length; i++) if (actual[i] >= lower[i] && actual[i] <= upper[i]) c++;
  return c / actual.length;
}

/** Overall weighted average relative to Naive2 (inputs are averages over all series). */
export function owa(smapeMean: number, maseMean: number, naive2Smape: number, naive2Mase: number): number {
  return (smapeMean / naive2Smape + maseMean / naive2Mase) / 2;
}
