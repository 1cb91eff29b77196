import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mulberry32 } from '../../src/core/mulberry32.js';
import { fieldValueBytes } from '../../src/ingest/line-protocol/field-bytes.js';
import { scaledDecimal } from '../../src/ingest/line-protocol/scaled-decimal.js';

/** scaledDecimal of a digit string with at most one point, as the byte parser calls it (null when it does not apply). */
function scaled(text: string): number | null {
  let digits = '';
  let e10 = 0;
  let point = false;
  for (const c of text) {
    if (c === '.') point = true;
    else {
      digits += c;
      if (point) e10--;
    }
  }
  digits = digits.replace(/^0+/, '');
  if (digits.length > 19 || e10 < -22) return null;
  return scaledDecimal(Number(digits.slice(0, -8) || '0'), Number(digits.slice(-8) || '0'), e10);
}

test('16 to 19 digits: correctly rounded, the same double as Number() reads', () => {
  // Exact doubles where the answer is plain, then harder ones checked against Number().
  assert.equal(scaled('1.0000000000000001'), 1);
  assert.equal(scaled('3.141592653589793'), Math.PI);
  assert.equal(scaled('9999999999999999999'), 1e19);
  assert.equal(scaled('4503599627370497.6'), 2 ** 52 + 2); // 2^52 + 1.6: spacing 1 there, nearer 2^52 + 2
  for (const text of ['0.1', '123456789012345678', '900719925474099.25', '0.0000012345678901234567', '1234567890123456789', '0.30000000000000004'])
    assert.ok(Object.is(scaled(text), Number(text)), text);
});

test('a decimal exactly halfway between two doubles is left to Number() (NaN), not guessed', () => {
  // 2^53 + 1 lies halfway between 2^53 and 2^53 + 2: ties go to the even one, which only Number() knows here.
  assert.ok(Number.isNaN(scaled('9007199254740993')));
  assert.ok(Number.isNaN(scaled('9007199254740993.000')));
  assert.ok(Number.isNaN(scaled('4503599627370497.5')));
});

test('random doubles written as Telegraf writes them (shortest text that reads back, no exponent) and at 17 digits', () => {
  const r = mulberry32(20261206);
  let undecided = 0;
  let n = 0;
  for (let i = 0; i < 200_000; i++) {
    const v = r() * 10 ** (Math.floor(r() * 22) - 6);
    for (const text of [String(v), v.toPrecision(17), v.toFixed(Math.max(0, 16 - Math.floor(Math.log10(v))))]) {
      if (text.includes('e')) continue;
      const got = scaled(text);
      if (got === null) continue;
      n++;
      if (Number.isNaN(got)) undecided++;
      else assert.ok(Object.is(got, Number(text)), `${text}: ${got} vs ${Number(text)}`);
    }
  }
  // Only integers beyond 2^53 written with trailing zeros can fall exactly halfway.
  assert.ok(undecided < n * 0.01, `${undecided} of ${n} undecided`);
});

test('random digit strings (halfway cases included) are correctly rounded or left to Number()', () => {
  const r = mulberry32(7);
  for (let i = 0; i < 200_000; i++) {
    const len = 16 + Math.floor(r() * 4);
    let digits = String(1 + Math.floor(r() * 9));
    for (let k = 1; k < len; k++) digits += Math.floor(r() * 10);
    const at = Math.floor(r() * (len + 1));
    const text = `${digits.slice(0, at)}.${digits.slice(at)}`;
    const got = scaled(text);
    if (got !== null && !Number.isNaN(got)) assert.ok(Object.is(got, Number(text)), `${text}: ${got} vs ${Number(text)}`);
  }
});

test('the byte parser reads long mantissas (signs, points, exponents) as Number() does', () => {
  const r = mulberry32(11);
  for (let i = 0; i < 50_000; i++) {
    const v = (r() - 0.5) * 10 ** (Math.floor(r() * 30) - 10);
    for (const text of [String(v), v.toPrecision(17), v.toPrecision(19), `+${Math.abs(v).toPrecision(18)}`, `${v.toPrecision(16)}e${Math.floor(r() * 10) - 5}`]) {
      const got = fieldValueBytes(Buffer.from(text), 0, text.length);
      assert.ok(Object.is(got, Number(text)), `${text}: ${got} vs ${Number(text)}`);
    }
  }
});
