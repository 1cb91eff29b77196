import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { type RunningVigil, startVigilProcess, tempDir, writeConfig } from '../helpers/vigil-process.js';
import { NODE_EXPORTER, PROMETHEUS, Procs, promApi, promQuery, skipUnless, startNodeExporter, startPrometheus, waitFor } from '../helpers/prometheus.js';
import { runVigil } from '../helpers/cli-run.js';
import { type BackfillSeries, backfillFromPrometheus } from '../../src/ingest/prometheus-backfill.js';

const skip = skipUnless(PROMETHEUS, NODE_EXPORTER);

type LabelSet = Record<string, string>;
type Matrix = Array<{ metric: LabelSet; values: Array<[number, string]> }>;
const key = (l: LabelSet) => JSON.stringify(Object.keys(l).sort().map((k) => [k, l[k]]));
const num = (v: string) => (v === 'NaN' ? NaN : Number(v));

test('vigil backfill --prometheus copies the history a real Prometheus holds into a running Vigil, oldest first', { skip, timeout: 150_000 }, async () => {
  const procs = new Procs();
  const dir = tempDir('vigil-backfill-prom-');
  let vigil: RunningVigil | undefined;
  try {
    const target = await startNodeExporter(procs);
    const prom = await startPrometheus(
      procs,
      dir,
      `global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ['${target}']
`,
    );
    // About 5 s of history.
    await waitFor('5 scrapes in Prometheus', 40_000, async () => {
      const r = await promQuery<{ result: Array<{ value: [number, string] }> }>(prom, 'count_over_time(up{job="node"}[1m])');
      return Number(r.result[0]?.value[1] ?? 0) >= 6 ? true : undefined;
    });
    vigil = await startVigilProcess(['--config', writeConfig(dir, `server:\n  listen: 127.0.0.1:0\n  logLevel: info\nstorage:\n  dir: ${join(dir, 'vigil-data')}\n`)]);

    // A fixed window in the past (Prometheus appends a scrape just after its timestamp), so
    // the backfill and the check below see the same data.
    const end = Math.floor(Date.now() / 1000) - 2;
    const start = end - 8;
    const r = await runVigil(['backfill', '--prometheus', prom, '--match', '{job="node"}', '--since', String(start), '--until', String(end), '--step', '1s', '--url', vigil.url]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const listed = /backfill: (\d+) series match \{job="node"\} in /.exec(r.stdout);
    assert.ok(listed && Number(listed[1]) > 100, r.stdout);
    assert.match(r.stdout, new RegExp(`backfill: 100% \\(\\d+ samples, ${listed[1]}/${listed[1]} series\\)`));
    const done = /backfill: done, (\d+) samples in (\d+) series/.exec(r.stdout);
    assert.ok(done, r.stdout);

    // What Prometheus answers for the same window and step is exactly what Vigil now holds.
    const expected = await promApi<{ result: Matrix }>(prom, '/api/v1/query_range', { query: '{job="node"}', start: String(start), end: String(end), step: '1' });
    const total = expected.result.reduce((a, s) => a + s.values.length, 0);
    assert.ok(expected.result.length > 100, `${expected.result.length} series`);
    assert.equal(Number(done[1]), total, 'every sample Prometheus returns was written');
    const got = await promApi<{ result: Matrix }>(vigil.url, '/api/v1/samples', { 'match[]': '{job="node"}', start: String(start), end: String(end) });
    const inVigil = new Map(got.result.map((s) => [key(s.metric), s.values]));
    let compared = 0;
    for (const s of expected.result) {
      const v = inVigil.get(key(s.metric));
      assert.ok(v, `missing in Vigil: ${JSON.stringify(s.metric)}`);
      assert.deepEqual(
        v.map(([t, x]) => [t, num(x)]),
        s.values.map(([t, x]) => [t, num(x)]),
        JSON.stringify(s.metric),
      );
      compared += s.values.length;
    }
    assert.equal(compared, total);

    // The library with tiny chunks (3 points per series, 7 series per request) gives the same
    // data, and every series arrives oldest first across requests.
    const seen = new Map<string, Array<[number, string]>>();
    const summary = await backfillFromPrometheus({
      prometheusUrl: prom,
      match: '{job="node"}',
      startMs: start * 1000,
      endMs: end * 1000,
      stepMs: 1000,
      maxPointsPerSeries: 3,
      maxSeriesPerQuery: 7,
      sink: async (batch: BackfillSeries[]) => {
        for (const s of batch) {
          const prev = seen.get(key(s.labels)) ?? [];
          if (prev.length) assert.ok(s.samples[0]![0] > prev[prev.length - 1]![0], 'oldest first');
          seen.set(key(s.labels), [...prev, ...s.samples]);
        }
      },
    });
    assert.ok(summary.requests >= 3 * Math.ceil(summary.series / 7), `${summary.requests} requests`);
    assert.equal(seen.size, expected.result.length);
    for (const s of expected.result) assert.deepEqual(seen.get(key(s.metric))!.map(([t, x]) => [t / 1000, x]), s.values, JSON.stringify(s.metric));

    // --since 7d at the default 15 s step: several chunks of 10,000 steps; --label keeps the copy apart.
    const week = await runVigil(['backfill', '--prometheus', prom, '--match', 'up{job="node"}', '--since', '7d', '--label', 'copy=week', '--url', vigil.url]);
    assert.equal(week.code, 0, week.stderr + week.stdout);
    assert.match(week.stdout, /backfill: 1 series match up\{job="node"\}/);
    const up = await promApi<{ result: Matrix }>(vigil.url, '/api/v1/samples', { 'match[]': 'up{copy="week"}', start: String(end - 7 * 86400), end: String(end + 60) });
    assert.equal(up.result.length, 1);
    assert.ok(up.result[0]!.values.length >= 1 && up.result[0]!.values.every(([, v]) => v === '1'), JSON.stringify(up.result[0]!.values));
  } finally {
    vigil?.child.kill('SIGKILL');
    await procs.killAll();
    rmSync(dir, { recursive: true, force: true });
  }
});
