/** Small numeric helpers shared by the forecasting models (typed arrays, no allocation per sample). */
import { normalQuantile } from '../core/normal-quantile.js';

export { normalQuantile };

/** The two-sided z for a central interval of coverage `level`. */
export function zFor(level: number): number {
  return normalQuantile(0.5 + level / 2);
}

/**
 * A copy of `y` with NaN gaps filled by linear interpolation (edges by the
 * nearest value), so models that need a complete history can run. All-NaN
 * input gives zeros.
 */
export function fillGaps(y: Float64Array): Float64Array {
  const n = y.length;
  const out = new Float64Array(n);
  let prev = -1;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(y[i])) continue;
    out[i] = y[i];
    if (prev === -1) {
      for (let j = 0; j < i; j++) out[j] = y[i];
    } else if (i - prev > 1) {
      const a = y[prev], b = y[i];
      for (let j = prev + 1; j < i; j++) out[j] = a + ((b - a) * (j - prev)) / (i - prev);
    }
    prev = i;
  }
  if (prev === -1) return out;
  for (let j = prev + 1; j < n; j++) out[j] = y[prev];
  return out;
}

export function mean(y: ArrayLike<number>, from = 0, to = y.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += y[i];
  return to > from ? s / (to - from) : NaN;
}

export function median(values: ArrayLike<number>): number {
  const a = Float64Array.from(values).sort();
  const n = a.length;
  if (n === 0) return NaN;
  return n % 2 ? a[(n - 1) >> 1] : (a[n / 2 - 1] + a[n / 2]) / 2;
}

/** Linear-interpolated quantile of a sorted array. */
export function sortedQuantile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const x = p * (n - 1);
  const i = Math.floor(x);
  const f = x - i;
  return i + 1 < n ? sorted[i] * (1 - f) + sorted[i + 1] * f : sorted[n - 1];
}

/** Result arrays for a horizon, with a symmetric normal interval of half-width z * sd[h]. */
export function normalInterval(mean: Float64Array, sd: Float64Array, level: number, model: string) {
  const z = zFor(level);
  const lower = new Float64Array(mean.length);
  const upper = new Float64Array(mean.length);
  for (let h = 0; h < mean.length; h++) {
    lower[h] = mean[h] - z * sd[h];
    upper[h] = mean[h] + z * sd[h];
  }
  return { mean, lower, upper, level, model };
}

/** Cholesky factor L (row-major, lower) of A + diag(ridge); A is p x p symmetric positive semi-definite. */
export function cholesky(A: Float64Array, p: number, ridge: Float64Array): Float64Array {
  const L = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * p + j] + (i === j ? ridge[i] : 0);
      for (let k = 0; k < j; k++) s -= L[i * p + k] * L[j * p + k];
      if (i === j) L[i * p + i] = Math.sqrt(Math.max(s, 1e-12));
      else L[i * p + j] = s / L[j * p + j];
    }
  }
  return L;
}

/** Solves L L' x = b in place (b becomes x). */
export function choleskySolve(L: Float64Array, b: Float64Array, p: number): Float64Array {
  for (let i = 0; i < p; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i * p + k] * b[k];
    b[i] = s / L[i * p + i];
  }
  for (let i = p - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < p; k++) s -= L[k * p + i] * b[k];
    b[i] = s / L[i * p + i];
  }
  return b;
}

/** x' (L L')^-1 x, the quadratic form of the inverse; `tmp` is scratch of length p. */
export function inverseQuadratic(L: Float64Array, x: Float64Array, p: number, tmp: Float64Array): number {
  // Forward substitution only: |L^-1 x|^2.
  let q = 0;
  for (let i = 0; i < p; i++) {
    let s = x[i];
    for (let k = 0; k < i; k++) s -= L[i * p + k] * tmp[k];
    tmp[i] = s / L[i * p + i];
    q += tmp[i] * tmp[i];
  }
  return q;
}

/** Solves (A + diag(ridge)) x = b by Cholesky; returns x (b is overwritten). */
export function solveRidge(A: Float64Array, b: Float64Array, p: number, ridge: Float64Array): Float64Array {
  return choleskySolve(cholesky(A, p, ridge), b, p);
}
