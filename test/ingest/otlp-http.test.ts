import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { startTestVigil, rng, mutate, type TestVigil } from './remote-write-helpers.js';
import { ExportMetricsServiceRequest, ExportMetricsServiceResponse, RpcStatus } from '../../src/ingest/otlp/proto.js';
import { sampleRequest } from './otlp-fixtures.js';

let v: TestVigil;
before(async () => {
  v = await startTestVigil();
});
after(() => v.close());

const MS = 1_700_000_000_123;

test('OTLP/HTTP protobuf and JSON: 200 with an ExportMetricsServiceResponse; series readable', async () => {
  const bytes = ExportMetricsServiceRequest.encode(ExportMetricsServiceRequest.fromObject(sampleRequest)).finish();
  const res = await v.post('/v1/metrics', gzipSync(bytes), { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.type, 'application/x-protobuf');
  assert.deepEqual(ExportMetricsServiceResponse.toObject(ExportMetricsServiceResponse.decode(res.bytes)), {});
  const got = await v.read('http_requests_total{job="shop/checkout"}', MS, MS);
  assert.deepEqual(got[0]!.values, [[MS, '42']]);

  const later = JSON.parse(JSON.stringify(sampleRequest).replaceAll('1700000000123456789', '1700000060000000000'));
  later.resourceMetrics[0].scopeMetrics[0].metrics.push({ name: 'e', exponentialHistogram: { aggregationTemporality: 2, dataPoints: [{ count: '1', scale: 30 }] } });
  const j = await v.post('/v1/metrics', JSON.stringify(later), { 'content-type': 'application/json' });
  assert.equal(j.status, 200);
  const body = JSON.parse(j.text);
  assert.equal(body.partialSuccess.rejectedDataPoints, '1');
  assert.match(body.partialSuccess.errorMessage, /exponential histogram scale 30 is outside -10\.\.20/);
  assert.equal((await v.read('queue_depth', MS, MS + 60_000))[0]!.values.length, 2);
});

test('OTLP/HTTP: malformed requests get 400 with a google.rpc.Status; the server keeps answering and keeps its data', async () => {
  const bad = await v.post('/v1/metrics', Uint8Array.from([0x0a, 0x7f, 1]), { 'content-type': 'application/x-protobuf' });
  assert.equal(bad.status, 400);
  const st = RpcStatus.toObject(RpcStatus.decode(bad.bytes)) as { code: number; message: string };
  assert.equal(st.code, 3);
  assert.match(st.message, /malformed/);
  const badJson = await v.post('/v1/metrics', '{"resourceMetrics":', { 'content-type': 'application/json' });
  assert.equal(badJson.status, 400);
  assert.equal(JSON.parse(badJson.text).code, 3);
  assert.equal((await v.post('/v1/metrics', 'x', { 'content-type': 'text/plain' })).status, 415);
  const r = rng(5);
  const valid = ExportMetricsServiceRequest.encode(ExportMetricsServiceRequest.fromObject(sampleRequest)).finish();
  for (let i = 0; i < 40; i++) {
    const res = await v.post('/v1/metrics', mutate(valid, r), { 'content-type': 'application/x-protobuf' });
    assert.ok([200, 400].includes(res.status), `${res.status} ${res.text}`);
  }
  assert.equal((await fetch(v.url + '/-/healthy')).status, 200);
  assert.deepEqual((await v.read('http_requests_total{job="shop/checkout"}', MS, MS))[0]!.values, [[MS, '42']]);
});
