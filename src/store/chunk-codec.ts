import { isStaleMarker, STALE_NAN_HIGH, STALE_NAN_LOW } from '../core/sample.js';
import { BitReader, BitWriter } from './bit-stream.js';
import { planWidths, readVarbits, unzigzag, writeVarbits, zigzag } from './varbits.js';

/**
 * Sealed-chunk codec: a run of (timestamp, value) samples to bytes and back, bit-exact.
 *
 * Layout (one bit stream, MSB first):
 *   u8      version (high nibble, 1) | value mode (low nibble: 0 = XOR, 1 = decimal)
 *   varint  n samples
 *   timestamps: t0 (sign + varint), then if n >= 2 the first delta (sign + varint), then
 *           if n >= 3 one bit "any delta-of-delta non-zero" and, if set, g (varint, their
 *           GCD: minute-resolution data divides by 60000) and the n-2 delta-of-deltas / g
 *           zigzagged in per-chunk varbits (varbits.ts). A regular scrape costs one bit.
 *   values, XOR mode (Gorilla, as Prometheus): first value's 64 bits, then per value
 *           '0' (same) | '10' + bits inside the previous window | '11' + 5 bits leading
 *           zeros + 6 bits length + bits.
 *   values, decimal mode: each value is written as an integer m (|m| <= 2^50) with
 *           v = bits(m / 10^k) + r, r a small signed difference in units in the last place.
 *           Metrics are mostly printed decimals (node_exporter: 2 decimals; NAB: 3 to 10), and
 *           r is 0 for them; r is +-1 or 2 for values with float noise such as
 *           94.79799999999999, which would otherwise need the costly XOR mode. Fields: k (5
 *           bits), g (varint: GCD of the integer deltas, so page-sized byte gauges save 12
 *           bits a sample), m0 (sign + varint), one bit delta/delta-of-delta, [first scaled
 *           delta if dod], varbits of the deltas, varbits of zigzag(r).
 * The encoder tries both value modes (and several k) and keeps the smallest.
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
let scratchD = new Float64Array(256);
/** Timestamp codes, kept apart: decimal planning reuses the others between the two encodings. */
let scratchT = new Float64Array(256);
const writerX = new BitWriter(2048);
const writerD = new BitWriter(2048);

function ensureScratch(n: number): void {
  if (scratchA.length < n) {
    scratchA = new Float64Array(n * 2);
    scratchB = new Float64Array(n * 2);
    scratchC = new Float64Array(n * 2);
    scratchD = new Float64Array(n * 2);
    scratchT = new Float64Array(n * 2);
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

  const k = decimalExponent(vs, start, n);
  if (k >= 0) {
    writerD.reset();
    writeHeader(writerD, MODE_DECIMAL, n);
    writeTimestamps(writerD, ts, start, n, tsPlan);
    writeDecimalValues(writerD, vs, start, n, k);
    // Below 12 bits a value, XOR (>= 1 bit for a repeat, ~13+ for a change) is not worth trying.
    if (writerD.bitLength <= 12 * n + 64) return writerD.finish();
  }
  writerX.reset();
  writeHeader(writerX, MODE_XOR, n);
  writeTimestamps(writerX, ts, start, n, tsPlan);
  writeXorValues(writerX, vs, start, n);
  return k >= 0 && writerD.bitLength < writerX.bitLength ? writerD.finish() : writerX.finish();
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

/** Delta-of-deltas divided by their GCD go to scratchT; returns [plan..., gcd]. */
function planTimestamps(ts: ArrayLike<number>, start: number, n: number): number[] {
  let g = 0;
  for (let i = 2; i < n; i++) {
    const j = start + i;
    const dod = ts[j]! - ts[j - 1]! - (ts[j - 1]! - ts[j - 2]!);
    scratchT[i - 2] = dod;
    g = gcd(g, Math.abs(dod));
  }
  if (g === 0) return [0, 0, 0, 0, 0, 0];
  for (let i = 0; i < n - 2; i++) scratchT[i] = zigzag(scratchT[i]! / g);
  return [...planWidths(scratchT, n - 2), g];
}

function writeTimestamps(w: BitWriter, ts: ArrayLike<number>, start: number, n: number, plan: number[]): void {
  w.writeSignedVarint(ts[start]!);
  if (n < 2) return;
  w.writeSignedVarint(ts[start + 1]! - ts[start]!);
  if (n < 3) return;
  const g = plan[5]!;
  if (g === 0) {
    w.writeBit(0);
    return;
  }
  w.writeBit(1);
  w.writeVarint(g);
  writeVarbits(w, scratchT, n - 2, plan);
}

function readTimestamps(r: BitReader, n: number, out: Float64Array, offset: number): void {
  let t = r.readSignedVarint();
  out[offset] = t;
  if (n < 2) return;
  let d = r.readSignedVarint();
  t += d;
  out[offset + 1] = t;
  if (n < 3) return;
  if (r.readBit() === 0) {
    for (let i = 2; i < n; i++) out[offset + i] = t += d;
    return;
  }
  const g = r.readVarint();
  readVarbits(r, n - 2, scratchA);
  for (let i = 2; i < n; i++) {
    d += unzigzag(scratchA[i - 2]!) * g;
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

const MAX_RESIDUAL = 2 ** 20;
/** How many exponents past the smallest workable one the encoder tries. */
const EXTRA_EXPONENTS = 8;

/**
 * Fills scratchA with m and scratchC with r for exponent k (see the layout above);
 * returns how many values are exact (r = 0), or -1 when k does not work.
 */
function splitDecimal(vs: ArrayLike<number>, start: number, n: number, k: number): number {
  const s = POW10[k]!;
  let exact = 0;
  for (let i = 0; i < n; i++) {
    const v = vs[start + i]!;
    const m = Math.round(v * s);
    if (!(Math.abs(m) <= MAX_DECIMAL_INT)) return -1;
    const base = m / s;
    if (base === v) {
      scratchA[i] = m;
      scratchC[i] = 0;
      exact++;
      continue;
    }
    f64[0] = v;
    const vh = u32[HIGH]!;
    const vl = u32[LOW]!;
    f64[0] = base;
    // Same sign and both finite, so the bit patterns order like the values.
    const r = (vh - u32[HIGH]!) * 4294967296 + (vl - u32[LOW]!);
    if (!(Math.abs(r) <= MAX_RESIDUAL)) return -1;
    scratchA[i] = m;
    scratchC[i] = r;
  }
  return exact;
}

/** Exponent whose split is in the scratch arrays (with its prepared plan), or -1. */
let preparedK = -1;
let prepared: DecimalPlan | undefined;

/** The exponent giving the smallest decimal encoding, or -1 when decimal mode does not apply. */
function decimalExponent(vs: ArrayLike<number>, start: number, n: number): number {
  preparedK = -1;
  for (let i = start; i < start + n; i++) {
    const v = vs[i]!;
    if (v - v !== 0 || (v === 0 && 1 / v < 0)) return -1; // NaN, +-Inf, -0
  }
  let best = -1;
  let bestBits = Infinity;
  let first = -1;
  for (let k = 0; k <= MAX_DECIMAL_EXP; k++) {
    if (first >= 0 && k > first + EXTRA_EXPONENTS) break;
    const exact = splitDecimal(vs, start, n, k);
    if (exact < 0) continue;
    if (first < 0) first = k;
    const p = prepareDecimal(n, exact === n);
    preparedK = k;
    prepared = p;
    if (p.bits < bestBits) {
      bestBits = p.bits;
      best = k;
    }
    // With every value exact, a larger k only makes the integers bigger.
    if (exact === n) break;
  }
  return best;
}

function gcd(a: number, b: number): number {
  if (a < 0x80000000 && b < 0x80000000) {
    // int32 remainder: `%` on doubles is an fmod call.
    let x = a | 0;
    let y = b | 0;
    while (y !== 0) {
      const t = x % y;
      x = y;
      y = t;
    }
    return x;
  }
  while (b !== 0) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}

interface DecimalPlan {
  g: number;
  m0: number;
  useDod: boolean;
  deltaPlan: number[];
  dodPlan: number[];
  residualPlan: number[];
  /** Size of the value section. */
  bits: number;
}

/**
 * From m in scratchA and r in scratchC: puts the GCD-scaled deltas in scratchA[1..n),
 * the delta codes in scratchB, the dod codes in scratchD and zigzag(r) in scratchC.
 * `exact`: every r is 0 (printed decimals, the usual case), so their plan is known.
 */
function prepareDecimal(n: number, exact: boolean): DecimalPlan {
  const m0 = scratchA[0]!;
  let prev = m0;
  let g = 0;
  for (let i = 1; i < n; i++) {
    const m = scratchA[i]!;
    const d = m - prev;
    prev = m;
    scratchA[i] = d;
    if (g !== 1) g = gcd(g, Math.abs(d));
  }
  if (g === 0) g = 1;
  for (let i = 1; i < n; i++) {
    const e = g === 1 ? scratchA[i]! : scratchA[i]! / g;
    scratchA[i] = e;
    scratchB[i - 1] = zigzag(e);
    if (i >= 2) scratchD[i - 2] = zigzag(e - scratchA[i - 1]!);
  }
  const deltaPlan = n > 1 ? planWidths(scratchB, n - 1) : NO_PLAN;
  const dodPlan = n > 2 ? planWidths(scratchD, n - 2) : NO_PLAN;
  let residualPlan = ALL_ZERO_PLAN;
  if (!exact) {
    for (let i = 0; i < n; i++) scratchC[i] = zigzag(scratchC[i]!);
    residualPlan = planWidths(scratchC, n);
  }
  const dodBits = dodPlan[4]! + (n > 1 ? 1 + 8 * varintBytes(Math.abs(scratchA[1]!)) : 0);
  const useDod = n > 1 && dodBits < deltaPlan[4]!;
  const bits = 5 + 8 * varintBytes(g) + 1 + 8 * varintBytes(Math.abs(m0)) + 1 + (useDod ? dodBits : deltaPlan[4]!) + residualPlan[4]!;
  return { g, m0, useDod, deltaPlan, dodPlan, residualPlan, bits };
}

const NO_PLAN = [0, 0, 0, 0, 0];
/** planWidths' answer for a run of zeros (one flag bit), which writeVarbits writes as that bit alone. */
const ALL_ZERO_PLAN = [0, 0, 0, 0, 1];

function writeDecimalValues(w: BitWriter, vs: ArrayLike<number>, start: number, n: number, k: number): void {
  let p = prepared!;
  if (preparedK !== k) {
    p = prepareDecimal(n, splitDecimal(vs, start, n, k) === n);
  }
  w.writeBits(k, 5);
  w.writeVarint(p.g);
  w.writeSignedVarint(p.m0);
  if (n > 1) {
    if (p.useDod) {
      w.writeBit(1);
      w.writeSignedVarint(scratchA[1]!);
      if (n > 2) writeVarbits(w, scratchD, n - 2, p.dodPlan);
    } else {
      w.writeBit(0);
      writeVarbits(w, scratchB, n - 1, p.deltaPlan);
    }
  }
  writeVarbits(w, scratchC, n, p.residualPlan);
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
  // scratchB collects the integers, then the residuals are applied on the bit patterns.
  scratchB[0] = m;
  if (n > 1) {
    if (r.readBit() === 1) {
      let e = r.readSignedVarint();
      m += e * g;
      scratchB[1] = m;
      if (n > 2) {
        readVarbits(r, n - 2, scratchA);
        for (let i = 2; i < n; i++) {
          e += unzigzag(scratchA[i - 2]!);
          m += e * g;
          scratchB[i] = m;
        }
      }
    } else {
      readVarbits(r, n - 1, scratchA);
      for (let i = 1; i < n; i++) {
        m += unzigzag(scratchA[i - 1]!) * g;
        scratchB[i] = m;
      }
    }
  }
  readVarbits(r, n, scratchA);
  const o32 = new Uint32Array(out.buffer, out.byteOffset, out.length * 2);
  for (let i = 0; i < n; i++) {
    const v = scratchB[i]! / s;
    const res = unzigzag(scratchA[i]!);
    if (res === 0) {
      out[offset + i] = v;
      continue;
    }
    f64[0] = v;
    let hi = u32[HIGH]!;
    let lo = u32[LOW]! + res;
    // 64-bit add with carry/borrow across the two words (|res| <= 2^20).
    if (lo < 0) {
      lo += 4294967296;
      hi -= 1;
    } else if (lo >= 4294967296) {
      lo -= 4294967296;
      hi += 1;
    }
    const p = 2 * (offset + i);
    o32[p + HIGH] = hi;
    o32[p + LOW] = lo;
  }
}
