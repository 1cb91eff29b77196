import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluateCases } from '../../../src/incidents/rca/evaluate.js';
import { signalsFromAlerts } from '../../../src/incidents/rca/from-alerts.js';
import { rankRootCauses } from '../../../src/incidents/rca/rank.js';
import { graphFromTopology } from '../../../bench/rca-graph.js';
import { rcaScenarios } from '../../../bench/rca-scenarios.js';
import { writeScenario } from '../../../bench/rca-write.js';
import { tempDir } from '../../helpers/vigil-process.js';

const VIGIL = fileURLToPath(new URL('../../../../bin/vigil.js', import.meta.url));

/** A three-service case written by hand: web -> api -> db, the database slowed down first. */
function handMadeCase(dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'graph.json'), JSON.stringify({
    services: [{ name: 'web', type: 'web' }, { name: 'api', type: 'application' }, { name: 'db', type: 'database', runbooks: ['https://runbooks.example/db'] }],
    edges: [{ from: 'web', to: 'api' }, { from: 'api', to: 'db', weight: 0.8 }],
  }));
  writeFileSync(join(dir, 'root_cause.json'), JSON.stringify({ service: 'db', metric: 'db_query_latency_seconds' }));
  writeFileSync(join(dir, 'alerts.json'), JSON.stringify([
    { labels: { alertname: 'WebSlow', service: 'web' }, startsAt: 120_000, severity: 'high' },
    { labels: { __name__: 'http_latency_seconds', service: 'api' }, startsAt: 60_000, score: 0.7 },
    { labels: { __name__: 'db_query_latency_seconds', service: 'db' }, startsAt: 0, score: 0.9 },
  ]));
}

test('rca-eval scores a hand-made case folder and names broken ones', () => {
  const root = tempDir();
  handMadeCase(join(root, 'slow-db'));
  mkdirSync(join(root, 'broken'));
  writeFileSync(join(root, 'broken', 'graph.json'), '{"services": [], "edges": []}');
  writeFileSync(join(root, 'broken', 'root_cause.json'), '{"service": 3}');
  const result = evaluateCases(root);
  assert.equal(result.cases.length, 1);
  assert.deepEqual(result.cases[0]!.ranking.slice(0, 1), ['db']);
  assert.equal(result.cases[0]!.position, 1);
  assert.equal(result.acAt1, 1);
  assert.deepEqual(result.errors.map((e) => e.error), [`${join(root, 'broken', 'root_cause.json')}: "service" must be a non-empty string`]);
});

test('cases written by bench:rca --write rank exactly as the bench ranked them', () => {
  const root = tempDir();
  const expected = new Map<string, string[]>();
  for (const sc of rcaScenarios({ count: 6, maxServices: 30, keepSeries: true })) {
    writeScenario(join(root, sc.id), sc);
    expected.set(join(root, sc.id), rankRootCauses(graphFromTopology(sc.topology), signalsFromAlerts(sc.alerts.map((a) => a.alert))).map((c) => c.service));
  }
  const fromAlerts = evaluateCases(root);
  assert.equal(fromAlerts.cases.length, 6);
  for (const c of fromAlerts.cases) assert.deepEqual(c.ranking, expected.get(c.dir), c.dir);
  // From the series, detection runs again on the stored CSVs: the same leader.
  const fromSeries = evaluateCases(root, { from: 'series' });
  for (const c of fromSeries.cases) {
    assert.equal(c.from, 'series');
    assert.equal(c.ranking[0], expected.get(c.dir)![0], c.dir);
  }
});

test('vigil rca-eval prints AC@k, and refuses a folder without cases', () => {
  const root = tempDir();
  handMadeCase(join(root, 'slow-db'));
  const out = execFileSync(process.execPath, [VIGIL, 'rca-eval', root], { encoding: 'utf8' });
  assert.match(out, /1 cases scored/);
  assert.match(out, /AC@1 1\.000 {2}AC@3 1\.000/);
  const empty = spawnSync(process.execPath, [VIGIL, 'rca-eval', tempDir()], { encoding: 'utf8' });
  assert.equal(empty.status, 2);
  assert.match(empty.stderr, /no case folders/);
  const bad = spawnSync(process.execPath, [VIGIL, 'rca-eval', root, '--from', 'logs'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--from: expected auto, alerts or series/);
});
