import { mulberry32 } from '../../core/mulberry32.js';
import { quantile } from '../stage/quantile.js';
import { LstmWorkspace, backward, forward, initParams, paramCount, type LstmShape } from './net.js';

/**
 * Training an LSTM forecaster on one equally spaced series. Each example is
 * a window of `lookback` values and the `horizon` values after it, both
 * relative to the window's last value and divided by the series' standard
 * deviation (so the net learns changes, and predicting zero is the naive
 * forecast). Consecutive values are grouped `patch` at a time into one LSTM
 * step, which keeps a 180-sample lookback to 30 recurrent steps.
 *
 * The last `validationShare` of windows (in time) is held out: it picks the
 * best epoch and gives the residuals the prediction intervals come from.
 * `train` is a generator yielding after each epoch, so it can run in a
 * worker thread or in slices on the event loop.
 */
export interface LstmTrainOptions {
  lookback: number;
  horizon: number;
  hidden: number;
  epochs: number;
  /** Values per recurrent step; default about lookback/30. */
  patch?: number;
  learningRate?: number;
  batchSize?: number;
  /** Training windows drawn per epoch (at most). */
  windowsPerEpoch?: number;
  validationShare?: number;
  seed?: number;
  /** Grid step the series was sampled at, kept with the model. */
  stepMs?: number;
}

export interface LstmProgress {
  epoch: number;
  epochs: number;
  /** Mean squared error on normalised values. */
  trainLoss: number;
  validationLoss: number;
}

/** Everything a trained model is: what `LstmForecaster` runs and what is saved. */
export interface LstmModelData {
  lookback: number;
  horizon: number;
  patch: number;
  hidden: number;
  stepMs: number;
  scale: number;
  theta: Float32Array;
  /** Interval levels with per-horizon-step quantiles of |validation residual| (original units). */
  residualLevels: number[];
  residualQuantiles: Float64Array[];
  epochs: number;
  validationLoss: number;
  /** Mean absolute error on validation windows, of this model and of the naive (last value) forecast. */
  validationMae: number;
  naiveValidationMae: number;
  trainedAt: number;
}

export const RESIDUAL_LEVELS = [0.5, 0.8, 0.9, 0.95, 0.99];

export function shapeOf(lookback: number, horizon: number, hidden: number, patch: number): LstmShape {
  return { input: patch, steps: Math.ceil(lookback / patch), hidden, outputs: horizon };
}

export function defaultPatch(lookback: number): number {
  return Math.max(1, Math.round(lookback / 30));
}

/** The net's input for the window ending just before `end` (exclusive), written into `x`; returns the window's last value. */
export function encodeWindow(y: ArrayLike<number>, end: number, lookback: number, patch: number, scale: number, x: Float64Array): number {
  const padded = x.length;
  const last = y[end - 1]!;
  const first = end - lookback;
  for (let i = 0; i < padded; i++) {
    // Left-pad with the window's first value when lookback is not a multiple of patch.
    const src = first + Math.max(0, i - (padded - lookback));
    x[i] = (y[src]! - last) / scale;
  }
  return last;
}

export function* train(y: Float64Array, o: LstmTrainOptions): Generator<LstmProgress, LstmModelData> {
  const L = o.lookback;
  const K = o.horizon;
  const patch = o.patch ?? defaultPatch(L);
  const shape = shapeOf(L, K, o.hidden, patch);
  const windows = y.length - L - K + 1;
  const valShare = o.validationShare ?? 0.2;
  const nVal = Math.max(1, Math.floor(windows * valShare));
  const nTrain = windows - nVal;
  if (nTrain < 2) throw new RangeError(`LSTM training needs at least ${L + K + 2} points (lookback ${L} + horizon ${K} + validation); got ${y.length}`);
  for (let i = 0; i < y.length; i++) if (!Number.isFinite(y[i]!)) throw new RangeError(`LSTM training series has a non-finite value at index ${i}`);
  const scale = stdev(y, 0, y.length - nVal) || 1;
  const rand = mulberry32(o.seed ?? 1);
  const theta = initParams(shape, rand);
  const best = theta.slice();
  const P = theta.length;
  const grad = new Float64Array(P);
  const m1 = new Float64Array(P);
  const m2 = new Float64Array(P);
  const ws = new LstmWorkspace(shape);
  const x = new Float64Array(shape.steps * patch);
  const dOut = new Float64Array(K);
  const lr = o.learningRate ?? 0.005;
  const batch = o.batchSize ?? 16;
  const perEpoch = Math.min(nTrain, o.windowsPerEpoch ?? 1024);
  const order = new Uint32Array(nTrain);
  for (let i = 0; i < nTrain; i++) order[i] = i;
  const valIdx = evenly(nTrain, windows, 256);
  let step = 0;
  let bestLoss = Infinity;
  let bestEpoch = 0;
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    shuffle(order, rand);
    let sse = 0;
    for (let b = 0; b < perEpoch; b += batch) {
      grad.fill(0);
      const n = Math.min(batch, perEpoch - b);
      for (let e = 0; e < n; e++) {
        const w = order[b + e]!;
        const last = encodeWindow(y, w + L, L, patch, scale, x);
        const out = forward(theta, x, ws);
        for (let k = 0; k < K; k++) {
          const d = out[k]! - (y[w + L + k]! - last) / scale;
          sse += d * d;
          dOut[k] = (2 * d) / (K * n);
        }
        backward(theta, x, dOut, ws, grad);
      }
      adam(theta, grad, m1, m2, ++step, lr);
    }
    const validationLoss = evaluate(theta, y, valIdx, L, K, patch, scale, ws, x);
    if (validationLoss < bestLoss) {
      bestLoss = validationLoss;
      bestEpoch = epoch;
      best.set(theta);
    }
    yield { epoch, epochs: o.epochs, trainLoss: sse / (perEpoch * K), validationLoss };
  }
  const res = residuals(best, y, valIdx, L, K, patch, scale, ws, x);
  return {
    lookback: L,
    horizon: K,
    patch,
    hidden: o.hidden,
    stepMs: o.stepMs ?? 0,
    scale,
    theta: best,
    residualLevels: RESIDUAL_LEVELS,
    residualQuantiles: res.quantiles,
    epochs: bestEpoch,
    validationLoss: bestLoss,
    validationMae: res.mae,
    naiveValidationMae: res.naiveMae,
    trainedAt: Date.now(),
  };
}

/** Runs a training generator to the end (tests, small models). */
export function trainNow(y: Float64Array, o: LstmTrainOptions, onProgress?: (p: LstmProgress) => void): LstmModelData {
  const it = train(y, o);
  for (;;) {
    const r = it.next();
    if (r.done) return r.value;
    onProgress?.(r.value);
  }
}

function evaluate(theta: Float32Array, y: Float64Array, idx: Uint32Array, L: number, K: number, patch: number, scale: number, ws: LstmWorkspace, x: Float64Array): number {
  let sse = 0;
  for (const w of idx) {
    const last = encodeWindow(y, w + L, L, patch, scale, x);
    const out = forward(theta, x, ws);
    for (let k = 0; k < K; k++) {
      const d = out[k]! - (y[w + L + k]! - last) / scale;
      sse += d * d;
    }
  }
  return sse / (idx.length * K);
}

function residuals(theta: Float32Array, y: Float64Array, idx: Uint32Array, L: number, K: number, patch: number, scale: number, ws: LstmWorkspace, x: Float64Array) {
  const abs = Array.from({ length: K }, () => new Float64Array(idx.length));
  let ae = 0;
  let naive = 0;
  idx.forEach((w, n) => {
    const last = encodeWindow(y, w + L, L, patch, scale, x);
    const out = forward(theta, x, ws);
    for (let k = 0; k < K; k++) {
      const actual = y[w + L + k]!;
      const r = Math.abs(actual - (last + out[k]! * scale));
      abs[k]![n] = r;
      ae += r;
      naive += Math.abs(actual - last);
    }
  });
  const quantiles = RESIDUAL_LEVELS.map((lv) => Float64Array.from(abs, (a) => quantile(a, lv)));
  return { quantiles, mae: ae / (idx.length * K), naiveMae: naive / (idx.length * K) };
}

/** Adam (Kingma & Ba) with global-norm gradient clipping at 5. */
function adam(theta: Float32Array, g: Float64Array, m1: Float64Array, m2: Float64Array, t: number, lr: number): void {
  let norm = 0;
  for (let i = 0; i < g.length; i++) norm += g[i]! * g[i]!;
  norm = Math.sqrt(norm);
  const clip = norm > 5 ? 5 / norm : 1;
  const b1 = 0.9;
  const b2 = 0.999;
  const c1 = 1 - b1 ** t;
  const c2 = 1 - b2 ** t;
  for (let i = 0; i < g.length; i++) {
    const gi = g[i]! * clip;
    m1[i] = b1 * m1[i]! + (1 - b1) * gi;
    m2[i] = b2 * m2[i]! + (1 - b2) * gi * gi;
    theta[i]! -= (lr * (m1[i]! / c1)) / (Math.sqrt(m2[i]! / c2) + 1e-8);
  }
}

function shuffle(a: Uint32Array, rand: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
}

/** At most `max` indices spread evenly over [from, to). */
function evenly(from: number, to: number, max: number): Uint32Array {
  const n = Math.min(max, to - from);
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = from + Math.floor((i * (to - from)) / n);
  return out;
}

function stdev(y: Float64Array, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += y[i]!;
  const mean = s / (to - from);
  let ss = 0;
  for (let i = from; i < to; i++) ss += (y[i]! - mean) ** 2;
  return Math.sqrt(ss / (to - from));
}

export { paramCount };
