import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FleetSimulator } from '../../src/simulate/index.js';
import { HOUR } from './helpers.js';

test('a 300-service fleet generates quickly (one sample per series per minute for six hours)', () => {
  const started = performance.now();
  const sim = new FleetSimulator({ seed: 13, services: 300, intervalMs: 60_000 });
  let samples = 0;
  for (const { values } of sim.generate(sim.startTime, sim.startTime + 6 * HOUR)) samples += values.length;
  const seconds = (performance.now() - started) / 1000;
  assert.ok(sim.seriesCount > 5000, `${sim.seriesCount} series`);
  assert.equal(samples, 360 * sim.seriesCount);
  // About 40 ns per sample on a laptop; the bound leaves room for slow CI machines.
  assert.ok(seconds < 10, `${samples} samples took ${seconds.toFixed(2)} s`);
});

test('a 1000-service graph builds, and a cascade in it travels several hops', () => {
  const sim = new FleetSimulator({ seed: 13, services: 1000, incidents: 'none', counters: false });
  assert.equal(sim.topology().services.length, 1000);
  const db = sim.topology().services.find((s) => s.type === 'database' && sim.topology().edges.some((e) => e.to === s.name))!;
  const truth = sim.inject({ kind: 'cascade', service: db.name, startsAt: sim.startTime + 10 * HOUR });
  assert.ok(Math.max(...truth.propagation!.map((p) => p.hop)) >= 3);
  sim.tick(truth.startsAt + 5 * 60_000);
});
