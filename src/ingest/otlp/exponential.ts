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
 * A delta point covers only its interval's buckets: its series' points are summed
 * per bucket (ExponentialTotals) and written as cumulative, so each `le` series
 * gets every interval's counts.
 */

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

/** Explicit bounds (ascending) and bounds + 1 bucket counts (the last, above the highest bound, empty); or a reason to refuse. */
export type ExplicitBuckets = { bounds: number[]; counts: number[] } | { refused: string };

export function exponentialToExplicit(p: ExponentialPoint): ExplicitBuckets {
  const bad = badScale(p.scale);
  if (bad) return { refused: bad };
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
  if (neg !== undefined || pos !== undefined || p.zeroCount > 0) push(Math.max(0, p.zeroThreshold), p.zeroCount + takeCarry());
  if (pos) for (let j = pos.lo; j <= pos.hi; j++) push(bound(j), pos.counts[j - pos.lo]! + takeCarry());
  counts.push(carry);
  return { bounds, counts };

  function takeCarry(): number {
    const c = carry;
    carry = 0;
    return c;
  }
}

function badScale(scale: number): string | undefined {
  return Number.isInteger(scale) && scale >= MIN_SCALE && scale <= MAX_SCALE ? undefined : `scale ${scale} is outside ${MIN_SCALE}..${MAX_SCALE}`;
}

/**
 * A delta exponential histogram series summed so far, as OpenTelemetry's deltatocumulative
 * processor keeps it. A delta point holds only its interval's buckets; its series' classic
 * `le` series must count every interval's observations, at every bound the series has had.
 * So the deltas are summed per bucket (at the lowest scale seen, at most EXPONENTIAL_SCALE)
 * and the sum is written as a cumulative point.
 */
export interface ExponentialTotals {
  scale: number;
  /** Count per bucket index at `scale`. */
  pos: Map<number, number>;
  neg: Map<number, number>;
  zeroCount: number;
  zeroThreshold: number;
  count: number;
  sum: number;
}

/**
 * `totals` (undefined: none yet) plus delta point `p` (its count and sum given apart): the new
 * totals, and them as explicit buckets; or why the point is refused (the totals then stand).
 */
export function addExponentialDelta(totals: ExponentialTotals | undefined, p: ExponentialPoint, count: number, sum: number): { totals: ExponentialTotals; buckets: { bounds: number[]; counts: number[] } } | { refused: string } {
  const bad = badScale(p.scale);
  if (bad) return { refused: bad };
  const t = Math.min(p.scale, EXPONENTIAL_SCALE, totals?.scale ?? Infinity);
  const down = (m: Map<number, number> | undefined): Map<number, number> => {
    const out = new Map<number, number>();
    if (m) for (const [i, c] of m) add(out, Math.floor(i / 2 ** (totals!.scale - t)), c);
    return out;
  };
  const next: ExponentialTotals = {
    scale: t,
    pos: down(totals?.pos),
    neg: down(totals?.neg),
    zeroCount: (totals?.zeroCount ?? 0) + p.zeroCount,
    zeroThreshold: p.zeroThreshold,
    count: (totals?.count ?? 0) + count,
    sum: (totals?.sum ?? 0) + sum,
  };
  const into = (m: Map<number, number>, offset: number, counts: ArrayLike<number>, indexes: ArrayLike<number> | undefined) => {
    for (let k = 0; k < counts.length; k++) if (counts[k]! > 0) add(m, Math.floor((indexes === undefined ? offset + k : indexes[k]!) / 2 ** (p.scale - t)), counts[k]!);
  };
  into(next.pos, p.posOffset, p.posCounts, p.posIndexes);
  into(next.neg, p.negOffset, p.negCounts, p.negIndexes);
  const point: ExponentialPoint = {
    scale: t,
    zeroCount: next.zeroCount,
    zeroThreshold: next.zeroThreshold,
    posOffset: 0,
    posIndexes: [...next.pos.keys()],
    posCounts: [...next.pos.values()],
    negOffset: 0,
    negIndexes: [...next.neg.keys()],
    negCounts: [...next.neg.values()],
  };
  const buckets = exponentialToExplicit(point);
  if ('refused' in buckets) return buckets;
  return { totals: next, buckets };
}

function add(m: Map<number, number>, i: number, c: number): void {
  m.set(i, (m.get(i) ?? 0) + c);
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
