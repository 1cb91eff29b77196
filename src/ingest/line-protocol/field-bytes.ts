import { integerInRange } from './line-syntax.js';
import { POW10, scaledDecimal } from './scaled-decimal.js';

/**
 * Field values read from bytes, for the byte parser's common lines: the same values,
 * bit for bit, as parseFieldValue (line-syntax.ts) gives for the same text. Anything
 * else (invalid syntax, out of range, a value this code does not compute itself and
 * cannot hand to Number) returns NaN, which no valid field value is: the caller then
 * parses the line as text, which gives the value or the error.
 */

/** Digits a double holds exactly in any combination (10^15 < 2^53). */
const EXACT_DIGITS = 15;

/** Significant digits scaledDecimal takes (below 2^64). */
const MAX_SCALED_DIGITS = 19;

/** The value of the field value buf[start, end) (start < end), or NaN. */
export function fieldValueBytes(buf: Buffer, start: number, end: number): number {
  const last = buf[end - 1]!;
  if (last === 105 /* i */ || last === 117 /* u */) return integerBytes(buf, start, end - 1, last === 117);
  const b = booleanBytes(buf, start, end);
  return b >= 0 ? b : floatBytes(buf, start, end);
}

/** `-?\d+` (`\d+` when unsigned) within int64 (uint64), else NaN. */
function integerBytes(buf: Buffer, start: number, end: number, unsigned: boolean): number {
  const neg = !unsigned && buf[start] === 45; /* - */
  let i = neg ? start + 1 : start;
  if (i === end) return NaN;
  if (end - i > EXACT_DIGITS) {
    for (let j = i; j < end; j++) if (!isDigit(buf[j]!)) return NaN;
    // Near the int64 range: BigInt does the range check as the text parser does.
    return integerInRange(buf.toString('latin1', start, end), unsigned) ?? NaN;
  }
  let n = 0;
  for (; i < end; i++) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9) return NaN;
    n = n * 10 + d;
  }
  // 0 - n: "-0i" is the integer 0, not -0.
  return neg ? 0 - n : n;
}

/** t, T, true, True, TRUE → 1; f, F, false, False, FALSE → 0; else -1. */
function booleanBytes(buf: Buffer, start: number, end: number): number {
  const c = buf[start]!;
  const n = end - start;
  if (n === 1) return c === 116 || c === 84 ? 1 : c === 102 || c === 70 ? 0 : -1;
  if (n === 4 && (c === 116 || c === 84) && (rest(buf, start, 'rue') || (c === 84 && rest(buf, start, 'RUE')))) return 1;
  if (n === 5 && (c === 102 || c === 70) && (rest(buf, start, 'alse') || (c === 70 && rest(buf, start, 'ALSE')))) return 0;
  return -1;
}

function rest(buf: Buffer, start: number, tail: string): boolean {
  for (let k = 0; k < tail.length; k++) if (buf[start + 1 + k] !== tail.charCodeAt(k)) return false;
  return true;
}

/**
 * A float matching FLOAT_RE (`[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?`), as Number() reads
 * it. Up to 15 significant digits and a decimal exponent within ±22, the digits and
 * the power of ten are exact doubles and one division or multiplication rounds
 * correctly (Clinger's fast path), as Number() does; with 16 to 19 significant digits
 * (most floats as Telegraf writes them), scaledDecimal rounds them correctly; otherwise
 * Number() reads the validated text. Non-finite results are NaN (the text parser refuses them).
 */
function floatBytes(buf: Buffer, start: number, end: number): number {
  let i = start;
  const sign = buf[i];
  const neg = sign === 45; /* - */
  if (neg || sign === 43 /* + */) i++;
  let m = 0;
  let significant = 0;
  let mantissaDigits = 0;
  let fraction = 0;
  for (; i < end && isDigit(buf[i]!); i++, mantissaDigits++) {
    const d = buf[i]! - 48;
    if (significant > 0 || d !== 0) significant++;
    m = m * 10 + d;
  }
  if (i < end && buf[i] === 46 /* . */) {
    for (i++; i < end && isDigit(buf[i]!); i++, mantissaDigits++, fraction++) {
      const d = buf[i]! - 48;
      if (significant > 0 || d !== 0) significant++;
      m = m * 10 + d;
    }
  }
  if (mantissaDigits === 0) return NaN;
  const mantissaEnd = i;
  let exp = 0;
  if (i < end && (buf[i] === 101 || buf[i] === 69) /* e E */) {
    i++;
    const expNeg = buf[i] === 45;
    if (expNeg || buf[i] === 43) i++;
    const from = i;
    for (; i < end && isDigit(buf[i]!); i++) if (exp < 100_000) exp = exp * 10 + buf[i]! - 48;
    if (i === from) return NaN;
    if (expNeg) exp = -exp;
  }
  if (i !== end) return NaN;
  const e10 = exp - fraction;
  if (e10 >= -22 && e10 <= 22) {
    if (significant <= EXACT_DIGITS) {
      const v = e10 < 0 ? m / POW10[-e10]! : m * POW10[e10]!;
      return neg ? -v : v;
    }
    if (significant <= MAX_SCALED_DIGITS) {
      const v = longMantissa(buf, neg || sign === 43 ? start + 1 : start, mantissaEnd, significant, e10);
      if (v === v) return neg ? -v : v;
    }
  }
  const v = Number(buf.toString('latin1', start, end));
  return Number.isFinite(v) ? v : NaN;
}

/**
 * The digits of buf[from, to) (a mantissa: digits and at most one point) with
 * `significant` (16 to 19) significant digits, times 10^e10, by scaledDecimal; NaN
 * when that cannot tell.
 */
function longMantissa(buf: Buffer, from: number, to: number, significant: number, e10: number): number {
  let hi = 0;
  let lo = 0;
  let k = 0;
  const hiDigits = significant - 8;
  for (let j = from; j < to; j++) {
    const d = buf[j]! - 48;
    if (d < 0 || (k === 0 && d === 0)) continue; // the point, leading zeros
    if (k++ < hiDigits) hi = hi * 10 + d;
    else lo = lo * 10 + d;
  }
  return scaledDecimal(hi, lo, e10);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
