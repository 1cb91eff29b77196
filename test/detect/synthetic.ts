// Synthetic series with known answers for the detector tests.

export const T0 = Date.UTC(2024, 0, 1); // a Monday, 00:00 UTC
export const STEP = 5 * 60_000; // 5 minutes
export const PER_DAY = 288;

/** Deterministic standard normal generator (mulberry32 + Box-Muller). */
export function gaussian(seed: number): () => number {
  let a = seed >>> 0;
  const u = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 1) / 4294967297;
  };
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

export function timestamps(n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => T0 + i * STEP);
}

/** Level + Gaussian noise. */
export function noise(n: number, level = 50, sigma = 2, seed = 1): Float64Array {
  const g = gaussian(seed);
  return Float64Array.from({ length: n }, () => level + sigma * g());
}

/** A daily cycle: base plus a peak between 09:00 and 17:00 (smooth edges), plus noise. */
export function daily(n: number, seed = 2, sigma = 2): Float64Array {
  const g = gaussian(seed);
  return Float64Array.from({ length: n }, (_, i) => 20 + peak(i) + sigma * g());
}

/** The daily peak's height at sample i (5-minute samples from midnight). */
export function peak(i: number): number {
  const h = ((i % PER_DAY) / PER_DAY) * 24;
  if (h < 8 || h > 18) return 0;
  if (h < 9) return 40 * (h - 8);
  if (h > 17) return 40 * (18 - h);
  return 40;
}

export function argmax(a: ArrayLike<number>, from = 0, to = a.length): number {
  let best = from;
  for (let i = from; i < to; i++) if (a[i]! > a[best]!) best = i;
  return best;
}

export function max(a: ArrayLike<number>, from = 0, to = a.length): number {
  return a[argmax(a, from, to)]!;
}

/** Feeds a forest over `metrics` metrics `rows` rows of smooth sines (metric m: 50 + m + 10 sin(i / (20 + m))), STEP apart from T0. */
export function feedSines(forest: { update(t: number, row: ArrayLike<number>): unknown }, metrics: number, rows: number): void {
  const row = new Float64Array(metrics);
  for (let i = 0; i < rows; i++) {
    for (let m = 0; m < metrics; m++) row[m] = 50 + m + 10 * Math.sin(i / (20 + m));
    forest.update(T0 + i * STEP, row);
  }
}
