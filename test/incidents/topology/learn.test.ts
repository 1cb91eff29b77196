import { test } from 'node:test';
import assert from 'node:assert/strict';
import { learnEdges, type AnomalyOnset } from '../../../src/incidents/topology/learn.js';
import { Rng } from '../../../src/simulate/random.js';

const HOUR = 3_600_000;

/** db anomalies reach api about two minutes later, most of the time; noise sprinkled on other services. */
function history(seed: number): AnomalyOnset[] {
  const rng = new Rng(seed);
  const out: AnomalyOnset[] = [];
  for (let k = 0; k < 20; k++) {
    const t = k * 6 * HOUR + rng.uniform(0, HOUR);
    out.push({ service: 'db', t });
    if (rng.chance(0.85)) out.push({ service: 'api', t: t + rng.uniform(60_000, 180_000) });
  }
  for (let k = 0; k < 30; k++) out.push({ service: rng.pick(['batch', 'cdn', 'search']), t: rng.uniform(0, 120 * HOUR) });
  return out;
}

test('a dependant whose anomalies follow its dependency is learned, with a confidence', () => {
  const edges = learnEdges(history(1));
  const apiOnDb = edges.find((e) => e.from === 'api' && e.to === 'db');
  assert.ok(apiOnDb, 'api depends on db');
  assert.equal(apiOnDb.source, 'learned');
  assert.ok(apiOnDb.confidence > 0.7 && apiOnDb.confidence <= 1, `confidence ${apiOnDb.confidence}`);
  assert.equal(edges.find((e) => e.from === 'db' && e.to === 'api'), undefined, 'not the reverse');
  for (const e of edges) assert.ok(['api', 'db'].includes(e.from) && ['api', 'db'].includes(e.to), `unrelated noise learned: ${e.from}->${e.to}`);
});

test('too few co-occurrences or chance-level ones teach nothing', () => {
  assert.deepEqual(learnEdges(history(2).filter((e) => e.t < 12 * HOUR)), []);
  // Two services anomalous every minute follow each other all the time by chance alone.
  const busy: AnomalyOnset[] = [];
  for (let k = 0; k < 200; k++) busy.push({ service: 'a', t: k * 20 * 60_000 }, { service: 'b', t: k * 20 * 60_000 + 10 * 60_000 });
  assert.deepEqual(learnEdges(busy, { maxLagMs: 15 * 60_000, episodeGapMs: 60_000 }), []);
});
