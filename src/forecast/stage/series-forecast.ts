import type { ForecastOptions, ForecastResult } from '../types.js';
import { chooseStep, dailySeason, gridEnd, medianInterval, resample, type Grid } from './grid.js';

/** A forecasting function with the contract of `autoForecast` (any Forecaster's `forecast`). */
export type ForecastFn = (y: Float64Array, horizon: number, opts: ForecastOptions) => ForecastResult;

export interface SeriesForecastOptions {
  /** The forecast's origin: history is read up to here. */
  now: number;
  windowMs: number;
  horizonMs: number;
  /** Grid step; default chosen from the window, horizon and sample interval. */
  stepMs?: number;
  level: number;
  maxHistoryPoints: number;
  maxHorizonSteps: number;
  /** Seasonal period in points; default the daily cycle when two days of history exist. */
  season?: number;
}

/** One series' history on a grid and its forecast from the grid's last point. */
export interface SeriesForecast {
  grid: Grid;
  /** Time of the last history point; forecast point h (0-based) is at origin + (h+1)*step. */
  origin: number;
  season: number;
  result: ForecastResult;
}

/** Fewest grid points worth forecasting from. */
export const MIN_POINTS = 3;

/** Resamples one series' samples and forecasts it; null when there is too little history. */
export function forecastSamples(ts: ArrayLike<number>, vs: ArrayLike<number>, fn: ForecastFn, o: SeriesForecastOptions): SeriesForecast | null {
  const stepMs = o.stepMs ?? chooseStep(o.windowMs, o.horizonMs, medianInterval(ts), o.maxHistoryPoints, o.maxHorizonSteps);
  const grid = resample(ts, vs, o.now - o.windowMs, o.now, stepMs);
  if (grid.values.length < MIN_POINTS) return null;
  const origin = gridEnd(grid);
  // The horizon counts from now; history may end a little before it.
  const steps = Math.max(1, Math.ceil((o.now + o.horizonMs - origin) / stepMs));
  const season = o.season ?? dailySeason(stepMs, grid.values.length);
  const result = fn(grid.values, steps, { season: season < grid.values.length ? season : 1, level: o.level });
  return { grid, origin, season, result };
}
