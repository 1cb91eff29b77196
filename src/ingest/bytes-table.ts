/**
 * Byte-keyed lookup shared by the ingest decoders' caches (remote-write labels,
 * OTLP data point attributes, line protocol series parts and field keys): senders
 * repeat their series byte for byte, so a cache keyed by the raw bytes skips decoding
 * them. Keys and requests are read four bytes at a time through DataViews (one load
 * per word, where assembling a word from bytes takes four).
 */

/**
 * Byte strings interned to dense ids (0, 1, 2, ... as added), all kept in one arena of
 * little-endian words, found through an open-addressing table of ids. Keys added in a
 * sender's order lie in memory in that order, so a request that repeats its series
 * reads their keys as one stream the processor prefetches, where separate key objects
 * cost several scattered loads each.
 */
export class BytesTable {
  private words: Int32Array<ArrayBuffer>;
  private wordsUsed = 0;
  /** Per id: first word in the arena, byte length, hash. */
  private at: Int32Array<ArrayBuffer>;
  private len: Int32Array<ArrayBuffer>;
  private hashes: Int32Array<ArrayBuffer>;
  /** Open addressing: id + 1, 0 for an empty slot; at most half full. */
  private slots: Int32Array<ArrayBuffer>;
  private count = 0;

  /** `expected`: keys to make room for at first (it grows as needed). */
  constructor(private readonly expected = 256) {
    this.expected = Math.max(4, expected);
    this.words = new Int32Array(this.expected * 16);
    this.at = new Int32Array(this.expected);
    this.len = new Int32Array(this.expected);
    this.hashes = new Int32Array(this.expected);
    this.slots = new Int32Array(slotsFor(this.expected));
  }

  get size(): number {
    return this.count;
  }

  /** Byte length of the key of `id`. */
  length(id: number): number {
    return this.len[id]!;
  }

  /** The id of the bytes buf[start, end), or -1. */
  find(buf: Uint8Array, start: number, end: number): number {
    const h = hashBytes(buf, start, end);
    const slots = this.slots;
    const mask = slots.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const v = slots[i]!;
      if (v === 0) return -1;
      if (this.hashes[v - 1] === h && this.equals(v - 1, buf, start, end)) return v - 1;
    }
  }

  /** Adds buf[start, end) (not present yet); returns its id. */
  add(buf: Uint8Array, start: number, end: number): number {
    const n = end - start;
    const id = this.count;
    if (id === this.at.length) {
      this.at = grown(this.at, id * 2);
      this.len = grown(this.len, id * 2);
      this.hashes = grown(this.hashes, id * 2);
    }
    const need = this.wordsUsed + ((n + 3) >> 2);
    if (need > this.words.length) this.words = grown(this.words, Math.max(need, this.words.length * 2));
    const view = viewOf(buf);
    const words = this.words;
    const o = this.wordsUsed;
    const full = n >> 2;
    for (let w = 0; w < full; w++) words[o + w] = view.getInt32(start + w * 4, true);
    if ((n & 3) !== 0) words[o + full] = tailWord(buf, start + full * 4, end);
    this.wordsUsed = need;
    this.at[id] = o;
    this.len[id] = n;
    const h = hashBytes(buf, start, end);
    this.hashes[id] = h;
    this.count++;
    if (this.count * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    else this.place(id, h);
    return id;
  }

  /** Whether the key of `id` is buf[start, end). */
  equals(id: number, buf: Uint8Array, start: number, end: number): boolean {
    const n = end - start;
    // An id from before a clear() matches nothing it was not.
    if (id >= this.count || this.len[id] !== n) return false;
    const view = viewOf(buf);
    const words = this.words;
    const o = this.at[id]!;
    const full = n >> 2;
    for (let w = 0; w < full; w++) if (words[o + w] !== view.getInt32(start + w * 4, true)) return false;
    return (n & 3) === 0 || words[o + full] === tailWord(buf, start + full * 4, end);
  }

  clear(): void {
    this.words = new Int32Array(this.expected * 16);
    this.wordsUsed = 0;
    this.at = new Int32Array(this.expected);
    this.len = new Int32Array(this.expected);
    this.hashes = new Int32Array(this.expected);
    this.slots = new Int32Array(slotsFor(this.expected));
    this.count = 0;
  }

  private place(id: number, h: number): void {
    const slots = this.slots;
    const mask = slots.length - 1;
    let i = h & mask;
    while (slots[i] !== 0) i = (i + 1) & mask;
    slots[i] = id + 1;
  }

  private rehash(size: number): void {
    this.slots = new Int32Array(size);
    for (let id = 0; id < this.count; id++) this.place(id, this.hashes[id]!);
  }
}

/** A power of two at least twice n. */
function slotsFor(n: number): number {
  let size = 8;
  while (size < 2 * n) size *= 2;
  return size;
}

/** The 1-3 bytes buf[start, end) as a little-endian word, zero-padded. */
function tailWord(buf: Uint8Array, start: number, end: number): number {
  let t = 0;
  for (let i = start; i < end; i++) t |= buf[i]! << ((i - start) * 8);
  return t;
}

function grown(a: Int32Array, size: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(size);
  b.set(a);
  return b;
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
