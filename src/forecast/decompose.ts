/**
 * Classical decomposition and the seasonality test, exactly as the M4
 * competition's Naive2 uses them (R's `decompose` and M4's `SeasonalityTest`).
 */

/** Sample autocorrelation at lags 1..maxLag (R's `acf`: biased, mean removed). */
export function acf(y: Float64Array, maxLag: number): Float64Array {
  const n = y.length;
  let mu = 0;
  for (let i = 0; i < n; i++) mu += y[i];
  mu /= n;
  let c0 = 0;
  for (let i = 0; i < n; i++) c0 += (y[i] - mu) ** 2;
  const r = new Float64Array(maxLag + 1);
  r[0] = 1;
  for (let k = 1; k <= maxLag; k++) {
    let c = 0;
    for (let i = k; i < n; i++) c += (y[i] - mu) * (y[i - k] - mu);
    r[k] = c0 > 0 ? c / c0 : 0;
  }
  return r;
}

/**
 * M4's 90% seasonality test: the lag-m autocorrelation exceeds
 * 1.645 / sqrt(n) * sqrt(1 + 2 sum_{k<m} r_k^2). Needs at least 3 cycles.
 */
export function isSeasonal(y: Float64Array, m: number): boolean {
  if (m <= 1 || y.length < 3 * m) return false;
  const r = acf(y, m);
  let s = 1;
  for (let k = 1; k < m; k++) s += 2 * r[k] * r[k];
  const limit = (1.645 / Math.sqrt(y.length)) * Math.sqrt(s);
  return Math.abs(r[m]) > limit;
}

/**
 * Seasonal indices by phase (index i mod m of the series) of the classical
 * decomposition: centred moving average trend (2 x m for even m), ratios
 * (multiplicative) or differences (additive) averaged per phase, normalised to
 * mean 1 (or 0).
 */
export function classicalSeasonalIndices(y: Float64Array, m: number, multiplicative: boolean): Float64Array {
  const n = y.length;
  const half = Math.floor(m / 2);
  const sum = new Float64Array(m);
  const count = new Float64Array(m);
  for (let t = half; t < n - half; t++) {
    let tr = 0;
    if (m % 2 === 0) {
      tr = 0.5 * y[t - half] + 0.5 * y[t + half];
      for (let k = -half + 1; k < half; k++) tr += y[t + k];
    } else {
      for (let k = -half; k <= half; k++) tr += y[t + k];
    }
    tr /= m;
    const v = multiplicative ? y[t] / tr : y[t] - tr;
    if (!Number.isFinite(v)) continue;
    sum[t % m] += v;
    count[t % m]++;
  }
  const idx = new Float64Array(m);
  let total = 0;
  for (let p = 0; p < m; p++) {
    idx[p] = count[p] > 0 ? sum[p] / count[p] : multiplicative ? 1 : 0;
    total += idx[p];
  }
  const avg = total / m;
  for (let p = 0; p < m; p++) idx[p] = multiplicative ? idx[p] / avg : idx[p] - avg;
  return idx;
}
