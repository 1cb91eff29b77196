import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { openStore } from '../../../src/store/index.js';
import { ForecastStage } from '../../../src/forecast/stage/forecast-stage.js';
import { RuleEvaluator, loadRules } from '../../../src/alerting/rules/index.js';
import { parseConfig } from '../../../src/config/load.js';
import type { ForecastFn } from '../../../src/forecast/stage/series-forecast.js';
import { linearForecast } from '../../../src/forecast/stage/linear.js';
import { tempDir } from '../../helpers/vigil-process.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.UTC(2026, 5, 1);

/** A store holding `disks` disks filling 1% of capacity an hour from different levels, 6 h of 5-minute samples. */
function setup(t: { after(fn: () => void): void }, disks: number) {
  const dir = tempDir();
  const store = openStore({ dir, checkpointIntervalMs: 0 });
  t.after(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  for (let d = 0; d < disks; d++) {
    const ts: number[] = [];
    const vs: number[] = [];
    for (let x = T0; x <= T0 + 6 * HOUR; x += 5 * MIN) {
      ts.push(x);
      vs.push(0.6 + d * 0.01 + (x - T0) / HOUR / 100);
    }
    store.append([{ labels: { __name__: 'disk_used_ratio', device: `sd${d}` }, timestamps: ts, values: vs }]);
  }
  const config = parseConfig('forecast: {}', 'test.yaml');
  const rules = loadRules({ rules: parseConfig('rules: [{ name: DiskFilling, type: forecast, severity: high, selector: disk_used_ratio, window: 6h, horizon: 48h, limit: 0.9 }]', 'r.yaml').rules, ruleFiles: [] });
  return { store, config, rules, dir };
}

test('forecast rules get their crossing times from the forecasting stage (its default model choice)', (t) => {
  const { store, config, rules, dir } = setup(t, 2);
  const stage = new ForecastStage({ store, config: config.forecast, dataDir: dir, ruleBudgetMs: 60_000 });
  const events = new RuleEvaluator({ store, rules, forecast: stage }).evaluate(T0 + 6 * HOUR);
  // sd0 is at 66% rising 1%/h: 24 h to 90%; sd1 at 67%: 23 h.
  const hours = Object.fromEntries(events.map((e) => [e.labels.device, e.value! / 3600]));
  assert.deepEqual(Object.keys(hours).sort(), ['sd0', 'sd1']);
  assert.ok(hours.sd1! < hours.sd0!, 'the fuller disk is full sooner');
  for (const [d, h] of Object.entries(hours)) assert.ok(h > 18 && h < 40, `${d} full in ${h.toFixed(1)} h`);
});

test('one evaluation spends a bounded time on the model; the rest get a straight line, upgraded later', (t) => {
  const { store, config, rules, dir } = setup(t, 12);
  let calls = 0;
  // A deliberately slow model: 100 ms a series.
  const slow: ForecastFn = (y, h, o) => {
    calls++;
    const until = performance.now() + 100;
    while (performance.now() < until);
    return linearForecast(y, h, o);
  };
  const stage = new ForecastStage({ store, config: config.forecast, dataDir: dir, forecaster: slow });
  const ev = new RuleEvaluator({ store, rules, forecast: stage });
  const started = performance.now();
  const first = ev.evaluate(T0 + 6 * HOUR);
  assert.ok(performance.now() - started < 1500, 'the evaluation is not held up by 12 slow forecasts');
  assert.ok(calls >= 2 && calls <= 4, `${calls} series used the model in the first evaluation`);
  assert.equal(first.length, 12, 'every disk is still judged (by the straight line)');
  let now = T0 + 6 * HOUR;
  for (let i = 0; i < 8 && calls < 12; i++) ev.evaluate((now += 15_000));
  assert.equal(calls, 12, 'later evaluations replaced every straight line by the model, once each');
  ev.evaluate(now + 15_000);
  assert.equal(calls, 12, 'and reuse it until it is older than forecast.interval');
});
