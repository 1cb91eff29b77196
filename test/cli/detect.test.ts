import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VIGIL_BIN, startVigilProcess, tempDir, waitForExit, writeConfig } from '../helpers/vigil-process.js';
import { waitFor } from '../helpers/wait-for.js';

/** A daily-seasonal series at 5-minute steps with one spike at row `spike`. */
function seasonalCsv(rows: number, spike: number): string {
  const lines = ['timestamp,value'];
  const t0 = Date.UTC(2025, 0, 6);
  let s = 3;
  for (let i = 0; i < rows; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const t = new Date(t0 + i * 300_000).toISOString().replace('T', ' ').slice(0, 19);
    const v = 100 + 40 * Math.sin((2 * Math.PI * i) / 288) + (s / 2 ** 32 - 0.5) * 6 + (i === spike ? 120 : 0);
    lines.push(`${t},${v.toFixed(3)}`);
  }
  return lines.join('\n') + '\n';
}

test('vigil detect flags the spike in a seasonal CSV and explains it', () => {
  const dir = tempDir();
  const file = join(dir, 'latency.csv');
  writeFileSync(file, seasonalCsv(2500, 2000));
  const out = join(dir, 'scores.csv');
  const r = spawnSync(process.execPath, [VIGIL_BIN, 'detect', file, '--out', out], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /2500 rows, univariate \(value\), time column timestamp/);
  assert.match(r.stdout, /line 2002 .* value above expected/, 'the spike (data row 2000, line 2002) is flagged');
  const rows = readFileSync(out, 'utf8').trim().split('\n');
  assert.equal(rows.length, 2501);
  assert.equal(rows[0], 'timestamp,value,anomaly_score,anomaly,expected,lower,upper,component,direction,column');
  const spikeRow = rows[2001]!.split(',');
  assert.equal(spikeRow[3], '1');
  assert.equal(spikeRow[8], 'above');
});

test('vigil detect names the file and line of bad input, exit code 2', () => {
  const dir = tempDir();
  const file = join(dir, 'bad.csv');
  writeFileSync(file, 'timestamp,value\n2025-01-01 00:00:00,1\nnot-a-time,2\n');
  const r = spawnSync(process.execPath, [VIGIL_BIN, 'detect', file], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, new RegExp(`bad\\.csv:3: cannot parse "not-a-time"`));
  const missing = spawnSync(process.execPath, [VIGIL_BIN, 'detect', join(dir, 'nope.csv')], { encoding: 'utf8' });
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /nope\.csv: cannot read: ENOENT/);
});

test('vigil backfill loads history into a running Vigil, whose detectors score it', { timeout: 60_000 }, async () => {
  const dir = tempDir();
  const config = writeConfig(dir, `server:\n  listen: 127.0.0.1:0\nstorage:\n  dir: ${dir}/data\n`);
  const vigil = await startVigilProcess(['--config', config]);
  try {
    const file = join(dir, 'history.csv');
    writeFileSync(file, seasonalCsv(3000, 2600));
    const child = spawn(process.execPath, [VIGIL_BIN, 'backfill', file, '--url', vigil.url, '--metric', 'api_latency_ms', '--label', 'service=checkout', '--batch', '1000'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const exit = await waitForExit(child);
    assert.equal(exit.code, 0, err);
    assert.match(out, /backfill: 33% \(1000\/3000 samples\)/, 'a progress line per request');
    assert.match(out, /backfill: done, 3000 samples in 1 series/);

    const t0 = Date.UTC(2025, 0, 6) / 1000;
    const q = new URLSearchParams({ 'match[]': 'api_latency_ms{service="checkout"}', start: String(t0), end: String(t0 + 3000 * 300) });
    const read = (await (await fetch(`${vigil.url}/api/v1/samples?${q}`)).json()) as { data: { result: Array<{ values: unknown[] }> } };
    assert.equal(read.data.result[0]!.values.length, 3000);

    // Scoring follows ingestion: the detection worker scores what waits for it as a block (detect.blockDelay).
    const scores = new URLSearchParams({ 'match[]': 'vigil_anomaly_score{source_metric="api_latency_ms"}', start: String(t0), end: String(t0 + 3000 * 300) });
    await waitFor('every backfilled sample scored', async () => {
      const s = (await (await fetch(`${vigil.url}/api/v1/samples?${scores}`)).json()) as { data: { result: Array<{ values: Array<[number, string]> }> } };
      return s.data.result[0]?.values.length === 3000;
    });

    const spikeT = Date.UTC(2025, 0, 6) + 2600 * 300_000;
    let seen: Array<{ t: number; labels: Record<string, string> }> = [];
    await waitFor('an anomaly event at the spike', async () => {
      seen = ((await (await fetch(`${vigil.url}/api/v1/anomalies?limit=50`)).json()) as { data: typeof seen }).data;
      return seen.some((e) => e.t === spikeT && e.labels.service === 'checkout');
    }, 5_000).catch(() => assert.fail(`no anomaly event at the spike; got ${seen.map((e) => new Date(e.t).toISOString()).join(', ')}`));
  } finally {
    vigil.child.kill('SIGTERM');
    await waitForExit(vigil.child);
  }
});
