import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ServiceGraph } from '../../../src/incidents/topology/service-graph.js';
import { CoOccurrence, type CorrelatableEvent, correlateOffline } from '../../../src/incidents/correlate/index.js';

/**
 *   web -> api -> orders-db          checkout -> payments -> payments-db
 *           \-> cache                 (a second, unrelated stack)
 */
function shop(): ServiceGraph {
  const g = new ServiceGraph();
  for (const [name, type] of [['web', 'web'], ['api', 'application'], ['orders-db', 'database'], ['cache', 'cache'], ['checkout', 'application'], ['payments', 'application'], ['payments-db', 'database']] as const)
    g.addService({ name, type, criticality: 'high' });
  const dep = (from: string, to: string) => g.addEdge({ from, to, weight: 1, source: 'declared', confidence: 1 });
  dep('web', 'api');
  dep('api', 'orders-db');
  dep('api', 'cache');
  dep('checkout', 'payments');
  dep('payments', 'payments-db');
  return g;
}

const MIN = 60_000;
const ev = (id: string, service: string, minute: number, extra: Partial<CorrelatableEvent> = {}): CorrelatableEvent => ({ id, service, t: minute * MIN, ...extra });

/** Incidents as sets of event ids, independent of which id names them. */
function groups(m: Map<string, string>): string[][] {
  const by = new Map<string, string[]>();
  for (const [e, i] of m) by.set(i, [...(by.get(i) ?? []), e]);
  return [...by.values()].map((g) => g.sort()).sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

test('a cascade along dependencies is one incident; an unrelated stack at the same time is another', () => {
  const m = correlateOffline(
    [ev('db-slow', 'orders-db', 0), ev('api-latency', 'api', 1), ev('web-errors', 'web', 2), ev('payments-db-cpu', 'payments-db', 1), ev('checkout-errors', 'checkout', 3)],
    shop(),
  );
  assert.deepEqual(groups(m), [
    ['api-latency', 'db-slow', 'web-errors'],
    ['checkout-errors', 'payments-db-cpu'],
  ]);
});

test('a root cause that alerts last still joins its callers; siblings of one dependency join each other', () => {
  const m = correlateOffline([ev('web', 'web', 0), ev('api', 'api', 1), ev('db', 'orders-db', 2)], shop());
  assert.equal(groups(m).length, 1);
  // admin and api both call orders-db: siblings, one incident although orders-db has not alerted (yet).
  const g = shop();
  g.addEdge({ from: 'admin', to: 'orders-db', weight: 1, source: 'declared', confidence: 1 });
  assert.equal(groups(correlateOffline([ev('api', 'api', 0), ev('admin', 'admin', 1)], g)).length, 1);
  // Two dependencies of one caller are not related through it: the caller is their victim, not their link.
  assert.equal(groups(correlateOffline([ev('db', 'orders-db', 0), ev('cache', 'cache', 1)], g)).length, 2);
});

test('related events outside the time window open a new incident', () => {
  const m = correlateOffline([ev('a', 'api', 0), ev('b', 'web', 5), ev('c', 'web', 30)], shop(), { windowMs: 10 * MIN });
  assert.deepEqual(groups(m), [['a', 'b'], ['c']]);
  // The window runs from the latest member, so a slow cascade stays one incident.
  const slow = correlateOffline([ev('a', 'orders-db', 0), ev('b', 'api', 8), ev('c', 'web', 16)], shop(), { windowMs: 10 * MIN });
  assert.equal(groups(slow).length, 1);
});

test('maxHops bounds how far a relation reaches', () => {
  const chain = new ServiceGraph();
  for (let i = 0; i < 5; i++) chain.addService({ name: `s${i}`, type: 'application', criticality: 'medium' });
  for (let i = 0; i < 4; i++) chain.addEdge({ from: `s${i}`, to: `s${i + 1}`, weight: 1, source: 'declared', confidence: 1 });
  // s0 depends on s4 through four hops: the fault at s4 reaches s0.
  assert.equal(groups(correlateOffline([ev('a', 's4', 0), ev('b', 's0', 1)], chain, { maxHops: 4 })).length, 1);
  assert.equal(groups(correlateOffline([ev('a', 's4', 0), ev('b', 's0', 1)], chain, { maxHops: 2 })).length, 2);
});

test('without a graph, shared labels relate events: same service, same host', () => {
  const m = correlateOffline(
    [
      ev('a', 'orders', 0, { labels: { instance: 'host-1' } }),
      ev('b', 'orders', 1),
      ev('c', 'billing', 2, { labels: { instance: 'host-1' } }),
      ev('d', 'search', 2, { labels: { instance: 'host-9' } }),
    ],
    undefined,
  );
  assert.deepEqual(groups(m), [['a', 'b', 'c'], ['d']]);
});

test('weak events wait for a related incident and join it; alone they open nothing', () => {
  const m = correlateOffline(
    [ev('anomaly-db', 'orders-db', 0, { canOpen: false }), ev('anomaly-other', 'payments', 0, { canOpen: false }), ev('alert-web', 'web', 3)],
    shop(),
  );
  assert.deepEqual(groups(m), [['alert-web', 'anomaly-db']]);
  assert.equal(m.has('anomaly-other'), false);
});

test('learned co-occurrence relates services the graph does not connect', () => {
  const co = new CoOccurrence(3, 0.5);
  for (let i = 0; i < 3; i++) co.learn(['cache', 'payments-db']);
  const events = [ev('a', 'cache', 0), ev('b', 'payments-db', 1)];
  assert.equal(groups(correlateOffline(events, shop())).length, 2);
  assert.equal(groups(correlateOffline(events, shop(), { coOccurrence: co })).length, 1);
});

test('a common cause must show up early: a dependency alerting long after the incident began opens its own', () => {
  const g = shop();
  g.addEdge({ from: 'admin', to: 'orders-db', weight: 1, source: 'declared', confidence: 1 });
  const early = correlateOffline([ev('api', 'api', 0), ev('admin', 'admin', 1), ev('db', 'orders-db', 3)], g);
  assert.equal(groups(early).length, 1);
  const late = correlateOffline([ev('api', 'api', 0), ev('admin', 'admin', 1), ev('web', 'web', 5), ev('db', 'orders-db', 8)], g, { causeLagMs: 5 * MIN });
  assert.deepEqual(groups(late), [['admin', 'api', 'web'], ['db']]);
});

test("a dependency's fault reaches its callers as symptoms: a caller's slowness joins, its CPU or traffic does not", () => {
  const slowDb = ev('db-latency', 'orders-db', 0, { kind: 'latency' });
  assert.equal(groups(correlateOffline([slowDb, ev('api-latency', 'api', 1, { kind: 'latency' })], shop())).length, 1);
  assert.equal(groups(correlateOffline([slowDb, ev('api-cpu', 'api', 1, { kind: 'saturation' })], shop())).length, 2);
  // The kind is read from the metric name when the event does not say it.
  assert.equal(groups(correlateOffline([slowDb, ev('api-rps', 'api', 1, { labels: { __name__: 'http_requests_per_sec' } })], shop())).length, 2);
  assert.equal(groups(correlateOffline([slowDb, ev('api-errors', 'api', 1, { labels: { __name__: 'http_errors_ratio' } })], shop())).length, 1);
});

test('a dependency that is only busy explains no caller: its callers slowing down is another incident', () => {
  // More queries on orders-db (pushed by some caller) and a slow api at the same time: the api's slowness is not from orders-db.
  const m = correlateOffline([ev('db-qps', 'orders-db', 0, { kind: 'traffic' }), ev('api-latency', 'api', 1, { kind: 'latency' })], shop());
  assert.equal(groups(m).length, 2);
  // Once orders-db is slow too, the slowness of its callers is its doing.
  const slow = correlateOffline([ev('db-qps', 'orders-db', 0, { kind: 'traffic' }), ev('db-latency', 'orders-db', 1, { kind: 'latency' }), ev('api-latency', 'api', 2, { kind: 'latency' })], shop());
  assert.equal(groups(slow).length, 1);
});

test('callers of one dependency are fellow victims by symptoms only: two busy callers are two incidents', () => {
  const g = shop();
  g.addEdge({ from: 'admin', to: 'orders-db', weight: 1, source: 'declared', confidence: 1 });
  assert.equal(groups(correlateOffline([ev('api', 'api', 0, { kind: 'errors' }), ev('admin', 'admin', 1, { kind: 'errors' })], g)).length, 1);
  assert.equal(groups(correlateOffline([ev('api', 'api', 0, { kind: 'saturation' }), ev('admin', 'admin', 1, { kind: 'saturation' })], g)).length, 2);
  assert.equal(groups(correlateOffline([ev('api', 'api', 0, { kind: 'saturation' }), ev('admin', 'admin', 1, { kind: 'errors' })], g)).length, 2);
});
