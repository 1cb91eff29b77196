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
