/**
 * A single-layer LSTM with a dense read-out, on typed arrays. The input
 * sequence has `steps` time steps of `input` values each; the last hidden
 * state maps to `outputs` values at once (all horizon steps together, so no
 * error compounds through recursion within the horizon).
 *
 * All parameters live in one Float32Array (`theta`), so the optimiser,
 * saving and loading treat them as one vector. Layout:
 *   W  [4H x (P+H)]  gates i, f, g, o over [x_t, h_{t-1}]
 *   b  [4H]
 *   V  [K x H]       read-out
 *   c  [K]
 */
export interface LstmShape {
  input: number;
  steps: number;
  hidden: number;
  outputs: number;
}

export function paramCount(s: LstmShape): number {
  const H = s.hidden;
  return 4 * H * (s.input + H) + 4 * H + s.outputs * H + s.outputs;
}

/** Glorot-uniform weights, forget-gate bias 1 (remember by default), zero read-out bias. */
export function initParams(s: LstmShape, rand: () => number): Float32Array {
  const H = s.hidden;
  const Z = s.input + H;
  const theta = new Float32Array(paramCount(s));
  const aW = Math.sqrt(6 / (Z + H));
  for (let i = 0; i < 4 * H * Z; i++) theta[i] = (rand() * 2 - 1) * aW;
  const bOff = 4 * H * Z;
  for (let j = 0; j < H; j++) theta[bOff + H + j] = 1;
  const vOff = bOff + 4 * H;
  const aV = Math.sqrt(6 / (H + s.outputs));
  for (let i = 0; i < s.outputs * H; i++) theta[vOff + i] = (rand() * 2 - 1) * aV;
  return theta;
}

/** Scratch space for one forward/backward pass, allocated once per net. */
export class LstmWorkspace {
  readonly hs: Float64Array;
  readonly cs: Float64Array;
  readonly gates: Float64Array;
  readonly tanhC: Float64Array;
  readonly out: Float64Array;
  readonly dh: Float64Array;
  readonly dc: Float64Array;
  readonly da: Float64Array;
  readonly dhPrev: Float64Array;

  constructor(readonly shape: LstmShape) {
    const { steps: T, hidden: H } = shape;
    this.hs = new Float64Array((T + 1) * H);
    this.cs = new Float64Array((T + 1) * H);
    this.gates = new Float64Array(T * 4 * H);
    this.tanhC = new Float64Array(T * H);
    this.out = new Float64Array(shape.outputs);
    this.dh = new Float64Array(H);
    this.dc = new Float64Array(H);
    this.da = new Float64Array(4 * H);
    this.dhPrev = new Float64Array(H);
  }
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Forward pass of one sequence `x` (steps*input values); the outputs are left in `ws.out`. */
export function forward(theta: Float32Array, x: ArrayLike<number>, ws: LstmWorkspace): Float64Array {
  const { input: P, steps: T, hidden: H, outputs: K } = ws.shape;
  const Z = P + H;
  const bOff = 4 * H * Z;
  const vOff = bOff + 4 * H;
  const cOff = vOff + K * H;
  const { hs, cs, gates, tanhC, out } = ws;
  hs.fill(0, 0, H);
  cs.fill(0, 0, H);
  for (let t = 0; t < T; t++) {
    const hPrev = t * H;
    const g = t * 4 * H;
    for (let r = 0; r < 4 * H; r++) {
      let a = theta[bOff + r]!;
      const row = r * Z;
      for (let k = 0; k < P; k++) a += theta[row + k]! * x[t * P + k]!;
      for (let k = 0; k < H; k++) a += theta[row + P + k]! * hs[hPrev + k]!;
      // Gate order i, f, g, o: g is tanh, the others sigmoid.
      gates[g + r] = r >= 2 * H && r < 3 * H ? Math.tanh(a) : sigmoid(a);
    }
    const hNext = (t + 1) * H;
    for (let j = 0; j < H; j++) {
      const i = gates[g + j]!;
      const f = gates[g + H + j]!;
      const gg = gates[g + 2 * H + j]!;
      const o = gates[g + 3 * H + j]!;
      const c = f * cs[hPrev + j]! + i * gg;
      cs[hNext + j] = c;
      const tc = Math.tanh(c);
      tanhC[t * H + j] = tc;
      hs[hNext + j] = o * tc;
    }
  }
  const hT = T * H;
  for (let k = 0; k < K; k++) {
    let s = theta[cOff + k]!;
    const row = vOff + k * H;
    for (let j = 0; j < H; j++) s += theta[row + j]! * hs[hT + j]!;
    out[k] = s;
  }
  return out;
}

/**
 * Backpropagation through time after `forward` on the same `x`: adds the
 * gradient of the loss with respect to theta into `grad`, given the loss's
 * gradient with respect to the outputs, `dOut`.
 */
export function backward(theta: Float32Array, x: ArrayLike<number>, dOut: ArrayLike<number>, ws: LstmWorkspace, grad: Float64Array): void {
  const { input: P, steps: T, hidden: H, outputs: K } = ws.shape;
  const Z = P + H;
  const bOff = 4 * H * Z;
  const vOff = bOff + 4 * H;
  const cOff = vOff + K * H;
  const { hs, cs, gates, tanhC, dh, dc, da, dhPrev } = ws;
  const hT = T * H;
  dh.fill(0);
  dc.fill(0);
  for (let k = 0; k < K; k++) {
    const d = dOut[k]!;
    if (d === 0) continue;
    grad[cOff + k]! += d;
    const row = vOff + k * H;
    for (let j = 0; j < H; j++) {
      grad[row + j]! += d * hs[hT + j]!;
      dh[j]! += d * theta[row + j]!;
    }
  }
  for (let t = T - 1; t >= 0; t--) {
    const g = t * 4 * H;
    const hPrev = t * H;
    for (let j = 0; j < H; j++) {
      const i = gates[g + j]!;
      const f = gates[g + H + j]!;
      const gg = gates[g + 2 * H + j]!;
      const o = gates[g + 3 * H + j]!;
      const tc = tanhC[t * H + j]!;
      const dcj = dc[j]! + dh[j]! * o * (1 - tc * tc);
      da[j] = dcj * gg * i * (1 - i);
      da[H + j] = dcj * cs[hPrev + j]! * f * (1 - f);
      da[2 * H + j] = dcj * i * (1 - gg * gg);
      da[3 * H + j] = dh[j]! * tc * o * (1 - o);
      dc[j] = dcj * f;
    }
    dhPrev.fill(0);
    for (let r = 0; r < 4 * H; r++) {
      const d = da[r]!;
      grad[bOff + r]! += d;
      const row = r * Z;
      for (let k = 0; k < P; k++) grad[row + k]! += d * x[t * P + k]!;
      for (let k = 0; k < H; k++) {
        grad[row + P + k]! += d * hs[hPrev + k]!;
        dhPrev[k]! += d * theta[row + P + k]!;
      }
    }
    dh.set(dhPrev);
  }
}
