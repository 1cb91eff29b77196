import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coverage, mase, maseScale, msis, owa, smape } from '../../src/forecast/metrics.js';
import { acf, classicalSeasonalIndices, isSeasonal } from '../../src/forecast/decompose.js';

const close = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) <= eps, `${a} vs ${b}`);

test('sMAPE is the mean of 200 |y - f| / (|y| + |f|), in percent', () => {
  // 200*10/210 = 9.5238..., 200*0/200 = 0, 200*50/150 = 66.666...
  close(smape([100, 100, 50], [110, 100, 100]), (200 * 10 / 210 + 0 + 200 * 50 / 150) / 3);
});

test('MASE divides the mean absolute error by the in-sample mean absolute seasonal difference', () => {
  const history = [1, 2, 3, 5, 7, 9]; // lag-2 differences: 2, 3, 4, 4 -> mean 3.25
  close(maseScale(history, 2), 3.25);
  close(mase([10, 12], [9, 14], 3.25), 1.5 / 3.25);
  // Too short for the season: falls back to lag 1, as M4 does for short series.
  close(maseScale([1, 3, 4], 24), 1.5);
});

test('MSIS adds 2/alpha times each miss to the interval width, scaled', () => {
  // widths 2, 2, 2; y = 5 above upper 4 by 1 -> + 40; y = -1 below lower 0 by 1 -> + 40
  close(msis([1, 5, -1], [0, 2, 0], [2, 4, 2], 2), (2 + 2 + 40 + 2 + 40) / 3 / 2);
  close(coverage([1, 5, -1, 2], [0, 2, 0, 2], [2, 4, 2, 2]), 0.5);
});

test('OWA averages the ratios to Naive2 of mean sMAPE and mean MASE', () => {
  close(owa(13.912, 1.193, 18.383, 2.395), (13.912 / 18.383 + 1.193 / 2.395) / 2);
  close(owa(18.383, 2.395, 18.383, 2.395), 1);
});

test('the M4 seasonality test and classical multiplicative indices', () => {
  const m = 4;
  const pattern = [0.5, 1.5, 1.2, 0.8];
  const y = Float64Array.from({ length: 40 }, (_, t) => (10 + 0.1 * t) * pattern[t % m]);
  assert.equal(isSeasonal(y, m), true);
  const idx = classicalSeasonalIndices(y, m, true);
  for (let k = 0; k < m; k++) close(idx[k], pattern[k], 0.02);
  // Trend only: the lag-4 autocorrelation is no larger than the smooth decay predicts.
  const r = acf(Float64Array.from({ length: 40 }, (_, t) => t), 4);
  assert.ok(r[1] > r[4]);
  assert.equal(isSeasonal(Float64Array.from({ length: 11 }, (_, t) => t), m), false, 'fewer than 3 cycles');
});
