import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/vigil-process.js';
import { NODE_EXPORTER, PROMETHEUS, freePort, skipUnless, waitFor } from '../helpers/prometheus.js';
import { startTestVigil } from './remote-write-helpers.js';

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
