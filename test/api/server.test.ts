import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startVigil, type VigilApp } from '../../src/app/vigil-app.js';
import { parseConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/api/logger.js';
import { tempDir } from '../helpers/vigil-process.js';

let app: VigilApp;

before(async () => {
  const dir = tempDir();
  const yaml = `server:\n  listen: 127.0.0.1:0\n  maxBodyBytes: 64KiB\n  logLevel: silent\nstorage:\n  dir: ${join(dir, 'data')}\nlimits:\n  maxLabelsPerSeries: 8\n`;
  app = await startVigil(parseConfig(yaml, 'test.yaml'), createLogger('silent'));
});
after(() => app.close());

async function post(path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(app.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function get(path: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(app.url + path);
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const T = 1_700_000_000_000;

test('health and readiness answer as Prometheus does', async () => {
  assert.equal((await fetch(app.url + '/-/healthy')).status, 200);
  assert.equal((await fetch(app.url + '/-/ready')).status, 200);
});

test('samples written as JSON are read back by selector and time range', async () => {
  const w = await post('/api/v1/samples', {
    series: [
      { labels: { __name__: 'cpu_usage', host: 'a', service: 'api' }, samples: [[T, 0.1], [T + 15_000, 0.2], [T + 30_000, '+Inf']] },
      { labels: { __name__: 'cpu_usage', host: 'b', service: 'db' }, samples: [[T, 0.7]] },
    ],
  });
  assert.equal(w.status, 200);
  assert.equal(w.json.accepted, 4);

  const series = await get(`/api/v1/series?match[]=${encodeURIComponent('cpu_usage{service="api"}')}`);
  assert.deepEqual(series.json.data, [{ __name__: 'cpu_usage', host: 'a', service: 'api' }]);

  const q = new URLSearchParams({ 'match[]': 'cpu_usage{host=~"a|b"}', start: String(T / 1000), end: String(T / 1000 + 20) });
  const read = await get(`/api/v1/samples?${q}`);
  const result = (read.json.data as { result: Array<{ metric: { host: string }; values: Array<[number, string]> }> }).result;
  const byHost = Object.fromEntries(result.map((r) => [r.metric.host, r.values]));
  assert.deepEqual(byHost.a, [[T / 1000, '0.1'], [T / 1000 + 15, '0.2']]);
  assert.deepEqual(byHost.b, [[T / 1000, '0.7']]);

  const labels = await get('/api/v1/label/service/values');
  assert.deepEqual(labels.json.data, ['api', 'db']);
});

test('malformed JSON, bad types and oversized bodies get 4xx naming the problem; earlier data stays', async () => {
  const before = await post('/api/v1/samples', { series: [{ labels: { __name__: 'kept', host: 'x' }, samples: [[T, 1]] }] });
  assert.equal(before.status, 200);

  const broken = await post('/api/v1/samples', '{"series": [');
  assert.equal(broken.status, 400);
  assert.equal(broken.json.status, 'error');

  const wrongType = await post('/api/v1/samples', { series: [{ labels: { __name__: 'm' }, samples: [[T, 'lots']] }] });
  assert.equal(wrongType.status, 400);
  assert.match(String(wrongType.json.error), /series\[0\]\.samples\[0\]\[1\]: value must be a number/);

  const manyLabels: Record<string, string> = { __name__: 'm' };
  for (let i = 0; i < 10; i++) manyLabels[`l${i}`] = 'v';
  const tooMany = await post('/api/v1/samples', { series: [{ labels: manyLabels, samples: [[T, 1]] }] });
  assert.equal(tooMany.status, 400);
  assert.match(String(tooMany.json.error), /11 labels, over the limit of 8/);

  const huge = await post('/api/v1/samples', { series: [{ labels: { __name__: 'm', big: 'x'.repeat(100_000) }, samples: [[T, 1]] }] });
  assert.equal(huge.status, 413);

  const badSelector = await get('/api/v1/series?match[]=' + encodeURIComponent('{job=~".*"}'));
  assert.equal(badSelector.status, 400);
  assert.match(String(badSelector.json.error), /at least one matcher/);

  const kept = await get(`/api/v1/samples?match[]=kept&start=${T / 1000}&end=${T / 1000 + 1}`);
  assert.equal((kept.json.data as { result: unknown[] }).result.length, 1);
});

test('out-of-order samples are refused with counts while the rest is stored', async () => {
  await post('/api/v1/samples', { series: [{ labels: { __name__: 'ooo' }, samples: [[T + 60_000, 1]] }] });
  const r = await post('/api/v1/samples', { series: [{ labels: { __name__: 'ooo' }, samples: [[T, 2], [T + 120_000, 3]] }] });
  assert.equal(r.status, 400);
  assert.equal(r.json.accepted, 1);
  assert.deepEqual(r.json.rejected, { out_of_order: 1 });
});

test('/metrics exposes ingest counters, series, store bytes and event-loop lag', async () => {
  const res = await fetch(app.url + '/metrics');
  const text = await res.text();
  assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
  assert.match(text, /^vigil_ingested_samples_total\{protocol="json"\} \d+/m);
  assert.match(text, /^vigil_rejected_samples_total\{reason="invalid"\} \d+/m);
  assert.match(text, /^vigil_active_series \d+/m);
  assert.match(text, /^vigil_store_disk_bytes \d+/m);
  assert.match(text, /^nodejs_eventloop_lag_seconds /m);
});
