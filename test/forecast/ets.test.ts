import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EtsForecaster, etsForecast, fitEts, selectEts } from '../../src/forecast/ets.js';
import { mulberry32 } from '../../src/core/mulberry32.js';
import { coverageOf, gaussian } from './helpers.js';

/** Simulates ETS(A,Ad,A) with the given parameters. */
function simulate(n: number, seed: number, p: { alpha: number; beta: number; gamma: number; phi: number; sigma: number; m: number }): Float64Array {
  const z = gaussian(mulberry32(seed));
  const s = Array.from({ length: p.m }, (_, k) => 5 * Math.sin((2 * Math.PI * k) / p.m));
  let l = 100, b = 0.2;
  const y = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    const e = p.sigma * z();
    y[t] = l + p.phi * b + s[t % p.m] + e;
    l = l + p.phi * b + p.alpha * e;
    b = p.phi * b + p.beta * e;
    s[t % p.m] += p.gamma * e;
  }
  return y;
}

test('ETS(A,A,A) recovers its smoothing parameters and noise level from a simulated series', () => {
  const truth = { alpha: 0.3, beta: 0.02, gamma: 0.1, phi: 1, sigma: 1, m: 12 };
  const fit = fitEts(simulate(2000, 5, truth), 12, 'A', 'A')!;
  assert.ok(Math.abs(fit.alpha - truth.alpha) < 0.07, `alpha ${fit.alpha}`);
  assert.ok(Math.abs(fit.beta - truth.beta) < 0.03, `beta ${fit.beta}`);
  assert.ok(Math.abs(fit.gamma - truth.gamma) < 0.07, `gamma ${fit.gamma}`);
  assert.ok(Math.abs(fit.sigma - truth.sigma) < 0.1, `sigma ${fit.sigma}`);
});

test('AICc prefers a damped trend on a damped series and multiplicative seasonality on multiplicative data', () => {
  const damped = simulate(1500, 9, { alpha: 0.2, beta: 0.1, gamma: 0.05, phi: 0.85, sigma: 1, m: 12 });
  const f = fitEts(damped, 12, 'Ad', 'A')!;
  assert.ok(f.phi < 0.95, `phi ${f.phi}`);
  assert.ok(f.aicc < fitEts(damped, 12, 'N', 'N')!.aicc);
  const z = gaussian(mulberry32(3));
  const mult = Float64Array.from({ length: 600 }, (_, t) => (50 + t) * (1 + 0.5 * Math.sin((2 * Math.PI * t) / 12)) * (1 + 0.01 * z()));
  const best = selectEts(mult, 12, { trends: ['A'], seasons: ['A', 'M'] })!;
  assert.equal(best.season, 'M');
});

test('ETS intervals cover at about their nominal rate on series simulated from the model', () => {
  const truth = { alpha: 0.3, beta: 0.01, gamma: 0.1, phi: 1, sigma: 1, m: 6 };
  let seed = 100;
  const ets = new EtsForecaster({ trends: ['A'], seasons: ['A'] });
  const got = coverageOf(60, 12, (n) => simulate(n, seed++, truth), (y, h) => ets.forecast(y, h, { season: 6, level: 0.8 }), 300);
  assert.ok(Math.abs(got - 0.8) < 0.06, `coverage ${got}`);
  // Simulated paths (multiplicative seasonality) give an interval around the point too.
  const mult = Float64Array.from({ length: 200 }, (_, t) => 100 * (1 + 0.3 * Math.sin(t)) + (t % 5));
  const fit = fitEts(mult, 6, 'N', 'M')!;
  const r = etsForecast(fit, 6, 0.95, 'm');
  for (let h = 0; h < 6; h++) assert.ok(r.lower[h] < r.mean[h] && r.mean[h] < r.upper[h]);
});
