import { test } from 'node:test';
import assert from 'node:assert/strict';
import { autoForecast } from '../../src/forecast/auto.js';
import { mulberry32 } from '../../src/core/mulberry32.js';
import { coverageOf, gaussian } from './helpers.js';

test('autoForecast follows a noisy daily cycle and says which members it combined', () => {
  const z = gaussian(mulberry32(21));
  const truth = (t: number) => 200 + 50 * Math.sin((2 * Math.PI * t) / 24) + 0.05 * t;
  const y = Float64Array.from({ length: 24 * 21 }, (_, t) => truth(t) + 3 * z());
  const r = autoForecast(y, 48, { season: 24 });
  assert.equal(r.mean.length, 48);
  assert.equal(r.level, 0.95);
  let err = 0;
  for (let h = 0; h < 48; h++) {
    err += Math.abs(r.mean[h] - truth(y.length + h)) / 48;
    assert.ok(r.lower[h] < r.mean[h] && r.mean[h] < r.upper[h]);
  }
  assert.ok(err < 3, `mean abs error ${err} (noise sd 3)`);
  assert.match(r.model, /^log .+\+.+/);
});

test('autoForecast copes with gaps, negative values, constant and very short series', () => {
  const withGaps = Float64Array.from({ length: 300 }, (_, t) => (t % 17 === 0 ? NaN : 10 + Math.sin(t / 3)));
  const a = autoForecast(withGaps, 24, { season: 24, level: 0.8 });
  assert.ok(a.mean.every(Number.isFinite) && a.level === 0.8);
  const negative = Float64Array.from({ length: 200 }, (_, t) => -5 + Math.sin((2 * Math.PI * t) / 24));
  const b = autoForecast(negative, 24, { season: 24 });
  assert.ok(Math.abs(b.mean[6] - (-5 + Math.sin((2 * Math.PI * 206) / 24))) < 0.2);
  assert.doesNotMatch(b.model, /^log/);
  const flat = new Float64Array(100).fill(7);
  const c = autoForecast(flat, 10, { season: 24 });
  for (let h = 0; h < 10; h++) assert.ok(Math.abs(c.mean[h] - 7) < 1e-6);
  const tiny = Float64Array.from([1, 2, 3]);
  assert.ok(autoForecast(tiny, 5, { season: 24 }).mean.every(Number.isFinite));
});

test('autoForecast intervals cover at about their nominal rate on a seasonal series with AR(1) noise', () => {
  const z = gaussian(mulberry32(33));
  const got = coverageOf(30, 24, (n) => {
    let e = 0;
    return Float64Array.from({ length: n }, (_, t) => {
      e = 0.5 * e + z();
      return 50 + 10 * Math.sin((2 * Math.PI * t) / 24) + e;
    });
  }, (y, h) => autoForecast(y, h, { season: 24, level: 0.9 }), 24 * 14);
  assert.ok(Math.abs(got - 0.9) < 0.06, `coverage ${got}`);
});
