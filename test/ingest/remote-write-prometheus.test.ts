import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/vigil-process.js';
import { NODE_EXPORTER, PROMETHEUS, freePort, skipUnless, waitFor } from '../helpers/prometheus.js';
import { PbWriter, startTestVigil } from './remote-write-helpers.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const skip = skipUnless(PROMETHEUS, NODE_EXPORTER);

type LabelSet = Record<string, string>;
const key = (l: LabelSet) => JSON.stringify(Object.keys(l).sort().map((k) => [k, l[k]]));

test('a real Prometheus remote-writes everything it scrapes from a real node-exporter into Vigil, metadata included', { skip, timeout: 90_000 }, async () => {
  const vigil = await startTestVigil();
  const procs: ChildProcess[] = [];
  const dir = tempDir('vigil-prom-');
  try {
    const nePort = await freePort();
    const promPort = await freePort();
    procs.push(spawn(NODE_EXPORTER, [`--web.listen-address=127.0.0.1:${nePort}`], { stdio: 'ignore' }));
    const config = `global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ['127.0.0.1:${nePort}']
remote_write:
  - url: ${vigil.url}/api/v1/write
    queue_config:
      batch_send_deadline: 1s
      min_backoff: 100ms
      max_backoff: 1s
    metadata_config:
      send_interval: 1s
`;
    writeFileSync(join(dir, 'prometheus.yml'), config);
    procs.push(
      spawn(PROMETHEUS, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${promPort}`], {
        stdio: 'ignore',
      }),
    );
    const prom = `http://127.0.0.1:${promPort}`;
    // Let Prometheus scrape a few times, then take its view of the series.
    await waitFor('node-exporter samples in Prometheus', 30_000, async () => {
      const r = (await (await fetch(`${prom}/api/v1/query?query=${encodeURIComponent('count_over_time(up{job="node"}[1m])')}`)).json()) as {
        data: { result: Array<{ value: [number, string] }> };
      };
      const n = Number(r.data.result[0]?.value[1] ?? 0);
      return n >= 3 ? n : undefined;
    });
    const promSeries = ((await (await fetch(`${prom}/api/v1/series?match[]=${encodeURIComponent('{job="node"}')}&start=0`)).json()) as { data: LabelSet[] }).data;
    assert.ok(promSeries.length > 100, `Prometheus has only ${promSeries.length} node series`);
    const missing = await waitFor('all series in Vigil', 30_000, async () => {
      const got = ((await (await fetch(`${vigil.url}/api/v1/series?match[]=${encodeURIComponent('{job="node"}')}`)).json()) as { data: LabelSet[] }).data;
      const have = new Set(got.map(key));
      const miss = promSeries.filter((s) => !have.has(key(s)));
      return miss.length === 0 ? miss : undefined;
    }).catch(async (e: Error) => {
      const got = ((await (await fetch(`${vigil.url}/api/v1/series?match[]=${encodeURIComponent('{job="node"}')}`)).json()) as { data: LabelSet[] }).data;
      const have = new Set(got.map(key));
      const miss = promSeries.filter((s) => !have.has(key(s)));
      throw new Error(`${e.message}; ${miss.length} of ${promSeries.length} missing, e.g. ${JSON.stringify(miss.slice(0, 3))}`);
    });
    assert.deepEqual(missing, []);
    // The values arrive too: `up` is 1 at every scrape Vigil received.
    const up = (await vigil.read('up{job="node"}', Date.now() - 120_000, Date.now()))[0]!;
    assert.ok(up.values.length >= 1 && up.values.every(([, v]) => v === '1'), JSON.stringify(up.values));
    // Metadata: Vigil's /api/v1/metadata says what Prometheus's own does of every node-exporter family.
    type Meta = Record<string, Array<{ type: string; help: string; unit: string }>>;
    const promMeta = ((await (await fetch(`${prom}/api/v1/metadata`)).json()) as { data: Meta }).data;
    const families = Object.keys(promMeta).filter((f) => f.startsWith('node_'));
    assert.ok(families.length > 50, `Prometheus knows the metadata of only ${families.length} node families`);
    const differ = await waitFor('metadata in Vigil', 30_000, async () => {
      const got = ((await (await fetch(`${vigil.url}/api/v1/metadata`)).json()) as { data: Meta }).data;
      const wrong = families.filter((f) => JSON.stringify(got[f]) !== JSON.stringify(promMeta[f]));
      return wrong.length === 0 ? wrong : undefined;
    });
    assert.deepEqual(differ, []);
    assert.equal(promMeta.node_cpu_seconds_total?.[0]?.type, 'counter');
  } finally {
    // SIGKILL: on SIGTERM Prometheus spends up to a minute trying to flush its remote-write queue.
    await Promise.all(procs.map((p) => new Promise<void>((resolve) => (p.exitCode !== null || p.signalCode !== null ? resolve() : (p.once('exit', () => resolve()), p.kill('SIGKILL'))))));
    await vigil.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A target exposing one native histogram in Prometheus's protobuf format (delimited MetricFamily messages). */
function nativeHistogramTarget(): Promise<{ url: string; close: () => Promise<void> }> {
  const zz = (v: number) => (v >= 0 ? 2 * v : -2 * v - 1);
  // client_model: Histogram { sample_count = 1; sample_sum = 2; schema = 5 (sint32); zero_threshold = 6;
  // zero_count = 7; positive_span = 12 (BucketSpan { sint32 offset = 1; uint32 length = 2; }); positive_delta = 13 (sint64) }.
  // Buckets 0, 1, 2 at schema 0 hold (0.5, 1], (1, 2], (2, 4]: counts 1, 2, 3.
  const histogram = new PbWriter()
    .int(1, 6)
    .double(2, 10)
    .int(5, zz(0))
    .double(6, 0.001)
    .int(7, 0)
    .bytes(12, new PbWriter().int(1, zz(0)).int(2, 3).finish())
    .bytes(13, new PbWriter().varint(zz(1)).varint(zz(1)).varint(zz(1)).finish())
    .finish();
  // MetricFamily { name = 1; help = 2; type = 3 (HISTOGRAM = 4); metric = 4 (Metric { histogram = 7 }) }
  const family = new PbWriter().string(1, 'nh_request_seconds').string(2, 'Request latency.').int(3, 4).bytes(4, new PbWriter().bytes(7, histogram).finish()).finish();
  const body = Buffer.from(new PbWriter().varint(family.length).raw(family).finish());
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited' });
    res.end(body);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ url: `127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(() => r())) })),
  );
}

test('a real Prometheus with native histograms remote-writes them, and Vigil stores them as classic buckets', { skip: skipUnless(PROMETHEUS), timeout: 90_000 }, async () => {
  const vigil = await startTestVigil();
  const target = await nativeHistogramTarget();
  const dir = tempDir('vigil-prom-nh-');
  let prom: ChildProcess | undefined;
  try {
    const config = `global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: nh
    static_configs:
      - targets: ['${target.url}']
remote_write:
  - url: ${vigil.url}/api/v1/write
    send_native_histograms: true
    queue_config:
      batch_send_deadline: 1s
      min_backoff: 100ms
      max_backoff: 1s
`;
    writeFileSync(join(dir, 'prometheus.yml'), config);
    prom = spawn(PROMETHEUS, ['--enable-feature=native-histograms', `--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${await freePort()}`], { stdio: 'ignore' });
    const buckets = await waitFor('classic buckets in Vigil', 45_000, async () => {
      const got = await vigil.read('nh_request_seconds_bucket{job="nh"}', Date.now() - 120_000, Date.now() + 1000);
      return got.length >= 5 ? got : undefined;
    });
    const last = (s: (typeof buckets)[number]) => s.values.at(-1)![1];
    assert.deepEqual(
      buckets.map((s) => [s.metric.le, last(s)]).sort((a, b) => Number(a[0] === '+Inf' ? Infinity : a[0]) - Number(b[0] === '+Inf' ? Infinity : b[0])),
      [['0.001', '0'], ['1', '1'], ['2', '3'], ['4', '6'], ['+Inf', '6']],
    );
    const count = (await vigil.read('nh_request_seconds_count{job="nh"}', Date.now() - 120_000, Date.now() + 1000))[0]!;
    const sum = (await vigil.read('nh_request_seconds_sum{job="nh"}', Date.now() - 120_000, Date.now() + 1000))[0]!;
    assert.equal(count.values.at(-1)![1], '6');
    assert.equal(sum.values.at(-1)![1], '10');
  } finally {
    if (prom && prom.exitCode === null) await new Promise<void>((r) => (prom!.once('exit', () => r()), prom!.kill('SIGKILL')));
    await target.close();
    await vigil.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
