import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeWriteRequest } from '../../src/ingest/remote-write/decode.js';
import type { IngestLimits } from '../../src/ingest/limits.js';
import { writesOfBatch } from '../../src/store/sample-batch.js';
import { DEFAULT_INGEST_LIMITS } from '../../src/ingest/limits.js';
import { PbWriter, encodeWriteRequest } from './remote-write-helpers.js';

/** The request decoded, one SeriesWrite per series. */
function decoded(body: Uint8Array, limits: IngestLimits) {
  const d = decodeWriteRequest(body, limits);
  return { ...d, writes: writesOfBatch(d.batch) };
}

const node = { __name__: 'node_load1', instance: 'cache-test:9100', job: 'node' };

test('a series sent again decodes to the same frozen label set, with its own samples', () => {
  const first = decoded(encodeWriteRequest([{ labels: node, samples: [[1000, 1.5]] }]), DEFAULT_INGEST_LIMITS);
  const second = decoded(encodeWriteRequest([{ labels: node, samples: [[2000, 2.5], [3000, 3.5]] }]), DEFAULT_INGEST_LIMITS);
  assert.deepEqual({ ...first.writes[0]!.labels }, node);
  assert.equal(second.writes[0]!.labels, first.writes[0]!.labels, 'same object: the store and detectors find it by identity');
  assert.ok(Object.isFrozen(second.writes[0]!.labels));
  assert.deepEqual(Array.from(first.writes[0]!.timestamps), [1000]);
  assert.deepEqual(Array.from(second.writes[0]!.timestamps), [2000, 3000]);
  assert.deepEqual(Array.from(second.writes[0]!.values), [2.5, 3.5]);
});

test('series in one request get their own samples from the shared buffer', () => {
  const other = { ...node, instance: 'cache-test-2:9100' };
  const d = decoded(encodeWriteRequest([{ labels: node, samples: [[1, 10], [2, 20]] }, { labels: other, samples: [[1, 30]] }, { labels: node, samples: [] }]), DEFAULT_INGEST_LIMITS);
  assert.deepEqual(d.writes.map((w) => [w.labels.instance, Array.from(w.timestamps), Array.from(w.values)]), [
    ['cache-test:9100', [1, 2], [10, 20]],
    ['cache-test-2:9100', [1], [30]],
    ['cache-test:9100', [], []],
  ]);
  assert.equal(d.samples, 3);
});

test('a label after the samples is not lost when the leading labels are cached', () => {
  decoded(encodeWriteRequest([{ labels: node, samples: [[1, 1]] }]), DEFAULT_INGEST_LIMITS);
  const ts = new PbWriter();
  for (const [n, v] of Object.entries(node)) ts.bytes(1, new PbWriter().string(1, n).string(2, v).finish());
  ts.bytes(2, new PbWriter().double(1, 7).int(2, 5).finish());
  ts.bytes(1, new PbWriter().string(1, 'zone').string(2, 'eu').finish());
  const d = decoded(new PbWriter().bytes(1, ts.finish()).finish(), DEFAULT_INGEST_LIMITS);
  assert.deepEqual({ ...d.writes[0]!.labels }, { ...node, zone: 'eu' });
  assert.deepEqual(Array.from(d.writes[0]!.values), [7]);
});

test('cached label sets are checked again under other limits', () => {
  const long = { __name__: 'm', instance: 'x'.repeat(40) };
  decoded(encodeWriteRequest([{ labels: long, samples: [[1, 1]] }]), DEFAULT_INGEST_LIMITS);
  assert.throws(
    () => decoded(encodeWriteRequest([{ labels: long, samples: [[2, 1]] }]), { ...DEFAULT_INGEST_LIMITS, maxLabelValueLength: 10 }),
    /label value is 40 characters, over the limit of 10/,
  );
});

test('series sent in another order than last time still get their own label sets', () => {
  const series = ['a', 'b', 'c'].map((x) => ({ ...node, instance: `order-${x}:9100` }));
  const first = decoded(encodeWriteRequest(series.map((labels, i) => ({ labels, samples: [[1, i] as [number, number]] }))), DEFAULT_INGEST_LIMITS);
  const reordered = [2, 0, 1];
  const second = decoded(encodeWriteRequest(reordered.map((i) => ({ labels: series[i]!, samples: [[2, i] as [number, number]] }))), DEFAULT_INGEST_LIMITS);
  reordered.forEach((i, k) => {
    assert.equal(second.writes[k]!.labels, first.writes[i]!.labels);
    assert.deepEqual(Array.from(second.writes[k]!.values), [i]);
  });
});

test('a series whose labels begin with those of the series expected next, and have one more, is a series of its own', () => {
  const a = { ...node, instance: 'prefix-a:9100' };
  const b = { ...node, instance: 'prefix-b:9100' };
  // Teaches the cache that b follows a.
  decoded(encodeWriteRequest([{ labels: a, samples: [[1, 1]] }, { labels: b, samples: [[1, 2]] }]), DEFAULT_INGEST_LIMITS);
  // b's label bytes again, then one more label: the guess (b) is a prefix of this series' labels.
  const longer = { ...b, zone: 'eu' };
  const d = decoded(encodeWriteRequest([{ labels: a, samples: [[2, 1]] }, { labels: longer, samples: [[2, 3]] }, { labels: b, samples: [[2, 4]] }]), DEFAULT_INGEST_LIMITS);
  assert.deepEqual(
    d.writes.map((w) => [{ ...w.labels }, Array.from(w.values)]),
    [
      [a, [1]],
      [longer, [3]],
      [b, [4]],
    ],
  );
});
