import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mulberry32 } from '../../../src/core/mulberry32.js';
import { trainNow, type LstmTrainOptions } from '../../../src/forecast/lstm/train.js';
import { LstmForecaster } from '../../../src/forecast/lstm/model.js';
import { LstmRegistry } from '../../../src/forecast/lstm/registry.js';
import { trainInBackground } from '../../../src/forecast/lstm/background.js';

/** A noisy sine with a 40-sample period. */
function sine(n: number, seed = 3): Float64Array {
  const r = mulberry32(seed);
  return Float64Array.from({ length: n }, (_, t) => 50 + 10 * Math.sin((2 * Math.PI * t) / 40) + (r() - 0.5));
}

const OPTIONS: LstmTrainOptions = { lookback: 60, horizon: 20, hidden: 12, epochs: 15, windowsPerEpoch: 256, seed: 7 };

function mae(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!);
  return s / a.length;
}

test('an LSTM learns a sine far better than the naive forecast, with sensible intervals', () => {
  const y = sine(900);
  const history = y.subarray(0, 860);
  const actual = y.subarray(860, 880);
  const progress: number[] = [];
  const model = trainNow(history, OPTIONS, (p) => progress.push(p.validationLoss));
  assert.equal(progress.length, OPTIONS.epochs);
  assert.ok(progress.at(-1)! < progress[0]!, `validation loss falls: ${progress[0]} -> ${progress.at(-1)}`);
  const f = new LstmForecaster(model).forecast(history, 20, { season: 1 });
  const naive = new Float64Array(20).fill(history[history.length - 1]!);
  const lstmErr = mae(f.mean, actual);
  const naiveErr = mae(naive, actual);
  assert.ok(lstmErr < naiveErr / 3, `lstm MAE ${lstmErr.toFixed(3)} vs naive ${naiveErr.toFixed(3)}`);
  assert.ok(model.validationMae < model.naiveValidationMae / 3);
  let inside = 0;
  for (let h = 0; h < 20; h++) {
    assert.ok(f.lower[h]! <= f.mean[h]! && f.mean[h]! <= f.upper[h]!);
    if (actual[h]! >= f.lower[h]! && actual[h]! <= f.upper[h]!) inside++;
  }
  assert.ok(inside >= 16, `${inside}/20 actual values inside the 95% interval`);
  // Beyond its own horizon it forecasts recursively.
  const long = new LstmForecaster(model).forecast(history, 50, { season: 1 });
  assert.equal(long.mean.length, 50);
  assert.ok(mae(long.mean.subarray(0, 40), y.subarray(860, 900)) < naiveErr);
});

test('save and load round-trip gives identical forecasts; versions count up', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-lstm-'));
  try {
    const y = sine(400, 5);
    const model = trainNow(y, { ...OPTIONS, epochs: 3 });
    const reg = new LstmRegistry(dir);
    assert.equal(reg.load('web cpu'), undefined);
    assert.equal(reg.save('web cpu', model), 1);
    assert.equal(reg.save('web cpu', model), 2);
    assert.deepEqual(reg.versions('web cpu'), [1, 2]);
    const loaded = reg.load('web cpu')!;
    assert.equal(loaded.version, 2);
    const a = new LstmForecaster(model).forecast(y, 30, { season: 1 });
    const b = new LstmForecaster(loaded.model).forecast(y, 30, { season: 1 });
    assert.deepEqual(b.mean, a.mean);
    assert.deepEqual(b.lower, a.lower);
    assert.deepEqual(b.upper, a.upper);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('training in a worker thread reports progress per epoch and keeps the event loop free', async () => {
  const y = sine(500, 9);
  const epochs: number[] = [];
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  const job = trainInBackground(y, { ...OPTIONS, epochs: 6 }, (p) => epochs.push(p.epoch));
  const model = await job.done;
  clearInterval(timer);
  assert.deepEqual(epochs, [1, 2, 3, 4, 5, 6]);
  assert.ok(ticks > 0, 'timers ran while the worker trained');
  assert.equal(new LstmForecaster(model).forecast(y, 10, { season: 1 }).mean.length, 10);
});

test('too short a history is a clear error', () => {
  assert.throws(() => trainNow(sine(50), OPTIONS), /needs at least 82 points/);
});
