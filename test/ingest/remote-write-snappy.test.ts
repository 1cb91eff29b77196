import assert from 'node:assert/strict';
import { test } from 'node:test';
import { snappyUncompress } from '../../src/ingest/remote-write/snappy.js';
import { rng, snappyCompress } from './remote-write-helpers.js';

/** Bytes with the structure snappy finds: repeats at every period from 1 to 80, random stretches, and long runs. */
function structured(r: () => number, n: number): Uint8Array {
  const b = new Uint8Array(n);
  let i = 0;
  while (i < n) {
    const len = Math.min(n - i, 1 + Math.floor(r() * (r() < 0.1 ? 3000 : 120)));
    const period = 1 + Math.floor(r() * 80);
    const random = r() < 0.3;
    for (let k = 0; k < len; k++, i++) b[i] = random || i < period ? Math.floor(r() * 256) : b[i - period]!;
  }
  return b;
}

test('snappy: what the reference compressor (snappyjs) writes decompresses to the original, short and long, literal and overlapping', () => {
  const r = rng(7);
  for (let round = 0; round < 300; round++) {
    const src = structured(r, Math.floor(r() * (round % 10 === 0 ? 200_000 : 5000)));
    const scratch = { buf: new Uint8Array(16) };
    const out = snappyUncompress(snappyCompress(src), 1 << 20, round % 2 ? scratch : undefined);
    assert.deepEqual(Buffer.from(out), Buffer.from(src), `round ${round}, ${src.length} bytes`);
  }
});

test('snappy: a copy that overlaps its own output repeats the pattern, at offsets below and above a word', () => {
  for (const offset of [1, 2, 3, 4, 5, 7, 8]) {
    const seed = Array.from({ length: offset }, (_, k) => 97 + k);
    // The seed as a literal, then one copy of 64 bytes (kind 2: tag, 2-byte offset) starting `offset` back.
    const block = Uint8Array.from([offset + 64, (offset - 1) << 2, ...seed, (63 << 2) | 2, offset, 0]);
    const out = snappyUncompress(block, 1 << 10);
    const want = Array.from({ length: offset + 64 }, (_, k) => seed[k % offset]!);
    assert.deepEqual([...out], want, `offset ${offset}`);
  }
});

test('snappy: a copy with a 4-byte offset works, and one reaching before the output, even by a top byte, is refused', () => {
  // Literal "abcd", then a 4-byte-offset copy (kind 3) of 8 bytes from 4 back.
  const ok = Uint8Array.from([12, 3 << 2, 97, 98, 99, 100, (7 << 2) | 3, 4, 0, 0, 0]);
  assert.equal(Buffer.from(snappyUncompress(ok, 1 << 10)).toString(), 'abcdabcdabcd');
  for (const top of [1, 0x7f, 0x80, 0xff]) {
    const bad = Uint8Array.from([12, 3 << 2, 97, 98, 99, 100, (7 << 2) | 3, 4, 0, 0, top]);
    assert.throws(() => snappyUncompress(bad, 1 << 10), (e: Error & { statusCode?: number }) => /copy offset \d+ is out of range/.test(e.message) && e.statusCode === 400, `top byte ${top}`);
  }
});

test('snappy: a literal whose 4-byte length reaches past the input, however long it says it is, is a 400', () => {
  for (const len of [[0xff, 0xff, 0xff, 0xff], [0x00, 0x00, 0x00, 0x80], [10, 0, 0, 0]]) {
    const block = Uint8Array.from([8, 63 << 2, ...len, 1, 2, 3]);
    assert.throws(() => snappyUncompress(block, 1 << 10), (e: Error & { statusCode?: number }) => /literal runs past the end of the input/.test(e.message) && e.statusCode === 400, `length bytes ${len}`);
  }
});

test('snappy: a declared length over the limit is a 413 before anything is allocated', () => {
  // Varint 2^31 + 1 as the declared length (over the 2^31 - 1 cap whatever the configured limit).
  const block = Uint8Array.from([0x81, 0x80, 0x80, 0x80, 0x08, 0]);
  assert.throws(() => snappyUncompress(block, 2 ** 32), (e: Error & { statusCode?: number }) => e.statusCode === 413 && /over the limit of 2147483647/.test(e.message));
  assert.throws(() => snappyUncompress(Uint8Array.from([0xe8, 0x07, 0]), 999), (e: Error & { statusCode?: number }) => e.statusCode === 413 && /1000 bytes, over the limit of 999/.test(e.message));
});
