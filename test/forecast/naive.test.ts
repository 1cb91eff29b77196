import { test } from 'node:test';
import assert from 'node:assert/strict';
import { naive2, seasonalNaive } from '../../src/forecast/naive.js';
import { mulberry32 } from '../../src/core/mulberry32.js';
import { coverageOf, gaussian } from './helpers.js';

test('seasonal naive repeats the last season', () => {
  const y = Float64Array.from({ length: 30 }, (_, t) => (t % 7) * 10 + 1);
  const f = seasonalNaive.forecast(y, 10, { season: 7 });
  for (let h = 0; h < 10; h++) assert.equal(f.mean[h], y[30 - 7 + (h % 7)]);
  assert.equal(f.level, 0.95);
});

test('Naive2 re-seasonalises the last adjusted value with the classical multiplicative indices', () => {
  const pattern = [0.6, 1.4, 1.0];
  const y = Float64Array.from({ length: 30 }, (_, t) => 50 * pattern[t % 3]);
  const f = naive2.forecast(y, 6, { season: 3 });
  for (let h = 0; h < 6; h++) assert.ok(Math.abs(f.mean[h] - 50 * pattern[(30 + h) % 3]) < 1e-6);
  // No seasonality: the last value.
  const flat = Float64Array.from({ length: 30 }, (_, t) => 5 + (t % 2) * 1e-9 + t);
  assert.equal(naive2.forecast(flat, 3, { season: 3 }).mean[2], flat[29]);
});

test('seasonal naive intervals cover at about their nominal rate on a seasonal random walk', () => {
  const rnd = mulberry32(11);
  const z = gaussian(rnd);
  const got = coverageOf(400, 12, (n) => {
    const y = new Float64Array(n);
    for (let t = 0; t < y.length; t++) y[t] = (t >= 4 ? y[t - 4] : 10 * Math.sin(t)) + z();
    return y;
  }, (y, h) => seasonalNaive.forecast(y, h, { season: 4, level: 0.9 }), 120);
  assert.ok(Math.abs(got - 0.9) < 0.03, `coverage ${got}`);
});

test('Naive2 intervals cover at about their nominal rate on a seasonal series with a random-walk level', () => {
  const z = gaussian(mulberry32(13));
  const pattern = [0.7, 1.3, 1.1, 0.9];
  const got = coverageOf(300, 8, (n) => {
    let level = 100;
    return Float64Array.from({ length: n }, (_, t) => {
      level += 2 * z();
      return level * pattern[t % 4];
    });
  }, (y, h) => naive2.forecast(y, h, { season: 4, level: 0.9 }), 80);
  assert.ok(Math.abs(got - 0.9) < 0.04, `coverage ${got}`);
});
