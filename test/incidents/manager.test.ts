import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IncidentManager, IncidentStore } from '../../src/incidents/index.js';
import { MIN, T0, alert, anomaly, clock, shopGraph } from './helpers.js';

function manager(c = clock(), store = new IncidentStore(':memory:')) {
  const graph = shopGraph();
  return { m: new IncidentManager({ store, graph: () => graph, now: c.now, settings: { windowMs: 10 * MIN, resolveAfterMs: 30 * MIN } }), c, store };
}

test('a cascade of alerts is one incident with a timeline, a root cause, a title and a severity raised by blast radius', () => {
  const { m, c } = manager();
  const changes: string[] = [];
  m.onChange((_i, ch) => changes.push(ch));
  // The database's anomaly comes first but is weak: it waits, and joins when the alerts open the incident.
  m.observeAnomaly(anomaly('db_query_latency_seconds', 'orders-db', 0, 0.45));
  c.set(T0 + 2 * MIN);
  m.observeAlert(alert('HighLatency', 'api', 1));
  m.observeAlert(alert('HighErrorRate', 'web', 2, { severity: 'high' }));
  m.observeAlert(alert('PaymentsDown', 'payments', 2)); // unrelated stack
  const incidents = m.list();
  assert.equal(incidents.length, 2);
  const inc = m.incidentOfAlert('HighLatency-api')!;
  assert.deepEqual(inc.services, ['api', 'orders-db', 'web']);
  assert.equal(inc.members.length, 3);
  assert.equal(inc.rootCauses[0].service, 'orders-db');
  assert.match(inc.title, /^orders-db slow: 3 services affected$/);
  assert.match(inc.summary, /Likely root cause: orders-db/);
  // Worst member is high; three services (and a critical database) raise it to critical.
  assert.equal(inc.severity, 'critical');
  assert.deepEqual(
    inc.timeline.filter((e) => e.kind !== 'severity').map((e) => e.kind),
    ['opened', 'joined', 'joined', 'joined'],
  );
  assert.ok(inc.timeline.some((e) => e.kind === 'severity' && /→ critical/.test(e.text)));
  assert.ok(inc.timeline.some((e) => e.kind === 'joined' && /depends on api|api depends on it/.test(e.text)));
  assert.equal(m.incidentOfAlert('PaymentsDown-payments')!.members.length, 1);
  assert.deepEqual(changes.slice(0, 1), ['opened']);
});

test('lifecycle: acknowledged, mitigated when every alert resolves, re-opened by a new alert, resolved after a quiet period', () => {
  const { m, c } = manager();
  m.observeAlert(alert('HighLatency', 'api', 0));
  const id = m.incidentOfAlert('HighLatency-api')!.id;
  assert.equal(m.ack(id, 'alice', 'looking').state, 'acknowledged');
  m.observeAlert(alert('HighLatency', 'api', 0, { state: 'resolved' }));
  c.advance(MIN);
  m.tick();
  assert.equal(m.get(id)!.state, 'mitigated');
  m.observeAlert(alert('HighLatency', 'api', 5));
  assert.equal(m.get(id)!.state, 'acknowledged', 'the alert fired again: back to the state before mitigation');
  m.observeAlert(alert('HighLatency', 'api', 5, { state: 'resolved' }));
  c.advance(MIN);
  m.tick();
  c.advance(31 * MIN);
  m.tick();
  const done = m.get(id)!;
  assert.equal(done.state, 'resolved');
  assert.equal(done.resolution!.by, 'vigil');
  assert.deepEqual(
    done.timeline.filter((e) => e.kind === 'state').map((e) => e.text.split(':')[0]),
    ['open → acknowledged', 'acknowledged → mitigated', 'mitigated → acknowledged', 'acknowledged → mitigated', 'mitigated → resolved'],
  );
  // A resolved incident takes no new members: the next alert opens a new one.
  c.advance(MIN);
  m.observeAlert(alert('HighErrorRate', 'web', 40));
  assert.notEqual(m.incidentOfAlert('HighErrorRate-web')!.id, id);
});

test('merge moves members and closes the merged incident; split moves members to a new incident', () => {
  const { m } = manager();
  m.observeAlert(alert('HighLatency', 'api', 0));
  m.observeAlert(alert('PaymentsDown', 'payments', 1));
  const a = m.incidentOfAlert('HighLatency-api')!.id;
  const b = m.incidentOfAlert('PaymentsDown-payments')!.id;
  assert.notEqual(a, b);
  const merged = m.merge(a, [b], 'alice');
  assert.deepEqual(merged.members.map((x) => x.id).sort(), ['alert:HighLatency-api', 'alert:PaymentsDown-payments']);
  assert.equal(m.get(b)!.state, 'resolved');
  assert.equal(m.get(b)!.mergedInto, a);
  assert.equal(m.incidentOfAlert('PaymentsDown-payments')!.id, a);
  assert.throws(() => m.merge(a, [b], 'alice'), /resolved \(merged into/);
  assert.throws(() => m.merge(a, [a], 'alice'), /into itself/);

  const split = m.split(a, ['alert:PaymentsDown-payments'], 'bob');
  assert.deepEqual(split.members.map((x) => x.id), ['alert:PaymentsDown-payments']);
  assert.deepEqual(m.get(a)!.services, ['api']);
  assert.equal(m.incidentOfAlert('PaymentsDown-payments')!.id, split.id);
  assert.throws(() => m.split(a, ['alert:nope'], 'bob'), /not a member/);
  assert.throws(() => m.split(a, ['alert:HighLatency-api'], 'bob'), /every member/);
  // A later alert on payments follows its members into the split-off incident.
  m.observeAlert(alert('PaymentsSlow', 'payments-db', 3));
  assert.equal(m.incidentOfAlert('PaymentsSlow-payments-db')!.id, split.id);
});

test('open incidents survive a restart: the store is reloaded and correlation continues', () => {
  const store = new IncidentStore(':memory:');
  const first = manager(clock(), store).m;
  first.observeAlert(alert('HighLatency', 'api', 0));
  const id = first.incidentOfAlert('HighLatency-api')!.id;
  const second = manager(clock(T0 + MIN), store).m;
  second.observeAlert(alert('HighErrorRate', 'web', 1));
  assert.equal(second.incidentOfAlert('HighErrorRate-web')!.id, id);
  assert.equal(second.get(id)!.members.length, 2);
});

test('labelling the root cause re-weights the ranking of later incidents towards it', () => {
  const { m } = manager();
  // web and api alert at the same minute with the same strength: the graph says api (web depends on it).
  m.observeAlert(alert('HighLatency', 'web', 0));
  m.observeAlert(alert('HighLatency', 'api', 0));
  const inc = m.incidentOfAlert('HighLatency-web')!;
  const before = inc.rootCauses.find((r) => r.service === 'web')?.score ?? 0;
  m.label(inc.id, { service: 'web', by: 'alice', type: 'deployment_regression' });
  const after = m.get(inc.id)!.rootCauses.find((r) => r.service === 'web')?.score ?? 0;
  assert.ok(after > before, `prior raises web: ${before} -> ${after}`);
  assert.equal(m.get(inc.id)!.label!.service, 'web');
  assert.ok(m.get(inc.id)!.timeline.some((e) => e.kind === 'root_cause'));
});

test('resolving an incident while its alerts still fire does not open a new one for them; their next episode does', () => {
  const { m, c } = manager();
  m.observeAlert(alert('HighLatency', 'api', 0));
  const id = m.incidentOfAlert('HighLatency-api')!.id;
  m.resolve(id, 'alice', 'restarted api');
  c.advance(MIN);
  m.observeAlert(alert('HighLatency', 'api', 0)); // the same episode, seen again
  assert.equal(m.incidentOfAlert('HighLatency-api'), undefined);
  m.observeAlert(alert('HighLatency', 'api', 0, { state: 'resolved' }));
  m.observeAlert(alert('HighLatency', 'api', 20)); // fired again later: a new incident
  const next = m.incidentOfAlert('HighLatency-api')!;
  assert.notEqual(next.id, id);
});

test('a fire that still burns is one incident past the window: an alert on a host where its alerts still fire joins it; another host, or the same host once they stopped, opens a new one', () => {
  const { m, c } = manager();
  // orders-db's disk on db-1 fills for hours; when it is full, the database fails on that host.
  m.observeAlert(alert('DiskFillingFast', 'orders-db', 0, { instance: 'db-1' }));
  const disk = m.incidentOfAlert('DiskFillingFast-orders-db')!.id;
  c.set(T0 + 90 * MIN);
  m.observeAlert(alert('ErrorRatioHigh', 'orders-db', 90, { instance: 'db-1' }));
  assert.equal(m.incidentOfAlert('ErrorRatioHigh-orders-db')!.id, disk);
  assert.ok(m.get(disk)!.timeline.some((e) => e.kind === 'joined' && /same instance=db-1, still alerting/.test(e.text)));
  // Another host of the same service, past the window: not that fire, a new incident.
  m.observeAlert(alert('LatencyJump', 'orders-db', 91, { instance: 'db-2' }));
  assert.notEqual(m.incidentOfAlert('LatencyJump-orders-db')!.id, disk);

  // A leak on api-1: memory grows for hours, and the OOM kill's errors while the memory alert still fires belong to it.
  m.observeAlert(alert('MemoryGrowing', 'api', 100, { instance: 'api-1' }));
  const leak = m.incidentOfAlert('MemoryGrowing-api')!.id;
  c.set(T0 + 300 * MIN);
  m.observeAlert(alert('ErrorRatioHigh', 'api', 300, { instance: 'api-1' }));
  assert.equal(m.incidentOfAlert('ErrorRatioHigh-api')!.id, leak);

  // Once its alerts there have stopped, even two minutes before, the host is not burning: a new alert there is news.
  m.observeAlert(alert('MemoryGrowing', 'api', 302, { instance: 'api-1', state: 'resolved' }));
  m.observeAlert(alert('ErrorRatioHigh', 'api', 302, { instance: 'api-1', state: 'resolved' }));
  m.tick();
  assert.equal(m.get(leak)!.state, 'mitigated');
  c.set(T0 + 304 * MIN);
  m.observeAlert(alert('LatencyJump', 'api', 304, { instance: 'api-1' }));
  assert.notEqual(m.incidentOfAlert('LatencyJump-api')!.id, leak);
});
