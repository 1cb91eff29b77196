import type { Precision } from './line-syntax.js';

/** Digits dropped to get ms (floor), and the factor to ms, per precision. */
const DROP: Record<Precision, number> = { ns: 6, us: 3, ms: 0, s: 0, m: 0, h: 0 };
const FACTOR: Record<Precision, number> = { ns: 1, us: 1, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * The timestamp buf[start, end) (start < end) in `precision` units as ms, floored,
 * exactly as toMs (line-syntax.ts) converts the same text: the digits kept are
 * summed exactly while they stay within 2^53, and the result must be a safe integer.
 * -1 for anything else (not all digits, a sign, out of range): the caller then
 * parses the line as text, which gives the error.
 */
export function timestampMsBytes(buf: Uint8Array, start: number, end: number, precision: Precision): number {
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c < 48 || c > 57) return -1;
  }
  const keep = end - DROP[precision];
  let n = 0;
  for (let i = start; i < keep; i++) {
    n = n * 10 + (buf[i]! - 48);
    if (n > Number.MAX_SAFE_INTEGER) return -1;
  }
  const ms = n * FACTOR[precision];
  return Number.isSafeInteger(ms) ? ms : -1;
}
