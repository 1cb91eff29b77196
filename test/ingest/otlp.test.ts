import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExportMetricsServiceRequest } from '../../src/ingest/otlp/proto.js';
import { DeltaAccumulator, decodeOtlpJson, decodeOtlpProtobuf, translateOtlp } from '../../src/ingest/otlp/translate.js';
import { DEFAULT_INGEST_LIMITS } from '../../src/ingest/limits.js';
import { FrozenLabels } from '../../src/ingest/frozen-labels.js';
import { VigilError } from '../../src/core/errors.js';
import { isStaleMarker } from '../../src/core/sample.js';
import { mutate, rng } from './remote-write-helpers.js';
import { NS, MS, attr, sampleRequest } from './otlp-fixtures.js';

const limits = DEFAULT_INGEST_LIMITS;

function byName(tr: ReturnType<typeof translateOtlp>) {
  const out: Record<string, Array<{ labels: Record<string, string>; t: number[]; v: number[]  }>> = {};
  for (const w of tr.writes) (out[w.labels.__name__!] ??= []).push({ labels: { ...w.labels }, t: Array.from(w.timestamps), v: Array.from(w.values) });
  return out;
}

function rawValues(tr: ReturnType<typeof translateOtlp>, pred: (l: Record<string, string>) => boolean): ArrayLike<number> {
  return tr.writes.find((w) => pred(w.labels))!.values;
}

test('OTLP/JSON: gauges, counters, histograms and summaries map to Prometheus series; resource → job, instance, target_info', () => {
  const tr = translateOtlp(decodeOtlpJson(JSON.stringify(sampleRequest)), limits, new DeltaAccumulator(), 1);
  assert.equal(tr.rejectedDataPoints, 0);
  const s = byName(tr);
  const common = { job: 'shop/checkout', instance: 'pod-1', otel_scope_name: 'io.opentelemetry.http', otel_scope_version: '1.2.0' };
  assert.deepEqual(s.queue_depth, [{ labels: { ...common, queue: 'orders', __name__: 'queue_depth' }, t: [MS], v: [12.5] }]);
  assert.deepEqual(s.http_requests_total![0]!.labels, { ...common, http_method: 'GET', __name__: 'http_requests_total' });
  assert.deepEqual(s.http_requests_total![0]!.v, [42]);
  assert.deepEqual(s.inflight![0]!.v, [-3]);
  const buckets = Object.fromEntries(s.http_duration_bucket!.map((b) => [b.labels.le, b.v[0]]));
  assert.deepEqual(buckets, { '0.1': 1, '1': 3, '+Inf': 10 });
  assert.deepEqual(s.http_duration_sum![0]!.v, [2.5]);
  assert.deepEqual(s.http_duration_count![0]!.v, [10]);
  assert.deepEqual(Object.fromEntries(s.rpc_latency!.map((q) => [q.labels.quantile, q.v[0]])), { '0.5': 1.5, '0.99': 3 });
  assert.deepEqual(s.rpc_latency_count![0]!.v, [4]);
  assert.deepEqual(s.target_info, [{ labels: { job: 'shop/checkout', instance: 'pod-1', host_name: 'node-7', k8s_pod_restarts: '2', __name__: 'target_info' }, t: [MS], v: [1] }]);
});

test('OTLP protobuf decodes to the same series as OTLP/JSON', () => {
  const bytes = ExportMetricsServiceRequest.encode(ExportMetricsServiceRequest.fromObject(sampleRequest)).finish();
  const a = translateOtlp(decodeOtlpProtobuf(bytes), limits, new DeltaAccumulator(), 1);
  const b = translateOtlp(decodeOtlpJson(JSON.stringify(sampleRequest)), limits, new DeltaAccumulator(), 1);
  assert.deepEqual(byName(a), byName(b));
  assert.equal(a.samples, 13);
});

test('delta sums and histograms accumulate into cumulative series', () => {
  const acc = new DeltaAccumulator();
  const req = (v: string, t: string) => ({
    resourceMetrics: [
      {
        scopeMetrics: [
          {
            metrics: [
              { name: 'jobs', sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [{ timeUnixNano: t, asInt: v }] } },
              { name: 'lat', histogram: { aggregationTemporality: 1, dataPoints: [{ timeUnixNano: t, count: v, bucketCounts: [v], explicitBounds: [] }] } },
            ],
          },
        ],
      },
    ],
  });
  const first = byName(translateOtlp(decodeOtlpJson(JSON.stringify(req('3', '1000000000'))), limits, acc, 1));
  const second = byName(translateOtlp(decodeOtlpJson(JSON.stringify(req('4', '2000000000'))), limits, acc, 1));
  assert.deepEqual(first.jobs_total![0]!.v, [3]);
  assert.deepEqual(second.jobs_total![0]!.v, [7]);
  assert.deepEqual(second.jobs_total![0]!.t, [2000]);
  assert.deepEqual(second.lat_count![0]!.v, [7]);
  assert.deepEqual(second.lat_bucket![0]!.v, [7]);
});

test('unsupported and inconsistent data points are refused per point with a message; NO_RECORDED_VALUE is a stale marker', () => {
  const req = {
    resourceMetrics: [
      {
        scopeMetrics: [
          {
            metrics: [
              { name: 'exp', exponentialHistogram: { aggregationTemporality: 2, dataPoints: [{ count: '1', scale: -11 }, { count: '2', scale: 21 }] } },
              { name: 'bad_hist', histogram: { aggregationTemporality: 2, dataPoints: [{ count: '1', bucketCounts: ['1'], explicitBounds: [1, 2] }] } },
              { name: 'g', gauge: { dataPoints: [{ timeUnixNano: NS, asDouble: 1, flags: 1 }, { timeUnixNano: NS, asDouble: 1, attributes: [attr('__bad', { stringValue: 'x' })] }] } },
            ],
          },
        ],
      },
    ],
  };
  const tr = translateOtlp(decodeOtlpJson(JSON.stringify(req)), limits, new DeltaAccumulator(), 5);
  assert.equal(tr.rejectedDataPoints, 3);
  assert.match(tr.errors.join('\n'), /exponential histogram scale -11 is outside -10\.\.20/);
  assert.match(tr.errors.join('\n'), /2 bucket counts|1 bucket counts for 2 bounds/);
  const s = byName(tr);
  assert.ok(isStaleMarker(rawValues(tr, (l) => l.__name__ === 'g' && l.key__bad === undefined)[0]!));
  assert.ok(s.g!.find((x) => x.labels.key__bad === 'x'), 'a "__" attribute is renamed, not refused');
});

test('malformed OTLP is a 400 VigilError', () => {
  for (const text of ['{', '[]', 'null', '{"resourceMetrics": 5}']) {
    assert.throws(() => translateOtlp(decodeOtlpJson(text), limits, new DeltaAccumulator()), (e: unknown) => e instanceof VigilError && e.statusCode === 400, text);
  }
  assert.throws(() => decodeOtlpProtobuf(Uint8Array.from([0x0a, 0x05, 1])), (e: unknown) => e instanceof VigilError && e.statusCode === 400);
});

test('fuzz: random bytes, mutated protobuf and mutated JSON only ever raise 400/413 VigilErrors', () => {
  const r = rng(99);
  const valid = ExportMetricsServiceRequest.encode(ExportMetricsServiceRequest.fromObject(sampleRequest)).finish();
  const json = JSON.stringify(sampleRequest);
  const check = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      if (!(e instanceof VigilError) || (e.statusCode !== 400 && e.statusCode !== 413)) throw e;
    }
  };
  const started = Date.now();
  for (let i = 0; i < 3000; i++) {
    const random = Uint8Array.from({ length: Math.floor(r() * 120) }, () => Math.floor(r() * 256));
    check(() => translateOtlp(decodeOtlpProtobuf(random), limits, new DeltaAccumulator()));
    check(() => translateOtlp(decodeOtlpProtobuf(mutate(valid, r)), limits, new DeltaAccumulator()));
    const mj = mutate(new TextEncoder().encode(json), r);
    check(() => translateOtlp(decodeOtlpJson(Buffer.from(mj).toString('utf8')), limits, new DeltaAccumulator()));
  }
  assert.ok(Date.now() - started < 30_000);
});

test('across requests each series keeps one frozen label set, validated once', () => {
  const frozen = new FrozenLabels();
  const body = JSON.stringify(sampleRequest);
  const a = translateOtlp(decodeOtlpJson(body), limits, new DeltaAccumulator(), 1, frozen);
  const b = translateOtlp(decodeOtlpJson(body), limits, new DeltaAccumulator(), 1, frozen);
  assert.deepEqual(byName(b), byName(a));
  assert.equal(b.writes.length, a.writes.length);
  for (let i = 0; i < a.writes.length; i++) {
    assert.ok(Object.isFrozen(a.writes[i]!.labels));
    assert.equal(b.writes[i]!.labels, a.writes[i]!.labels, 'the same object, found by identity downstream');
  }
  // An invalid set is refused every time, never remembered.
  const long = { ...limits, maxLabelValueLength: 3 };
  const strict = new FrozenLabels();
  const first = translateOtlp(decodeOtlpJson(body), long, new DeltaAccumulator(), 1, strict);
  const again = translateOtlp(decodeOtlpJson(body), long, new DeltaAccumulator(), 1, strict);
  assert.ok(first.rejectedDataPoints > 0);
  assert.equal(again.rejectedDataPoints, first.rejectedDataPoints);
});
