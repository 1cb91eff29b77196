import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FleetSimulator, metricByName } from '../../src/simulate/index.js';
import { HOUR } from './helpers.js';

test('a week without incidents stays in sane ranges', () => {
  const sim = new FleetSimulator({ seed: 21, services: 30, incidents: 'none' });
  const labels = sim.seriesList();
  const hosts = new Map(sim.topology().hosts.map((h) => [h.name, h]));
  const min = new Float64Array(labels.length).fill(Infinity);
  const max = new Float64Array(labels.length).fill(-Infinity);
  for (const { values } of sim.generate(sim.startTime, sim.startTime + 7 * 24 * HOUR, 5 * 60_000)) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      assert.ok(Number.isFinite(v), `${labels[i]!.__name__} on ${labels[i]!.instance} is ${v}`);
      if (v < min[i]!) min[i] = v;
      if (v > max[i]!) max[i] = v;
    }
  }
  labels.forEach((l, i) => {
    const name = l.__name__!;
    const where = `${name} on ${l.instance}: [${min[i]}, ${max[i]}]`;
    const host = hosts.get(l.instance!)!;
    assert.ok(min[i]! >= 0, where);
    if (metricByName(name)!.unit === 'ratio') assert.ok(max[i]! <= 1, where);
    if (name === 'node_cpu_utilization') assert.ok(max[i]! < 0.95 && max[i]! > 0.1, where);
    if (name === 'node_disk_used_bytes') assert.ok(max[i]! < 0.8 * host.diskBytes, where);
    if (name === 'node_memory_used_bytes') assert.ok(max[i]! < 0.95 * host.memoryBytes, where);
    if (name.endsWith('_errors_ratio')) assert.ok(max[i]! < 0.05, where);
    if (name.endsWith('latency_p95_seconds')) assert.ok(min[i]! > 0.0002 && max[i]! < 5, where);
    if (name === 'http_requests_per_sec') assert.ok(max[i]! > 1 && max[i]! < 50_000, where);
  });
});

test('values have realistic units and magnitudes', () => {
  const sim = new FleetSimulator({ seed: 1, incidents: 'none' });
  const at = (m: string, h: string) => sim.tick(Date.UTC(2024, 0, 2, 14))[sim.seriesIndex(m, h)]!; // Tuesday 14:00
  const GiB = 1024 ** 3;
  assert.ok(at('http_request_latency_p95_seconds', 'host-01') > 0.08 && at('http_request_latency_p95_seconds', 'host-01') < 1, 'web p95 in the hundreds of ms');
  assert.ok(at('db_query_latency_p95_seconds', 'host-05') < 0.05, 'database p95 in milliseconds');
  assert.ok(at('cache_latency_p95_seconds', 'host-07') < 0.005, 'cache p95 near a millisecond');
  assert.ok(at('node_memory_used_bytes', 'host-05') > 20 * GiB, 'a database host uses tens of GiB');
  assert.ok(at('cache_hit_ratio', 'host-07') > 0.8);
  assert.ok(Number.isInteger(at('db_connections', 'host-05')) && Number.isInteger(at('queue_depth', 'host-09')));
});
