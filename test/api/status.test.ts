import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startVigil, type VigilApp } from '../../src/app/vigil-app.js';
import { parseConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/api/logger.js';
import { tempDir } from '../helpers/vigil-process.js';
import { encodeWriteRequest, snappyCompress } from '../ingest/remote-write-helpers.js';

let app: VigilApp;

before(async () => {
  const yaml = `server:\n  listen: 127.0.0.1:0\n  logLevel: silent\nstorage:\n  dir: ${join(tempDir(), 'data')}\nlimits:\n  maxSeries: 6\ndetect:\n  enabled: false\n`;
  app = await startVigil(parseConfig(yaml, 'test.yaml'), createLogger('silent'));
});
after(() => app.close());

const T = 1_700_000_000_000;

test('at the series limit the refusal says where to look, and /api/v1/status/tsdb shows where the series come from', async () => {
  // A cardinality explosion: one metric with a label per request id.
  const series = [
    ...['a', 'b'].map((host) => ({ labels: { __name__: 'up', job: 'node', host }, samples: [[T, 1]] as Array<[number, number]> })),
    ...Array.from({ length: 6 }, (_, i) => ({ labels: { __name__: 'http_requests_total', job: 'api', request_id: `r${i}` }, samples: [[T, i]] as Array<[number, number]> })),
  ];
  const res = await fetch(`${app.url}/api/v1/write`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' },
    body: snappyCompress(encodeWriteRequest(series)),
  });
  assert.equal(res.status, 400, 'not retried by Prometheus: the limit will not lift by itself');
  const refusal = (await res.json()) as { code: string; error: string };
  assert.equal(refusal.code, 'SERIES_LIMIT');
  assert.match(refusal.error, /2 series_limit; the store is at limits.maxSeries: GET \/api\/v1\/status\/tsdb lists the metrics with the most series/);

  const tsdb = (await (await fetch(`${app.url}/api/v1/status/tsdb?limit=2`)).json()) as { status: string; data: Record<string, unknown> };
  assert.equal(tsdb.status, 'success');
  const d = tsdb.data as {
    headStats: { numSeries: number; numLabelPairs: number; minTime: number; maxTime: number };
    seriesCountByMetricName: unknown;
    labelValueCountByLabelName: unknown;
    memoryInBytesByLabelName: unknown;
    seriesCountByLabelValuePair: unknown;
  };
  assert.equal(d.headStats.numSeries, 6);
  assert.deepEqual([d.headStats.minTime, d.headStats.maxTime], [T, T]);
  // __name__ 2, job 2, host 2, request_id 4 (the six series that fit: up a, b and four requests).
  assert.equal(d.headStats.numLabelPairs, 10);
  assert.deepEqual(d.seriesCountByMetricName, [
    { name: 'http_requests_total', value: 4 },
    { name: 'up', value: 2 },
  ]);
  assert.deepEqual(d.labelValueCountByLabelName, [
    { name: 'request_id', value: 4 },
    { name: '__name__', value: 2 },
  ]);
  assert.deepEqual(d.memoryInBytesByLabelName, [
    { name: '__name__', value: 'http_requests_total'.length + 'up'.length },
    { name: 'request_id', value: 4 * 'r0'.length },
  ]);
  assert.deepEqual(d.seriesCountByLabelValuePair, [
    { name: '__name__=http_requests_total', value: 4 },
    { name: 'job=api', value: 4 },
  ]);
  for (const bad of ['0', '-1', 'ten', '10001']) {
    const r = await fetch(`${app.url}/api/v1/status/tsdb?limit=${bad}`);
    assert.equal(r.status, 400);
    assert.match(((await r.json()) as { error: string }).error, /^limit: expected an integer from 1 to 10000/);
  }
});
