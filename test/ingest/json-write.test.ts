import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJsonWrite } from '../../src/ingest/json-write.js';
import { DEFAULT_INGEST_LIMITS, validateLabels } from '../../src/ingest/limits.js';
import { isStaleMarker } from '../../src/core/sample.js';

const limits = DEFAULT_INGEST_LIMITS;

test('a JSON write decodes into series with typed arrays, special values as Prometheus spells them', () => {
  const writes = decodeJsonWrite(
    {
      series: [
        {
          labels: { __name__: 'node_load1', instance: 'host-01' },
          samples: [
            [1_700_000_000_000, 0.5],
            [1_700_000_015_000, 'NaN'],
            [1_700_000_030_000, '+Inf'],
            [1_700_000_045_000, '-Inf'],
            [1_700_000_060_000, 'stale'],
          ],
        },
      ],
    },
    limits,
  );
  assert.equal(writes.length, 1);
  const v = writes[0]!.values;
  assert.equal(v[0], 0.5);
  assert.ok(Number.isNaN(v[1]) && !isStaleMarker(v[1]!));
  assert.equal(v[2], Infinity);
  assert.equal(v[3], -Infinity);
  assert.ok(isStaleMarker(v[4]!));
});

test('every refusal names the field and the problem', () => {
  const cases: Array<[unknown, RegExp]> = [
    [[], /body: expected a JSON object/],
    [{ series: 3 }, /series: expected an array/],
    [{ series: [{ labels: { job: 'x' }, samples: [] }] }, /series\[0\]\.labels: missing metric name/],
    [{ series: [{ labels: { __name__: '1bad' }, samples: [] }] }, /series\[0\]\.labels: invalid metric name "1bad"/],
    [{ series: [{ labels: { __name__: 'm', 'bad-name': 'x' }, samples: [] }] }, /invalid label name "bad-name"/],
    [{ series: [{ labels: { __name__: 'm', job: 5 }, samples: [] }] }, /series\[0\]\.labels\.job: label value must be a string/],
    [{ series: [{ labels: { __name__: 'm' }, samples: [[1.5, 1]] }] }, /series\[0\]\.samples\[0\]\[0\]: timestamp must be a non-negative integer/],
    [{ series: [{ labels: { __name__: 'm' }, samples: [[1, 'abc']] }] }, /series\[0\]\.samples\[0\]\[1\]: value must be a number/],
    [{ series: [{ labels: { __name__: 'm' }, samples: [[1]] }] }, /series\[0\]\.samples\[0\]: expected a \[timestamp_ms, value\] pair/],
  ];
  for (const [body, re] of cases) assert.throws(() => decodeJsonWrite(body, limits), re);
});

test('size limits are explicit and configurable', () => {
  const tight = { ...limits, maxLabelsPerSeries: 2, maxLabelValueLength: 4, maxSamplesPerRequest: 2, maxSeriesPerRequest: 1 };
  assert.throws(() => validateLabels({ __name__: 'm', a: '1', b: '2' }, tight, 'x'), /3 labels, over the limit of 2/);
  assert.throws(() => validateLabels({ __name__: 'm', a: '12345' }, tight, 'x'), /x\.a: label value is 5 characters, over the limit of 4/);
  assert.throws(() => decodeJsonWrite({ series: [{ labels: { __name__: 'm' }, samples: [[1, 1], [2, 2], [3, 3]] }] }, tight), (e: Error & { statusCode?: number }) => e.statusCode === 413);
  assert.throws(
    () => decodeJsonWrite({ series: [{ labels: { __name__: 'm' }, samples: [] }, { labels: { __name__: 'n' }, samples: [] }] }, tight),
    /over the limit of 1/,
  );
});
