import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FleetSimulator, type IncidentSpec } from '../../src/simulate/index.js';
import { HOUR, MINUTE, gridTimes, twins, valueAt } from './helpers.js';

// The demo fleet: storefront-web (host-01/02) -> checkout-api (03/04) -> orders-db (05/06),
// session-cache (07/08); billing-etl (11/12) reads events-queue (09/10) and writes to orders-db.
const T0 = Date.UTC(2024, 0, 1);
const AT = T0 + 34 * HOUR; // Tuesday 10:00

function memoryRatio(sim: FleetSimulator, clean: FleetSimulator, host: string, t: number): number {
  return valueAt(sim, 'node_memory_used_bytes', host, t) / valueAt(clean, 'node_memory_used_bytes', host, t);
}

test('restarting the leaking host ends a memory leak early: memory back to baseline, no OOM kill, ground truth records it', () => {
  const leak: IncidentSpec = { kind: 'memory_leak', service: 'checkout-api', host: 'host-04', startsAt: AT, durationMs: 3 * HOUR, id: 'leak' };
  const { sim, clean } = twins([leak]);
  const fix = AT + HOUR;
  assert.ok(memoryRatio(sim, clean, 'host-04', fix) > 1.2, 'memory well above normal an hour into the leak');
  const r = sim.restart({ service: 'checkout-api', host: 'host-04' }, fix, 'vigil');
  assert.deepEqual(r, { action: 'restart', at: fix, effective: true, incidents: ['leak'], note: 'restarted host-04 (checkout-api)' });
  // The restart itself: requests fail briefly, then memory is at baseline.
  assert.ok(valueAt(sim, 'http_errors_ratio', 'host-04', fix + 10_000) > valueAt(clean, 'http_errors_ratio', 'host-04', fix + 10_000) + 0.1);
  for (const t of gridTimes(sim, fix + MINUTE, AT + 4 * HOUR).filter((_, k) => k % 12 === 0)) {
    assert.ok(Math.abs(memoryRatio(sim, clean, 'host-04', t) - 1) < 1e-9, `memory at baseline +${(t - fix) / MINUTE} min`);
    assert.equal(valueAt(sim, 'http_errors_ratio', 'host-04', t), valueAt(clean, 'http_errors_ratio', 'host-04', t));
  }
  const [truth] = sim.groundTruth(AT + 4 * HOUR);
  assert.equal(truth!.remediatedAt, fix);
  assert.equal(truth!.remediatedBy, 'vigil');
  assert.ok(truth!.endsAt <= fix + MINUTE && truth!.naturalEndsAt! > AT + 3 * HOUR, `ends ${(truth!.endsAt - fix) / 1000}s after the fix`);
  assert.equal(sim.faultEnd('leak'), fix);
  // A second restart has nothing left to fix.
  assert.equal(sim.restart({ service: 'checkout-api', host: 'host-04' }, fix + 10 * MINUTE).effective, false);
});

test('restarting the wrong service (or the other replica) does not stop the leak, and still costs a blip', () => {
  const leak: IncidentSpec = { kind: 'memory_leak', service: 'checkout-api', host: 'host-04', startsAt: AT, durationMs: 3 * HOUR };
  const { sim, clean } = twins([leak]);
  const untouched = new FleetSimulator({ seed: 11, incidents: [leak] });
  const at = AT + HOUR;
  const wrong = sim.restart({ service: 'storefront-web' }, at);
  assert.equal(wrong.effective, false);
  assert.deepEqual(wrong.incidents, []);
  assert.equal(sim.restart({ service: 'checkout-api', host: 'host-03' }, at).effective, false);
  // Both web replicas, one after the other, fail some requests while they restart.
  assert.ok(valueAt(sim, 'http_errors_ratio', 'host-01', at + 10_000) > valueAt(clean, 'http_errors_ratio', 'host-01', at + 10_000) + 0.1);
  assert.ok(valueAt(sim, 'http_errors_ratio', 'host-02', at + 40_000) > valueAt(clean, 'http_errors_ratio', 'host-02', at + 40_000) + 0.1);
  for (const t of [at + 30 * MINUTE, AT + 3 * HOUR - 10_000, AT + 3 * HOUR + 20_000]) {
    assert.equal(valueAt(sim, 'node_memory_used_bytes', 'host-04', t), valueAt(untouched, 'node_memory_used_bytes', 'host-04', t));
  }
  assert.equal(sim.groundTruth(AT + 4 * HOUR)[0]!.remediatedAt, undefined);
  assert.equal(sim.remediations().length, 2);
});

test('a bad deploy raises errors on every replica until it is rolled back; a restart does not help', () => {
  const deploy: IncidentSpec = { kind: 'bad_deploy', service: 'checkout-api', startsAt: AT, durationMs: 2 * HOUR, magnitude: 4, id: 'deploy' };
  const { sim, clean } = twins([deploy]);
  const errorsUp = (t: number, host: string) => valueAt(sim, 'http_errors_ratio', host, t) - valueAt(clean, 'http_errors_ratio', host, t);
  assert.ok(errorsUp(AT + 10 * MINUTE, 'host-03') > 0.07 && errorsUp(AT + 10 * MINUTE, 'host-04') > 0.07);
  assert.deepEqual(sim.deploysBetween(AT - HOUR, AT + HOUR), [{ service: 'checkout-api', at: AT, kind: 'deploy' }]);
  assert.equal(sim.restart({ service: 'checkout-api' }, AT + 15 * MINUTE).effective, false);
  assert.ok(errorsUp(AT + 25 * MINUTE, 'host-03') > 0.07);
  assert.equal(sim.rollback('storefront-web', AT + 20 * MINUTE).effective, false);
  const r = sim.rollback('checkout-api', AT + 30 * MINUTE, 'vigil');
  assert.equal(r.effective, true);
  assert.deepEqual(r.incidents, ['deploy']);
  const truth = sim.groundTruth(AT + 4 * HOUR)[0]!;
  assert.equal(truth.remediatedBy, 'vigil');
  assert.ok(truth.remediatedAt! > AT + 30 * MINUTE && truth.remediatedAt! <= AT + 32 * MINUTE, 'done when the rollout back completes');
  for (const t of gridTimes(sim, AT + 35 * MINUTE, AT + 3 * HOUR).filter((_, k) => k % 30 === 0)) {
    assert.ok(Math.abs(errorsUp(t, 'host-03')) < 1e-12 && Math.abs(errorsUp(t, 'host-04')) < 1e-12);
  }
  assert.deepEqual(
    sim.deploysBetween(AT - HOUR, AT + HOUR).map((d) => [d.service, d.kind]),
    [['checkout-api', 'deploy'], ['storefront-web', 'rollback'], ['checkout-api', 'rollback']],
  );
});

test('scaling out relieves a traffic surge in proportion, and ends it once the load fits', () => {
  const surge: IncidentSpec = { kind: 'traffic_surge', service: 'checkout-api', startsAt: AT, durationMs: 2 * HOUR, magnitude: 1.5, id: 'surge' };
  const { sim, clean } = twins([surge]);
  const latency = (t: number) => valueAt(sim, 'http_request_latency_p95_seconds', 'host-03', t) / valueAt(clean, 'http_request_latency_p95_seconds', 'host-03', t);
  const rps = (t: number) => valueAt(sim, 'http_requests_per_sec', 'host-03', t) / valueAt(clean, 'http_requests_per_sec', 'host-03', t);
  const peak = latency(AT + 20 * MINUTE);
  assert.ok(Math.abs(peak - 2.8) < 1e-9 && Math.abs(rps(AT + 20 * MINUTE) - 2.5) < 1e-9);
  assert.equal(sim.scale('orders-db', { delta: 2 }, AT + 20 * MINUTE).effective, false);
  // 2 -> 3 replicas: load per replica 2.5 * 2/3 = 1.67, still above the 1.2 headroom.
  const partial = sim.scale('checkout-api', { delta: 1 }, AT + 30 * MINUTE);
  assert.equal(partial.effective, true);
  assert.equal(sim.replicas('checkout-api'), 3);
  assert.equal(sim.groundTruth(AT + HOUR)[0]!.remediatedAt, undefined);
  const mid = latency(AT + 40 * MINUTE);
  assert.ok(mid > 1.2 && mid < peak - 0.5, `latency x${mid.toFixed(2)} after scaling to 3`);
  assert.ok(Math.abs(rps(AT + 40 * MINUTE) - 2.5 * (2 / 3)) < 1e-9, 'each replica serves its share');
  // 3 -> 5: 2.5 * 2/5 = 1.0 per replica: the surge is absorbed.
  const full = sim.scale('checkout-api', { factor: 5 / 3 }, AT + 45 * MINUTE, 'vigil');
  assert.equal(full.effective, true);
  assert.equal(sim.replicas('checkout-api'), 5);
  const truth = sim.groundTruth(AT + 3 * HOUR)[0]!;
  assert.equal(truth.remediatedAt, AT + 46 * MINUTE);
  assert.ok(Math.abs(latency(AT + 60 * MINUTE) - 1) < 1e-9);
});

test('cleaning the disk ends a disk fill on that host only', () => {
  const fill: IncidentSpec = { kind: 'disk_fill', service: 'orders-db', host: 'host-05', startsAt: AT, durationMs: 2 * HOUR, holdMs: 30 * MINUTE };
  const { sim, clean } = twins([fill]);
  assert.equal(sim.cleanDisk('host-06', AT + HOUR).effective, false);
  assert.equal(sim.restart({ service: 'orders-db', host: 'host-05' }, AT + HOUR).effective, false);
  assert.equal(sim.cleanDisk('host-05', AT + HOUR + 5 * MINUTE).effective, true);
  const disk = (t: number) => valueAt(sim, 'node_disk_used_bytes', 'host-05', t) / valueAt(clean, 'node_disk_used_bytes', 'host-05', t);
  assert.ok(Math.abs(disk(AT + HOUR + 7 * MINUTE) - 1) < 1e-9);
  // The disk never fills, so writes never fail.
  assert.equal(valueAt(sim, 'db_errors_ratio', 'host-05', AT + 2 * HOUR + 10 * MINUTE), valueAt(clean, 'db_errors_ratio', 'host-05', AT + 2 * HOUR + 10 * MINUTE));
  assert.throws(() => sim.cleanDisk('host-99', AT), /unknown host/);
});

test('a cascade ends when its root service is restarted, not when a caller is; callers recover after their lag', () => {
  const cascade: IncidentSpec = { kind: 'cascade', service: 'orders-db', startsAt: AT, durationMs: 2 * HOUR, magnitude: 4, id: 'cascade' };
  const { sim, clean } = twins([cascade]);
  assert.equal(sim.restart({ service: 'checkout-api' }, AT + 10 * MINUTE).effective, false);
  const r = sim.restart({ service: 'orders-db' }, AT + 20 * MINUTE, 'vigil');
  assert.equal(r.effective, true);
  const truth = sim.groundTruth(AT + 3 * HOUR)[0]!;
  assert.equal(truth.remediatedAt, AT + 20 * MINUTE + 30_000);
  assert.ok(truth.endsAt < AT + 40 * MINUTE && truth.naturalEndsAt! > AT + 2 * HOUR);
  const t = AT + 45 * MINUTE;
  for (const [metric, host] of [['db_query_latency_p95_seconds', 'host-05'], ['http_request_latency_p95_seconds', 'host-03'], ['http_request_latency_p95_seconds', 'host-01']] as const) {
    assert.equal(valueAt(sim, metric, host, t), valueAt(clean, metric, host, t), `${metric} on ${host}`);
  }
});

test('a level shift of latency (a stuck process) ends on restart; one of errors or throughput does not', () => {
  const sim = new FleetSimulator({
    seed: 11,
    incidents: [
      { kind: 'level_shift', service: 'checkout-api', host: 'host-03', metric: 'http_request_latency_p95_seconds', startsAt: AT, durationMs: 2 * HOUR, magnitude: 1, id: 'slow' },
      { kind: 'level_shift', service: 'storefront-web', host: 'host-01', metric: 'http_errors_ratio', startsAt: AT, durationMs: 2 * HOUR, magnitude: 2, id: 'errors' },
    ],
  });
  assert.deepEqual(sim.restart({ service: 'checkout-api' }, AT + 10 * MINUTE).incidents, ['slow']);
  assert.equal(sim.restart({ service: 'storefront-web', host: 'host-01' }, AT + 10 * MINUTE).effective, false);
  // What no hook fixes, a person can end.
  const r = sim.endIncident('errors', AT + 50 * MINUTE, 'human');
  assert.equal(r.effective, true);
  assert.equal(sim.faultEnd('errors'), AT + 50 * MINUTE);
});

test('opted-in kinds only: the default random schedule and values are unchanged by the remediation hooks', () => {
  // Digests computed with the simulator as it was before the hooks existed (same code below).
  const digest = (sim: FleetSimulator, from: number, hours: number): string => {
    let h = 0;
    for (const { t, values } of sim.generate(from, from + hours * HOUR, 10 * MINUTE)) {
      for (let i = 0; i < values.length; i++) h = (h * 31 + Math.round(values[i]! * 1000) + (t % 1000)) % 2147483647;
    }
    const truth = sim.groundTruth(from + hours * HOUR).map((i) => `${i.id}:${i.kind}:${i.rootService}:${i.startsAt}:${i.endsAt}:${i.affected.length}`).join('|');
    let g = 0;
    for (const c of truth) g = (g * 33 + c.charCodeAt(0)) % 2147483647;
    return `${h}/${g}`;
  };
  const a = new FleetSimulator({ seed: 1 });
  assert.equal(digest(a, a.startTime, 72), '1334039526/989917347');
  const b = new FleetSimulator({ seed: 7, services: 20, incidentRatePerDay: 8 });
  assert.equal(digest(b, b.startTime, 72), '1078915000/1285755509');
  // Opting in to the new kinds draws them, on the same stream shape.
  const c = new FleetSimulator({ seed: 7, services: 20, incidentRatePerDay: 8, incidentKinds: { bad_deploy: 0.3, traffic_surge: 0.3 } });
  const kinds = new Set(c.incidentsBetween(c.startTime, c.startTime + 10 * 24 * HOUR).map((i) => i.kind));
  assert.ok(kinds.has('bad_deploy') && kinds.has('traffic_surge'));
});

test('the same hooks at the same times give the same numbers', () => {
  const specs: IncidentSpec[] = [
    { kind: 'memory_leak', service: 'checkout-api', host: 'host-03', startsAt: AT, durationMs: 2 * HOUR },
    { kind: 'traffic_surge', service: 'storefront-web', startsAt: AT + 10 * MINUTE, durationMs: HOUR, magnitude: 2 },
  ];
  const run = () => {
    const sim = new FleetSimulator({ seed: 5, incidents: specs });
    const out: number[] = [];
    for (const { t, values } of sim.generate(AT, AT + 3 * HOUR, MINUTE)) {
      if (t === AT + 30 * MINUTE) sim.restart({ service: 'checkout-api', host: 'host-03' }, t);
      if (t === AT + 40 * MINUTE) sim.scale('storefront-web', { factor: 2 }, t);
      out.push(values[sim.seriesIndex('node_memory_used_bytes', 'host-03')]!, values[sim.seriesIndex('http_request_latency_p95_seconds', 'host-01')]!);
    }
    return out;
  };
  assert.deepEqual(run(), run());
});

test('a later surge on a service scaled out before is relieved from the replicas serving it, not from the leftover count', () => {
  const sim = new FleetSimulator({
    seed: 11,
    incidents: [
      { kind: 'traffic_surge', service: 'checkout-api', startsAt: AT, durationMs: HOUR, magnitude: 1.5, id: 'first' },
      { kind: 'traffic_surge', service: 'checkout-api', startsAt: AT + 3 * HOUR, durationMs: HOUR, magnitude: 1.5, id: 'second' },
    ],
  });
  assert.equal(sim.scale('checkout-api', { factor: 2.5 }, AT + 10 * MINUTE).effective, true);
  assert.equal(sim.replicas('checkout-api'), 5);
  // Five replicas left from the first surge; the second one's effects are on the normal two.
  const r = sim.scale('checkout-api', { delta: 1 }, AT + 3 * HOUR + 10 * MINUTE);
  assert.deepEqual(r.incidents, ['second']);
  assert.equal(sim.faultEnd('second'), AT + 3 * HOUR + 11 * MINUTE);
});

test('hooks refuse unknown targets', () => {
  const sim = new FleetSimulator({ seed: 11, incidents: 'none' });
  assert.throws(() => sim.restart({ service: 'nope' }, AT), /unknown service/);
  assert.throws(() => sim.restart({ service: 'checkout-api', host: 'host-01' }, AT), /does not run/);
  assert.throws(() => sim.rollback('nope', AT), /unknown service/);
  assert.throws(() => sim.endIncident('nope', AT), /unknown incident/);
});
