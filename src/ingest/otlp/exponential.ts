/**
 * OTLP exponential histograms as classic buckets. Vigil stores classic histograms
 * (`_bucket{le}`, `_sum`, `_count`), so an exponential histogram point becomes the
 * explicit-bounds point it amounts to, and from there goes the way explicit ones go.
 *
 * Bucket i of scale s holds values in (base^i, base^(i+1)] with base = 2^(2^-s)
 * (negative buckets the same magnitudes below zero). Points are merged down to
 * EXPONENTIAL_SCALE (0: bounds at powers of two, each bucket twice the one below,
 * as coarse as Prometheus's default buckets) unless they are coarser already: the
 * bounds then stay put while a sender's scale moves (its SDK rescales as the
 * range of values grows), so its `le` series stay the same series. Within a point,
 * every bound from its lowest to its highest non-empty bucket is written, empty
 * ones too; a cumulative histogram's range only grows, so a series' `le` set does.
 */

/**
 * Why delta exponential histograms are refused: accumulating them needs every bound a
 * series ever had in every point, and a delta point only has the buckets of its interval.
 */
export const DELTA_EXPONENTIAL = 'delta exponential histograms are not supported (export them with cumulative temporality)';

/** The scale points are merged down to. */
export const EXPONENTIAL_SCALE = 0;
/** Most classic buckets one point may become (a wider point is refused: it would be that many series). */
export const MAX_EXPONENTIAL_BUCKETS = 160;
/** Scales OTLP allows. */
const MIN_SCALE = -10;
const MAX_SCALE = 20;

export interface ExponentialPoint {
  scale: number;
  zeroCount: number;
  zeroThreshold: number;
  posOffset: number;
  posCounts: ArrayLike<number>;
  negOffset: number;
  negCounts: ArrayLike<number>;
  /** Sparse buckets (Prometheus native histograms): bucket k's index, instead of offset + k. */
  posIndexes?: ArrayLike<number>;
  negIndexes?: ArrayLike<number>;
}

/** Explicit bounds (ascending) and bounds + 1 bucket counts (the last, above the highest bound, empty), or a reason to refuse. */
export type ExplicitBuckets = { bounds: number[]; counts: number[] } | { refused: string };

export function exponentialToExplicit(p: ExponentialPoint): ExplicitBuckets {
  if (!Number.isInteger(p.scale) || p.scale < MIN_SCALE || p.scale > MAX_SCALE) return { refused: `scale ${p.scale} is outside ${MIN_SCALE}..${MAX_SCALE}` };
  const t = Math.min(p.scale, EXPONENTIAL_SCALE);
  const shift = p.scale - t;
  const pos = merge(p.posOffset, p.posCounts, p.posIndexes, shift);
  const neg = merge(p.negOffset, p.negCounts, p.negIndexes, shift);
  const spanned = (pos ? pos.hi - pos.lo + 1 : 0) + (neg ? neg.hi - neg.lo + 1 : 0);
  if (spanned > MAX_EXPONENTIAL_BUCKETS) return { refused: `spans ${spanned} buckets at scale ${t}, more than ${MAX_EXPONENTIAL_BUCKETS}` };
  const bounds: number[] = [];
  const counts: number[] = [];
  // Upper bound of bucket j at scale t: 2^((j + 1) * 2^-t); t <= 0 makes it an exact power of two.
  const bound = (j: number) => 2 ** ((j + 1) * 2 ** -t);
  const push = (b: number, c: number) => {
    // A bound that overflowed (or is not above the previous one) adds its count to the next bucket.
    if (Number.isFinite(b) && (bounds.length === 0 || b > bounds[bounds.length - 1]!)) {
      bounds.push(b === 0 ? 0 : b); // -0 (an underflowed negative bound) is 0
      counts.push(c);
    } else if (counts.length > 0 && !Number.isFinite(b)) carry += c;
    else if (counts.length > 0) counts[counts.length - 1]! += c;
    else carry += c;
  };
  let carry = 0;
  // Negative buckets, most negative first: bucket j holds [-bound(j), -bound(j - 1)), at or below -bound(j - 1).
  if (neg) for (let j = neg.hi; j >= neg.lo; j--) push(-bound(j - 1), neg.counts[j - neg.lo]! + takeCarry());
  // The zero bucket, when there is anything around it (an empty point is just its +Inf, _sum and _count).
  if (neg || pos || p.zeroCount > 0) push(Math.max(0, p.zeroThreshold), p.zeroCount + takeCarry());
  if (pos) for (let j = pos.lo; j <= pos.hi; j++) push(bound(j), pos.counts[j - pos.lo]! + takeCarry());
  counts.push(carry);
  return { bounds, counts };

  function takeCarry(): number {
    const c = carry;
    carry = 0;
    return c;
  }
}

/** Counts per bucket index after merging `shift` scales down (index i goes to i >> shift), over the range [lo, hi] of non-empty buckets. */
function merge(offset: number, counts: ArrayLike<number>, indexes: ArrayLike<number> | undefined, shift: number): { lo: number; hi: number; counts: number[] } | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  const at = (k: number) => (indexes === undefined ? offset + k : indexes[k]!);
  for (let k = 0; k < counts.length; k++) {
    if (!(counts[k]! > 0)) continue;
    const j = Math.floor(at(k) / 2 ** shift);
    if (j < lo) lo = j;
    if (j > hi) hi = j;
  }
  if (lo > hi) return undefined;
  // A range this wide is refused by the caller; do not allocate for it.
  if (hi - lo >= MAX_EXPONENTIAL_BUCKETS) return { lo, hi, counts: [] };
  const out = new Array<number>(hi - lo + 1).fill(0);
  for (let k = 0; k < counts.length; k++) {
    if (!(counts[k]! > 0)) continue;
    out[Math.floor(at(k) / 2 ** shift) - lo]! += counts[k]!;
  }
  return { lo, hi, counts: out };
}
