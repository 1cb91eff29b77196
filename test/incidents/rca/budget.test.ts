import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ServiceGraph } from '../../../src/incidents/topology/service-graph.js';
import { budgetSignals } from '../../../src/incidents/rca/budget.js';
import { rankRootCauses, type RcaSignal } from '../../../src/incidents/rca/rank.js';

/** web -> api -> {db, cache}. */
function shop(): ServiceGraph {
  const g = new ServiceGraph();
  for (const name of ['web', 'api', 'db', 'cache']) g.addService({ name, type: 'application', criticality: 'medium' });
  for (const [from, to] of [['web', 'api'], ['api', 'db'], ['api', 'cache']]) g.addEdge({ from, to, weight: 1, source: 'declared', confidence: 1 });
  return g;
}

const lat = (service: string, score: number, excess?: number): RcaSignal => ({
  service,
  metric: 'latency_seconds',
  kind: 'latency',
  onsetMs: 0,
  score,
  ...(excess === undefined ? {} : { excess }),
});

test('a signal counts by the share of the target excess of its kind it can account for', () => {
  const out = budgetSignals(
    [lat('web', 0.5, 30), lat('db', 0.9, 3), lat('cache', 0.6, 60), lat('api', 0.4), { service: 'db', metric: 'errors_total', kind: 'errors', onsetMs: 0, score: 0.8, excess: 1 }],
    'web',
  );
  assert.deepEqual(
    out.map((s) => Number(s.score.toFixed(3))),
    [0.5, 0.09, 0.6, 0.4, 0.8],
  );
});

test('without an excess on the target, signals are left as they are', () => {
  const signals = [lat('web', 0.5), lat('db', 0.9, 3)];
  assert.equal(budgetSignals(signals, 'web'), signals);
});

test('with a target, a dependency that slowed sharply but added little waiting in all ranks below one that carries the delay', () => {
  // db doubles its latency on a handful of calls; cache slows less but on every call: the waiting web sees comes from cache.
  const signals = [lat('web', 0.6, 30), lat('api', 0.6, 30), lat('db', 0.95, 2), lat('cache', 0.7, 32)];
  const plain = signals.map(({ excess: _, ...s }) => s);
  assert.equal(rankRootCauses(shop(), plain, { target: 'web' })[0]!.service, 'db');
  const ranked = rankRootCauses(shop(), signals, { target: 'web' });
  assert.equal(ranked[0]!.service, 'cache');
  // Without a target there is nothing to compare with: the sizes are not used.
  assert.equal(rankRootCauses(shop(), signals)[0]!.service, 'db');
});
