/**
 * A fixed64 Unix-nanosecond timestamp, given as its two 32-bit halves, to
 * milliseconds rounded down, exactly, without BigInt (this runs per data point).
 *
 * ns = hi * 2^32 + lo and 2^32 = 4294 * 10^6 + 967296, so
 * floor(ns / 10^6) = hi * 4294 + floor((hi * 967296 + lo) / 10^6).
 * Both terms are integers below 2^53 (the second numerator is at most about
 * 4.2e15), so every step is exact except the division, whose floor is then
 * corrected by checking the remainder.
 */
export function nanosToMs(lo: number, hi: number): number {
  const x = hi * 967296 + lo;
  let q = Math.floor(x / 1e6);
  const r = x - q * 1e6;
  if (r < 0) q -= 1;
  else if (r >= 1e6) q += 1;
  return hi * 4294 + q;
}
