import { type ProtoReader, malformed } from '../remote-write/proto-reader.js';

/**
 * 64-bit protobuf scalars read as two 32-bit halves into one reused pair (decoding
 * is synchronous), so the hot path neither allocates nor needs BigInt.
 */
export const word = { lo: 0, hi: 0 };

/** Reads 8 little-endian bytes (fixed64, sfixed64) into `word` as two unsigned halves. */
export function readFixed64(r: ProtoReader, what: string): void {
  if (r.pos + 8 > r.end) throw malformed(`truncated fixed64 in ${what}`);
  word.lo = r.view.getUint32(r.pos, true);
  word.hi = r.view.getUint32(r.pos + 4, true);
  r.pos += 8;
}

/** Reads a varint of up to 64 bits into `word`; longer varints or bits past 64 are malformed. */
export function readVarint64(r: ProtoReader, what: string): void {
  const buf = r.buf;
  let pos = r.pos;
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < 10; i++) {
    if (pos >= r.end) throw malformed(`truncated varint in ${what}`);
    const b = buf[pos++]!;
    if (i < 4) lo |= (b & 0x7f) << (7 * i);
    else if (i === 4) {
      lo |= (b & 0x0f) << 28;
      hi = (b & 0x70) >>> 4;
    } else if (i < 9) hi |= (b & 0x7f) << (7 * i - 32);
    else if (b > 1) throw malformed(`varint in ${what} overflows 64 bits`);
    else hi |= b << 31;
    if (b < 0x80) {
      r.pos = pos;
      word.lo = lo >>> 0;
      word.hi = hi >>> 0;
      return;
    }
  }
  throw malformed(`varint in ${what} is longer than 10 bytes`);
}

/** `word` as an unsigned 64-bit integer (fixed64), rounded to the nearest double like Number("…") would. */
export function unsigned64(): number {
  return word.hi * 4294967296 + word.lo;
}

/** `word` as a signed 64-bit integer (sfixed64, int64), rounded to the nearest double. */
export function signed64(): number {
  // Both products are exact; the one addition rounds once, as parsing the decimal would.
  return (word.hi | 0) * 4294967296 + word.lo;
}

/** `word` as the decimal text of a signed 64-bit integer, exactly (protobufjs' `longs: String`). Cold path. */
export function signed64String(): string {
  return BigInt.asIntN(64, (BigInt(word.hi) << 32n) | BigInt(word.lo)).toString();
}
