import type { Labels } from '../../core/labels.js';

interface Entry {
  readonly key: Uint8Array;
  readonly labels: Labels;
}

/**
 * Encoded label bytes of a remote-write TimeSeries -> its decoded, validated,
 * frozen label set. A sender repeats the same series in every request, byte for
 * byte, so after the first request a series costs one hash and one byte compare
 * instead of decoding and validating its strings, and it keeps the same (frozen)
 * Labels object, which the store and the detectors then find by identity.
 * Bounded: once `maxEntries` is reached it starts over empty.
 */
export class LabelBytesCache {
  private buckets = new Map<number, Entry | Entry[]>();
  private entries = 0;

  constructor(private readonly maxEntries = 200_000) {}

  get(buf: Uint8Array, start: number, end: number): Labels | undefined {
    const b = this.buckets.get(hashBytes(buf, start, end));
    if (b === undefined) return undefined;
    if (!Array.isArray(b)) return sameBytes(b.key, buf, start, end) ? b.labels : undefined;
    for (const e of b) if (sameBytes(e.key, buf, start, end)) return e.labels;
    return undefined;
  }

  /** Caches `labels` (frozen here) for the bytes buf[start, end); returns the frozen object. */
  set(buf: Uint8Array, start: number, end: number, labels: Record<string, string>): Labels {
    if (this.entries >= this.maxEntries) this.clear();
    const e: Entry = { key: buf.slice(start, end), labels: Object.freeze(labels) };
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
  }

  get size(): number {
    return this.entries;
  }
}

/** FNV-1a over the bytes, folded to 30 bits (a V8 small integer, so Map keys need no heap number). */
function hashBytes(buf: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
  h ^= h >>> 15;
  return h & 0x3fffffff;
}

function sameBytes(key: Uint8Array, buf: Uint8Array, start: number, end: number): boolean {
  if (key.length !== end - start) return false;
  for (let i = 0; i < key.length; i++) if (key[i] !== buf[start + i]) return false;
  return true;
}
