import type { Labels } from '../../core/labels.js';

interface Entry {
  readonly key: Uint8Array;
  readonly labels: Labels;
  /** The series that came after this one last time. */
  next: Entry | undefined;
}

/**
 * Encoded label bytes of a remote-write TimeSeries -> its decoded, validated,
 * frozen label set. A sender repeats the same series in every request, byte for
 * byte, so after the first request a series costs one hash and one byte compare
 * instead of decoding and validating its strings, and it keeps the same (frozen)
 * Labels object, which the store and the detectors then find by identity.
 * Senders also repeat the order of their series, so each entry remembers the
 * one that followed it: when that guess matches, the lookup is one compare.
 * Bounded: once `maxEntries` is reached it starts over empty.
 */
export class LabelBytesCache {
  private buckets = new Map<number, Entry | Entry[]>();
  private entries = 0;
  private last: Entry | undefined;

  constructor(private readonly maxEntries = 200_000) {}

  get(buf: Uint8Array, start: number, end: number): Labels | undefined {
    const guess = this.last?.next;
    if (guess !== undefined && sameBytes(guess.key, buf, start, end)) {
      this.last = guess;
      return guess.labels;
    }
    const e = this.find(buf, start, end);
    if (e !== undefined) {
      if (this.last) this.last.next = e;
      this.last = e;
    }
    return e?.labels;
  }

  private find(buf: Uint8Array, start: number, end: number): Entry | undefined {
    const b = this.buckets.get(hashBytes(buf, start, end));
    if (b === undefined) return undefined;
    if (!Array.isArray(b)) return sameBytes(b.key, buf, start, end) ? b : undefined;
    for (const e of b) if (sameBytes(e.key, buf, start, end)) return e;
    return undefined;
  }

  /** Caches `labels` (frozen here) for the bytes buf[start, end); returns the frozen object. */
  set(buf: Uint8Array, start: number, end: number, labels: Record<string, string>): Labels {
    if (this.entries >= this.maxEntries) this.clear();
    const e: Entry = { key: buf.slice(start, end), labels: Object.freeze(labels), next: undefined };
    if (this.last) this.last.next = e;
    this.last = e;
    const h = hashBytes(buf, start, end);
    const b = this.buckets.get(h);
    if (b === undefined) this.buckets.set(h, e);
    else if (Array.isArray(b)) b.push(e);
    else this.buckets.set(h, [b, e]);
    this.entries++;
    return e.labels;
  }

  clear(): void {
    this.buckets = new Map();
    this.entries = 0;
    this.last = undefined;
  }

  get size(): number {
    return this.entries;
  }
}

/** Multiplicative hash over 4-byte words (the label bytes of a series are tens of bytes), folded to 30 bits (a V8 small integer). */
export function hashBytes(buf: Uint8Array, start: number, end: number): number {
  let h = Math.imul(end - start, 0x9e3779b1);
  let i = start;
  for (; i + 4 <= end; i += 4) {
    h = Math.imul(h ^ (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24)), 0x85ebca6b);
    h ^= h >>> 15;
  }
  for (; i < end; i++) h = Math.imul(h ^ buf[i]!, 0xc2b2ae35);
  h ^= h >>> 16;
  return h & 0x3fffffff;
}

export function sameBytes(key: Uint8Array, buf: Uint8Array, start: number, end: number): boolean {
  const n = key.length;
  if (n !== end - start) return false;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const j = start + i;
    if ((key[i]! | (key[i + 1]! << 8) | (key[i + 2]! << 16) | (key[i + 3]! << 24)) !== (buf[j]! | (buf[j + 1]! << 8) | (buf[j + 2]! << 16) | (buf[j + 3]! << 24))) return false;
  }
  for (; i < n; i++) if (key[i] !== buf[start + i]) return false;
  return true;
}
