import { VigilError } from '../../core/errors.js';

/**
 * Most bytes a block may declare, whatever the configured limit: positions stay
 * small integers, so the decoding loop runs on integer arithmetic (with a position
 * that might reach 2^32 it ran on doubles, at about three times the instructions).
 */
const MAX_OUTPUT = 0x7fffffff;

/**
 * Snappy block-format decompression (what remote write uses; not the framed
 * format). Written here rather than taken from a package because the decoder
 * faces untrusted input: every length and offset is checked, the output size
 * is fixed by the header and verified at the end, and each step consumes input,
 * so malformed blocks fail fast with a 400 and can never loop.
 *
 * With `scratch`, the result is a view of scratch.buf (grown as needed) instead of a
 * new array: for a caller that is done with it before the next call (remote write
 * decodes every byte it keeps into strings and numbers), it saves an allocation
 * the size of the decompressed body per request.
 */
export function snappyUncompress(src: Uint8Array, maxBytes: number, scratch?: { buf: Uint8Array }): Uint8Array {
  const n = src.length;
  let pos = 0;
  let total = 0;
  for (let shift = 0; ; shift += 7) {
    if (pos >= n || shift > 28) throw bad('bad length header');
    const b = src[pos++]!;
    total += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) break;
  }
  if (total > 0xffffffff) throw bad('bad length header');
  const limit = Math.min(maxBytes, MAX_OUTPUT);
  if (total > limit) throw new VigilError('BODY_TOO_LARGE', `snappy block decompresses to ${total} bytes, over the limit of ${limit}`, 413);
  // A 3-byte copy emits at most 64 bytes: anything declaring more is corrupt; refuse before allocating.
  if (total > (n - pos) * 22 + 64) throw bad(`declared length ${total} is impossible for ${n} compressed bytes`);
  const size = total | 0;
  let out: Uint8Array;
  if (scratch) {
    if (scratch.buf.length < size) scratch.buf = new Uint8Array(Math.max(size, scratch.buf.length * 2));
    out = scratch.buf.subarray(0, size);
  } else out = new Uint8Array(size);
  // Short runs (most of a remote-write body: label values, sample bytes) are copied
  // four bytes at a time through views, faster than a subarray set() or byte by byte.
  const from = new DataView(src.buffer, src.byteOffset, n);
  const to = new DataView(out.buffer, out.byteOffset, size);
  let o = 0;
  while (pos < n) {
    const tag = src[pos++]!;
    const kind = tag & 3;
    if (kind === 0) {
      let len = tag >>> 2;
      if (len >= 60) {
        const extra = len - 59;
        if (pos + extra > n) throw bad('truncated literal length');
        let long = 0;
        for (let i = 0; i < extra; i++) long += src[pos + i]! * 2 ** (8 * i);
        pos += extra;
        // Checked before it becomes a small integer: up to 2^32 - 1 as read.
        if (long + 1 > n - pos) throw bad('literal runs past the end of the input');
        len = long | 0;
      }
      len += 1;
      if (pos + len > n) throw bad('literal runs past the end of the input');
      if (o + len > size) throw bad('literal runs past the declared length');
      if (len <= 64) {
        let i = 0;
        for (; i + 4 <= len; i += 4) to.setInt32(o + i, from.getInt32(pos + i, true), true);
        for (; i < len; i++) out[o + i] = src[pos + i]!;
      } else out.set(src.subarray(pos, pos + len), o);
      pos += len;
      o += len;
      continue;
    }
    let len: number;
    let offset: number;
    if (kind === 1) {
      if (pos + 1 > n) throw bad('truncated copy');
      len = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | src[pos]!;
      pos += 1;
    } else if (kind === 2) {
      if (pos + 2 > n) throw bad('truncated copy');
      len = (tag >>> 2) + 1;
      offset = src[pos]! | (src[pos + 1]! << 8);
      pos += 2;
    } else {
      if (pos + 4 > n) throw bad('truncated copy');
      len = (tag >>> 2) + 1;
      // An offset of 2^31 or more (top bit set) is past any output; below that it is a small integer.
      const top = src[pos + 3]!;
      offset = src[pos]! | (src[pos + 1]! << 8) | (src[pos + 2]! << 16);
      if (top >= 0x80) throw bad(`copy offset ${offset + top * 16777216} is out of range`);
      offset |= top << 24;
      pos += 4;
    }
    if (offset === 0 || offset > o) throw bad(`copy offset ${offset} is out of range`);
    if (o + len > size) throw bad('copy runs past the declared length');
    // A copy may overlap its own output (offset < len: a repeating pattern). Going
    // forwards a word at a time is still exact when offset >= 4, since every word
    // read was written before; shorter offsets go byte by byte.
    const at = o - offset;
    let i = 0;
    if (offset >= 4) for (; i + 4 <= len; i += 4) to.setInt32(o + i, to.getInt32(at + i, true), true);
    for (; i < len; i++) out[o + i] = out[at + i]!;
    o += len;
  }
  if (o !== size) throw bad(`decompressed ${o} bytes, header declared ${size}`);
  return out;
}

function bad(problem: string): VigilError {
  return new VigilError('MALFORMED_SNAPPY', `malformed snappy block: ${problem}`, 400);
}
