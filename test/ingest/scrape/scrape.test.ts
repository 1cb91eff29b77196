import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { isStaleMarker } from '../../../src/core/sample.js';
import { labelsKey, type Labels } from '../../../src/core/labels.js';
import { parseSelector } from '../../../src/core/matchers.js';
import type { AppendResult, SeriesWrite } from '../../../src/store/types.js';
import type { ScrapeJobConfig } from '../../../src/config/sections/scrape.js';
import { parseConfig } from '../../../src/config/index.js';
import { ScrapeManager, ScrapeTarget, type ScrapeSink, SCRAPE_ACCEPT } from '../../../src/ingest/scrape/index.js';
import { DEFAULT_INGEST_LIMITS } from '../../../src/ingest/limits.js';
import { openStore } from '../../../src/store/index.js';
import { MetadataStore } from '../../../src/store/metadata-store.js';
import { IngestPipeline } from '../../../src/ingest/pipeline.js';
import { SelfMetrics } from '../../../src/core/self-metrics.js';

const logger = pino({ level: 'silent' });

class MemorySink implements ScrapeSink {
  writes: SeriesWrite[] = [];
  write(writes: readonly SeriesWrite[]): AppendResult {
    this.writes.push(...writes);
    return { accepted: writes.length, rejected: {} };
  }
  rejectBeforeStore(): void {}
  /** Last value written per series name + labels. */
  last(match: (l: Labels) => boolean): SeriesWrite[] {
    return this.writes.filter((w) => match(w.labels));
  }
  clear(): void {
    this.writes = [];
  }
}

function job(over: Partial<ScrapeJobConfig> = {}): ScrapeJobConfig {
  return {
    jobName: 'test',
    intervalMs: 60_000,
    timeoutMs: 2_000,
    metricsPath: '/metrics',
    scheme: 'http',
    honorLabels: false,
    honorTimestamps: true,
    sampleLimit: 0,
    bodySizeLimit: 0,
    staticConfigs: [],
    fileSdConfigs: [],
    ...over,
  };
}

async function serve(handler: (path: string) => { body: string; type?: string; delayMs?: number; status?: number }): Promise<{ server: Server; address: string; accept: string[] }> {
  const accept: string[] = [];
  const server = createServer((req, res) => {
    accept.push(String(req.headers.accept));
    const r = handler(req.url ?? '/');
    setTimeout(() => {
      res.writeHead(r.status ?? 200, { 'content-type': r.type ?? 'text/plain; version=0.0.4' });
      res.end(r.body);
    }, r.delayMs ?? 0);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const a = server.address() as { port: number };
  return { server, address: `127.0.0.1:${a.port}`, accept };
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((ok) => server.close(() => ok()));
}

const value = (w: SeriesWrite | undefined) => w?.values[0];
const byName = (name: string) => (l: Labels) => l.__name__ === name;

test('a scrape adds job/instance, writes up and the scrape series, and negotiates like Prometheus', async () => {
  const { server, address, accept } = await serve(() => ({ body: 'm{a="1"} 5\nm{a="2"} 6 1000\n' }));
  const sink = new MemorySink();
  const t = new ScrapeTarget(job(), address, { env: 'ci' }, sink, logger, DEFAULT_INGEST_LIMITS);
  const r = await t.scrapeOnce();
  assert.equal(r.up, true, r.error);
  assert.equal(accept[0], SCRAPE_ACCEPT);
  const m = sink.last(byName('m'));
  assert.deepEqual(m[0]!.labels, { __name__: 'm', a: '1', env: 'ci', job: 'test', instance: address });
  assert.equal(m[1]!.timestamps[0], 1000, 'an exposed timestamp is kept (honor_timestamps)');
  assert.equal(value(sink.last(byName('up'))[0]), 1);
  assert.equal(value(sink.last(byName('scrape_samples_scraped'))[0]), 2);
  assert.ok(value(sink.last(byName('scrape_duration_seconds'))[0])! >= 0);
  await t.stop();
  await close(server);
});

test('honor_labels: target labels win (scraped kept as exported_*) unless honor_labels is true', async () => {
  const { server, address } = await serve(() => ({ body: 'm{job="theirs",instance="x",exported_job="e"} 1\n' }));
  for (const honorLabels of [false, true]) {
    const sink = new MemorySink();
    const t = new ScrapeTarget(job({ honorLabels }), address, {}, sink, logger, DEFAULT_INGEST_LIMITS);
    await t.scrapeOnce();
    const labels = sink.last(byName('m'))[0]!.labels;
    if (honorLabels) assert.deepEqual(labels, { __name__: 'm', job: 'theirs', instance: 'x', exported_job: 'e' });
    else assert.deepEqual(labels, { __name__: 'm', job: 'test', instance: address, exported_job: 'e', exported_exported_job: 'theirs', exported_instance: 'x' });
    await t.stop();
  }
  await close(server);
});

test('timeout, HTTP errors and limits give up 0; vanished series and a down target get stale markers', async () => {
  let mode: 'full' | 'partial' | 'slow' | '500' = 'full';
  const { server, address } = await serve(() => {
    if (mode === 'slow') return { body: 'a 1\n', delayMs: 1500 };
    if (mode === '500') return { body: 'oops', status: 500 };
    return { body: mode === 'full' ? 'a 1\nb 2\nfixed 3 1000\n' : 'a 1\n' };
  });
  const sink = new MemorySink();
  const t = new ScrapeTarget(job({ timeoutMs: 300 }), address, {}, sink, logger, DEFAULT_INGEST_LIMITS);
  assert.equal((await t.scrapeOnce()).up, true);
  sink.clear();
  mode = 'partial';
  await t.scrapeOnce();
  const b = sink.last(byName('b'));
  assert.equal(b.length, 1);
  assert.ok(isStaleMarker(b[0]!.values[0]!), 'b disappeared: stale marker');
  assert.equal(sink.last(byName('fixed')).length, 0, 'series with their own timestamps get no stale markers');
  assert.equal(value(sink.last(byName('a'))[0]), 1);
  sink.clear();
  mode = 'slow';
  const started = Date.now();
  const r = await t.scrapeOnce();
  assert.ok(Date.now() - started < 1200, 'the scrape gave up at scrape_timeout');
  assert.equal(r.up, false);
  assert.match(r.error!, /timed out/);
  assert.equal(value(sink.last(byName('up'))[0]), 0);
  assert.ok(isStaleMarker(value(sink.last(byName('a'))[0])!), 'all series of a down target are marked stale');
  sink.clear();
  mode = '500';
  const r500 = await t.scrapeOnce();
  assert.match(r500.error!, /HTTP status 500/);
  assert.equal(sink.last(byName('a')).length, 0, 'no second stale marker');
  await t.stop();

  mode = 'full';
  const limited = new ScrapeTarget(job({ sampleLimit: 2 }), address, {}, sink, logger, DEFAULT_INGEST_LIMITS);
  assert.match((await limited.scrapeOnce()).error!, /sample_limit exceeded: 3 samples, limit 2/);
  const small = new ScrapeTarget(job({ bodySizeLimit: 5 }), address, {}, sink, logger, DEFAULT_INGEST_LIMITS);
  assert.match((await small.scrapeOnce()).error!, /body size limit exceeded/);
  await limited.stop();
  await small.stop();
  await close(server);
});

test('a target stopped while its scrape hangs ends that scrape at once and marks its series stale', async () => {
  let hang = false;
  const { server, address } = await serve(() => ({ body: 'a 1\n', delayMs: hang ? 60_000 : 0 }));
  const sink = new MemorySink();
  const t = new ScrapeTarget(job({ timeoutMs: 30_000 }), address, {}, sink, logger, DEFAULT_INGEST_LIMITS);
  assert.equal((await t.scrapeOnce()).up, true);
  hang = true;
  const scrape = t.scrapeOnce();
  await new Promise((r) => setTimeout(r, 100));
  const started = Date.now();
  await t.stop({ stale: true });
  assert.ok(Date.now() - started < 2_000, 'stop does not wait for the hanging scrape');
  assert.match((await scrape).error!, /aborted/);
  assert.ok(sink.last(byName('a')).some((w) => isStaleMarker(w.values[0]!)), 'the series is marked stale');
  assert.ok(sink.last(byName('up')).some((w) => isStaleMarker(w.values[0]!)));
  await close(server);
});

/** Generous: on a loaded CI machine a 3 s wait for a stale marker once ran out (it comes within milliseconds here). */
const WAIT_MS = 10_000;

test('the manager runs static and file_sd targets; a target removed from the file gets stale markers', async () => {
  const { server, address } = await serve(() => ({ body: '# TYPE c counter\nc_total 7\n# EOF\n', type: 'application/openmetrics-text; version=1.0.0' }));
  const slow = await serve(() => ({ body: 'x 1\n', delayMs: 5000 }));
  const dir = mkdtempSync(join(tmpdir(), 'vigil-sd-'));
  const sdFile = join(dir, 'targets.json');
  writeFileSync(sdFile, JSON.stringify([{ targets: [address], labels: { team: 'a' } }]));
  const sink = new MemorySink();
  const jobs = [
    job({ jobName: 'fast', intervalMs: 200, timeoutMs: 150, fileSdConfigs: [{ files: [join(dir, '*.json')], refreshIntervalMs: 100 }] }),
    job({ jobName: 'slow', intervalMs: 200, timeoutMs: 150, staticConfigs: [{ targets: [slow.address], labels: {} }] }),
  ];
  const manager = new ScrapeManager({ jobs, sink, logger });
  await manager.start();
  try {
    await waitFor(() => sink.last((l) => l.__name__ === 'c_total' && l.team === 'a').length >= 2, WAIT_MS);
    await waitFor(() => sink.last((l) => l.__name__ === 'up' && l.job === 'slow').length >= 2, WAIT_MS);
    assert.equal(value(sink.last((l) => l.__name__ === 'up' && l.job === 'slow')[0]), 0, 'a slow target times out');
    assert.ok(manager.targets().some((t) => t.job === 'fast' && t.health === 'up'));
    writeFileSync(sdFile, '[]');
    await waitFor(() => manager.jobTargets('fast').length === 0, WAIT_MS);
    await waitFor(() => sink.last((l) => l.__name__ === 'c_total').some((w) => isStaleMarker(w.values[0]!)), WAIT_MS);
    assert.ok(sink.last((l) => l.__name__ === 'up' && l.job === 'fast').some((w) => isStaleMarker(w.values[0]!)));
  } finally {
    await manager.stop();
    await close(server);
    await close(slow.server);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('scrape config: snake_case Prometheus keys, defaults and checks', () => {
  const c = parseConfig(
    [
      'scrape:',
      '  scrape_interval: 30s',
      '  scrape_configs:',
      '    - job_name: node',
      '      scrape_interval: 5s',
      '      static_configs:',
      '        - targets: ["localhost:9100"]',
      '          labels: { env: prod }',
      '    - job_name: app',
      '      honor_labels: true',
      '      metrics_path: /prom',
      '      file_sd_configs:',
      '        - files: [sd/*.yml]',
    ].join('\n'),
    'vigil.yaml',
    {},
  );
  const [node, app] = c.scrape.jobs;
  assert.equal(node!.intervalMs, 5000);
  assert.equal(node!.timeoutMs, 5000, 'timeout = min(global timeout, job interval)');
  assert.deepEqual(node!.staticConfigs, [{ targets: ['localhost:9100'], labels: { env: 'prod' } }]);
  assert.equal(app!.intervalMs, 30_000);
  assert.equal(app!.timeoutMs, 10_000);
  assert.equal(app!.honorLabels, true);
  assert.equal(app!.metricsPath, '/prom');
  assert.equal(app!.fileSdConfigs[0]!.refreshIntervalMs, 300_000);
  assert.throws(() => parseConfig('scrape:\n  scrape_configs:\n    - job_name: a\n      scrape_interval: 5s\n      scrape_timeout: 10s\n', 'v.yaml', {}), /v\.yaml:5:23: scrape\.scrape_configs\.0\.scrape_timeout: scrape_timeout must not be greater than scrape_interval/);
  assert.throws(() => parseConfig('scrape:\n  scrape_configs:\n    - job_name: a\n      relabel_configs: []\n', 'v.yaml', {}), /unknown key "relabel_configs"/);
  assert.throws(() => parseConfig('scrape:\n  scrape_configs:\n    - job_name: a\n      static_configs:\n        - targets: ["http://x:1/metrics"]\n', 'v.yaml', {}), /expected host:port/);
});

async function waitFor(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting for condition');
    await new Promise((r) => setTimeout(r, 25));
  }
}

const NODE_EXPORTER = '/usr/bin/prometheus-node-exporter';

async function freePort(): Promise<number> {
  const s = createNetServer();
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));
  const port = (s.address() as { port: number }).port;
  await new Promise((ok) => s.close(ok));
  return port;
}

test('scraping a real node-exporter into a real store, with its metadata', { skip: !existsSync(NODE_EXPORTER) && 'prometheus-node-exporter is not installed' }, async () => {
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const proc = spawn(NODE_EXPORTER, [`--web.listen-address=${address}`], { stdio: 'ignore' });
  const dir = mkdtempSync(join(tmpdir(), 'vigil-scrape-'));
  const store = openStore({ dir, checkpointIntervalMs: 0 });
  const pipeline = new IngestPipeline(store, new SelfMetrics());
  const metadata = new MetadataStore({ maxFamilies: 10_000 });
  pipeline.attachMetadata(metadata, 2048);
  const manager = new ScrapeManager({ jobs: [job({ jobName: 'node', intervalMs: 1000, timeoutMs: 900, staticConfigs: [{ targets: [address], labels: {} }] })], sink: pipeline, logger });
  try {
    // Wait for the exporter to listen.
    const end = Date.now() + 10_000;
    for (;;) {
      try {
        await fetch(`http://${address}/metrics`);
        break;
      } catch {
        if (Date.now() > end) throw new Error('node-exporter did not start');
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    await manager.start();
    const up = () => store.read(parseSelector('up{job="node"}'), 0, Date.now() + 1000)[0];
    await waitFor(() => (up()?.values.length ?? 0) >= 2, 8000);
    const u = up()!;
    assert.equal(u.values[u.values.length - 1], 1, 'up{job="node"} is 1');
    assert.equal(u.labels.instance, address);
    const cpu = store.read(parseSelector('node_cpu_seconds_total{job="node"}'), 0, Date.now() + 1000);
    assert.ok(cpu.length > 0, 'node_cpu_seconds_total arrived');
    assert.ok(cpu.every((s) => s.labels.instance === address && s.labels.cpu !== undefined && s.labels.mode !== undefined));
    const keys = new Set(cpu.map((s) => labelsKey(s.labels)));
    assert.equal(keys.size, cpu.length);
    const samples = store.read(parseSelector('scrape_samples_scraped{job="node"}'), 0, Date.now() + 1000)[0]!;
    assert.ok(samples.values[samples.values.length - 1]! > 100, 'hundreds of samples per scrape');
    // Each family's TYPE and HELP, as the exporter wrote them.
    const exposed = await (await fetch(`http://${address}/metrics`)).text();
    const help = /^# HELP node_cpu_seconds_total (.*)$/m.exec(exposed)![1];
    assert.deepEqual(metadata.query({ metric: 'node_cpu_seconds_total' }), { node_cpu_seconds_total: [{ type: 'counter', help, unit: '' }] });
    assert.equal(metadata.size, exposed.match(/^# TYPE /gm)!.length, 'every family with a TYPE line');
  } finally {
    await manager.stop();
    proc.kill('SIGTERM');
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
