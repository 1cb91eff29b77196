import { isStaleMarker, STALE_NAN_HIGH, STALE_NAN_LOW } from '../core/sample.js';
import { BitReader, BitWriter } from './bit-stream.js';
import { planWidths, readVarbits, unzigzag, writeVarbits, zigzag } from './varbits.js';

/**
 * Sealed-chunk codec: a run of (timestamp, value) samples to bytes and back, bit-exact.
 *
 * Layout (one bit stream, MSB first):
 *   u8      version (high nibble, 1) | value mode (low nibble: 0 = XOR, 1 = decimal)
 *   varint  n samples
 *   timestamps: t0 (sign + varint), then if n >= 2 the first delta (sign + varint),
 *           then the n-2 delta-of-deltas zigzagged in per-chunk varbits (varbits.ts);
 *           a perfectly regular scrape costs one bit for the whole run.
 *   values, XOR mode (Gorilla, as Prometheus): first value's 64 bits, then per value
 *           '0' (same) | '10' + bits inside the previous window | '11' + 5 bits leading
 *           zeros + 6 bits length + bits.
 *   values, decimal mode (when every value is v = m / 10^k with integer |m| <= 2^50,
 *           finite and not -0): k (5 bits), g (varint: the GCD of the integer deltas,
 *           so page-sized byte gauges lose 12 bits a sample), m0 (sign + varint), one bit
 *           delta/delta-of-delta, [first scaled delta if dod], then varbits.
 * The encoder builds both value modes when decimal applies and keeps the smaller.
 *
 * Stale markers are written with the canonical bits 0x7ff0000000000002 whatever the
 * CPU did to them (it may quiet a signalling NaN); other NaNs keep their bits.
 */

export const CHUNK_VERSION = 1;
const MODE_XOR = 0;
const MODE_DECIMAL = 1;

/** Timestamps must be integers within +-2^50 ms (about year 37,600) so that every delta-of-delta zigzags exactly. */
export const MAX_ABS_TIMESTAMP = 2 ** 50;
const MAX_DECIMAL_INT = 2 ** 50;
const MAX_DECIMAL_EXP = 18;
const POW10: number[] = [];
for (let k = 0; k <= MAX_DECIMAL_EXP; k++) POW10.push(Number(`1e${k}`));

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LOW = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;
const HIGH = 1 - LOW;

// Scratch space reused across calls (the codec is synchronous).
let scratchA = new Float64Array(256);
let scratchB = new Float64Array(256);
let scratchC = new Float64Array(256);
const writerX = new BitWriter(2048);
const writerD = new BitWriter(2048);

function ensureScratch(n: number): void {
  if (scratchA.length < n) {
    scratchA = new Float64Array(n * 2);
    scratchB = new Float64Array(n * 2);
    scratchC = new Float64Array(n * 2);
  }
}

/** Encodes samples [start, end) of ts/vs. Timestamps must be integers within MAX_ABS_TIMESTAMP. */
export function encodeChunk(ts: ArrayLike<number>, vs: ArrayLike<number>, start = 0, end = ts.length): Uint8Array {
  const n = end - start;
  if (n <= 0) throw new RangeError('encodeChunk: empty chunk');
  ensureScratch(n);
  for (let i = start; i < end; i++) {
    const t = ts[i]!;
    if (!(Math.abs(t) <= MAX_ABS_TIMESTAMP) || Math.floor(t) !== t) throw new RangeError(`encodeChunk: timestamp ${t} is not an integer within +-2^50`);
  }
  const tsPlan = planTimestamps(ts, start, n);

  writerX.reset();
  writeHeader(writerX, MODE_XOR, n);
  writeTimestamps(writerX, ts, start, n, tsPlan);
  writeXorValues(writerX, vs, start, n);

  const k = decimalExponent(vs, start, n);
  if (k < 0) return writerX.finish();
  writerD.reset();
  writeHeader(writerD, MODE_DECIMAL, n);
  writeTimestamps(writerD, ts, start, n, tsPlan);
  writeDecimalValues(writerD, vs, start, n, k);
  return writerD.bitLength < writerX.bitLength ? writerD.finish() : writerX.finish();
}

export interface DecodedChunk {
  timestamps: Float64Array;
  values: Float64Array;
}

export function decodeChunk(data: Uint8Array): DecodedChunk {
  const n = chunkSampleCount(data);
  const timestamps = new Float64Array(n);
  const values = new Float64Array(n);
  decodeChunkInto(data, timestamps, values, 0);
  return { timestamps, values };
}

/** Number of samples in an encoded chunk, from its header. */
export function chunkSampleCount(data: Uint8Array): number {
  const r = new BitReader(data);
  readMode(r);
  return r.readVarint();
}

/**
 * Decodes into outT/outV starting at `offset` (they must have room); returns the count.
 * Values are written through an integer view so NaN payloads reach the array untouched.
 */
export function decodeChunkInto(data: Uint8Array, outT: Float64Array, outV: Float64Array, offset: number): number {
  const r = new BitReader(data);
  const mode = readMode(r);
  const n = r.readVarint();
  if (offset + n > outT.length || offset + n > outV.length) throw new RangeError('decodeChunkInto: output too small');
  ensureScratch(n);
  readTimestamps(r, n, outT, offset);
  if (mode === MODE_XOR) readXorValues(r, n, outV, offset);
  else if (mode === MODE_DECIMAL) readDecimalValues(r, n, outV, offset);
  else throw new RangeError(`chunk: unknown value mode ${mode}`);
  return n;
}

function writeHeader(w: BitWriter, mode: number, n: number): void {
  w.writeBits((CHUNK_VERSION << 4) | mode, 8);
  w.writeVarint(n);
}

function readMode(r: BitReader): number {
  const b = r.readBits(8);
  if (b >>> 4 !== CHUNK_VERSION) throw new RangeError(`chunk: unsupported version ${b >>> 4}`);
  return b & 0xf;
}

// --- timestamps ---------------------------------------------------------------

function planTimestamps(ts: ArrayLike<number>, start: number, n: number): number[] {
  // scratchB holds the zigzagged delta-of-deltas until writeTimestamps.
  for (let i = 2; i < n; i++) {
    const j = start + i;
    scratchB[i - 2] = zigzag(ts[j]! - ts[j - 1]! - (ts[j - 1]! - ts[j - 2]!));
  }
  return n > 2 ? planWidths(scratchB, n - 2) : [0, 0, 0, 0, 0];
}

function writeTimestamps(w: BitWriter, ts: ArrayLike<number>, start: number, n: number, plan: number[]): void {
  w.writeSignedVarint(ts[start]!);
  if (n < 2) return;
  w.writeSignedVarint(ts[start + 1]! - ts[start]!);
  if (n < 3) return;
  // planTimestamps' output is still in scratchB: decimal detection only touches scratchA.
  writeVarbits(w, scratchB, n - 2, plan);
}

function readTimestamps(r: BitReader, n: number, out: Float64Array, offset: number): void {
  let t = r.readSignedVarint();
  out[offset] = t;
  if (n < 2) return;
  let d = r.readSignedVarint();
  t += d;
  out[offset + 1] = t;
  if (n < 3) return;
  readVarbits(r, n - 2, scratchA);
  for (let i = 2; i < n; i++) {
    d += unzigzag(scratchA[i - 2]!);
    t += d;
    out[offset + i] = t;
  }
}

// --- XOR values ---------------------------------------------------------------

function ctz32(x: number): number {
  return 31 - Math.clz32(x & -x);
}

function bitsOf(v: number): void {
  if (v !== v && isStaleMarker(v)) {
    u32[HIGH] = STALE_NAN_HIGH;
    u32[LOW] = STALE_NAN_LOW;
  } else f64[0] = v;
}

/** Writes the low `nbits` of the 64-bit (xh:xl) >>> shift. */
function writeShifted(w: BitWriter, xh: number, xl: number, shift: number, nbits: number): void {
  let lo: number;
  let hi: number;
  if (shift === 0) {
    hi = xh;
    lo = xl;
  } else if (shift >= 32) {
    hi = 0;
    lo = xh >>> (shift - 32);
  } else {
    hi = xh >>> shift;
    lo = ((xl >>> shift) | (xh << (32 - shift))) >>> 0;
  }
  if (nbits > 32) {
    w.writeBits(hi, nbits - 32);
    w.writeBits(lo, 32);
  } else w.writeBits(lo, nbits);
}

function writeXorValues(w: BitWriter, vs: ArrayLike<number>, start: number, n: number): void {
  bitsOf(vs[start]!);
  let ph = u32[HIGH]!;
  let pl = u32[LOW]!;
  w.writeBits(ph, 32);
  w.writeBits(pl, 32);
  let prevLead = -1;
  let prevTrail = 0;
  for (let i = 1; i < n; i++) {
    bitsOf(vs[start + i]!);
    const h = u32[HIGH]!;
    const l = u32[LOW]!;
    const xh = (h ^ ph) >>> 0;
    const xl = (l ^ pl) >>> 0;
    ph = h;
    pl = l;
    if (xh === 0 && xl === 0) {
      w.writeBit(0);
      continue;
    }
    let lead = xh !== 0 ? Math.clz32(xh) : 32 + Math.clz32(xl);
    const trail = xl !== 0 ? ctz32(xl) : 32 + ctz32(xh);
    if (lead > 31) lead = 31; // 5 bits of leading zeros, as Gorilla
    if (prevLead >= 0 && lead >= prevLead && trail >= prevTrail) {
      w.writeBits(0b10, 2);
      writeShifted(w, xh, xl, prevTrail, 64 - prevLead - prevTrail);
    } else {
      const sig = 64 - lead - trail;
      w.writeBits(0b11, 2);
      w.writeBits(lead, 5);
      w.writeBits(sig & 63, 6); // 64 is written as 0
      writeShifted(w, xh, xl, trail, sig);
      prevLead = lead;
      prevTrail = trail;
    }
  }
}

function readXorValues(r: BitReader, n: number, out: Float64Array, offset: number): void {
  const o32 = new Uint32Array(out.buffer, out.byteOffset, out.length * 2);
  let ph = r.readBits(32);
  let pl = r.readBits(32);
  let p = offset * 2;
  o32[p + HIGH] = ph;
  o32[p + LOW] = pl;
  let lead = 0;
  let trail = 0;
  for (let i = 1; i < n; i++) {
    p += 2;
    if (r.readBit() === 1) {
      if (r.readBit() === 1) {
        lead = r.readBits(5);
        let sig = r.readBits(6);
        if (sig === 0) sig = 64;
        trail = 64 - lead - sig;
      }
      const nbits = 64 - lead - trail;
      let vh = 0;
      let vl: number;
      if (nbits > 32) {
        vh = r.readBits(nbits - 32);
        vl = r.readBits(32);
      } else vl = r.readBits(nbits);
      let xh: number;
      let xl: number;
      if (trail === 0) {
        xh = vh;
        xl = vl;
      } else if (trail >= 32) {
        xh = vl << (trail - 32);
        xl = 0;
      } else {
        xh = (vh << trail) | (vl >>> (32 - trail));
        xl = vl << trail;
      }
      ph = (ph ^ xh) >>> 0;
      pl = (pl ^ xl) >>> 0;
    }
    o32[p + HIGH] = ph;
    o32[p + LOW] = pl;
  }
}

// --- decimal values -----------------------------------------------------------

/** Smallest k such that every value is exactly m / 10^k with |m| <= 2^50, or -1. */
function decimalExponent(vs: ArrayLike<number>, start: number, n: number): number {
  for (let i = start; i < start + n; i++) {
    const v = vs[i]!;
    if (v - v !== 0 || (v === 0 && 1 / v < 0)) return -1; // NaN, +-Inf, -0
  }
  // Division by an exact power of ten is correctly rounded, so m / 10^k === v proves
  // the decoder will rebuild exactly v. Most k fail on the first value.
  for (let k = 0; k <= MAX_DECIMAL_EXP; k++) {
    const s = POW10[k]!;
    let ok = true;
    for (let i = start; i < start + n; i++) {
      const v = vs[i]!;
      const m = Math.round(v * s);
      if (m / s !== v || Math.abs(m) > MAX_DECIMAL_INT) {
        ok = false;
        break;
      }
    }
    if (ok) return k;
  }
  return -1;
}

function gcd(a: number, b: number): number {
  while (b !== 0) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}

function writeDecimalValues(w: BitWriter, vs: ArrayLike<number>, start: number, n: number, k: number): void {
  const s = POW10[k]!;
  // scratchA[i] = scaled delta i (i >= 1), after dividing by the GCD.
  let prev = Math.round(vs[start]! * s);
  const m0 = prev;
  let g = 0;
  for (let i = 1; i < n; i++) {
    const m = Math.round(vs[start + i]! * s);
    const d = m - prev;
    scratchA[i] = d;
    g = gcd(g, Math.abs(d));
    prev = m;
  }
  if (g === 0) g = 1;
  for (let i = 1; i < n; i++) scratchA[i] = scratchA[i]! / g;

  w.writeBits(k, 5);
  w.writeVarint(g);
  w.writeSignedVarint(m0);
  if (n < 2) return;
  // Delta codes for gauges, delta-of-delta for counters with a steady rate: keep the cheaper.
  // scratchB is free again here (the timestamps were written first).
  for (let i = 1; i < n; i++) scratchB[i - 1] = zigzag(scratchA[i]!);
  const deltaPlan = planWidths(scratchB, n - 1);
  const dods = scratchC;
  for (let i = 2; i < n; i++) dods[i - 2] = zigzag(scratchA[i]! - scratchA[i - 1]!);
  const dodPlan = n > 2 ? planWidths(dods, n - 2) : [0, 0, 0, 0, 0];
  const dodBits = dodPlan[4]! + 8 * varintBytes(Math.abs(scratchA[1]!)) + 1;
  if (dodBits < deltaPlan[4]!) {
    w.writeBit(1);
    w.writeSignedVarint(scratchA[1]!);
    if (n > 2) writeVarbits(w, dods, n - 2, dodPlan);
  } else {
    w.writeBit(0);
    writeVarbits(w, scratchB, n - 1, deltaPlan);
  }
}

function varintBytes(v: number): number {
  let b = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 0x80);
    b++;
  }
  return b;
}

function readDecimalValues(r: BitReader, n: number, out: Float64Array, offset: number): void {
  const k = r.readBits(5);
  if (k > MAX_DECIMAL_EXP) throw new RangeError(`chunk: decimal exponent ${k} out of range`);
  const s = POW10[k]!;
  const g = r.readVarint();
  let m = r.readSignedVarint();
  out[offset] = m / s;
  if (n < 2) return;
  if (r.readBit() === 1) {
    let e = r.readSignedVarint();
    m += e * g;
    out[offset + 1] = m / s;
    if (n < 3) return;
    readVarbits(r, n - 2, scratchA);
    for (let i = 2; i < n; i++) {
      e += unzigzag(scratchA[i - 2]!);
      m += e * g;
      out[offset + i] = m / s;
    }
  } else {
    readVarbits(r, n - 1, scratchA);
    for (let i = 1; i < n; i++) {
      m += unzigzag(scratchA[i - 1]!) * g;
      out[offset + i] = m / s;
    }
  }
}
