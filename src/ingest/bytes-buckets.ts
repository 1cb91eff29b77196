/**
 * Byte-keyed lookup shared by the ingest decoders' caches (remote-write labels,
 * OTLP data point attributes, line protocol series parts): senders repeat their
 * series byte for byte, so a cache keyed by the raw bytes skips decoding them.
 */

/** Entries of a BytesBuckets: the key is a copy of the bytes they were found by. */
export interface BytesKeyed {
  readonly key: Uint8Array;
}

/** A hash map from byte strings to entries: a hash of the bytes, then a byte compare. */
export class BytesBuckets<E extends BytesKeyed> {
  private buckets = new Map<number, E | E[]>();

  /** The entry whose key equals buf[start, end). */
  find(buf: Uint8Array, start: number, end: number): E | undefined {
    const b = this.buckets.get(hashBytes(buf, start, end));
    if (b === undefined) return undefined;
    if (!Array.isArray(b)) return sameBytes(b.key, buf, start, end) ? b : undefined;
    for (const e of b) if (sameBytes(e.key, buf, start, end)) return e;
    return undefined;
  }

  /** Adds `e` (its key not yet present). */
  add(e: E): void {
    const h = hashBytes(e.key, 0, e.key.length);
    const b = this.buckets.get(h);
    if (b === undefined) this.buckets.set(h, e);
    else if (Array.isArray(b)) b.push(e);
    else this.buckets.set(h, [b, e]);
  }

  clear(): void {
    this.buckets = new Map();
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
