import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firstCrossing } from '../../../src/forecast/capacity/crossing.js';
import { DEFAULT_RISK, riskLevel } from '../../../src/forecast/capacity/risk.js';
import { assessCapacity } from '../../../src/forecast/capacity/capacity.js';
import { forecastSamples, type ForecastFn } from '../../../src/forecast/stage/series-forecast.js';
import { resample } from '../../../src/forecast/stage/grid.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 0, 1);

/** A straight-line forecaster (least squares on the grid), ±2 residual sd widening with sqrt(h): the exact continuation of a linear fill. */
const linear: ForecastFn = (y, horizon, opts) => {
  const n = y.length;
  const mx = (n - 1) / 2;
  let my = 0;
  for (const v of y) my += v;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (i - mx) * (y[i]! - my);
    sxx += (i - mx) ** 2;
  }
  const b = sxy / sxx;
  const spread = 0.01 * Math.abs(my);
  const mean = Float64Array.from({ length: horizon }, (_, h) => my + b * (n + h - mx));
  return { mean, lower: mean.map((m, h) => m - spread * Math.sqrt(h + 1)), upper: mean.map((m, h) => m + spread * Math.sqrt(h + 1)), level: opts.level ?? 0.95, model: 'linear' };
};

test('a path crossing between grid points is interpolated to the exact time', () => {
  // From 10 at t=0, 20 at 60 s, 30 at 120 s: 25 is reached at 90 s.
  assert.equal(firstCrossing([20, 30], 0, 10, 60_000, 25, 'above'), 90_000);
  assert.equal(firstCrossing([8, 4], 0, 10, 60_000, 5, 'below'), 60_000 + 45_000);
  assert.equal(firstCrossing([20, 30], 0, 10, 60_000, 31, 'above'), null);
  assert.equal(firstCrossing([20], 5, 40, 60_000, 31, 'above'), 5, 'already past: now');
});

test('risk levels: high under 7 days, medium under 30, low beyond or never; thresholds configurable', () => {
  assert.equal(riskLevel(6 * DAY, DEFAULT_RISK), 'high');
  assert.equal(riskLevel(7 * DAY, DEFAULT_RISK), 'medium');
  assert.equal(riskLevel(29 * DAY, DEFAULT_RISK), 'medium');
  assert.equal(riskLevel(31 * DAY, DEFAULT_RISK), 'low');
  assert.equal(riskLevel(null, DEFAULT_RISK), 'low');
  const pool = { highMs: 15 * 60_000, mediumMs: 2 * HOUR };
  assert.equal(riskLevel(10 * 60_000, pool), 'high');
  assert.equal(riskLevel(HOUR, pool), 'medium');
  assert.equal(riskLevel(3 * HOUR, pool), 'low');
});

test('time to threshold on a disk filling linearly: the exact crossing time and risk', () => {
  // 400 GB used, filling 2 GB/h, sampled every minute for 3 days; the limit 1 TB is 300 h after the start.
  const ts: number[] = [];
  const vs: number[] = [];
  for (let t = 0; t <= 3 * DAY; t += 60_000) {
    ts.push(T0 + t);
    vs.push(400e9 + (2e9 * t) / HOUR);
  }
  const now = T0 + 3 * DAY;
  const f = forecastSamples(ts, vs, linear, { now, windowMs: 3 * DAY, horizonMs: 30 * DAY, level: 0.95, maxHistoryPoints: 2000, maxHorizonSteps: 500, stepMs: HOUR })!;
  const r = assessCapacity(f, { name: 'disk', seriesId: 'x', labels: { device: 'sda' }, limit: 1e12, direction: 'above', horizonMs: 30 * DAY, risk: DEFAULT_RISK, now });
  // Hourly means of minute samples in (t - 1h, t] are the line at t - 29.5 min; the grid places them at t - 30 min,
  // so the grid's line is 30 s ahead of the data's.
  const exact = T0 + 300 * HOUR - 30_000;
  assert.ok(Math.abs(r.at! - exact) < 1000, `crossing at ${new Date(r.at!).toISOString()}, expected ${new Date(exact).toISOString()}`);
  assert.ok(Math.abs(r.secondsLeft! - (exact - now) / 1000) < 1);
  assert.equal(r.risk, 'medium', '228 h left');
  assert.ok(r.earliestAt! < r.at! && r.at! < r.latestAt!, 'the upper bound crosses first, the lower last');
  assert.equal(r.model, 'linear');
  // Free space draining towards a floor: the same arithmetic downwards.
  const free = vs.map((v) => 1e12 - v);
  const g = forecastSamples(ts, free, linear, { now, windowMs: 3 * DAY, horizonMs: 30 * DAY, level: 0.95, maxHistoryPoints: 2000, maxHorizonSteps: 500, stepMs: HOUR })!;
  const d = assessCapacity(g, { name: 'free', seriesId: 'y', labels: {}, limit: 130e9, direction: 'below', horizonMs: 30 * DAY, risk: DEFAULT_RISK, now });
  assert.ok(Math.abs(d.at! - (T0 + 235 * HOUR - 30_000)) < 1000);
  assert.equal(d.risk, 'high', '163 h left is under 7 days');
});

test('a series past its limit is at risk now; one moving away never crosses', () => {
  const ts = [T0, T0 + HOUR, T0 + 2 * HOUR, T0 + 3 * HOUR];
  const now = T0 + 3 * HOUR;
  const opts = { now, windowMs: 4 * HOUR, horizonMs: DAY, level: 0.95, maxHistoryPoints: 100, maxHorizonSteps: 100, stepMs: HOUR };
  const past = assessCapacity(forecastSamples(ts, [90, 95, 99, 101], linear, opts)!, { name: 'q', seriesId: 'a', labels: {}, limit: 100, direction: 'above', horizonMs: DAY, risk: DEFAULT_RISK, now });
  assert.equal(past.at, now);
  assert.equal(past.secondsLeft, 0);
  assert.equal(past.risk, 'high');
  const away = assessCapacity(forecastSamples(ts, [50, 40, 30, 20], linear, opts)!, { name: 'q', seriesId: 'b', labels: {}, limit: 100, direction: 'above', horizonMs: DAY, risk: DEFAULT_RISK, now });
  assert.equal(away.at, null);
  assert.equal(away.risk, 'low');
});

test('resampling averages buckets, interpolates gaps and trims empty ends', () => {
  const g = resample([1000, 1500, 3000, 6000], [1, 3, 10, 40], 0, 8000, 1000);
  // Buckets end at 1000..8000; data in buckets ending 1000 (1), 2000 (3), 3000 (10), 6000 (40); 4000 and 5000 interpolated.
  assert.equal(g.start, 500, 'points sit at the middle of their buckets');
  assert.deepEqual(Array.from(g.values), [1, 3, 10, 20, 30, 40]);
});
