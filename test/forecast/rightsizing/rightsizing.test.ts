import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mulberry32 } from '../../../src/core/mulberry32.js';
import { HOURS_PER_MONTH, rightsize, type RightsizePolicy } from '../../../src/forecast/rightsizing/rightsize.js';
import { quantile } from '../../../src/forecast/stage/quantile.js';

const GiB = 2 ** 30;
const POLICY: RightsizePolicy = { percentile: 0.95, headroom: 1.3, underUse: 0.5, granularity: 0.25 * GiB, unitPricePerHour: 0.005 / GiB, minCoverage: 0.5 };

/** Three weeks of 5-minute memory use around `mean` with daily swings. */
function usage(mean: number, swing: number): Float64Array {
  const r = mulberry32(5);
  return Float64Array.from({ length: 21 * 288 }, (_, i) => mean + swing * Math.sin((2 * Math.PI * i) / 288) + (r() - 0.5) * 0.05 * mean);
}

test('an under-used 8 GiB allocation: recommended p95 x 1.3 rounded up to 0.25 GiB, and the monthly saving', () => {
  const use = usage(2 * GiB, 0.4 * GiB);
  const f = rightsize(use, 1, 8 * GiB, POLICY)!;
  const p95 = quantile(use, 0.95);
  assert.ok(f.oversized);
  assert.equal(f.usage, p95);
  assert.equal(f.recommended, Math.ceil((p95 * 1.3) / (0.25 * GiB)) * 0.25 * GiB);
  assert.ok(f.recommended >= 3 * GiB && f.recommended <= 3.5 * GiB, `${f.recommended / GiB} GiB`);
  assert.ok(Math.abs(f.monthlySaving - ((8 * GiB - f.recommended) / GiB) * 0.005 * HOURS_PER_MONTH) < 1e-9);
  assert.ok(f.utilization < 0.35);
});

test('a well-used allocation, a sparse history and a missing allocation are not flagged', () => {
  const busy = rightsize(usage(6 * GiB, 0.5 * GiB), 1, 8 * GiB, POLICY)!;
  assert.equal(busy.oversized, false);
  assert.equal(busy.recommended, 8 * GiB);
  assert.equal(busy.monthlySaving, 0);
  assert.equal(rightsize(usage(2 * GiB, 0), 0.2, 8 * GiB, POLICY), null, 'a fifth of the window is too little to judge');
  assert.equal(rightsize(usage(2 * GiB, 0), 1, 0, POLICY), null);
});
