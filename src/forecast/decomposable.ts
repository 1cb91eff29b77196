import type { ForecastOptions, ForecastResult, Forecaster } from './types.js';
import { cholesky, choleskySolve, fillGaps, inverseQuadratic, normalInterval } from './math.js';

/**
 * A decomposable trend + seasonality regression in the spirit of Prophet:
 * y(t) = piecewise-linear trend (automatic changepoints) + Fourier series per
 * seasonal period + calendar effects + residual, fitted by ridge-regularised
 * least squares (the changepoint penalty plays the role of Prophet's Laplace
 * prior). The residual is modelled as AR(1), so short-term forecasts start
 * from where the series is, not from the fitted curve.
 */
export interface CalendarEvent {
  /** A name; events sharing one get one coefficient (e.g. "maintenance"). */
  name: string;
  /** Sample indices relative to the first value of the history, end exclusive; may lie in the future. */
  start: number;
  end: number;
}

export interface DecomposableOptions {
  /** Changepoint candidates, spread evenly over the first `changepointRange` of the history. */
  changepoints?: number;
  changepointRange?: number;
  /** Ridge penalty on the changepoint slope changes and on Fourier terms, per sample. */
  changepointPenalty?: number;
  fourierPenalty?: number;
  /** Fourier harmonics for the period `season` and for `weeklyFactor * season`. */
  dailyHarmonics?: number;
  weeklyHarmonics?: number;
  /** Multiple of `season` used as the second (weekly) period; 0 = none. Needs two full cycles of history. */
  weeklyFactor?: number;
  /** Residual AR(1) correction of the forecast. */
  residualAr?: boolean;
  events?: CalendarEvent[];
}

const DEFAULTS: Required<Omit<DecomposableOptions, 'events'>> = {
  changepoints: 25,
  changepointRange: 0.8,
  changepointPenalty: 0.5,
  fourierPenalty: 0.01,
  dailyHarmonics: 10,
  weeklyHarmonics: 12,
  weeklyFactor: 7,
  residualAr: true,
};

export interface DecomposableFit {
  coef: Float64Array;
  /** Feature row for any sample index (history or future). */
  features: (i: number, row: Float64Array) => void;
  p: number;
  n: number;
  lastResidual: number;
  phi: number;
  sigma: number;
  /** Mean absolute changepoint slope change, for the trend uncertainty of the interval. */
  meanAbsDelta: number;
  changepointRate: number;
  /** Cholesky factor of the penalised normal equations, for the variance of the fitted curve. */
  chol: Float64Array;
  /** Marginal residual variance times the AR(1) long-run factor (1 + phi) / (1 - phi): the noise behind the coefficients. */
  curveNoise: number;
}

export function fitDecomposable(yIn: Float64Array, season: number, options: DecomposableOptions = {}): DecomposableFit {
  const o = { ...DEFAULTS, ...options };
  const y = fillGaps(yIn);
  const n = y.length;
  const span = Math.max(1, n - 1);
  const J = n >= 3 * o.changepoints ? o.changepoints : Math.floor(n / 3);
  const cps = new Float64Array(J);
  for (let j = 0; j < J; j++) cps[j] = (o.changepointRange * (j + 1)) / (J + 1);
  const periods: { P: number; K: number }[] = [];
  if (season >= 2 && n >= 2 * season) periods.push({ P: season, K: Math.min(o.dailyHarmonics, Math.floor(season / 2)) });
  const week = season * o.weeklyFactor;
  if (o.weeklyFactor > 1 && season >= 2 && n >= 2 * week) periods.push({ P: week, K: Math.min(o.weeklyHarmonics, Math.floor(week / 2)) });
  const eventNames = [...new Set((o.events ?? []).map((e) => e.name))];
  const p = 2 + J + periods.reduce((a, q) => a + 2 * q.K, 0) + eventNames.length;
  const features = (i: number, row: Float64Array): void => {
    const tau = i / span;
    row[0] = 1;
    row[1] = tau;
    let c = 2;
    for (let j = 0; j < J; j++) row[c++] = tau > cps[j] ? tau - cps[j] : 0;
    for (const { P, K } of periods) {
      const w = (2 * Math.PI * i) / P;
      for (let k = 1; k <= K; k++) {
        row[c++] = Math.sin(k * w);
        row[c++] = Math.cos(k * w);
      }
    }
    for (const name of eventNames) {
      let on = 0;
      for (const e of o.events!) if (e.name === name && i >= e.start && i < e.end) on = 1;
      row[c++] = on;
    }
  };
  const ridge = new Float64Array(p);
  for (let j = 0; j < J; j++) ridge[2 + j] = o.changepointPenalty * n;
  for (let c = 2 + J; c < p - eventNames.length; c++) ridge[c] = o.fourierPenalty * n;
  for (let c = p - eventNames.length; c < p; c++) ridge[c] = 1e-6 * n;
  ridge[0] = ridge[1] = 1e-9 * n;
  const A = new Float64Array(p * p);
  const b = new Float64Array(p);
  const row = new Float64Array(p);
  // Center y on its mean for conditioning; the intercept absorbs it back.
  let mu = 0;
  for (let i = 0; i < n; i++) mu += y[i];
  mu /= n;
  for (let i = 0; i < n; i++) {
    features(i, row);
    const v = y[i] - mu;
    for (let r = 0; r < p; r++) {
      const x = row[r];
      if (x === 0) continue;
      b[r] += x * v;
      for (let c = 0; c <= r; c++) A[r * p + c] += x * row[c];
    }
  }
  for (let r = 0; r < p; r++) for (let c = r + 1; c < p; c++) A[r * p + c] = A[c * p + r];
  const chol = cholesky(A, p, ridge);
  const coef = choleskySolve(chol, b, p);
  coef[0] += mu;
  // Residuals: AR(1) coefficient and innovation sd.
  let prev = 0, sxx = 0, sxy = 0, last = 0;
  const res = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    features(i, row);
    let f = 0;
    for (let c = 0; c < p; c++) f += coef[c] * row[c];
    res[i] = y[i] - f;
  }
  for (let i = 0; i < n; i++) {
    if (i > 0) { sxx += prev * prev; sxy += prev * res[i]; }
    prev = res[i];
    last = res[i];
  }
  const phi = o.residualAr && sxx > 0 ? Math.min(0.99, Math.max(0, sxy / sxx)) : 0;
  let ss = 0;
  for (let i = 1; i < n; i++) ss += (res[i] - phi * res[i - 1]) ** 2;
  const sigma = Math.sqrt(ss / Math.max(1, n - 1 - p / 2));
  let sumAbs = 0;
  for (let j = 0; j < J; j++) sumAbs += Math.abs(coef[2 + j]);
  let rv = 0;
  for (let i = 0; i < n; i++) rv += res[i] * res[i];
  const curveNoise = (rv / Math.max(1, n - p / 2)) * ((1 + phi) / (1 - phi));
  return { coef, features, p, n, lastResidual: last, phi, sigma, meanAbsDelta: J > 0 ? sumAbs / J : 0, changepointRate: J / (o.changepointRange * span), chol, curveNoise };
}

export function decomposableForecast(fit: DecomposableFit, horizon: number, level: number): ForecastResult {
  const { coef, p, n, phi, sigma } = fit;
  const row = new Float64Array(p);
  const tmp = new Float64Array(p);
  const mean = new Float64Array(horizon);
  const sd = new Float64Array(horizon);
  const span = Math.max(1, n - 1);
  let arVar = 0, phiH = 1;
  for (let h = 0; h < horizon; h++) {
    fit.features(n + h, row);
    let f = 0;
    for (let c = 0; c < p; c++) f += coef[c] * row[c];
    arVar += phiH * phiH;
    phiH *= phi;
    mean[h] = f + phiH * fit.lastResidual;
    // Future changepoints as in Prophet: Poisson in time, Laplace sizes (variance 2 b^2); in tau units.
    const dt = (h + 1) / span;
    const trendVar = (fit.changepointRate * 2 * fit.meanAbsDelta ** 2 * dt ** 3) / 3;
    // Estimation error of the extrapolated curve (trend and cycles), from the penalised normal equations.
    const curveVar = fit.curveNoise * inverseQuadratic(fit.chol, row, p, tmp);
    sd[h] = Math.sqrt(sigma * sigma * arVar + trendVar + curveVar);
  }
  return normalInterval(mean, sd, level, 'decomposable');
}

export class DecomposableForecaster implements Forecaster {
  readonly name = 'decomposable';
  constructor(private readonly opts: DecomposableOptions = {}) {}
  forecast(y: Float64Array, horizon: number, opts: ForecastOptions): ForecastResult {
    return decomposableForecast(fitDecomposable(y, Math.max(1, Math.floor(opts.season)), this.opts), horizon, opts.level ?? 0.95);
  }
}
