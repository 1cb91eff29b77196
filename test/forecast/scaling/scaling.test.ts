import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mulberry32 } from '../../../src/core/mulberry32.js';
import { autoForecast } from '../../../src/forecast/auto.js';
import { recommendScaling, type ScalingPolicy } from '../../../src/forecast/scaling/recommend.js';
import { forecastSamples } from '../../../src/forecast/stage/series-forecast.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 2, 1);

/** Fleet CPU utilisation every 5 minutes: a daily cycle peaking at 14:00 whose peak rises 0.1 a day, plus noise. */
function dailyCycle(base: number, firstPeak: number, rise: number, until: number) {
  const r = mulberry32(11);
  const ts: number[] = [];
  const vs: number[] = [];
  for (let t = T0; t <= until; t += 5 * MIN) {
    const d = (t - T0) / DAY;
    const peak = firstPeak + rise * d;
    const phase = Math.cos((2 * Math.PI * (t - T0 - 14 * HOUR)) / DAY);
    vs.push(base + (peak - base) * Math.max(0, phase) ** 2 + (r() - 0.5) * 0.01);
    ts.push(t);
  }
  return { ts, vs };
}

const POLICY: ScalingPolicy = { full: 1, target: 0.7, scaleDownBelow: 0.3, replicas: 4, minReplicas: 1, maxReplicas: 50 };
const forecastAt = (ts: number[], vs: number[], now: number, horizonMs: number) =>
  forecastSamples(ts, vs, autoForecast, { now, windowMs: 4 * DAY, horizonMs, level: 0.95, maxHistoryPoints: 2000, maxHorizonSteps: 500, stepMs: 5 * MIN })!;

test('a daily cycle with a rising peak: SCALE_SOON before the peak, with the replicas that keep it at target', () => {
  // Four days of history; now is 11:00 on day 5, the peak (about 0.5 + 0.1*4.6 = 0.96 of capacity) is due at 14:00.
  const now = T0 + 4 * DAY + 11 * HOUR;
  const { ts, vs } = dailyCycle(0.2, 0.5, 0.1, now);
  const f = forecastAt(ts, vs, now, 6 * HOUR);
  const rec = recommendScaling(f, POLICY);
  assert.equal(rec.action, 'SCALE_SOON', rec.reason);
  assert.ok(Math.abs(rec.peakAt - (T0 + 4 * DAY + 14 * HOUR)) <= HOUR, `peak predicted at ${new Date(rec.peakAt).toISOString()}`);
  assert.ok(rec.peakUtilization > 0.8 && rec.peakUtilization < 1.1, `peak ${rec.peakUtilization}`);
  // Replicas that bring the predicted peak to 70%: ceil(4 * peak / 0.7).
  assert.equal(rec.recommendedReplicas, Math.ceil((4 * rec.peakUtilization) / 0.7));
  assert.ok(rec.recommendedReplicas! > 4);
  assert.equal(rec.scaleByPercent, Math.round((rec.peakUtilization / 0.7 - 1) * 1000) / 10);
});

test('the same fleet with a low, flat peak holds; an idle one may scale down', () => {
  const now = T0 + 4 * DAY + 11 * HOUR;
  const steady = dailyCycle(0.3, 0.55, 0, now);
  assert.equal(recommendScaling(forecastAt(steady.ts, steady.vs, now, 6 * HOUR), POLICY).action, 'HOLD');
  const idle = dailyCycle(0.05, 0.12, 0, now);
  const rec = recommendScaling(forecastAt(idle.ts, idle.vs, now, 6 * HOUR), POLICY);
  assert.equal(rec.action, 'SCALE_DOWN', rec.reason);
  assert.ok(rec.recommendedReplicas! < 4 && rec.recommendedReplicas! >= 1);
  assert.ok(rec.scaleByPercent < 0);
});

test('request rate with a per-replica capacity: replicas from the load', () => {
  const now = T0 + 4 * DAY + 11 * HOUR;
  const { ts, vs } = dailyCycle(0.2, 0.5, 0.1, now);
  const rps = vs.map((v) => v * 1000);
  const rec = recommendScaling(forecastAt(ts, rps, now, 6 * HOUR), { ...POLICY, replicas: undefined, perReplica: 100 });
  assert.equal(rec.action, 'SCALE_SOON');
  assert.equal(rec.recommendedReplicas, Math.ceil(rec.predictedPeak / 70));
});
