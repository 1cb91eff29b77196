/**
 * Postings: ascending arrays of unique series refs, as in Prometheus' index.
 * Refs are handed out in increasing order, so adding a new series is a push.
 */
export type Postings = number[];

export function addPosting(p: Postings, ref: number): void {
  const n = p.length;
  if (n === 0 || p[n - 1]! < ref) {
    p.push(ref);
    return;
  }
  const i = lowerBound(p, ref);
  if (p[i] !== ref) p.splice(i, 0, ref);
}

/** The first index at or after `from` whose element is not below x (p sorted). */
export function lowerBound(p: readonly number[], x: number, from = 0): number {
  let lo = from;
  let hi = p.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (p[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Elements of both. Gallops through the longer list when sizes differ a lot. */
export function intersect(a: readonly number[], b: readonly number[]): Postings {
  if (a.length > b.length) [a, b] = [b, a];
  const out: Postings = [];
  if (a.length === 0) return out;
  if (a.length * 16 < b.length) {
    let lo = 0;
    for (const x of a) {
      lo = lowerBound(b, x, lo);
      if (lo >= b.length) break;
      if (b[lo] === x) out.push(x);
    }
    return out;
  }
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      out.push(x);
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return out;
}

/** Elements of a that are not in b. */
export function subtract(a: readonly number[], b: readonly number[]): Postings {
  if (b.length === 0) return a.slice();
  const out: Postings = [];
  let j = 0;
  for (const x of a) {
    while (j < b.length && b[j]! < x) j++;
    if (j >= b.length || b[j] !== x) out.push(x);
  }
  return out;
}

/** Sorted union of several postings lists. */
export function union(lists: readonly (readonly number[])[]): Postings {
  if (lists.length === 0) return [];
  if (lists.length === 1) return lists[0]!.slice();
  let total = 0;
  for (const l of lists) total += l.length;
  const all = new Float64Array(total);
  let k = 0;
  for (const l of lists) for (const x of l) all[k++] = x;
  all.sort();
  const out: Postings = [];
  for (let i = 0; i < total; i++) if (i === 0 || all[i] !== all[i - 1]) out.push(all[i]!);
  return out;
}

/** Removes every ref in `drop` (a Set) from p, in place. */
export function removeAll(p: Postings, drop: ReadonlySet<number>): void {
  let w = 0;
  for (let r = 0; r < p.length; r++) {
    const x = p[r]!;
    if (!drop.has(x)) p[w++] = x;
  }
  p.length = w;
}
