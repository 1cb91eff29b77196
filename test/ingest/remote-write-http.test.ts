import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { PbWriter, encodeWriteRequest, mutate, rng, snappyCompress, startTestVigil, type TestVigil } from './remote-write-helpers.js';

let v: TestVigil;
before(async () => {
  v = await startTestVigil('limits:\n  maxSamplesPerRequest: 1000\n');
});
after(() => v.close());

const T = 1_700_000_000_000;
const RW = { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0' };

test('remote write: 204, samples readable; malformed requests get 4xx and change nothing; the server keeps answering', async () => {
  const body = snappyCompress(encodeWriteRequest([{ labels: { __name__: 'rw_up', job: 'node', instance: 'a' }, samples: [[T, 1], [T + 15_000, 0]] }]));
  const ok = await v.post('/api/v1/write', body, RW);
  assert.equal(ok.status, 204, ok.text);
  assert.deepEqual((await v.read('rw_up', T, T + 60_000))[0]!.values, [[T, '1'], [T + 15_000, '0']]);

  const r = rng(3);
  const statuses = new Set<number>();
  for (let i = 0; i < 60; i++) {
    const bad = i % 3 === 0 ? mutate(body, r) : i % 3 === 1 ? snappyCompress(mutate(encodeWriteRequest([{ labels: { __name__: 'rw_up', job: 'x' }, samples: [[T + 30_000, 5]] }]), r)) : body.subarray(0, Math.floor(r() * body.length));
    const res = await v.post('/api/v1/write', bad, RW);
    statuses.add(res.status);
    assert.ok([204, 400, 413].includes(res.status), `status ${res.status}: ${res.text}`);
  }
  assert.ok(statuses.has(400));
  assert.equal((await v.post('/api/v1/write', body, { ...RW, 'content-encoding': 'gzip' })).status, 415);
  assert.equal((await v.post('/api/v1/write', body, { ...RW, 'content-type': 'application/x-protobuf;proto=io.prometheus.write.v2.Request' })).status, 415);
  const tooMany = snappyCompress(encodeWriteRequest([{ labels: { __name__: 'rw_many' }, samples: Array.from({ length: 1001 }, (_, i) => [T + i, i] as [number, number]) }]));
  assert.equal((await v.post('/api/v1/write', tooMany, RW)).status, 413);

  assert.equal((await fetch(v.url + '/-/healthy')).status, 200);
  const after = (await v.read('rw_up{instance="a"}', T, T + 60_000))[0]!.values;
  assert.deepEqual(after, [[T, '1'], [T + 15_000, '0']]);
});

test('remote write: out-of-order samples answer 400 (not retried) and the in-order ones are stored', async () => {
  const first = snappyCompress(encodeWriteRequest([{ labels: { __name__: 'rw_ooo' }, samples: [[T + 60_000, 1]] }]));
  assert.equal((await v.post('/api/v1/write', first, RW)).status, 204);
  const mixed = snappyCompress(
    encodeWriteRequest([
      { labels: { __name__: 'rw_ooo' }, samples: [[T, 9]] },
      { labels: { __name__: 'rw_new' }, samples: [[T, 2]] },
    ]),
  );
  const res = await v.post('/api/v1/write', mixed, RW);
  assert.equal(res.status, 400);
  assert.match(res.text, /1 samples refused \(1 out_of_order\); 1 accepted/);
  assert.deepEqual((await v.read('rw_new', T, T))[0]!.values, [[T, '2']]);
  const metrics = await (await fetch(v.url + '/metrics')).text();
  assert.match(metrics, /vigil_ingested_samples_total\{protocol="remote_write"\} \d+/);
});

test('remote write metadata: stored and served at /api/v1/metadata as Prometheus serves it; an invalid entry is counted, not an error', async () => {
  const meta = (type: number, family: string, help: string, unit = '') => new PbWriter().bytes(3, new PbWriter().int(1, type).string(2, family).string(4, help).string(5, unit).finish());
  // Prometheus sends metadata in requests of its own, without samples.
  const w = new PbWriter();
  for (const m of [meta(1, 'rwmeta_requests_total', 'Requests served.'), meta(3, 'rwmeta_latency_seconds', 'Latency.', 'seconds'), meta(2, 'not a name', 'x')]) w.raw(m.finish());
  const counted = async (result: string) => Number(new RegExp(`vigil_metadata_entries_total\\{protocol="remote_write",result="${result}"\\} (\\d+)`).exec(await (await fetch(`${v.url}/metrics`)).text())?.[1] ?? 0);
  const before = { new: await counted('new'), invalid: await counted('invalid') };
  const res = await v.post('/api/v1/write', snappyCompress(w.finish()), RW);
  assert.equal(res.status, 204, res.text);
  const get = async (q: string) => (await (await fetch(`${v.url}/api/v1/metadata${q}`)).json()) as { status: string; data: Record<string, unknown[]> };
  const all = await get('');
  assert.equal(all.status, 'success');
  assert.deepEqual(all.data.rwmeta_requests_total, [{ type: 'counter', help: 'Requests served.', unit: '' }]);
  assert.deepEqual((await get('?metric=rwmeta_latency_seconds')).data, { rwmeta_latency_seconds: [{ type: 'histogram', help: 'Latency.', unit: 'seconds' }] });
  assert.equal(all.data['not a name'], undefined);
  assert.equal(Object.keys((await get('?limit=1')).data).length, 1);
  const bad = await fetch(`${v.url}/api/v1/metadata?limit_per_metric=many`);
  assert.equal(bad.status, 400);
  assert.match(((await bad.json()) as { error: string }).error, /limit_per_metric: expected an integer/);
  assert.deepEqual({ new: await counted('new'), invalid: await counted('invalid') }, { new: before.new + 2, invalid: before.invalid + 1 });
});
