/**
 * Byte-keyed lookup shared by the ingest decoders' caches (remote-write labels,
 * OTLP data point attributes, line protocol series parts): senders repeat their
 * series byte for byte, so a cache keyed by the raw bytes skips decoding them.
 * Keys and requests are read four bytes at a time through DataViews (one load
 * per word, where assembling a word from bytes takes four).
 */

/** A copy of buf[start, end), kept as little-endian 32-bit words too for comparing. */
export class ByteKey {
  readonly bytes: Uint8Array;
  private readonly words: Int32Array;

  constructor(buf: Uint8Array, start: number, end: number) {
    // A copy: a Buffer's slice() is a view, which would keep the request body alive and change with it.
    this.bytes = Uint8Array.prototype.slice.call(buf, start, end);
    const view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    this.words = new Int32Array(this.bytes.length >> 2);
    for (let w = 0; w < this.words.length; w++) this.words[w] = view.getInt32(w * 4, true);
  }

  get length(): number {
    return this.bytes.length;
  }

  /** Whether buf[start, end) holds the same bytes. */
  equals(buf: Uint8Array, start: number, end: number): boolean {
    const bytes = this.bytes;
    const n = bytes.length;
    if (end - start !== n) return false;
    const view = viewOf(buf);
    const words = this.words;
    for (let w = 0; w < words.length; w++) if (words[w] !== view.getInt32(start + w * 4, true)) return false;
    for (let i = words.length * 4; i < n; i++) if (bytes[i] !== buf[start + i]) return false;
    return true;
  }
}

/** Entries of a BytesBuckets: the key they are found by. */
export interface BytesKeyed {
  readonly key: ByteKey;
}

/** A hash map from byte strings to entries: a hash of the bytes, then a byte compare. */
export class BytesBuckets<E extends BytesKeyed> {
  private buckets = new Map<number, E | E[]>();

  /** The entry whose key equals buf[start, end). */
  find(buf: Uint8Array, start: number, end: number): E | undefined {
    const b = this.buckets.get(hashBytes(buf, start, end));
    if (b === undefined) return undefined;
    if (!Array.isArray(b)) return b.key.equals(buf, start, end) ? b : undefined;
    for (const e of b) if (e.key.equals(buf, start, end)) return e;
    return undefined;
  }

  /** Adds `e` (its key not yet present). */
  add(e: E): void {
    const k = e.key.bytes;
    const h = hashBytes(k, 0, k.length);
    const b = this.buckets.get(h);
    if (b === undefined) this.buckets.set(h, e);
    else if (Array.isArray(b)) b.push(e);
    else this.buckets.set(h, [b, e]);
  }

  clear(): void {
    this.buckets = new Map();
  }
}

/** Multiplicative hash over little-endian 4-byte words (the label bytes of a series are tens of bytes), folded to 30 bits (a V8 small integer). */
function hashBytes(buf: Uint8Array, start: number, end: number): number {
  const view = viewOf(buf);
  let h = Math.imul(end - start, 0x9e3779b1);
  let i = start;
  for (; i + 4 <= end; i += 4) {
    h = Math.imul(h ^ view.getInt32(i, true), 0x85ebca6b);
    h ^= h >>> 15;
  }
  for (; i < end; i++) h = Math.imul(h ^ buf[i]!, 0xc2b2ae35);
  h ^= h >>> 16;
  return h & 0x3fffffff;
}

// The view of the buffer last looked at: a request's lookups all read one body,
// so this is one identity check per lookup instead of a DataView per lookup.
let viewBuf: Uint8Array | undefined;
let view: DataView = new DataView(new ArrayBuffer(0));

function viewOf(buf: Uint8Array): DataView {
  if (buf !== viewBuf) {
    view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    viewBuf = buf;
  }
  return view;
}
