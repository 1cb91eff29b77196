import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exponentialToExplicit, type ExponentialPoint } from '../../src/ingest/otlp/exponential.js';
import { ExportMetricsServiceRequest } from '../../src/ingest/otlp/proto.js';
import { DeltaAccumulator, decodeOtlpJson, translateOtlp } from '../../src/ingest/otlp/translate.js';
import { OtlpWireDecoder } from '../../src/ingest/otlp/wire-decoder.js';
import { DEFAULT_INGEST_LIMITS } from '../../src/ingest/limits.js';
import { writesOfBatch } from '../../src/store/sample-batch.js';
import { mulberry32 } from '../../src/core/mulberry32.js';
import { NS } from './otlp-fixtures.js';

const point = (p: Partial<ExponentialPoint>): ExponentialPoint => ({ scale: 0, zeroCount: 0, zeroThreshold: 0, posOffset: 0, posCounts: [], negOffset: 0, negCounts: [], ...p });

test('exponential buckets become classic ones at powers of two, finer scales merged, coarser kept', () => {
  // Scale 0: bucket i holds (2^i, 2^(i+1)].
  assert.deepEqual(exponentialToExplicit(point({ posCounts: [1, 2] })), { bounds: [0, 2, 4], counts: [0, 1, 2, 0] });
  // Scale 2 (four buckets a doubling), indices 3..7: (2^0.75, 2] goes to (1, 2], the rest to (2, 4].
  assert.deepEqual(exponentialToExplicit(point({ scale: 2, posOffset: 3, posCounts: [1, 1, 1, 1, 1] })), { bounds: [0, 2, 4], counts: [0, 1, 4, 0] });
  // Scale -1 (a bucket per two doublings) stays as it is: (4^j, 4^(j+1)].
  assert.deepEqual(exponentialToExplicit(point({ scale: -1, posOffset: 1, posCounts: [5] })), { bounds: [0, 16], counts: [0, 5, 0] });
  // Negative values, the zero bucket (its threshold its bound), empty buckets in between kept.
  assert.deepEqual(exponentialToExplicit(point({ negCounts: [3, 0, 1], zeroCount: 2, zeroThreshold: 1e-9, posOffset: -1, posCounts: [4, 0, 6] })), {
    bounds: [-4, -2, -1, 1e-9, 1, 2, 4],
    counts: [1, 0, 3, 2, 4, 0, 6, 0],
  });
  // An empty point has no buckets (only +Inf, _sum and _count follow).
  assert.deepEqual(exponentialToExplicit(point({})), { bounds: [], counts: [0] });
  // Bounds past the largest double go to +Inf.
  assert.deepEqual(exponentialToExplicit(point({ posOffset: 1022, posCounts: [1, 1, 1] })), { bounds: [0, 2 ** 1023], counts: [0, 1, 2] });
  assert.deepEqual(exponentialToExplicit(point({ scale: 21 })), { refused: 'scale 21 is outside -10..20' });
  assert.deepEqual(exponentialToExplicit(point({ posOffset: 0, posCounts: [1, ...Array(200).fill(0), 1] })), { refused: 'spans 202 buckets at scale 0, more than 160' });
});

test('a classic bucket counts exactly the values at or below its bound (random values through a scale-5 histogram)', () => {
  const r = mulberry32(11);
  const scale = 5;
  const values = Array.from({ length: 5000 }, () => (r() < 0.1 ? -1 : 1) * Math.exp((r() - 0.3) * 12));
  const index = (v: number) => Math.ceil(Math.log2(Math.abs(v)) * 2 ** scale) - 1;
  const pos = values.filter((v) => v > 0).map(index);
  const neg = values.filter((v) => v < 0).map(index);
  const side = (ix: number[]) => {
    const lo = Math.min(...ix);
    const counts = new Array(Math.max(...ix) - lo + 1).fill(0);
    for (const i of ix) counts[i - lo]++;
    return { offset: lo, counts };
  };
  const p = side(pos);
  const n = side(neg);
  const e = exponentialToExplicit(point({ scale, posOffset: p.offset, posCounts: p.counts, negOffset: n.offset, negCounts: n.counts }));
  assert.ok('bounds' in e);
  let cum = 0;
  e.bounds.forEach((b, i) => {
    cum += e.counts[i]!;
    assert.equal(cum, values.filter((v) => v <= b).length, `le=${b}`);
  });
  assert.equal(cum + e.counts.at(-1)!, values.length);
});

test('OTLP exponential histograms arrive as classic series, the same from protobuf and JSON', () => {
  const request = (temporality: number) => ({
    resourceMetrics: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'api' } }] },
        scopeMetrics: [
          {
            metrics: [
              {
                name: 'rpc.duration',
                unit: 's',
                exponentialHistogram: {
                  aggregationTemporality: temporality,
                  dataPoints: [
                    {
                      timeUnixNano: NS,
                      count: '10',
                      sum: 3.5,
                      scale: 1,
                      zeroCount: '1',
                      positive: { offset: -4, bucketCounts: ['2', '3', '4'] },
                      attributes: [{ key: 'method', value: { stringValue: 'get' } }],
                    },
                  ],
                },
              },
            ],
          },
        ],
      },
    ],
  });
  const json = JSON.stringify(request(2));
  const bytes = ExportMetricsServiceRequest.encode(ExportMetricsServiceRequest.fromObject(JSON.parse(json))).finish();
  const fromWire = writesOfBatch(new OtlpWireDecoder(DEFAULT_INGEST_LIMITS, new DeltaAccumulator()).decode(bytes, 0).batch);
  const fromJson = translateOtlp(decodeOtlpJson(json), DEFAULT_INGEST_LIMITS, new DeltaAccumulator(), 0).writes;
  const show = (ws: typeof fromWire) => ws.map((w) => `${w.labels.__name__}${w.labels.le !== undefined ? `{le=${w.labels.le}}` : ''} ${Array.from(w.values).join(',')}`);
  // Scale 1, indices -4..-2: (2^-2, 2^-1.5], (2^-1.5, 2^-1], (2^-1, 2^-0.5] -> (0.25, 0.5] gets 2 + 3, (0.5, 1] gets 4.
  assert.deepEqual(show(fromWire), ['rpc_duration_bucket{le=0} 1', 'rpc_duration_bucket{le=0.5} 6', 'rpc_duration_bucket{le=1} 10', 'rpc_duration_bucket{le=+Inf} 10', 'rpc_duration_sum 3.5', 'rpc_duration_count 10']);
  assert.deepEqual(show(fromJson), show(fromWire));

});

test('delta exponential histograms are summed per bucket and written as cumulative classic buckets, at every bound the series had', () => {
  // Three intervals of one series: the buckets in use move (and the SDK's scale falls from 2 to -1 in the last).
  const intervals = [
    { scale: 2, positive: { offset: 0, bucketCounts: ['1', '1', '1', '1'] } }, // (1, 2]: 4
    { scale: 2, positive: { offset: 8, bucketCounts: ['2'] } }, // (4, 8]: 2
    { scale: -1, zeroCount: '1', positive: { offset: -1, bucketCounts: ['3'] } }, // (1/4, 1]: 3, zero: 1
  ];
  const request = (k: number) =>
    JSON.stringify({
      resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'jobs.duration', exponentialHistogram: { aggregationTemporality: 1, dataPoints: [{ timeUnixNano: String(BigInt(NS) + BigInt(k) * 60_000_000_000n), count: ['4', '2', '4'][k], sum: 1, ...intervals[k] }] } }] }] }],
    });
  const wire = new OtlpWireDecoder(DEFAULT_INGEST_LIMITS, new DeltaAccumulator());
  const jsonAcc = new DeltaAccumulator();
  const buckets: Array<Record<string, number>> = [];
  for (let k = 0; k < 3; k++) {
    const json = request(k);
    const bytes = ExportMetricsServiceRequest.encode(ExportMetricsServiceRequest.fromObject(JSON.parse(json))).finish();
    const w = writesOfBatch(wire.decode(bytes, 0).batch);
    const j = translateOtlp(decodeOtlpJson(json), DEFAULT_INGEST_LIMITS, jsonAcc, 0).writes;
    const le = (ws: typeof w) => Object.fromEntries(ws.filter((x) => x.labels.le !== undefined).map((x) => [x.labels.le!, x.values[0]!]));
    assert.deepEqual(le(w), le(j), `interval ${k}: protobuf and JSON agree`);
    buckets.push(le(w));
    const total = (ws: typeof w, name: string) => ws.find((x) => x.labels.__name__ === name)!.values[0];
    assert.deepEqual([total(w, 'jobs_duration_count'), total(w, 'jobs_duration_sum')], [[4, 6, 10][k], k + 1], 'count and sum summed too');
    assert.deepEqual([total(j, 'jobs_duration_count'), total(j, 'jobs_duration_sum')], [[4, 6, 10][k], k + 1]);
  }
  // Cumulative counts of all intervals so far, at every bound the series has had (at the scale it has fallen to).
  assert.deepEqual(buckets, [
    { '0': 0, '2': 4, '+Inf': 4 },
    { '0': 0, '2': 4, '4': 4, '8': 6, '+Inf': 6 },
    { '0': 1, '1': 4, '4': 8, '16': 10, '+Inf': 10 },
  ]);
});
