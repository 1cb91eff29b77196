import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ServiceGraph } from '../../../src/incidents/topology/service-graph.js';
import { rankRootCauses, type RcaSignal } from '../../../src/incidents/rca/rank.js';

/** web -> api -> {db, cache}; worker -> queue. `from` calls `to`. */
function shop(): ServiceGraph {
  const g = new ServiceGraph();
  g.addService({ name: 'web', type: 'web', criticality: 'critical' });
  g.addService({ name: 'api', type: 'application', criticality: 'high' });
  g.addService({ name: 'db', type: 'database', criticality: 'critical', runbooks: ['https://runbooks.example/db'] });
  g.addService({ name: 'cache', type: 'cache', criticality: 'high' });
  g.addService({ name: 'worker', type: 'etl', criticality: 'low' });
  g.addService({ name: 'queue', type: 'queue', criticality: 'medium' });
  for (const [from, to] of [['web', 'api'], ['api', 'db'], ['api', 'cache'], ['worker', 'queue']]) {
    g.addEdge({ from, to, weight: 1, source: 'declared', confidence: 1 });
  }
  return g;
}

const sig = (service: string, metric: string, onsetMs: number, score: number): RcaSignal => ({ service, metric, onsetMs, score });

test('a slow database ranks first when its callers slow down after it', () => {
  const ranked = rankRootCauses(shop(), [
    sig('db', 'query_latency_seconds', 1000, 0.9),
    sig('api', 'http_latency_seconds', 61_000, 0.7),
    sig('web', 'http_latency_seconds', 120_000, 0.5),
  ]);
  assert.equal(ranked[0]!.service, 'db');
  const top = ranked[0]!;
  assert.deepEqual(top.evidence.firstAnomaly, { metric: 'query_latency_seconds', atMs: 1000 });
  assert.deepEqual(top.evidence.upstream, []);
  assert.deepEqual(new Set(top.evidence.downstream), new Set(['api', 'web']));
  assert.deepEqual(top.evidence.path, ['web', 'api', 'db']);
  assert.deepEqual(top.runbooks, ['https://runbooks.example/db']);
  assert.ok(top.actions.some((a) => /slow-query/.test(a)));
  assert.ok(ranked.every((c, i) => i === 0 || c.score <= ranked[i - 1]!.score));
});

test('a mid-tier fault ranks above its healthy dependencies and its anomalous callers', () => {
  const ranked = rankRootCauses(shop(), [
    sig('api', 'http_errors_ratio', 0, 0.95),
    sig('web', 'http_errors_ratio', 60_000, 0.6),
  ]);
  assert.equal(ranked[0]!.service, 'api');
  assert.equal(ranked[1]!.service, 'web');
  assert.ok(!ranked.slice(0, 2).some((c) => c.service === 'db' || c.service === 'cache'));
});

test('an unrelated noisy service does not outrank the cascade root', () => {
  const ranked = rankRootCauses(shop(), [
    sig('cache', 'evictions_rate', 0, 0.8),
    sig('api', 'http_latency_seconds', 50_000, 0.8),
    sig('web', 'http_latency_seconds', 100_000, 0.7),
    sig('queue', 'queue_depth', 90_000, 0.5),
  ]);
  assert.equal(ranked[0]!.service, 'cache');
  assert.ok(ranked.findIndex((c) => c.service === 'queue') > 0);
});

test('signals from services the graph does not know are ranked as isolated services', () => {
  const ranked = rankRootCauses(shop(), [sig('mystery', 'cpu_usage', 0, 0.9)]);
  assert.equal(ranked[0]!.service, 'mystery');
  assert.ok(ranked[0]!.evidence.notes.some((n) => /unknown/.test(n)));
});

test('no signals, no candidates', () => {
  assert.deepEqual(rankRootCauses(shop(), []), []);
});

test('a dependency that went anomalous after its callers is a symptom or noise, not the cause', () => {
  // The cache blips well after api and web are already failing.
  const ranked = rankRootCauses(shop(), [
    sig('api', 'http_errors_ratio', 0, 0.9),
    sig('web', 'http_errors_ratio', 60_000, 0.8),
    sig('cache', 'cache_errors_ratio', 600_000, 0.95),
  ]);
  assert.equal(ranked[0]!.service, 'api');
});

test('a flood of queries on a dependency (traffic) does not outrank the service that sends it', () => {
  const ranked = rankRootCauses(shop(), [
    sig('api', 'http_errors_ratio', 0, 0.9),
    sig('db', 'db_queries_per_sec', 30_000, 0.9),
    sig('web', 'http_errors_ratio', 60_000, 0.8),
  ]);
  assert.equal(ranked[0]!.service, 'api');
  assert.equal(ranked.find((c) => c.service === 'db')?.evidence.firstAnomaly?.metric, 'db_queries_per_sec');
});

test('a fault that smoulders before it spreads (a disk filling) is still the cause', () => {
  const ranked = rankRootCauses(shop(), [
    sig('cache', 'node_disk_used_bytes', 0, 0.7),
    sig('cache', 'cache_errors_ratio', 600_000, 0.9),
    sig('api', 'http_errors_ratio', 650_000, 0.8),
    sig('web', 'http_errors_ratio', 700_000, 0.8),
  ]);
  assert.equal(ranked[0]!.service, 'cache');
  assert.equal(ranked[0]!.evidence.firstAnomaly?.metric, 'node_disk_used_bytes');
});

test('with a target, only the target and what it depends on are candidates', () => {
  const signals = [sig('queue', 'queue_depth', 0, 0.99), sig('api', 'http_latency_seconds', 30_000, 0.6), sig('web', 'http_latency_seconds', 60_000, 0.7)];
  assert.equal(rankRootCauses(shop(), signals)[0]!.service, 'queue');
  const ranked = rankRootCauses(shop(), signals, { target: 'web' });
  assert.equal(ranked[0]!.service, 'api');
  assert.ok(ranked.every((c) => ['web', 'api', 'db', 'cache'].includes(c.service)));
});

test('ranking a cascade on 1,000 services finds the deepest tier, well within a second', () => {
  // A layered graph: 10 tiers of 100, each service calling three in the next tier.
  const g = new ServiceGraph();
  const name = (tier: number, i: number) => `s${tier}-${i}`;
  for (let t = 0; t < 10; t++) for (let i = 0; i < 100; i++) g.addService({ name: name(t, i), type: 'application', criticality: 'medium' });
  for (let t = 0; t < 9; t++) for (let i = 0; i < 100; i++) for (const d of [0, 7, 31]) g.addEdge({ from: name(t, i), to: name(t + 1, (i + d) % 100), weight: 1, source: 'declared', confidence: 1 });
  const signals: RcaSignal[] = [];
  for (let t = 9; t >= 0; t--) for (let i = 0; i < 100; i += 3) signals.push(sig(name(t, i), 'latency', (9 - t) * 60_000 + i * 100, 0.5 + t / 20));
  rankRootCauses(g, signals);
  const t0 = performance.now();
  const ranked = rankRootCauses(g, signals);
  const ms = performance.now() - t0;
  assert.ok(ranked[0]!.service.startsWith('s9-'), ranked[0]!.service);
  // The 50 ms target is measured by bench:rca (rank_ms_1000_services); this only catches a gross regression on a loaded machine.
  assert.ok(ms < 2000, `${ms.toFixed(1)} ms`);
});

test('failures are traced to where failures start: a failing service that is also a little slow is not blamed on its slow dependency', () => {
  // api fails (and slows a little); db is slow at the same time, but slowness accounts for slowness, not for failures.
  const signals = [
    sig('db', 'db_query_latency_seconds', 0, 0.6),
    sig('api', 'http_errors_ratio', 0, 0.8),
    sig('api', 'http_latency_seconds', 0, 0.5),
    sig('web', 'http_errors_ratio', 60_000, 0.7),
  ];
  assert.equal(rankRootCauses(shop(), signals, { target: 'web' })[0]!.service, 'api');
  // When the callers are slow rather than failing, the slow db explains them.
  const slow = [sig('db', 'db_query_latency_seconds', 0, 0.6), sig('api', 'http_latency_seconds', 0, 0.8), sig('web', 'http_latency_seconds', 60_000, 0.7)];
  assert.equal(rankRootCauses(shop(), slow, { target: 'web' })[0]!.service, 'db');
});

test('a type prior discounts services seen only through their callers (a load balancer in front of the real server)', () => {
  const g = shop();
  g.addService({ name: 'api-lb', type: 'network', criticality: 'medium' });
  g.addEdge({ from: 'web', to: 'api-lb', weight: 1, source: 'declared', confidence: 1 });
  // The web calls the api both directly and through its load balancer, whose latency is the api's as seen by the web.
  const signals = [sig('api-lb', 'latency_p99', 0, 0.85), sig('api', 'latency_p99', 0, 0.8), sig('db', 'latency_p99', 0, 0.3), sig('web', 'latency_p99', 0, 0.7)];
  assert.equal(rankRootCauses(g, signals, { target: 'web' })[0]!.service, 'api-lb');
  assert.equal(rankRootCauses(g, signals, { target: 'web', typePrior: { network: 0.5 } })[0]!.service, 'api');
});

test('with the time the target problem was detected, a candidate anomalous only after it counts as late', () => {
  // site calls search, and status which calls status-fn. search slowed before the problem was detected (t = 0);
  // the status chain, which explains more of the incident by its size, only well after.
  const g = new ServiceGraph();
  for (const name of ['site', 'search', 'status', 'status-fn']) g.addService({ name, type: 'application', criticality: 'high' });
  for (const [from, to] of [['site', 'search'], ['site', 'status'], ['status', 'status-fn']]) g.addEdge({ from, to, weight: 1, source: 'declared', confidence: 1 });
  const signals = [sig('search', 'latency_p99', -180_000, 0.6), sig('status', 'latency_p99', 420_000, 0.7), sig('status-fn', 'latency_p99', 420_000, 0.7)];
  const score = (ranked: ReturnType<typeof rankRootCauses>, s: string) => ranked.find((c) => c.service === s)!.score;
  const alone = rankRootCauses(g, signals, { target: 'site' });
  const dated = rankRootCauses(g, signals, { target: 'site', targetAt: 0 });
  // Without the detection time the incident's clock starts with the status chain, so it is not late at all.
  assert.ok(score(dated, 'search') > score(alone, 'search') + 0.05);
  assert.ok(score(dated, 'status-fn') < score(alone, 'status-fn') - 0.05);
});
