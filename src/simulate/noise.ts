import { mix32 } from './random.js';

/**
 * Stateless noise: every draw is a hash of (seed, stream, key), where the key is a time.
 * The value of a series at time t is then the same whether the caller stepped there
 * sample by sample, jumped there, or went back in time.
 */

const INV_2_32 = 1 / 4294967296;
const TWO_32 = 4294967296;

/** 32-bit hash of (seed, stream, key); the key may be any integer up to 2^53 (ms timestamps are). */
export function hashKey(seed: number, stream: number, key: number): number {
  const lo = key >>> 0;
  const hi = Math.floor(key / TWO_32) >>> 0;
  let h = mix32((seed ^ Math.imul(stream, 0x9e3779b1)) >>> 0);
  h = mix32((h ^ lo) >>> 0);
  return mix32((h + hi + 0x632be5ab) >>> 0);
}

/** Uniform in [0, 1). */
export function hashUniform(seed: number, stream: number, key: number): number {
  return hashKey(seed, stream, key) * INV_2_32;
}

/**
 * Standard normal from one hash, by a tabulated inverse CDF with linear interpolation: about
 * five times cheaper than Box-Muller, which matters at millions of samples per second. Tails stop
 * near 3.7 sigma; the model adds its heavy-tailed outliers separately.
 */
export function hashNormal(seed: number, stream: number, key: number): number {
  const h = hashKey(seed, stream, key);
  const i = h >>> 20;
  const f = (h & 0xfffff) * (1 / 1048576);
  const a = NORMAL_QUANTILES[i]!;
  return a + (NORMAL_QUANTILES[i + 1]! - a) * f;
}

const QUANTILE_STEPS = 4096;

/** Quantiles of N(0, 1) at (i + 0.5) / 4097 for i = 0..4096. */
const NORMAL_QUANTILES: Float64Array = (() => {
  const q = new Float64Array(QUANTILE_STEPS + 1);
  for (let i = 0; i <= QUANTILE_STEPS; i++) q[i] = inverseNormalCdf((i + 0.5) / (QUANTILE_STEPS + 1));
  return q;
})();

/** Acklam's rational approximation of the normal quantile function (relative error below 1.2e-9). */
export function inverseNormalCdf(p: number): number {
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - lo) return -inverseNormalCdf(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

/**
 * Smooth random wander with unit variance at the knots: normals drawn every `periodMs`
 * and joined by a cosine ease, so the series drifts without steps (autocorrelated noise).
 */
export function smoothNoise(seed: number, stream: number, t: number, periodMs: number): number {
  const x = t / periodMs;
  const j = Math.floor(x);
  const f = x - j;
  const w = 0.5 - 0.5 * Math.cos(Math.PI * f);
  const a = hashNormal(seed, stream, j);
  const b = hashNormal(seed, stream, j + 1);
  return a + (b - a) * w;
}

/**
 * smoothNoise with its two knot values remembered per slot: knots change every `periodMs`
 * (hours), samples every few seconds, so almost every call skips the hashing. The result is
 * identical to smoothNoise, whatever order the times come in.
 */
export class SmoothNoiseCache {
  private readonly knot: Float64Array;
  private readonly a: Float64Array;
  private readonly b: Float64Array;

  constructor(slots: number) {
    this.knot = new Float64Array(slots).fill(NaN);
    this.a = new Float64Array(slots);
    this.b = new Float64Array(slots);
  }

  value(slot: number, seed: number, stream: number, t: number, periodMs: number): number {
    const x = t / periodMs;
    const j = Math.floor(x);
    if (this.knot[slot] !== j) {
      this.knot[slot] = j;
      this.a[slot] = hashNormal(seed, stream, j);
      this.b[slot] = hashNormal(seed, stream, j + 1);
    }
    const f = x - j;
    const w = 0.5 - 0.5 * Math.cos(Math.PI * f);
    const a = this.a[slot]!;
    return a + (this.b[slot]! - a) * w;
  }
}
