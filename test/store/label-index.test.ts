import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LabelIndex } from '../../src/store/label-index.js';
import { intersect, subtract, union, addPosting } from '../../src/store/postings.js';
import { CompiledMatcher, type MatchType, matchesAll } from '../../src/core/matchers.js';
import { normalizeLabels, type Labels } from '../../src/core/labels.js';
import { SeriesMap, hashLabels } from '../../src/store/series-map.js';
import { mulberry32 } from '../../src/core/mulberry32.js';

function m(name: string, type: MatchType, value: string): CompiledMatcher {
  return new CompiledMatcher({ name, type, value });
}

test('postings: intersect, subtract, union, sorted insert', () => {
  assert.deepEqual(intersect([1, 3, 5, 7], [3, 4, 5, 8]), [3, 5]);
  const long = Array.from({ length: 1000 }, (_, i) => i * 2);
  assert.deepEqual(intersect([4, 5, 1998], long), [4, 1998], 'galloping path');
  assert.deepEqual(subtract([1, 2, 3, 4], [2, 4, 6]), [1, 3]);
  assert.deepEqual(union([[5, 9], [1, 5], [], [2]]), [1, 2, 5, 9]);
  const p = [1, 5];
  addPosting(p, 3);
  addPosting(p, 9);
  addPosting(p, 5);
  assert.deepEqual(p, [1, 3, 5, 9]);
});

test('matchers over the inverted index agree with brute-force matching (Prometheus semantics)', () => {
  const idx = new LabelIndex();
  const series: Array<{ ref: number; labels: Labels }> = [];
  const jobs = ['api', 'db', 'web'];
  const envs = ['prod', 'staging', ''];
  let ref = 1;
  for (const job of jobs)
    for (const env of envs)
      for (let i = 0; i < 4; i++) {
        const labels = normalizeLabels({ __name__: i % 2 ? 'http_requests_total' : 'up', job, env, instance: `host-${i}`, ...(i === 3 ? { extra: 'x' } : {}) });
        series.push({ ref, labels });
        idx.add(ref, labels);
        ref++;
      }
  const cases: CompiledMatcher[][] = [
    [m('__name__', '=', 'up')],
    [m('job', '=', 'api'), m('env', '=', 'prod')],
    [m('env', '=', '')],
    [m('env', '!=', '')],
    [m('env', '!=', 'prod')],
    [m('job', '=~', 'a.*|d.')],
    [m('job', '=~', 'ap')],
    [m('env', '=~', 'prod|')],
    [m('env', '!~', 'prod|')],
    [m('instance', '!~', 'host-[01]'), m('__name__', '=', 'up')],
    [m('extra', '=', ''), m('job', '=', 'web')],
    [m('missing', '=', '')],
    [m('missing', '!=', '')],
    [m('missing', '=~', '.*')],
    [m('missing', '=~', '.+')],
    [m('job', '=', 'nope')],
    [],
  ];
  for (const ms of cases) {
    const want = series.filter((s) => matchesAll(ms, s.labels)).map((s) => s.ref);
    assert.deepEqual(idx.select(ms), want, ms.map(String).join(',') || '(no matchers)');
  }
  assert.deepEqual(idx.labelNames(), ['__name__', 'env', 'extra', 'instance', 'job']);
  assert.deepEqual(idx.labelValues('env'), ['prod', 'staging']);
  assert.deepEqual(idx.labelValues('nope'), []);

  // Removing series updates every list, and drops names and values left empty.
  idx.removeMany(series.filter((s) => s.labels.extra === 'x'));
  assert.deepEqual(idx.labelNames(), ['__name__', 'env', 'instance', 'job']);
  assert.deepEqual(idx.labelValues('instance'), ['host-0', 'host-1', 'host-2']);
  assert.equal(idx.select([]).length, series.length - 9);
});

test('series map: finds a label set whatever the order, ignores empty values, survives deletes', () => {
  const map = new SeriesMap<{ labels: Labels; id: number }>();
  const items = Array.from({ length: 2000 }, (_, i) => ({ labels: normalizeLabels({ __name__: 'm', a: String(i % 7), b: String(i) }), id: i }));
  for (const it of items) map.add(it);
  assert.equal(map.size, 2000);
  assert.equal(map.get({ b: '5', __name__: 'm', a: '5' })?.id, 5);
  assert.equal(map.get({ b: '5', __name__: 'm', a: '5', c: '' })?.id, 5, 'an empty value is an absent label');
  assert.equal(map.get({ b: '5', __name__: 'm' }), undefined, 'a subset is another series');
  assert.equal(map.get({ b: '5', __name__: 'm', a: '5', c: 'x' }), undefined, 'a superset too');
  for (const it of items.slice(0, 1000)) map.delete(it);
  assert.equal(map.size, 1000);
  assert.equal(map.get(items[5]!.labels), undefined);
  assert.equal(map.get(items[1500]!.labels)?.id, 1500);
  assert.equal(hashLabels({ x: '1', y: '2' }), hashLabels({ y: '2', x: '1' }));
});

test('cardinality: the top label pairs equal a full sort (ties by name), however many pairs there are', () => {
  const idx = new LabelIndex();
  const r = mulberry32(5);
  for (let ref = 0; ref < 3000; ref++)
    idx.add(ref, { __name__: `m${Math.floor(r() * 20)}`, job: `j${Math.floor(r() * 7)}`, instance: `i${Math.floor(r() * 400)}`, zone: `z${Math.floor(r() * 3)}` });
  const all = new Map<string, number>();
  for (const name of idx.labelNames())
    for (const value of idx.labelValues(name)) all.set(`${name}=${value}`, idx.select([m(name, "=", value)]).length);
  const sorted = [...all].map(([name, value]) => ({ name, value })).sort((a, b) => b.value - a.value || (a.name < b.name ? -1 : 1));
  for (const limit of [1, 3, 10, 25, 500, 1000])
    assert.deepEqual(idx.cardinality(limit).seriesCountByLabelValuePair, sorted.slice(0, limit), `limit ${limit}`);
});
