import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeriesMajorOrder, type FlatSamples } from '../../../src/detect/stage/series-major.js';

/** A flat batch from [id, samples as [t, v]] pairs. */
function flat(...series: Array<[number, Array<[number, number]>]>): FlatSamples {
  const ids = Uint32Array.from(series.map(([id]) => id));
  const all = series.flatMap(([, s]) => s);
  let end = 0;
  const ends = Uint32Array.from(series.map(([, s]) => (end += s.length)));
  return { ids, ends, ts: Float64Array.from(all.map(([t]) => t)), vs: Float64Array.from(all.map(([, v]) => v)) };
}

/** The arrangement as [id, samples] pairs. */
function read(o: SeriesMajorOrder): Array<[number, Array<[number, number]>]> {
  const out: Array<[number, Array<[number, number]>]> = [];
  let from = 0;
  for (let k = 0; k < o.series; k++) {
    const to = o.ends[k]!;
    const s: Array<[number, number]> = [];
    for (let j = from; j < to; j++) s.push([o.ts[j]!, o.vs[j]!]);
    out.push([o.ids[k]!, s]);
    from = to;
  }
  return out;
}

test('batches are rearranged series by series: each series once, where it first appears, its samples in the order they came', () => {
  const o = new SeriesMajorOrder();
  o.arrange([
    flat([7, [[1, 70]]], [2, [[1, 20]]], [9, [[1, 90], [2, 91]]]),
    flat([2, [[2, 21]]], [7, [[2, 71]]]),
    flat([5, [[3, 50]]], [7, [[3, 72]]], [2, [[3, 22]]]),
  ]);
  assert.equal(o.series, 4);
  assert.equal(o.samples, 9);
  assert.deepEqual(read(o), [
    [7, [[1, 70], [2, 71], [3, 72]]],
    [2, [[1, 20], [2, 21], [3, 22]]],
    [9, [[1, 90], [2, 91]]],
    [5, [[3, 50]]],
  ]);
});

test('the next block starts afresh, with ids far beyond the last and more samples than the buffers held', () => {
  const o = new SeriesMajorOrder();
  o.arrange([flat([1, [[1, 1]]], [2, [[1, 2]]])]);
  const many: Array<[number, number]> = Array.from({ length: 10_000 }, (_, i) => [i, i * 2]);
  o.arrange([flat([2, [[5, 5]]], [100_000, many.slice(0, 6_000)]), flat([100_000, many.slice(6_000)])]);
  assert.equal(o.series, 2);
  assert.equal(o.samples, 10_001);
  const [first, second] = read(o);
  assert.deepEqual(first, [2, [[5, 5]]]);
  assert.equal(second![0], 100_000);
  assert.deepEqual(second![1], many);
});
