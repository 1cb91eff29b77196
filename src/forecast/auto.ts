import type { ForecastOptions, ForecastResult, Forecaster } from './types.js';
import { allPositive } from './log-scale.js';
import { sortedQuantile } from './math.js';
import { seasonalNaive } from './naive.js';
import { AutoregressionForecaster } from './autoregression.js';
import { MstlForecaster } from './mstl.js';
import { DecomposableForecaster } from './decomposable.js';
import { EtsForecaster } from './ets.js';

/**
 * Vigil's default forecaster: every member forecasts from several past origins
 * of the series itself (rolling-origin backtest, the last `origins` windows of
 * the history), members are ranked by their backtest error, and the forecast
 * is the average of the best `combine` members weighted by 1 / backtest error. The interval is the members'
 * own interval, combined the same way and rescaled so that it would have
 * covered the backtest errors at the nominal rate. Positive series are
 * modelled on a log scale. One configuration for every series.
 */
export interface AutoConfig {
  members: Forecaster[];
  /** Backtest windows, each `horizon` long (shorter when the history is short), spaced `originStep` apart. */
  origins: number;
  /** Spacing of the origins in seasons (0.5 = half a season). */
  originStep: number;
  /** How many of the best members to combine, and how: equal weights, or weights proportional to 1 / backtest error. */
  combine: number;
  weighting: 'equal' | 'inverse-error';
  /** Limits of the interval rescaling factor learnt from the backtest. */
  minScale: number;
  maxScale: number;
  logScale: boolean;
  /** How far (in history ranges) a member's forecast may leave the history's range. */
  rangeAllowance: number;
}

export const DEFAULT_AUTO: AutoConfig = {
  members: [
    new AutoregressionForecaster({ penalty: 0.005 }),
    new AutoregressionForecaster({ penalty: 0.005, difference: 'season' }),
    new AutoregressionForecaster({ penalty: 0.005, difference: 1 }),
    new MstlForecaster(),
    new DecomposableForecaster(),
    new EtsForecaster({ trends: ['N', 'Ad'], seasons: ['A'] }),
    seasonalNaive,
  ],
  origins: 5,
  originStep: 1,
  combine: 4,
  weighting: 'inverse-error',
  minScale: 0.8,
  maxScale: 4,
  logScale: true,
  rangeAllowance: 0.5,
};

interface MemberScore { index: number; error: number }

/**
 * Keeps a member's forecast within the history's range widened by
 * `allowance` ranges on each side: a recursion that turns explosive over a long
 * horizon then costs a bounded error instead of an absurd one.
 */
function clampToHistory(r: ForecastResult, z: Float64Array, allowance: number): ForecastResult {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < z.length; i++) {
    const v = z[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(hi >= lo)) return r;
  const pad = allowance * Math.max(hi - lo, 1e-9 + Math.abs(hi) * 1e-6);
  const a = lo - pad, b = hi + pad;
  for (const arr of [r.mean, r.lower, r.upper]) for (let h = 0; h < arr.length; h++) arr[h] = Math.min(b, Math.max(a, arr[h]));
  return r;
}

function finiteResult(r: ForecastResult): boolean {
  for (let h = 0; h < r.mean.length; h++) if (!Number.isFinite(r.mean[h]) || !Number.isFinite(r.lower[h]) || !Number.isFinite(r.upper[h])) return false;
  return true;
}

/** Weighted average of member results (points and interval bounds); weights sum to 1. */
function average(results: ForecastResult[], weights: number[], horizon: number): { mean: Float64Array; lower: Float64Array; upper: Float64Array } {
  const mean = new Float64Array(horizon), lower = new Float64Array(horizon), upper = new Float64Array(horizon);
  results.forEach((r, k) => {
    const w = weights[k];
    for (let h = 0; h < horizon; h++) {
      mean[h] += w * r.mean[h];
      lower[h] += w * r.lower[h];
      upper[h] += w * r.upper[h];
    }
  });
  return { mean, lower, upper };
}

function normalised(w: number[]): number[] {
  const s = w.reduce((a, b) => a + b, 0);
  return s > 0 && Number.isFinite(s) ? w.map((x) => x / s) : w.map(() => 1 / w.length);
}

export function createAutoForecaster(config: Partial<AutoConfig> = {}): Forecaster {
  const cfg: AutoConfig = { ...DEFAULT_AUTO, ...config };
  return {
    name: 'auto',
    forecast(y: Float64Array, horizon: number, opts: ForecastOptions): ForecastResult {
      const level = opts.level ?? 0.95;
      const season = Math.max(1, Math.floor(opts.season));
      const useLog = cfg.logScale && allPositive(y);
      const z = useLog ? y.map(Math.log) : y;
      const mOpts = { season, level };
      const M = cfg.members.length;

      // Rolling-origin backtest on the history only.
      const win = Math.max(1, Math.min(horizon, Math.floor(z.length / 4)));
      const step = Math.max(1, Math.round(cfg.originStep * season));
      const errors = new Float64Array(M);
      const counts = new Float64Array(M);
      const backtests: { origin: number; results: (ForecastResult | null)[] }[] = [];
      for (let k = 0; k < cfg.origins; k++) {
        const origin = z.length - win - k * step;
        if (origin < Math.max(2 * season, 8)) break;
        const past = z.subarray(0, origin);
        const results = cfg.members.map((member, i) => {
          const r = clampToHistory(member.forecast(past, win, mOpts), past, cfg.rangeAllowance);
          if (!finiteResult(r)) { errors[i] = Infinity; return null; }
          for (let h = 0; h < win; h++) {
            const a = z[origin + h];
            if (Number.isNaN(a)) continue;
            errors[i] += Math.abs(a - r.mean[h]);
            counts[i]++;
          }
          return r;
        });
        backtests.push({ origin, results });
      }
      const ranked: MemberScore[] = [];
      for (let i = 0; i < M; i++) ranked.push({ index: i, error: counts[i] > 0 ? errors[i] / counts[i] : backtests.length ? Infinity : 0 });
      ranked.sort((a, b) => a.error - b.error);
      const best = ranked.slice(0, Math.max(1, cfg.combine)).filter((s, j) => j === 0 || Number.isFinite(s.error));
      const chosen = best.map((s) => s.index);
      const weights = normalised(best.map((s) => (cfg.weighting === 'inverse-error' ? 1 / Math.max(s.error, 1e-12) : 1)));

      // Interval scale: the quantile of |error| / half-width of the combined backtest interval.
      let scale = 1;
      const ratios: number[] = [];
      for (const bt of backtests) {
        const rs = chosen.map((i) => bt.results[i]).filter((r): r is ForecastResult => r !== null);
        if (rs.length !== chosen.length) continue;
        const c = average(rs, weights, win);
        for (let h = 0; h < win; h++) {
          const a = z[bt.origin + h];
          if (Number.isNaN(a)) continue;
          const half = a >= c.mean[h] ? c.upper[h] - c.mean[h] : c.mean[h] - c.lower[h];
          if (half > 0) ratios.push(Math.abs(a - c.mean[h]) / half);
        }
      }
      if (ratios.length >= 10) {
        ratios.sort((a, b) => a - b);
        scale = Math.min(cfg.maxScale, Math.max(cfg.minScale, sortedQuantile(ratios, level)));
      }

      // Final forecasts from the full history.
      const finals: ForecastResult[] = [];
      const finalWeights: number[] = [];
      const names: string[] = [];
      chosen.forEach((i, k) => {
        const r = clampToHistory(cfg.members[i].forecast(z, horizon, mOpts), z, cfg.rangeAllowance);
        if (finiteResult(r)) { finals.push(r); finalWeights.push(weights[k]); names.push(r.model); }
      });
      if (finals.length === 0) {
        finals.push(seasonalNaive.forecast(z, horizon, mOpts));
        finalWeights.push(1);
        names.push('snaive');
      }
      const c = average(finals, normalised(finalWeights), horizon);
      for (let h = 0; h < horizon; h++) {
        c.lower[h] = c.mean[h] - scale * (c.mean[h] - c.lower[h]);
        c.upper[h] = c.mean[h] + scale * (c.upper[h] - c.mean[h]);
      }
      if (useLog) for (const a of [c.mean, c.lower, c.upper]) for (let h = 0; h < horizon; h++) a[h] = Math.exp(a[h]);
      return { ...c, level, model: `${useLog ? 'log ' : ''}${names.join('+')}` };
    },
  };
}

const defaultAuto = createAutoForecaster();

/** The default automatic forecaster (see createAutoForecaster). */
export function autoForecast(y: Float64Array, horizon: number, opts: ForecastOptions): ForecastResult {
  return defaultAuto.forecast(y, horizon, opts);
}
