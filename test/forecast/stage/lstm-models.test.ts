import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../../../src/store/index.js';
import { ForecastStage } from '../../../src/forecast/stage/forecast-stage.js';
import { parseConfig } from '../../../src/config/load.js';
import { parseSelector } from '../../../src/core/matchers.js';
import { tempDir } from '../../helpers/vigil-process.js';

const T0 = Date.UTC(2026, 6, 1);

test('configured series get an LSTM trained in the background, saved as version 1, used with model=lstm', async (t) => {
  const dir = tempDir();
  const store = openStore({ dir: join(dir, 'data'), checkpointIntervalMs: 0 });
  t.after(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  // Two hours of 10 s samples of a 10-minute cycle.
  const ts: number[] = [];
  const vs: number[] = [];
  for (let x = T0; x < T0 + 2 * 3_600_000; x += 10_000) {
    ts.push(x);
    vs.push(100 + 20 * Math.sin((2 * Math.PI * (x - T0)) / 600_000));
  }
  store.append([{ labels: { __name__: 'requests_per_second', service: 'web' }, timestamps: ts, values: vs }]);
  const now = T0 + 2 * 3_600_000 - 10_000;
  const config = parseConfig('forecast: { lstm: { series: [requests_per_second], lookback: 60, horizon: 30, hidden: 8, epochs: 4, window: 2h } }', 'test.yaml').forecast;
  const stage = new ForecastStage({ store, config, dataDir: dir, clock: () => now });
  t.after(() => stage.close());
  assert.deepEqual(stage.lstmStatus(), []);
  await stage.lstm.trainDue(now);
  const [status] = stage.lstmStatus();
  assert.equal(status!.state, 'ready', status!.error);
  assert.equal(status!.version, 1);
  assert.equal(status!.epoch, 4);
  assert.deepEqual(status!.labels, { __name__: 'requests_per_second', service: 'web' });
  assert.ok(status!.validationMae! < status!.naiveValidationMae!, 'better than the naive forecast on held-out windows');
  assert.deepEqual(stage.lstm.registry.versions(status!.seriesId), [1]);
  // Not due again before `retrain`.
  await stage.lstm.trainDue(now + 60_000);
  assert.deepEqual(stage.lstm.registry.versions(status!.seriesId), [1]);
  const [view] = await stage.forecastSeries(parseSelector('requests_per_second'), { horizonMs: 5 * 60_000, model: 'lstm', now });
  assert.equal(view!.model, 'lstm');
  assert.equal(view!.stepMs, 10_000);
  assert.ok(view!.forecast.length >= 30);
  for (const [, mean, lower, upper] of view!.forecast) assert.ok(lower <= mean && mean <= upper && mean > 60 && mean < 140);
});
