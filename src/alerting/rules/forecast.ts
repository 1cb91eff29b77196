/**
 * The evaluation contract between forecast rules and a forecasting stage.
 * The rule asks, per series: "when, within `horizonMs`, is this series
 * predicted to cross `limit`?" The forecasting stage (not built yet) will
 * implement this interface; until then `LinearTrendForecaster` (least squares
 * over the rule's window) makes forecast rules work.
 */

export interface ForecastResult {
  /** Predicted time of crossing (unix ms; `now` when already past the limit), or null when not within the horizon. */
  at: number | null;
  /** Predicted value at the end of the horizon. */
  value: number;
  /** Upper bound of the prediction interval at the end of the horizon. */
  upper: number;
  /** Lower bound of the prediction interval at the end of the horizon (optional for providers). */
  lower?: number;
}

/** What the evaluator knows when it asks; a provider with its own model may ignore `data`. */
export interface ForecastContext {
  now: number;
  /** The rule's history window, ms. */
  windowMs: number;
  /** Crossing upwards (a disk filling) or downwards (free memory draining). Default 'above'. */
  direction?: 'above' | 'below';
  /** The series' samples in (now - windowMs, now], stale markers removed. */
  data?: { timestamps: ArrayLike<number>; values: ArrayLike<number> };
}

export interface ForecastProvider {
  timeToCross(seriesId: string, limit: number, horizonMs: number, ctx?: ForecastContext): ForecastResult;
}

const NONE: ForecastResult = { at: null, value: NaN, upper: NaN, lower: NaN };

/**
 * Ordinary least squares line through the window's samples, extrapolated.
 * The crossing is where the fitted line meets the limit; the interval is the
 * line ±2 residual standard deviations (no widening with distance: a simple
 * default, not a forecasting model). Needs at least 3 samples.
 */
export class LinearTrendForecaster implements ForecastProvider {
  constructor(private readonly minSamples = 3) {}

  timeToCross(_seriesId: string, limit: number, horizonMs: number, ctx?: ForecastContext): ForecastResult {
    const d = ctx?.data;
    if (!ctx || !d || d.timestamps.length < this.minSamples) return NONE;
    const fit = fitLine(d.timestamps, d.values, ctx.now);
    if (!fit) return NONE;
    const h = horizonMs / 1000;
    const value = fit.intercept + fit.slope * h;
    const band = 2 * fit.residualStd;
    const result = { value, upper: value + band, lower: value - band };
    const below = ctx.direction === 'below';
    const current = fit.intercept;
    if (below ? current <= limit : current >= limit) return { at: ctx.now, ...result };
    const towards = below ? fit.slope < 0 : fit.slope > 0;
    if (!towards) return { at: null, ...result };
    const seconds = (limit - current) / fit.slope;
    return { at: seconds <= h ? ctx.now + Math.round(seconds * 1000) : null, ...result };
  }
}

/** Least-squares line v = intercept + slope * (t - now) / 1000 (slope per second, intercept at `now`). */
export function fitLine(ts: ArrayLike<number>, vs: ArrayLike<number>, now: number): { slope: number; intercept: number; residualStd: number } | null {
  let n = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < ts.length; i++) {
    const v = vs[i]!;
    if (!Number.isFinite(v)) continue;
    n++;
    sx += (ts[i]! - now) / 1000;
    sy += v;
  }
  if (n < 2) return null;
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < ts.length; i++) {
    const v = vs[i]!;
    if (!Number.isFinite(v)) continue;
    const dx = (ts[i]! - now) / 1000 - mx;
    sxx += dx * dx;
    sxy += dx * (v - my);
  }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  let sse = 0;
  for (let i = 0; i < ts.length; i++) {
    const v = vs[i]!;
    if (!Number.isFinite(v)) continue;
    const r = v - (intercept + slope * ((ts[i]! - now) / 1000));
    sse += r * r;
  }
  return { slope, intercept, residualStd: n > 2 ? Math.sqrt(sse / (n - 2)) : 0 };
}
