import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DecomposableForecaster, decomposableForecast, fitDecomposable } from '../../src/forecast/decomposable.js';
import { mulberry32 } from '../../src/core/mulberry32.js';
import { coverageOf, gaussian } from './helpers.js';

test('the decomposable regression recovers a trend change, a daily and a weekly cycle, and a maintenance effect', () => {
  const z = gaussian(mulberry32(1));
  const n = 24 * 7 * 4;
  const truth = (t: number): number => {
    const trend = t < 400 ? 0.01 * t : 4 + 0.03 * (t - 400);
    return 50 + trend + 3 * Math.sin((2 * Math.PI * t) / 24) + 2 * Math.cos((2 * Math.PI * t) / 168) + (t >= 300 && t < 310 ? -8 : 0);
  };
  const y = Float64Array.from({ length: n }, (_, t) => truth(t) + 0.3 * z());
  const events = [{ name: 'maintenance', start: 300, end: 310 }, { name: 'maintenance', start: n + 5, end: n + 10 }];
  const fit = fitDecomposable(y, 24, { events, residualAr: false, changepointPenalty: 0.001 });
  const r = decomposableForecast(fit, 48, 0.95);
  for (let h = 0; h < 48; h++) {
    const expected = truth(n + h) + (h >= 5 && h < 10 ? -8 : 0);
    assert.ok(Math.abs(r.mean[h] - expected) < 1, `h=${h}: ${r.mean[h]} vs ${expected}`);
  }
  // The maintenance coefficient is the last one.
  assert.ok(Math.abs(fit.coef[fit.p - 1] + 8) < 0.5, `event effect ${fit.coef[fit.p - 1]}`);
  // The slope after the last changepoint (25 of them; coefficients are per unit of scaled time) is the late one.
  let slope = fit.coef[1];
  for (let j = 0; j < 25; j++) slope += fit.coef[2 + j];
  const late = slope / (n - 1);
  assert.ok(Math.abs(late - 0.03) < 0.015, `late slope ${late}`);
});

test('decomposable intervals cover at about their nominal rate on a seasonal series with AR(1) noise', () => {
  const rnd = mulberry32(4);
  const z = gaussian(rnd);
  const model = new DecomposableForecaster();
  const got = coverageOf(40, 24, (n) => {
    let e = 0;
    return Float64Array.from({ length: n }, (_, t) => {
      e = 0.6 * e + z();
      return 10 + 4 * Math.sin((2 * Math.PI * t) / 24) + e;
    });
  }, (y, h) => model.forecast(y, h, { season: 24, level: 0.9 }), 400);
  assert.ok(Math.abs(got - 0.9) < 0.05, `coverage ${got}`);
});
