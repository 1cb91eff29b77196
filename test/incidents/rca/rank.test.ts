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
