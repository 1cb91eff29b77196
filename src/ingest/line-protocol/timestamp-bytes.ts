import type { Precision } from './line-syntax.js';

/** Digits dropped to get ms (floor), per precision. */
function dropOf(p: Precision): number {
  return p === 'ns' ? 6 : p === 'us' ? 3 : 0;
}

/** The factor from the digits kept to ms, per precision. */
function factorOf(p: Precision): number {
  return p === 'ns' || p === 'us' || p === 'ms' ? 1 : p === 's' ? 1000 : p === 'm' ? 60_000 : 3_600_000;
}

/**
 * The timestamp buf[start, end) (start < end) in `precision` units as ms, floored,
 * exactly as toMs (line-syntax.ts) converts the same text: the digits kept are
 * summed exactly while they stay within 2^53, and the result must be a safe integer.
 * -1 for anything else (not all digits, a sign, out of range): the caller then
 * parses the line as text, which gives the error. One pass: the kept digits are
 * checked as they are summed, the dropped ones after.
 */
export function timestampMsBytes(buf: Uint8Array, start: number, end: number, precision: Precision): number {
  const keep = end - dropOf(precision);
  let n = 0;
  let i = start;
  for (; i < keep; i++) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
    // Out of range (or, if a later byte is no digit, invalid): -1 either way.
    if (n > Number.MAX_SAFE_INTEGER) return -1;
  }
  for (; i < end; i++) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9) return -1;
  }
  const ms = n * factorOf(precision);
  return Number.isSafeInteger(ms) ? ms : -1;
}
