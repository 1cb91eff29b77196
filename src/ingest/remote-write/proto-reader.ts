import { VigilError } from '../../core/errors.js';

/**
 * A minimal protobuf wire-format reader for the hot remote-write path: varints,
 * length-delimited fields and fixed64 doubles read through a DataView (so NaN
 * payloads such as the Prometheus stale marker keep their bits). Every read is
 * bounds-checked; malformed input throws a 400 VigilError, never a RangeError.
 */
export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_FIXED32 = 5;

const TWO_32 = 4294967296;
/** Where skip() puts a varint it reads past. */
const skipped = new Float64Array(1);

export class ProtoReader {
  pos: number;
  readonly view: DataView;

  constructor(
    readonly buf: Uint8Array,
    start = 0,
    public end = buf.length,
  ) {
    this.pos = start;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /**
   * Reads an unsigned varint of at most 32 bits' worth of value (tags, lengths); larger values are errors.
   * Error messages name `what` (in time series `index` when >= 0), built only when thrown.
   */
  uint32(what: string, index = -1, lengthOf = false): number {
    const buf = this.buf;
    let pos = this.pos;
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 10; i++) {
      if (pos >= this.end) throw malformed(`truncated varint in ${lengthOf ? 'length of ' : ''}${at(what, index)}`);
      const b = buf[pos++]!;
      if (shift < 28) result |= (b & 0x7f) << shift;
      else if (shift === 28) {
        if ((b & 0x70) !== 0) throw malformed(`${lengthOf ? 'length of ' : ''}${at(what, index)} does not fit in 32 bits`);
        result = (result >>> 0) + (b & 0x0f) * 268435456;
      } else if ((b & 0x7f) !== 0) throw malformed(`${lengthOf ? 'length of ' : ''}${at(what, index)} does not fit in 32 bits`);
      if (b < 0x80) {
        this.pos = pos;
        return result >>> 0 === result ? result : result >>> 0;
      }
      shift += 7;
    }
    throw malformed(`varint in ${lengthOf ? 'length of ' : ''}${at(what, index)} is longer than 10 bytes`);
  }

  /**
   * Reads a varint as a signed 64-bit integer (two's complement), as a JS number:
   * exact within ±2^53, rounded beyond (callers reject those as out of range). It goes
   * into dst[slot], not back to the caller: a timestamp is no small integer, and returned
   * from a call it would be boxed, an allocation per sample.
   */
  int64(what: string, dst: Float64Array, slot: number): void {
    const buf = this.buf;
    let pos = this.pos;
    let lo = 0;
    let hi = 0;
    let shift = 0;
    for (let i = 0; i < 10; i++) {
      if (pos >= this.end) throw malformed(`truncated varint in ${what}`);
      const b = buf[pos++]!;
      if (i < 4) lo |= (b & 0x7f) << shift;
      else if (i === 4) {
        lo |= (b & 0x0f) << 28;
        hi = (b & 0x70) >>> 4;
      } else if (i < 9) hi |= (b & 0x7f) << (shift - 32);
      else if (b > 1) throw malformed(`varint in ${what} overflows 64 bits`);
      else hi |= b << 31;
      if (b < 0x80) {
        this.pos = pos;
        // Two's complement negative: negate exactly instead of subtracting 2^64 (which would round).
        dst[slot] = hi >= 0 ? hi * TWO_32 + (lo >>> 0) : -((~hi >>> 0) * TWO_32 + (~lo >>> 0) + 1);
        return;
      }
      shift += 7;
    }
    throw malformed(`varint in ${what} is longer than 10 bytes`);
  }

  double(what: string): number {
    if (this.pos + 8 > this.end) throw malformed(`truncated double in ${what}`);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** Reads a length prefix and returns the end offset of the field's bytes. */
  lengthEnd(what: string, index = -1): number {
    const len = this.uint32(what, index, true);
    const end = this.pos + len;
    if (end > this.end) throw malformed(`${at(what, index)}: length ${len} runs past the end of its message`);
    return end;
  }

  /** Skips a field of an unknown number, by its wire type. */
  skip(wireType: number, field: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.int64(fieldName(field), skipped, 0);
        return;
      case WIRE_FIXED64:
        if (this.pos + 8 > this.end) throw malformed(`truncated fixed64 field ${field}`);
        this.pos += 8;
        return;
      case WIRE_LEN:
        this.pos = this.lengthEnd(fieldName(field));
        return;
      case WIRE_FIXED32:
        if (this.pos + 4 > this.end) throw malformed(`truncated fixed32 field ${field}`);
        this.pos += 4;
        return;
      default:
        // 3 and 4 are the deprecated groups, 6 and 7 do not exist.
        throw malformed(`field ${field} has unsupported wire type ${wireType}`);
    }
  }
}

/** A sint32 from the low 32 bits of its varint (zigzag), as protobufjs reads it. */
export function unzigzag32(u: number): number {
  return (u >>> 1) ^ -(u & 1);
}

/** "field N" for error messages, built once per small field number (skip() runs per skipped field, and only a throw reads it). */
const fieldNames: string[] = [];
function fieldName(field: number): string {
  if (field >= 64) return `field ${field}`;
  return (fieldNames[field] ??= `field ${field}`);
}

/** `what` inside time series `index` (when >= 0), e.g. `timeseries[3].labels`. */
export function at(what: string, index: number): string {
  return index >= 0 ? `timeseries[${index}]${what}` : what;
}

export function malformed(problem: string): VigilError {
  return new VigilError('MALFORMED_PROTOBUF', `malformed protobuf: ${problem}`, 400);
}

// ignoreBOM keeps a leading U+FEFF as text (the default strips it), as protobuf decoders do.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes UTF-8 bytes, refusing invalid sequences (Prometheus requires valid UTF-8 label text). */
export function readString(buf: Uint8Array, start: number, end: number, what: string): string {
  // ASCII fast path: label names and most values are ASCII.
  let ascii = true;
  for (let i = start; i < end; i++) {
    if (buf[i]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) {
    if (end - start < 64) {
      let s = '';
      for (let i = start; i < end; i++) s += String.fromCharCode(buf[i]!);
      return s;
    }
    return Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('latin1');
  }
  try {
    return utf8.decode(buf.subarray(start, end));
  } catch {
    throw malformed(`${what} is not valid UTF-8`);
  }
}
