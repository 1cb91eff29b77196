/**
 * Decimal to double for the digits a double cannot hold exactly (16 to 19 significant
 * digits, as Telegraf writes most floats: the shortest text that reads back to the same
 * double), without building a string for Number() to read.
 *
 * The digits M = hi·10^8 + lo (below 2^64) are held exactly as an unevaluated sum of two
 * doubles, and M·10^e10 (|e10| <= 22, where 10^|e10| is an exact double) is computed
 * in that double-double arithmetic (Dekker's exact product, Knuth's exact sum) to about
 * 2^-100 of its value. Round-to-nearest is monotone, so when the estimate's lower and
 * upper bounds round to the same double, that double is the correctly rounded value
 * (what Number() gives). Otherwise, for a value within 2^-90 of halfway between two
 * doubles (about one in 2^37), the answer is NaN and the caller asks Number().
 */

/** Exact powers of ten as doubles (10^22 is the largest); field-bytes.ts's fast path uses them too. */
export const POW10 = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/** Dekker's splitter, 2^27 + 1: a·SPLIT splits a double into two halves of 26 bits. */
const SPLIT = 134217729;

/** Bounds of the estimate's error, relative to it (its own error is below 2^-100). */
const MARGIN = 2 ** -90;

/** a·b - p exactly, where p is a·b rounded (no overflow: |a·b| < 2^995). */
function productError(a: number, b: number, p: number): number {
  let c = SPLIT * a;
  const ah = c - (c - a);
  const al = a - ah;
  c = SPLIT * b;
  const bh = c - (c - b);
  const bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}

/**
 * (hi·10^8 + lo)·10^e10 correctly rounded, for integers 0 <= hi < 10^11, 0 <= lo < 10^8
 * and -22 <= e10 <= 22; NaN when too near a rounding boundary to tell.
 */
export function scaledDecimal(hi: number, lo: number, e10: number): number {
  // M = x + y exactly: hi·10^8 (with its rounding error, an integer) plus lo.
  const p = hi * 1e8;
  const pe = productError(hi, 1e8, p);
  const s = p + lo;
  const sb = s - p;
  const se = p - (s - sb) + (lo - sb);
  const y0 = pe + se; // two integers below 2^11: exact
  const x = s + y0;
  const y = y0 - (x - s);
  let q1: number;
  let q2: number;
  if (e10 >= 0) {
    const P = POW10[e10]!;
    q1 = x * P;
    q2 = productError(x, P, q1) + y * P;
  } else {
    const P = POW10[-e10]!;
    q1 = x / P;
    const back = q1 * P;
    q2 = (x - back - productError(q1, P, back) + y) / P;
  }
  const err = (q1 < 0 ? -q1 : q1) * MARGIN;
  const low = q1 + (q2 - err);
  return low === q1 + (q2 + err) ? low : NaN;
}
