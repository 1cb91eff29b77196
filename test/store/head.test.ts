import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STALE_NAN, isStaleMarker } from '../../src/core/sample.js';
import { HeadSeries } from '../../src/store/head.js';

const T0 = 1_700_000_000_000;

function series(n: number): HeadSeries {
  const s = new HeadSeries(1, { __name__: 'x' }, 'h');
  for (let i = 0; i < n; i++) s.push(T0 + i * 1000, i / 4);
  return s;
}

function samples(s: HeadSeries): { t: number[]; v: number[] } {
  const ts = new Float64Array(s.count);
  const vs = new Float64Array(s.count);
  s.copyOut(0, s.count, ts, vs);
  return { t: [...ts], v: [...vs] };
}

test('a head takes samples as it grows and reads them back by index', () => {
  const n = 1500;
  const s = series(n);
  assert.equal(s.count, n);
  for (const i of [0, 15, 16, 255, 256, 1023, 1024, n - 1]) {
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
  assert.ok(s.capacityBytes >= n * 16);
});

test('dropping the front keeps the rest in place and moves the marks; a head emptied by a burst gives memory back', () => {
  const s = series(4000);
  s.persisted = s.sealed = 3990;
  s.chunkEnds = [120, 3990];
  s.dropFront(120);
  assert.equal(s.count, 3880);
  assert.equal(s.timeAt(0), T0 + 120_000);
  assert.deepEqual(s.chunkEnds, [3870]);
  assert.equal(s.sealed, 3870);
  const big = s.capacityBytes;
  s.dropFront(3870);
  assert.deepEqual(samples(s), { t: [3990, 3991, 3992, 3993, 3994, 3995, 3996, 3997, 3998, 3999].map((i) => T0 + i * 1000), v: [3990, 3991, 3992, 3993, 3994, 3995, 3996, 3997, 3998, 3999].map((i) => i / 4) });
  assert.ok(s.capacityBytes < big / 8, 'shrunk');
});

test('clear forgets the head and keeps the newest sample', () => {
  const s = series(50);
  s.clear();
  assert.equal(s.count, 0);
  assert.equal(s.capacityBytes, 0);
  assert.equal(s.lastT, T0 + 49_000);
  assert.equal(s.lastV, 49 / 4);
  assert.equal(s.headStart, Infinity);
  s.push(T0 + 60_000, 1);
  assert.deepEqual(samples(s), { t: [T0 + 60_000], v: [1] });
});

test('a late sample is inserted in place, moving the later ones', () => {
  const s = series(16);
  s.persisted = 16;
  s.insertAt(3, T0 + 2500, -1);
  const { t, v } = samples(series(16));
  t.splice(3, 0, T0 + 2500);
  v.splice(3, 0, -1);
  assert.deepEqual(samples(s), { t, v });
  assert.equal(s.dirty, true, 'below persisted: the chunks over the head are rewritten');
  assert.equal(s.lastT, t.at(-1));
});

test('older samples read back from disk go in front of the head', () => {
  const s = new HeadSeries(1, { __name__: 'x' }, 'h');
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
  const s = series(3);
  s.push(T0 + 5000, STALE_NAN);
  assert.ok(isStaleMarker(s.lastV));
  assert.ok(isStaleMarker(samples(s).v[3]!));
});
