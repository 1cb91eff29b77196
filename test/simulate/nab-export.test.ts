import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FleetSimulator, exportNab, nabTimestamp, nabWindowTimestamp, nabWindows } from '../../src/simulate/index.js';
import { HOUR, MINUTE } from './helpers.js';

test('window sizes follow NAB: 10% of the file shared by its anomalies, centred on each', () => {
  // As NAB labels realKnownCause/ambient_temperature_system_failure.csv: 7267 records, two anomalies.
  const w = nabWindows(7267, [3721, 6180]);
  assert.deepEqual(w.windows, [
    [3540, 3902],
    [5999, 6361],
  ]);
  // Clipped at the end, merged where they overlap, dropped inside the probationary 15%.
  assert.deepEqual(nabWindows(1000, [995]).windows, [[945, 999]]);
  assert.deepEqual(nabWindows(1000, [500, 520]).windows, [[475, 545]]);
  assert.deepEqual(nabWindows(1000, [100, 600]).dropped, [100]);
});

test('NAB time formats', () => {
  assert.equal(nabTimestamp(Date.UTC(2014, 3, 10, 7, 15)), '2014-04-10 07:15:00');
  assert.equal(nabWindowTimestamp(Date.UTC(2014, 3, 10, 7, 15)), '2014-04-10 07:15:00.000000');
});

test('exports a NAB-style corpus whose windows cover every injected anomaly', async () => {
  const start = Date.UTC(2024, 0, 1);
  const spikeAt = start + 30 * HOUR;
  const fillAt = start + 36 * HOUR;
  const sim = new FleetSimulator({
    seed: 2,
    intervalMs: MINUTE,
    incidents: [
      { kind: 'spike', service: 'checkout-api', host: 'host-03', startsAt: spikeAt, durationMs: 5 * MINUTE },
      { kind: 'disk_fill', service: 'orders-db', host: 'host-05', startsAt: fillAt, durationMs: 3 * HOUR },
    ],
  });
  const dir = await mkdtemp(join(tmpdir(), 'vigil-nab-'));
  try {
    const result = await exportNab(sim, { dir, start, end: start + 2 * 24 * HOUR });
    const windows = JSON.parse(await readFile(join(dir, 'labels', 'combined_windows.json'), 'utf8')) as Record<string, string[][]>;
    const labels = JSON.parse(await readFile(join(dir, 'labels', 'combined_labels.json'), 'utf8')) as Record<string, string[]>;
    assert.deepEqual(Object.keys(windows).sort(), result.files.map((f) => f.file).sort());
    assert.ok(!result.files.some((f) => f.file.includes('node_disk_size_bytes')), 'constant capacity series are left out');

    const latency = 'checkout-api/http_request_latency_p95_seconds_host-03.csv';
    const disk = 'orders-db/node_disk_used_bytes_host-05.csv';
    assert.deepEqual(labels[latency], [nabTimestamp(spikeAt)]);
    assert.deepEqual(labels[disk], [nabTimestamp(fillAt)]);
    assert.deepEqual(labels['checkout-api/http_request_latency_p95_seconds_host-04.csv'], [], 'the other replica is clean');

    // One anomaly in 2880 records: a window of 288 records centred on it.
    const [[from, to]] = windows[latency]!;
    assert.equal(from, nabWindowTimestamp(spikeAt - 144 * MINUTE));
    assert.equal(to, nabWindowTimestamp(spikeAt + 144 * MINUTE));

    const csv = (await readFile(join(dir, 'data', disk), 'utf8')).trimEnd().split('\n');
    assert.equal(csv[0], 'timestamp,value');
    assert.equal(csv.length, 1 + 2 * 24 * 60);
    assert.match(csv[1]!, /^2024-01-01 00:00:00,\d+$/);
    const full = csv.find((row) => row.startsWith(nabTimestamp(fillAt + 3 * HOUR)))!;
    assert.equal(Number(full.split(',')[1]), sim.topology().hosts.find((h) => h.name === 'host-05')!.diskBytes);

    const truth = JSON.parse(await readFile(result.groundTruthPath, 'utf8')) as { incidents: unknown[] };
    assert.equal(truth.incidents.length, 2);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
