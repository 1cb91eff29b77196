import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STALE_NAN, isStaleMarker } from '../../src/core/sample.js';
import { BLOCK_SAMPLES, HeadArena } from '../../src/store/head-arena.js';
import { HeadSeries } from '../../src/store/head.js';

const T0 = 1_700_000_000_000;

function series(arena: HeadArena, n: number): HeadSeries {
  const s = new HeadSeries(1, { __name__: 'x' }, 'h', arena);
  for (let i = 0; i < n; i++) s.push(T0 + i * 1000, i / 4);
  return s;
}

function samples(s: HeadSeries): { t: number[]; v: number[] } {
  const ts = new Float64Array(s.count);
  const vs = new Float64Array(s.count);
  s.copyOut(0, s.count, ts, vs);
  return { t: [...ts], v: [...vs] };
}

test('a head takes samples into arena blocks and reads them back by index, across block boundaries', () => {
  const arena = new HeadArena();
  const n = 3 * BLOCK_SAMPLES + 5;
  const s = series(arena, n);
  assert.equal(s.count, n);
  assert.equal(arena.blocksInUse, 4);
  for (const i of [0, BLOCK_SAMPLES - 1, BLOCK_SAMPLES, 2 * BLOCK_SAMPLES + 7, n - 1]) {
    assert.equal(s.timeAt(i), T0 + i * 1000);
    assert.equal(s.valueAt(i), i / 4);
  }
  assert.equal(s.lastT, T0 + (n - 1) * 1000);
  assert.equal(s.lastV, (n - 1) / 4);
  assert.equal(s.headStart, T0);
  assert.equal(s.lowerBound(T0 + 40_500), 41);
  assert.equal(s.lowerBound(T0 + 40_000), 40);
  assert.equal(s.lowerBound(T0 + n * 1000), n);
  const part = { t: new Float64Array(40), v: new Float64Array(40) };
  s.copyOut(20, 60, part.t, part.v);
  assert.deepEqual([...part.t], Array.from({ length: 40 }, (_, k) => T0 + (20 + k) * 1000));
});

test('the newest sample is known when a block has just filled, before the next one is taken', () => {
  const s = series(new HeadArena(), BLOCK_SAMPLES);
  assert.equal(s.lastT, T0 + (BLOCK_SAMPLES - 1) * 1000);
  s.push(T0 + 10_000_000, 99);
  assert.equal(s.lastT, T0 + 10_000_000);
  assert.equal(s.lastV, 99);
});

test('dropping the front gives whole blocks back to the arena, which hands them out again', () => {
  const arena = new HeadArena();
  const s = series(arena, 4 * BLOCK_SAMPLES);
  s.persisted = s.sealed = 2 * BLOCK_SAMPLES + 10;
  s.chunkEnds = [BLOCK_SAMPLES + 3, 2 * BLOCK_SAMPLES + 10];
  s.dropFront(BLOCK_SAMPLES + 3);
  assert.equal(arena.blocksInUse, 3, 'the first block is free');
  assert.equal(s.count, 3 * BLOCK_SAMPLES - 3);
  assert.equal(s.timeAt(0), T0 + (BLOCK_SAMPLES + 3) * 1000);
  assert.deepEqual(s.chunkEnds, [BLOCK_SAMPLES + 7]);
  assert.equal(s.sealed, BLOCK_SAMPLES + 7);
  const other = series(arena, 1);
  assert.equal(arena.blocksInUse, 4, 'the freed block went to the next series');
  assert.equal(other.timeAt(0), T0);
  assert.equal(s.timeAt(0), T0 + (BLOCK_SAMPLES + 3) * 1000, 'and the first series is untouched');
});

test('clear gives every block back and keeps the newest sample', () => {
  const arena = new HeadArena();
  const s = series(arena, 50);
  s.clear();
  assert.equal(arena.blocksInUse, 0);
  assert.equal(s.count, 0);
  assert.equal(s.lastT, T0 + 49_000);
  assert.equal(s.lastV, 49 / 4);
  assert.equal(s.headStart, Infinity);
  s.push(T0 + 60_000, 1);
  assert.deepEqual(samples(s), { t: [T0 + 60_000], v: [1] });
});

test('a late sample is inserted in place, moving the later ones across block boundaries', () => {
  const s = series(new HeadArena(), BLOCK_SAMPLES + 2);
  s.persisted = BLOCK_SAMPLES + 2;
  s.insertAt(3, T0 + 2500, -1);
  const want = series(new HeadArena(), BLOCK_SAMPLES + 2);
  const { t, v } = samples(want);
  t.splice(3, 0, T0 + 2500);
  v.splice(3, 0, -1);
  assert.deepEqual(samples(s), { t, v });
  assert.equal(s.dirty, true, 'below persisted: the chunks over the head are rewritten');
  assert.equal(s.lastT, t.at(-1));
});

test('older samples read back from disk go in front of the head', () => {
  const s = new HeadSeries(1, { __name__: 'x' }, 'h', new HeadArena());
  for (let i = 0; i < 5; i++) s.push(T0 + (100 + i) * 1000, i);
  const ts = Float64Array.from({ length: 40 }, (_, i) => T0 + i * 1000);
  const vs = Float64Array.from({ length: 40 }, (_, i) => -i);
  s.prepend(ts, vs, 40, [40]);
  const got = samples(s);
  assert.equal(s.count, 45);
  assert.deepEqual(got.t.slice(38, 42), [T0 + 38_000, T0 + 39_000, T0 + 100_000, T0 + 101_000]);
  assert.deepEqual(s.chunkEnds, [40]);
  assert.equal(s.sealed, 40);
  assert.equal(s.lastT, T0 + 104_000);
});

test('a stale marker goes through the head as a stale marker', () => {
  const s = series(new HeadArena(), 3);
  s.push(T0 + 5000, STALE_NAN);
  assert.ok(isStaleMarker(s.lastV));
  assert.ok(isStaleMarker(samples(s).v[3]!));
});

test('the arena hands out the lowest free block first, so series appending in step get neighbouring blocks again after a trim', () => {
  const arena = new HeadArena();
  const ids = Array.from({ length: 100 }, () => arena.alloc());
  assert.deepEqual(ids, Array.from({ length: 100 }, (_, i) => i));
  for (const id of [70, 3, 41, 5, 99, 4]) arena.free(id);
  assert.equal(arena.blocksInUse, 94);
  assert.deepEqual(Array.from({ length: 7 }, () => arena.alloc()), [3, 4, 5, 41, 70, 99, 100]);
  // Three series in step: their first blocks freed by a trim are taken back in the series' order.
  const heads = [0, 1, 2].map(() => new HeadSeries(1, { __name__: 'x' }, 'h', arena));
  for (let i = 0; i < 2 * BLOCK_SAMPLES; i++) for (const s of heads) s.push(T0 + i * 1000, i);
  for (const s of heads) {
    s.persisted = s.sealed = s.count;
    s.dropFront(BLOCK_SAMPLES);
  }
  // Each head's second block is full: the next samples go to the blocks the trim freed, the lowest first.
  for (const s of heads) s.push(T0 + 1e7, 0);
  assert.equal(arena.alloc(), 107, 'blocks 101-103 were taken again');
  assert.deepEqual(
    heads.map((s) => [s.count, s.timeAt(0), s.lastT]),
    heads.map(() => [BLOCK_SAMPLES + 1, T0 + BLOCK_SAMPLES * 1000, T0 + 1e7]),
  );
});
