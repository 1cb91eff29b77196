import type { Labels } from '../core/labels.js';

/**
 * Label set -> series, without building the canonical key string.
 *
 * This lookup is the per-series cost of append(). A Map keyed by the label-key string
 * costs a string concatenation plus hashing and comparing that fresh string (about 1 us
 * for a typical node_exporter series); hashing the label characters in place and
 * verifying the candidate's labels is several times cheaper. The per-pair hashes are
 * summed, so the label order of the request does not matter and nothing is sorted.
 * Empty values count as absent, as everywhere else.
 */
export class SeriesMap<T extends { readonly labels: Labels }> {
  private readonly buckets = new Map<number, T | T[]>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(labels: Labels): T | undefined {
    const b = this.buckets.get(hashLabels(labels));
    if (b === undefined) return undefined;
    if (!Array.isArray(b)) return sameLabels(labels, b.labels) ? b : undefined;
    for (const s of b) if (sameLabels(labels, s.labels)) return s;
    return undefined;
  }

  /** Adds a series whose labels are not in the map yet. */
  add(s: T): void {
    const h = hashLabels(s.labels);
    const b = this.buckets.get(h);
    if (b === undefined) this.buckets.set(h, s);
    else if (Array.isArray(b)) b.push(s);
    else this.buckets.set(h, [b, s]);
    this.count++;
  }

  delete(s: T): void {
    const h = hashLabels(s.labels);
    const b = this.buckets.get(h);
    if (b === undefined) return;
    if (!Array.isArray(b)) {
      if (b === s) {
        this.buckets.delete(h);
        this.count--;
      }
      return;
    }
    const i = b.indexOf(s);
    if (i < 0) return;
    b.splice(i, 1);
    this.count--;
    if (b.length === 1) this.buckets.set(h, b[0]!);
  }
}

/** Order-independent 30-bit hash of the non-empty label pairs. */
export function hashLabels(labels: Labels): number {
  let h = 0;
  for (const name in labels) {
    const value = labels[name];
    if (typeof value !== 'string' || value === '') continue;
    let x = 0x811c9dc5;
    for (let i = 0; i < name.length; i++) x = Math.imul(x ^ name.charCodeAt(i), 0x01000193);
    x = Math.imul(x ^ 0xff, 0x01000193);
    for (let i = 0; i < value.length; i++) x = Math.imul(x ^ value.charCodeAt(i), 0x01000193);
    // Finalise each pair so that the sum does not cancel structure between pairs.
    x ^= x >>> 16;
    x = Math.imul(x, 0x85ebca6b);
    x ^= x >>> 13;
    x = Math.imul(x, 0xc2b2ae35);
    x ^= x >>> 16;
    h = (h + x) | 0;
  }
  // 30 bits: a small integer (Smi) in V8, so Map keys need no heap number.
  return h & 0x3fffffff;
}

/** True when `a` (a request's labels, maybe with empty values) names the series with normalised labels `b`. */
function sameLabels(a: Labels, b: Labels): boolean {
  let n = 0;
  for (const name in a) {
    const v = a[name];
    if (typeof v !== 'string' || v === '') continue;
    if (b[name] !== v) return false;
    n++;
  }
  for (const _ in b) n--;
  return n === 0;
}
