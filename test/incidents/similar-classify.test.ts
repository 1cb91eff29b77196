import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type Incident, IncidentClassifier, IncidentManager, IncidentStore, RandomForest, SimilarIncidents } from '../../src/incidents/index.js';
import { MIN, T0, alert, anomaly, clock, shopGraph } from './helpers.js';

/** Runs one incident through a manager and resolves it with a note. */
function pastIncident(m: IncidentManager, c: ReturnType<typeof clock>, at: number, events: Array<() => void>, note: string): Incident {
  c.set(T0 + at * MIN);
  for (const e of events) e();
  const inc = m.openIncidents()[0]!;
  return m.resolve(inc.id, 'alice', note);
}

test('similar incidents: a new incident lists resolved ones by shared services, metrics and root cause, best first', () => {
  const c = clock();
  const graph = shopGraph();
  const m = new IncidentManager({ store: new IncidentStore(':memory:'), graph: () => graph, now: c.now });
  const db = pastIncident(m, c, 0, [() => m.observeAlert(alert('DbSlow', 'orders-db', 0)), () => m.observeAlert(alert('HighLatency', 'api', 1))], 'vacuumed orders');
  pastIncident(m, c, 100, [() => m.observeAlert(alert('PaymentsErrors', 'payments', 100)), () => m.observeAlert(alert('CheckoutErrors', 'checkout', 101))], 'restarted payments');
  pastIncident(m, c, 200, [() => m.observeAlert(alert('EtlFailed', 'etl-nightly', 200))], 'reran the job');
  c.set(T0 + 300 * MIN);
  m.observeAlert(alert('DbSlow', 'orders-db', 300));
  m.observeAlert(alert('HighErrorRate', 'web', 301));
  const now = m.openIncidents()[0]!;
  const { similar } = m.detail(now.id);
  assert.equal(similar[0]!.id, db.id);
  assert.equal(similar[0]!.resolutionNote, 'vacuumed orders');
  assert.ok(similar[0]!.shared.includes('svc:orders-db'));
  assert.ok(similar.every((s, i) => i === 0 || s.score <= similar[i - 1]!.score));
  assert.ok(!similar.some((s) => s.rootCause === 'etl-nightly'), 'nothing in common: not listed');
});

test('similarity scores are cosines in [0, 1]; an identical incident scores 1', () => {
  const c = clock();
  const m = new IncidentManager({ store: new IncidentStore(':memory:'), graph: () => shopGraph(), now: c.now });
  const a = pastIncident(m, c, 0, [() => m.observeAlert(alert('DbSlow', 'orders-db', 0))], 'x');
  const b = pastIncident(m, c, 100, [() => m.observeAlert(alert('PaymentsErrors', 'payments', 100))], 'y');
  const index = new SimilarIncidents([a, b]);
  const twin = { ...a, id: 'twin' };
  assert.equal(index.search(twin)[0]!.score, 1);
  assert.equal(index.search(twin)[0]!.id, a.id);
});

/** A labelled incident of a given type: its members' metrics carry the type's signature. */
function labelled(m: IncidentManager, c: ReturnType<typeof clock>, i: number, type: 'resource_exhaustion' | 'network' | 'data_pipeline_failure'): void {
  const at = i * 100;
  c.set(T0 + at * MIN);
  const service = type === 'data_pipeline_failure' ? 'etl-nightly' : i % 2 ? 'api' : 'payments';
  const metric = type === 'resource_exhaustion' ? 'node_memory_used_bytes' : type === 'network' ? 'tcp_retransmits_total' : 'etl_rows_loaded';
  m.observeAnomaly(anomaly(metric, service, at, 0.9));
  m.observeAnomaly(anomaly(metric, service, at + 1, 0.9));
  const inc = m.openIncidents()[0]!;
  m.label(inc.id, { service, by: 'alice', type });
  m.resolve(inc.id, 'alice', 'fixed');
}

test('classification: rules with few labelled incidents, a random forest with enough, each with a confidence', () => {
  const c = clock();
  const graph = shopGraph();
  const m = new IncidentManager({ store: new IncidentStore(':memory:'), graph: () => graph, now: c.now, settings: { minTrainingIncidents: 9 } });
  c.set(T0);
  m.observeAlert(alert('HighCpu', 'payments', 0, { severity: 'high' }));
  m.observeAnomaly(anomaly('node_cpu_utilization', 'payments', 0, 0.9));
  const early = m.openIncidents()[0]!;
  assert.equal(early.classification!.method, 'rules');
  assert.equal(early.classification!.type, 'resource_exhaustion');
  assert.equal(early.classification!.typeConfidence, 0.5);
  m.resolve(early.id, 'bob', 'scaled up');

  const types = ['resource_exhaustion', 'network', 'data_pipeline_failure'] as const;
  for (let i = 1; i <= 9; i++) labelled(m, c, i, types[i % 3]!);
  c.set(T0 + 2000 * MIN);
  m.observeAnomaly(anomaly('tcp_retransmits_total', 'checkout', 2000, 0.9));
  const later = m.openIncidents()[0]!;
  assert.equal(later.classification!.method, 'forest');
  assert.equal(later.classification!.trainedOn, 9);
  assert.equal(later.classification!.type, 'network');
  assert.ok(later.classification!.typeConfidence > 0.5 && later.classification!.typeConfidence <= 1);
});

test('the random forest separates classes, is reproducible with a seed, and refuses malformed training data', () => {
  // Two features; class = x0 > 0.5 (x1 is noise).
  const n = 200;
  const x = new Float64Array(n * 2);
  const y = new Int32Array(n);
  let s = 7;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let i = 0; i < n; i++) {
    x[i * 2] = rand();
    x[i * 2 + 1] = rand();
    y[i] = x[i * 2] > 0.5 ? 1 : 0;
  }
  const f = RandomForest.train(x, y, 2, 2, { seed: 3, trees: 32 });
  assert.ok(f.predict([0.9, 0.1])[1] > 0.9);
  assert.ok(f.predict([0.1, 0.9])[0] > 0.9);
  const g = RandomForest.train(x, y, 2, 2, { seed: 3, trees: 32 });
  assert.deepEqual([...g.predict([0.52, 0.3])], [...f.predict([0.52, 0.3])]);
  assert.throws(() => RandomForest.train(x, y, 3, 2), /expected 200 rows x 3 features/);
  assert.throws(() => RandomForest.train(new Float64Array(2), Int32Array.of(5), 2, 2), /outside \[0, 2\)/);
  assert.equal(new IncidentClassifier(20).trainedOn.type, 0);
});
