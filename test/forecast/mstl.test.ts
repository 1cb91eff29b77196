import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MstlForecaster } from '../../src/forecast/mstl.js';
import { mulberry32 } from '../../src/core/mulberry32.js';
import { coverageOf, gaussian } from './helpers.js';

test('the MSTL-style model recovers a daily and a weekly profile and forecasts them', () => {
  const z = gaussian(mulberry32(8));
  const daily = (t: number) => 5 * Math.sin((2 * Math.PI * t) / 24) + 2 * Math.cos((4 * Math.PI * t) / 24);
  const weekly = (t: number) => (Math.floor((t % 168) / 24) >= 5 ? -6 : 1.5);
  const n = 168 * 5;
  const y = Float64Array.from({ length: n }, (_, t) => 100 + daily(t) + weekly(t) + 0.3 * z());
  const r = new MstlForecaster().forecast(y, 168, { season: 24, level: 0.95 });
  let err = 0;
  for (let h = 0; h < 168; h++) err += Math.abs(r.mean[h] - (100 + daily(n + h) + weekly(n + h)));
  assert.ok(err / 168 < 0.8, `mean abs error ${err / 168}`);
  // The daily cycle alone (weekly disabled) misses the weekend.
  const d = new MstlForecaster({ periodFactors: [1] }).forecast(y, 168, { season: 24 });
  let errD = 0;
  for (let h = 0; h < 168; h++) errD += Math.abs(d.mean[h] - (100 + daily(n + h) + weekly(n + h)));
  assert.ok(errD > 2 * err);
});

test('MSTL-style intervals cover at about their nominal rate on a daily cycle with random-walk level', () => {
  const z = gaussian(mulberry32(12));
  const model = new MstlForecaster();
  const got = coverageOf(40, 24, (n) => {
    let level = 50;
    return Float64Array.from({ length: n }, (_, t) => {
      level += 0.3 * z();
      return level + 5 * Math.sin((2 * Math.PI * t) / 24) + 0.5 * z();
    });
  }, (y, h) => model.forecast(y, h, { season: 24, level: 0.9 }), 24 * 10);
  assert.ok(Math.abs(got - 0.9) < 0.06, `coverage ${got}`);
});
