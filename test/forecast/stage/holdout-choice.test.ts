import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseByHoldout } from '../../../src/forecast/stage/holdout-choice.js';
import { linearForecast } from '../../../src/forecast/stage/linear.js';
import { seasonalNaive } from '../../../src/forecast/naive.js';
import type { ForecastFn } from '../../../src/forecast/stage/series-forecast.js';

const snaive: ForecastFn = (y, h, o) => seasonalNaive.forecast(y, h, o);
const choose = chooseByHoldout([snaive, linearForecast]);

test('a steady fill goes to the line, a daily cycle to the seasonal model', () => {
  const fill = Float64Array.from({ length: 96 }, (_, i) => 100 + 3 * i);
  const f = choose(fill, 24, { season: 24 });
  assert.equal(f.model, 'linear');
  assert.ok(Math.abs(f.mean[23]! - (100 + 3 * 119)) < 1e-6);
  const cycle = Float64Array.from({ length: 96 }, (_, i) => 50 + 20 * Math.sin((2 * Math.PI * i) / 24));
  assert.equal(choose(cycle, 24, { season: 24 }).model, 'snaive');
});

test('too short a history to hold any out: the first candidate', () => {
  assert.equal(choose(Float64Array.from([1, 2, 3, 4, 5, 6]), 3, { season: 1 }).model, 'snaive');
});
