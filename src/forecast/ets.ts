import type { ForecastOptions, ForecastResult, Forecaster } from './types.js';
import { classicalSeasonalIndices } from './decompose.js';
import { fillGaps, normalInterval, sortedQuantile } from './math.js';
import { nelderMead } from './nelder-mead.js';
import { mulberry32 } from '../core/mulberry32.js';

/**
 * Exponential smoothing state space models with additive errors (Hyndman et
 * al. 2008): trend none / additive / additive damped, seasonality none /
 * additive / multiplicative. Smoothing parameters are fitted by maximum
 * likelihood (minimum one-step squared error) with our Nelder-Mead; initial
 * states come from a classical decomposition of the first cycles.
 */
export type EtsTrend = 'N' | 'A' | 'Ad';
export type EtsSeason = 'N' | 'A' | 'M';

export interface EtsFit {
  trend: EtsTrend;
  season: EtsSeason;
  m: number;
  alpha: number;
  beta: number;
  gamma: number;
  phi: number;
  /** Final states: level, slope, and the last m seasonal values (oldest first). */
  level: number;
  slope: number;
  seasonal: Float64Array;
  sigma: number;
  sse: number;
  aicc: number;
  n: number;
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
const logit = (p: number): number => Math.log(p / (1 - p));

interface Params { alpha: number; beta: number; gamma: number; phi: number }

function decode(x: Float64Array, trend: EtsTrend, season: EtsSeason): Params {
  // alpha in (1e-4, 0.9999); beta < alpha; gamma < 1 - alpha; phi in [0.8, 0.98] as in R's forecast::ets.
  const alpha = 1e-4 + 0.9998 * sigmoid(x[0]);
  let i = 1;
  const beta = trend === 'N' ? 0 : alpha * 0.999 * sigmoid(x[i++]);
  const gamma = season === 'N' ? 0 : (1 - alpha) * 0.999 * sigmoid(x[i++]);
  const phi = trend === 'Ad' ? 0.8 + 0.18 * sigmoid(x[i]) : 1;
  return { alpha, beta, gamma, phi };
}

interface Init { level: number; slope: number; seasonal: Float64Array }

function initialStates(y: Float64Array, m: number, trend: EtsTrend, season: EtsSeason): Init {
  const n = y.length;
  const seasonal = new Float64Array(Math.max(m, 1));
  if (season !== 'N') {
    const span = Math.min(n, m * 4);
    const idx = classicalSeasonalIndices(y.subarray(0, span), m, season === 'M');
    seasonal.set(idx);
  } else seasonal.fill(0);
  const adj = (t: number): number => (season === 'M' ? y[t] / seasonal[t % m] : season === 'A' ? y[t] - seasonal[t % m] : y[t]);
  const w = Math.min(n, Math.max(m, 2));
  let a = 0;
  for (let t = 0; t < w; t++) a += adj(t);
  a /= w;
  let slope = 0;
  if (trend !== 'N' && n >= 2 * w) {
    let b = 0;
    for (let t = w; t < 2 * w; t++) b += adj(t);
    slope = (b / w - a) / w;
  }
  // The level at time -1 so that the first one-step forecast is the first cycle's mean.
  return { level: a - slope * ((w - 1) / 2 + 1), slope, seasonal };
}

/** One pass of the filter: returns the sum of squared one-step errors and leaves final states in `st`. */
function filter(y: Float64Array, m: number, trend: EtsTrend, season: EtsSeason, p: Params, init: Init, st: { l: number; b: number; s: Float64Array }): number {
  let l = init.level, b = init.slope;
  const s = st.s;
  s.set(init.seasonal);
  const { alpha, beta, gamma, phi } = p;
  const hasTrend = trend !== 'N';
  let sse = 0;
  const n = y.length;
  for (let t = 0; t < n; t++) {
    const k = m > 1 ? t % m : 0;
    const lb = l + (hasTrend ? phi * b : 0);
    let e: number;
    if (season === 'M') {
      const sv = s[k];
      e = y[t] - lb * sv;
      l = lb + (alpha * e) / sv;
      if (hasTrend) b = phi * b + (beta * e) / sv;
      s[k] = sv + (gamma * e) / lb;
    } else if (season === 'A') {
      const sv = s[k];
      e = y[t] - lb - sv;
      l = lb + alpha * e;
      if (hasTrend) b = phi * b + beta * e;
      s[k] = sv + gamma * e;
    } else {
      e = y[t] - lb;
      l = lb + alpha * e;
      if (hasTrend) b = phi * b + beta * e;
    }
    sse += e * e;
    if (!Number.isFinite(sse)) return Infinity;
  }
  st.l = l;
  st.b = b;
  return sse;
}

/** Fits one ETS form; null when it does not apply (multiplicative season on non-positive data, too short). */
export function fitEts(yIn: Float64Array, m: number, trend: EtsTrend, season: EtsSeason): EtsFit | null {
  const y = fillGaps(yIn);
  const n = y.length;
  if (season !== 'N' && (m < 2 || n < 2 * m + 2)) return null;
  if (season === 'M') for (let i = 0; i < n; i++) if (!(y[i] > 0)) return null;
  if (n < 4) return null;
  const mm = season === 'N' ? 1 : m;
  const init = initialStates(y, mm, trend, season);
  const st = { l: 0, b: 0, s: new Float64Array(mm) };
  const x0: number[] = [logit(0.2)];
  if (trend !== 'N') x0.push(logit(0.1));
  if (season !== 'N') x0.push(logit(0.05));
  if (trend === 'Ad') x0.push(logit(0.5));
  const res = nelderMead((x) => filter(y, mm, trend, season, decode(x, trend, season), init, st), x0, { step: 1, maxEvaluations: 200 * x0.length, tolerance: 1e-8 });
  const p = decode(res.x, trend, season);
  const sse = filter(y, mm, trend, season, p, init, st);
  // Parameters: smoothing ones, sigma, and the initial states (level, slope, m - 1 free seasonal).
  const k = x0.length + 1 + 1 + (trend !== 'N' ? 1 : 0) + (season !== 'N' ? mm - 1 : 0);
  const loglik = -0.5 * n * (Math.log((2 * Math.PI * sse) / n) + 1);
  const aic = -2 * loglik + 2 * k;
  const aicc = n - k - 1 > 0 ? aic + (2 * k * (k + 1)) / (n - k - 1) : Infinity;
  // Seasonal states in time order: s[(n - mm + j) % mm] is the value used at time n + j.
  const seasonal = new Float64Array(mm);
  for (let j = 0; j < mm; j++) seasonal[j] = st.s[(n + j) % mm];
  return { trend, season, m: mm, ...p, level: st.l, slope: st.b, seasonal, sigma: Math.sqrt(sse / Math.max(1, n - k)), sse, aicc, n };
}

/** Point forecast of a fitted model. */
export function etsPoint(f: EtsFit, horizon: number): Float64Array {
  const out = new Float64Array(horizon);
  let damp = 0, pk = 1;
  for (let h = 0; h < horizon; h++) {
    pk *= f.phi;
    damp += pk;
    const lb = f.level + (f.trend === 'N' ? 0 : damp * f.slope);
    const sv = f.season === 'N' ? 0 : f.seasonal[h % f.m];
    out[h] = f.season === 'M' ? lb * sv : lb + sv;
  }
  return out;
}

/**
 * Forecast with a prediction interval: analytic variance for the all-additive
 * forms (Hyndman et al. 2008, class 1), simulated sample paths otherwise.
 */
export function etsForecast(f: EtsFit, horizon: number, level: number, model: string, paths = 400, seed = 1): ForecastResult {
  const mean = etsPoint(f, horizon);
  if (f.season !== 'M') {
    const sd = new Float64Array(horizon);
    let v = 1, phiSum = 0, pk = 1;
    for (let h = 0; h < horizon; h++) {
      sd[h] = f.sigma * Math.sqrt(v);
      // c_j for the next step j = h + 1.
      pk *= f.phi;
      phiSum += pk;
      const j = h + 1;
      const c = f.alpha + (f.trend === 'N' ? 0 : f.beta * (f.trend === 'Ad' ? phiSum : j)) + (f.season === 'A' && j % f.m === 0 ? f.gamma : 0);
      v += c * c;
    }
    return normalInterval(mean, sd, level, model);
  }
  const rnd = mulberry32(seed);
  const sims = new Float64Array(paths * horizon);
  const s = new Float64Array(f.m);
  for (let p = 0; p < paths; p++) {
    let l = f.level, b = f.slope;
    s.set(f.seasonal);
    for (let h = 0; h < horizon; h++) {
      const k = h % f.m;
      const lb = l + (f.trend === 'N' ? 0 : f.phi * b);
      const u1 = rnd() || 1e-12, u2 = rnd();
      const e = f.sigma * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
      const sv = s[k];
      sims[h * paths + p] = lb * sv + e;
      l = lb + (f.alpha * e) / sv;
      if (f.trend !== 'N') b = f.phi * b + (f.beta * e) / sv;
      s[k] = sv + (f.gamma * e) / lb;
    }
  }
  const lower = new Float64Array(horizon), upper = new Float64Array(horizon);
  const a = (1 - level) / 2;
  for (let h = 0; h < horizon; h++) {
    const col = sims.subarray(h * paths, (h + 1) * paths).sort();
    lower[h] = sortedQuantile(col, a);
    upper[h] = sortedQuantile(col, 1 - a);
  }
  return { mean, lower, upper, level, model };
}

export interface EtsOptions {
  trends?: EtsTrend[];
  seasons?: EtsSeason[];
}

/** Fits every configured form and keeps the one with the lowest AICc. */
export function selectEts(y: Float64Array, m: number, opts: EtsOptions = {}): EtsFit | null {
  let best: EtsFit | null = null;
  for (const season of opts.seasons ?? ['N', 'A', 'M']) {
    for (const trend of opts.trends ?? ['N', 'A', 'Ad']) {
      const f = fitEts(y, m, trend, season);
      if (f && (!best || f.aicc < best.aicc)) best = f;
    }
  }
  return best;
}

export function etsName(f: EtsFit): string {
  return `ets(A,${f.trend},${f.season})`;
}

/** ETS with automatic choice of form by AICc. */
export class EtsForecaster implements Forecaster {
  readonly name = 'ets';
  constructor(private readonly opts: EtsOptions = {}) {}
  forecast(y: Float64Array, horizon: number, opts: ForecastOptions): ForecastResult {
    const level = opts.level ?? 0.95;
    const fit = selectEts(y, Math.max(1, Math.floor(opts.season)), this.opts);
    if (!fit) {
      const mean = new Float64Array(horizon).fill(NaN);
      return { mean, lower: mean.slice(), upper: mean.slice(), level, model: 'ets' };
    }
    return etsForecast(fit, horizon, level, etsName(fit));
  }
}
