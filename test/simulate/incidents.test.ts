import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FleetSimulator, INCIDENT_KINDS } from '../../src/simulate/index.js';
import { HOUR, MINUTE, gridTimes, twins, valueAt } from './helpers.js';

// The demo fleet: storefront-web (host-01/02) -> checkout-api (03/04) -> orders-db (05/06),
// session-cache (07/08); billing-etl (11/12) reads events-queue (09/10) and writes to orders-db.
const T0 = Date.UTC(2024, 0, 1);
const AT = T0 + 34 * HOUR; // Tuesday 10:00

test('a spike multiplies the series by 1 + magnitude for its duration, and nothing else moves', () => {
  const { sim, clean } = twins([
    { kind: 'spike', service: 'checkout-api', host: 'host-03', metric: 'http_request_latency_p95_seconds', startsAt: AT, durationMs: 5 * MINUTE, magnitude: 3 },
  ]);
  const [truth] = sim.groundTruth(AT + HOUR);
  assert.equal(truth!.kind, 'spike');
  assert.equal(truth!.rootService, 'checkout-api');
  assert.equal(truth!.rootHost, 'host-03');
  assert.deepEqual(
    truth!.affected.map((a) => [a.metric, a.instance, a.startsAt, a.endsAt]),
    [['http_request_latency_p95_seconds', 'host-03', AT, AT + 5 * MINUTE]],
  );
  for (const t of gridTimes(sim, AT - 10 * MINUTE, AT + 15 * MINUTE)) {
    const ratio = valueAt(sim, 'http_request_latency_p95_seconds', 'host-03', t) / valueAt(clean, 'http_request_latency_p95_seconds', 'host-03', t);
    const inside = t >= AT && t < AT + 5 * MINUTE;
    assert.ok(Math.abs(ratio - (inside ? 4 : 1)) < 1e-9, `ratio ${ratio} at +${(t - AT) / 1000}s`);
    // The twin replica is untouched.
    assert.equal(valueAt(sim, 'http_request_latency_p95_seconds', 'host-04', t), valueAt(clean, 'http_request_latency_p95_seconds', 'host-04', t));
  }
});

test('a level shift holds a new level (here: traffic halves for two hours)', () => {
  const { sim, clean } = twins([
    { kind: 'level_shift', service: 'storefront-web', host: 'host-01', metric: 'http_requests_per_sec', startsAt: AT, durationMs: 2 * HOUR, magnitude: -0.5 },
  ]);
  for (const t of gridTimes(sim, AT - 30 * MINUTE, AT + 3 * HOUR).filter((_, k) => k % 6 === 0)) {
    const ratio = valueAt(sim, 'http_requests_per_sec', 'host-01', t) / valueAt(clean, 'http_requests_per_sec', 'host-01', t);
    assert.ok(Math.abs(ratio - (t >= AT && t < AT + 2 * HOUR ? 0.5 : 1)) < 1e-9);
  }
  // Additive metrics shift by magnitude steps: CPU by 0.1 per unit.
  const cpu = twins([{ kind: 'level_shift', service: 'orders-db', host: 'host-05', metric: 'node_cpu_utilization', startsAt: AT, magnitude: 2 }]);
  const d = valueAt(cpu.sim, 'node_cpu_utilization', 'host-05', AT + HOUR) - valueAt(cpu.clean, 'node_cpu_utilization', 'host-05', AT + HOUR);
  assert.ok(Math.abs(d - 0.2) < 1e-9);
});

test('a memory leak climbs in a straight line to the OOM kill, then memory drops and the restart shows', () => {
  const oom = AT + 3 * HOUR;
  const { sim, clean } = twins([{ kind: 'memory_leak', service: 'checkout-api', host: 'host-04', startsAt: AT, durationMs: 3 * HOUR }]);
  const total = sim.topology().hosts.find((h) => h.name === 'host-04')!.memoryBytes;
  const xs: number[] = [];
  const ys: number[] = [];
  for (const t of gridTimes(sim, AT, oom).filter((_, k) => k % 30 === 0)) {
    xs.push((t - AT) / HOUR);
    ys.push(valueAt(sim, 'node_memory_used_bytes', 'host-04', t));
  }
  const { slope, r2 } = linearFit(xs, ys);
  assert.ok(r2 > 0.99, `linear ramp (r2 ${r2.toFixed(4)})`);
  assert.ok(slope > 0.1 * total, `${(slope / 1024 ** 3).toFixed(2)} GiB/h`);
  const before = valueAt(sim, 'node_memory_used_bytes', 'host-04', oom - sim.intervalMs);
  assert.ok(before > 0.96 * total, 'nearly all memory used just before the kill');
  const after = valueAt(sim, 'node_memory_used_bytes', 'host-04', oom);
  assert.equal(after, valueAt(clean, 'node_memory_used_bytes', 'host-04', oom), 'back to baseline after the restart');
  assert.ok(valueAt(sim, 'http_errors_ratio', 'host-04', oom) > 0.3, 'requests fail while it restarts');
  const [truth] = sim.groundTruth(oom + HOUR);
  assert.deepEqual(truth!.affected.map((a) => a.metric).sort(), ['http_errors_ratio', 'http_requests_per_sec', 'node_cpu_utilization', 'node_memory_used_bytes']);
  assert.equal(truth!.affected.find((a) => a.metric === 'node_memory_used_bytes')!.startsAt, AT);
  assert.equal(truth!.affected.find((a) => a.metric === 'http_errors_ratio')!.startsAt, oom);
});

test('a disk fills steadily to exactly its size, stays full, and never goes over', () => {
  const full = AT + 2 * HOUR;
  const { sim, clean } = twins([{ kind: 'disk_fill', service: 'orders-db', host: 'host-06', startsAt: AT, durationMs: 2 * HOUR, holdMs: 30 * MINUTE }]);
  const size = sim.topology().hosts.find((h) => h.name === 'host-06')!.diskBytes;
  let prev = 0;
  for (const t of gridTimes(sim, AT, full).filter((_, k) => k % 20 === 0)) {
    const v = valueAt(sim, 'node_disk_used_bytes', 'host-06', t);
    assert.ok(v >= prev && v <= size);
    prev = v;
  }
  for (const t of gridTimes(sim, full, full + 30 * MINUTE)) assert.equal(valueAt(sim, 'node_disk_used_bytes', 'host-06', t), size);
  assert.ok(valueAt(sim, 'db_errors_ratio', 'host-06', full + MINUTE) > 0.1, 'writes fail on a full disk');
  const cleaned = full + 30 * MINUTE;
  assert.equal(valueAt(sim, 'node_disk_used_bytes', 'host-06', cleaned), valueAt(clean, 'node_disk_used_bytes', 'host-06', cleaned));
});

test('a cascade hits the root first, then its callers, hop by hop along the graph, weaker each time', () => {
  const { sim, clean } = twins([{ kind: 'cascade', service: 'orders-db', startsAt: AT, durationMs: 20 * MINUTE, magnitude: 4, id: 'db-slow' }]);
  const truth = sim.groundTruth(AT + HOUR).find((i) => i.id === 'db-slow')!;
  const topo = sim.topology();
  const steps = truth.propagation!;
  assert.equal(steps[0]!.service, 'orders-db');
  assert.equal(steps[0]!.hop, 0);
  const reached = new Map(steps.map((s) => [s.service, s]));
  // checkout-api calls orders-db, storefront-web calls checkout-api.
  assert.equal(reached.get('checkout-api')!.hop, 1);
  assert.equal(reached.get('storefront-web')!.hop, 2);
  for (const s of steps.slice(1)) {
    const via = reached.get(s.via!)!;
    assert.ok(topo.edges.some((e) => e.from === s.service && e.to === s.via), `${s.service} calls ${s.via}`);
    assert.ok(s.startsAt > via.startsAt, `${s.service} is hit after ${s.via}`);
    assert.ok(s.strength < via.strength);
  }
  // Observed: each service's latency leaves its baseline at its own ground-truth time, not before.
  const firstDeviation = (metric: string, instance: string): number => {
    for (const t of gridTimes(sim, AT - 5 * MINUTE, AT + 30 * MINUTE)) {
      if (valueAt(sim, metric, instance, t) / valueAt(clean, metric, instance, t) > 1.05) return t;
    }
    return Infinity;
  };
  const db = firstDeviation('db_query_latency_p95_seconds', 'host-05');
  const api = firstDeviation('http_request_latency_p95_seconds', 'host-03');
  const web = firstDeviation('http_request_latency_p95_seconds', 'host-01');
  assert.equal(db, AT);
  assert.ok(api >= reached.get('checkout-api')!.startsAt && api > db);
  assert.ok(web >= reached.get('storefront-web')!.startsAt && web > api);
  // Upstream requests fail too, and every replica of an affected service is listed.
  const apiErrors = truth.affected.filter((a) => a.service === 'checkout-api' && a.metric === 'http_errors_ratio');
  assert.deepEqual(apiErrors.map((a) => a.instance).sort(), ['host-03', 'host-04']);
  assert.ok(valueAt(sim, 'http_errors_ratio', 'host-03', AT + 10 * MINUTE) > valueAt(clean, 'http_errors_ratio', 'host-03', AT + 10 * MINUTE) + 0.01);
});

test('the random schedule: about rate x days incidents, all kinds, none during warm-up, same every time', () => {
  const opts = { seed: 8, services: 40, incidentRatePerDay: 4, warmupMs: 6 * HOUR } as const;
  const a = new FleetSimulator(opts);
  const days = 30;
  const list = a.incidentsBetween(a.startTime, a.startTime + days * 24 * HOUR);
  assert.ok(list.length > 80 && list.length < 160, `${list.length} incidents in ${days} days`);
  for (const k of INCIDENT_KINDS) assert.ok(list.some((i) => i.kind === k), `some ${k}`);
  assert.ok(list.every((i) => i.startsAt >= a.startTime + 6 * HOUR && i.random));
  assert.ok(list.every((i) => (i.startsAt - a.startTime) % a.intervalMs === 0), 'onsets are on the sample grid');
  // Asking for day 20 first, or alone, gives the same incidents as the whole month.
  const b = new FleetSimulator(opts);
  const day20 = b.incidentsBetween(b.startTime + 20 * 24 * HOUR, b.startTime + 21 * 24 * HOUR);
  const expected = list.filter((i) => i.startsAt < a.startTime + 21 * 24 * HOUR && i.endsAt > a.startTime + 20 * 24 * HOUR);
  assert.deepEqual(day20, expected);
});

test('ground truth lists incidents started so far; active incidents and injection', () => {
  const sim = new FleetSimulator({ seed: 3, incidents: [{ kind: 'spike', service: 'session-cache', startsAt: AT, id: 'first' }] });
  sim.tick(AT - MINUTE);
  assert.deepEqual(sim.groundTruth(), []);
  sim.tick(AT + MINUTE);
  assert.deepEqual(sim.groundTruth().map((i) => i.id), ['first']);
  assert.deepEqual(sim.activeIncidents(AT + MINUTE).map((i) => i.id), ['first']);
  assert.deepEqual(sim.activeIncidents(AT + HOUR), []);
  const injected = sim.inject({ kind: 'level_shift', service: 'events-queue', metric: 'queue_depth', startsAt: AT + 2 * HOUR, magnitude: 2 });
  assert.equal(injected.id, 'inc-1');
  assert.equal(injected.rootMetric, 'queue_depth');
  assert.deepEqual(sim.activeIncidents(AT + 2 * HOUR + MINUTE).map((i) => i.id), ['inc-1']);
  assert.throws(() => sim.inject({ kind: 'spike', service: 'nope', startsAt: AT }), /unknown service/);
  assert.throws(() => sim.inject({ kind: 'spike', service: 'orders-db', host: 'host-01', startsAt: AT }), /does not run/);
  assert.throws(() => sim.inject({ kind: 'spike', service: 'orders-db', metric: 'http_requests_per_sec', startsAt: AT }), /cannot be disturbed/);
});

function linearFit(xs: number[], ys: number[]): { slope: number; r2: number } {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
    syy += (ys[i]! - my) ** 2;
  }
  return { slope: sxy / sxx, r2: (sxy * sxy) / (sxx * syy) };
}
