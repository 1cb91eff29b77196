import type { BitReader, BitWriter } from './bit-stream.js';

/**
 * Variable-width coding for a run of small unsigned integers (zigzagged deltas or
 * delta-of-deltas), with the bucket widths chosen per run.
 *
 * Gorilla fixes its buckets (0, 7, 9, 12, 32 bits for timestamps); here each run
 * picks four widths w0 <= w1 <= w2 <= w3 with prefix codes 0 / 10 / 110 / 111, by
 * exhaustive search over the widths that occur, so a run of 7-bit jitter costs
 * 8 bits a value rather than 9 and a run of zeros costs 1 bit (or nothing, see below).
 *
 * Layout: one flag bit (0 = every value is zero: nothing follows), then 4 x 6 bits
 * of widths, then one code per value.
 */

const PREFIX_BITS = [1, 2, 3, 3];

/** Number of bits needed for u (0 for 0), for safe integers up to 2^53. */
export function bitWidth(u: number): number {
  if (u < 4294967296) return 32 - Math.clz32(u);
  return 64 - Math.clz32(Math.floor(u / 4294967296));
}

/** Maps signed to unsigned so small magnitudes stay small. Exact while |v| < 2^52. */
export function zigzag(v: number): number {
  return v >= 0 ? 2 * v : -2 * v - 1;
}

export function unzigzag(u: number): number {
  // Integer ops when they are exact; `%` on doubles would call fmod, which dominated decoding.
  if (u < 0x80000000) return (u >>> 1) ^ -(u & 1);
  const h = Math.floor(u / 2);
  return u === 2 * h ? h : -h - 1;
}

const hist = new Float64Array(54);
const cum = new Float64Array(54);
/** The widths that occur (and 0), ascending: the only bucket widths worth trying. */
const cands = new Int32Array(54);

/** Chooses widths for us[0..n) minimising the coded size; returns [w0, w1, w2, w3, bits]. */
export function planWidths(us: ArrayLike<number>, n: number): [number, number, number, number, number] {
  hist.fill(0);
  let max = 0;
  for (let i = 0; i < n; i++) {
    const w = bitWidth(us[i]!);
    hist[w]!++;
    if (w > max) max = w;
  }
  if (max === 0) return [0, 0, 0, 0, 1];
  let nc = 0;
  let c = 0;
  for (let w = 0; w <= max; w++) {
    c += hist[w]!;
    cum[w] = c;
    if (w === 0 || hist[w]! > 0) cands[nc++] = w;
  }
  // Each value goes to the narrowest bucket that holds it; cum[] gives the bucket counts.
  let best = Infinity;
  let b0 = 0;
  let b1 = 0;
  let b2 = 0;
  const total = n;
  for (let i = 0; i < nc; i++) {
    const w0 = cands[i]!;
    const c0 = cum[w0]!;
    const cost0 = c0 * (PREFIX_BITS[0]! + w0);
    for (let j = i; j < nc; j++) {
      const w1 = cands[j]!;
      const c1 = cum[w1]!;
      const cost1 = cost0 + (c1 - c0) * (PREFIX_BITS[1]! + w1);
      if (cost1 >= best) continue;
      for (let k = j; k < nc; k++) {
        const w2 = cands[k]!;
        const c2 = cum[w2]!;
        const cost = cost1 + (c2 - c1) * (PREFIX_BITS[2]! + w2) + (total - c2) * (PREFIX_BITS[3]! + max);
        if (cost < best) {
          best = cost;
          b0 = w0;
          b1 = w1;
          b2 = w2;
        }
      }
    }
  }
  return [b0, b1, b2, max, 1 + 24 + best];
}

/** Writes us[0..n) with the widths from planWidths (pass them back in). */
export function writeVarbits(w: BitWriter, us: ArrayLike<number>, n: number, plan: readonly number[]): void {
  const w3 = plan[3]!;
  if (w3 === 0) {
    w.writeBit(0);
    return;
  }
  const w0 = plan[0]!;
  const w1 = plan[1]!;
  const w2 = plan[2]!;
  w.writeBit(1);
  w.writeBits(w0, 6);
  w.writeBits(w1, 6);
  w.writeBits(w2, 6);
  w.writeBits(w3, 6);
  for (let i = 0; i < n; i++) {
    const u = us[i]!;
    const bw = bitWidth(u);
    if (bw <= w0) {
      w.writeBit(0);
      w.writeWide(u, w0);
    } else if (bw <= w1) {
      w.writeBits(0b10, 2);
      w.writeWide(u, w1);
    } else if (bw <= w2) {
      w.writeBits(0b110, 3);
      w.writeWide(u, w2);
    } else {
      w.writeBits(0b111, 3);
      w.writeWide(u, w3);
    }
  }
}

/** Reads n values written by writeVarbits into out[0..n). */
export function readVarbits(r: BitReader, n: number, out: Float64Array): void {
  if (r.readBit() === 0) {
    out.fill(0, 0, n);
    return;
  }
  const w0 = r.readBits(6);
  const w1 = r.readBits(6);
  const w2 = r.readBits(6);
  const w3 = r.readBits(6);
  for (let i = 0; i < n; i++) {
    const ones = r.readUnary3();
    const width = ones === 0 ? w0 : ones === 1 ? w1 : ones === 2 ? w2 : w3;
    out[i] = width <= 24 ? r.readBits(width) : r.readWide(width);
  }
}
