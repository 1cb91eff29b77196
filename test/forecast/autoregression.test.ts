import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AutoregressionForecaster, fitAutoregression } from '../../src/forecast/autoregression.js';
import { mulberry32 } from '../../src/core/mulberry32.js';
import { coverageOf, gaussian } from './helpers.js';

test('the seasonal autoregression recovers the coefficients of a simulated AR process with a seasonal lag', () => {
  const z = gaussian(mulberry32(2));
  const n = 5000;
  const y = new Float64Array(n);
  for (let t = 12; t < n; t++) y[t] = 0.5 * y[t - 1] - 0.2 * y[t - 2] + 0.4 * y[t - 12] + z();
  const lags = Int32Array.from([1, 2, 3, 12]);
  const { coef, sigma } = fitAutoregression(y, lags, 0);
  assert.ok(Math.abs(coef[1] - 0.5) < 0.04 && Math.abs(coef[2] + 0.2) < 0.04 && Math.abs(coef[3]) < 0.04 && Math.abs(coef[4] - 0.4) < 0.04, `coef ${Array.from(coef)}`);
  assert.ok(Math.abs(sigma - 1) < 0.05);
});

test('autoregression intervals cover at about their nominal rate, in levels and in seasonal differences', () => {
  for (const difference of [0, 'season'] as const) {
    const z = gaussian(mulberry32(difference === 0 ? 5 : 6));
    const model = new AutoregressionForecaster({ difference });
    const got = coverageOf(40, 12, (n) => {
      const y = new Float64Array(n);
      for (let t = 0; t < n; t++) y[t] = (t >= 1 ? 0.7 * y[t - 1] : 0) + 5 * Math.sin((2 * Math.PI * t) / 12) * 0.3 + z();
      return y;
    }, (y, h) => model.forecast(y, h, { season: 12, level: 0.9 }), 400);
    assert.ok(Math.abs(got - 0.9) < 0.06, `difference ${difference}: coverage ${got}`);
  }
});
