import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FleetSimulator } from '../../src/simulate/index.js';
import { HOUR, MINUTE } from './helpers.js';

test('the same seed gives the same fleet, series and values', () => {
  const a = new FleetSimulator({ seed: 42 });
  const b = new FleetSimulator({ seed: 42 });
  assert.deepEqual(a.topology(), b.topology());
  assert.deepEqual(a.seriesList(), b.seriesList());
  for (let k = 0; k < 50; k++) {
    const t = a.startTime + k * 17 * MINUTE;
    assert.deepEqual(a.tick(t).slice(), b.tick(t).slice());
  }
  assert.deepEqual(a.incidentsBetween(a.startTime, a.startTime + 72 * HOUR), b.incidentsBetween(b.startTime, b.startTime + 72 * HOUR));
});

test('a different seed gives different numbers (and a string seed works too)', () => {
  const t = Date.UTC(2024, 0, 3, 12);
  const a = new FleetSimulator({ seed: 1 }).tick(t).slice();
  const b = new FleetSimulator({ seed: 2 }).tick(t).slice();
  assert.notDeepEqual(a, b);
  const s1 = new FleetSimulator({ seed: 'demo' }).tick(t).slice();
  const s2 = new FleetSimulator({ seed: 'demo' }).tick(t).slice();
  assert.deepEqual(s1, s2);
});

test('values do not depend on how you step: forwards, backwards, jumping, or via generate()', () => {
  const start = Date.UTC(2024, 0, 1);
  const end = start + 3 * HOUR;
  const forwards = new FleetSimulator({ seed: 5, startTime: start });
  const rows = new Map<number, Float64Array>();
  for (const { t, values } of forwards.generate(start, end)) rows.set(t, values.slice());

  // A second simulator visits the same times in reverse order, after a detour into the future.
  const other = new FleetSimulator({ seed: 5, startTime: start });
  other.tick(start + 30 * HOUR);
  for (const t of [...rows.keys()].reverse()) assert.deepEqual(other.tick(t).slice(), rows.get(t), `at ${new Date(t).toISOString()}`);

  // step() walks the same grid.
  const stepper = new FleetSimulator({ seed: 5, startTime: start });
  for (let k = 0; k < 20; k++) {
    const { t, values } = stepper.step();
    assert.equal(t, start + k * stepper.intervalMs);
    assert.deepEqual(values.slice(), rows.get(t));
  }
});

test('tick() can fill a caller-owned buffer, aligned with seriesList()', () => {
  const sim = new FleetSimulator({ seed: 3 });
  const out = new Float64Array(sim.seriesCount);
  const returned = sim.tick(sim.startTime + HOUR, out);
  assert.equal(returned, out);
  assert.ok(out.every(Number.isFinite));
  const i = sim.seriesIndex('node_cpu_utilization', 'host-01');
  assert.equal(sim.seriesList()[i]!.__name__, 'node_cpu_utilization');
  assert.equal(sim.seriesList()[i]!.instance, 'host-01');
  assert.throws(() => sim.tick(0, new Float64Array(3)), /buffer/);
});

test('counters are the running sum of their per-second rate, and never go down', () => {
  const sim = new FleetSimulator({ seed: 9, incidents: 'none' });
  const total = sim.seriesIndex('http_requests_total', 'host-01');
  const rate = sim.seriesIndex('http_requests_per_sec', 'host-01');
  const dt = sim.intervalMs / 1000;
  let prevTotal = -1;
  let prevRate = 0;
  for (const { t, values } of sim.generate(sim.startTime, sim.startTime + HOUR)) {
    if (t === sim.startTime) assert.equal(values[total], 0);
    else assert.ok(Math.abs(values[total]! - (prevTotal + prevRate * dt)) < 1e-6 * values[total]!);
    assert.ok(values[total]! >= prevTotal);
    prevTotal = values[total]!;
    prevRate = values[rate]!;
  }
  // Off the grid, a counter is interpolated: still between its neighbours.
  const mid = sim.tick(sim.startTime + 25 * 1000)[total]!;
  const lo = sim.tick(sim.startTime + 20 * 1000)[total]!;
  const hi = sim.tick(sim.startTime + 30 * 1000)[total]!;
  assert.ok(lo < mid && mid < hi);
});

test('counters can be left out', () => {
  const sim = new FleetSimulator({ seed: 9, counters: false });
  assert.ok(sim.seriesList().every((l) => !l.__name__!.endsWith('_total')));
});
