import type { ForecastOptions, ForecastResult, Forecaster } from '../types.js';
import { LstmWorkspace, forward } from './net.js';
import { encodeWindow, shapeOf, type LstmModelData } from './train.js';

/**
 * A trained LSTM as a Forecaster. Beyond the model's own horizon it feeds its
 * forecast back as history (recursive), and the interval widens with the
 * square root of the number of model horizons chained. Intervals come from
 * the validation residuals at each horizon step: the empirical quantile of
 * |error| at the smallest stored level at or above the one asked for.
 */
export class LstmForecaster implements Forecaster {
  readonly name = 'lstm';
  private readonly ws: LstmWorkspace;
  private readonly x: Float64Array;

  constructor(readonly model: LstmModelData) {
    const shape = shapeOf(model.lookback, model.horizon, model.hidden, model.patch);
    this.ws = new LstmWorkspace(shape);
    this.x = new Float64Array(shape.steps * model.patch);
  }

  forecast(y: Float64Array, horizon: number, opts: ForecastOptions): ForecastResult {
    const m = this.model;
    const level = opts.level ?? 0.95;
    if (y.length === 0) throw new RangeError('lstm forecast needs at least one value of history');
    // History padded at the front with its first value up to the lookback, plus room for recursion.
    const pad = Math.max(0, m.lookback - y.length);
    const buf = new Float64Array(pad + y.length + horizon);
    buf.fill(y[0]!, 0, pad);
    buf.set(y, pad);
    let filled = pad + y.length;
    const mean = new Float64Array(horizon);
    while (filled < pad + y.length + horizon) {
      const last = encodeWindow(buf, filled, m.lookback, m.patch, m.scale, this.x);
      const out = forward(m.theta, this.x, this.ws);
      const n = Math.min(m.horizon, pad + y.length + horizon - filled);
      for (let k = 0; k < n; k++) buf[filled + k] = last + out[k]! * m.scale;
      filled += n;
    }
    mean.set(buf.subarray(pad + y.length));
    const q = this.residualQuantiles(level);
    const lower = new Float64Array(horizon);
    const upper = new Float64Array(horizon);
    for (let h = 0; h < horizon; h++) {
      const rounds = Math.floor(h / m.horizon);
      const w = q[h % m.horizon]! * Math.sqrt(rounds + 1);
      lower[h] = mean[h]! - w;
      upper[h] = mean[h]! + w;
    }
    return { mean, lower, upper, level, model: 'lstm' };
  }

  private residualQuantiles(level: number): Float64Array {
    const m = this.model;
    let i = m.residualLevels.findIndex((l) => l >= level - 1e-12);
    if (i < 0) i = m.residualLevels.length - 1;
    return m.residualQuantiles[i]!;
  }
}

/** The saved form: JSON with the parameters as base64 of their float32 bytes, so a round trip is exact. */
export interface SavedLstm {
  format: 'vigil-lstm/1';
  version: number;
  name: string;
  model: Omit<LstmModelData, 'theta' | 'residualQuantiles'> & { theta: string; residualQuantiles: number[][] };
}

export function serialise(model: LstmModelData, name: string, version: number): SavedLstm {
  const { theta, residualQuantiles, ...rest } = model;
  return {
    format: 'vigil-lstm/1',
    version,
    name,
    model: { ...rest, theta: Buffer.from(theta.buffer, theta.byteOffset, theta.byteLength).toString('base64'), residualQuantiles: residualQuantiles.map((q) => Array.from(q)) },
  };
}

export function deserialise(saved: SavedLstm): LstmModelData {
  if (saved?.format !== 'vigil-lstm/1') throw new Error(`not a Vigil LSTM model (format ${JSON.stringify(saved?.format)})`);
  const { theta, residualQuantiles, ...rest } = saved.model;
  const bytes = Buffer.from(theta, 'base64');
  const params = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(params.buffer).set(bytes);
  const expected = shapeOf(rest.lookback, rest.horizon, rest.hidden, rest.patch);
  const H = expected.hidden;
  const count = 4 * H * (expected.input + H) + 4 * H + expected.outputs * H + expected.outputs;
  if (params.length !== count) throw new Error(`LSTM model has ${params.length} parameters; its shape needs ${count}`);
  return { ...rest, theta: params, residualQuantiles: residualQuantiles.map((q) => Float64Array.from(q)) };
}
