import type { Labels } from '../../core/labels.js';
import type { SeriesForecast } from '../stage/series-forecast.js';
import { firstCrossing, type Direction } from './crossing.js';
import { riskLevel, type RiskLevel, type RiskThresholds } from './risk.js';

/** Capacity risk of one series against its limit. Times are unix ms; null = not within the horizon. */
export interface CapacityRisk {
  /** The capacity entry (config `forecast.capacity[].name`). */
  name: string;
  seriesId: string;
  labels: Labels;
  direction: Direction;
  limit: number;
  /** Last observed value (on the grid). */
  current: number;
  /** When the point forecast reaches the limit (`evaluatedAt` when already past it). */
  at: number | null;
  /** When the pessimistic bound does (upper for `above`, lower for `below`): the earliest plausible time. */
  earliestAt: number | null;
  /** When the optimistic bound does: null means "possibly never within the horizon". */
  latestAt: number | null;
  /** Seconds from `evaluatedAt` to `at`. */
  secondsLeft: number | null;
  risk: RiskLevel;
  /** Risk if the pessimistic bound came true. */
  worstCaseRisk: RiskLevel;
  model: string;
  horizonMs: number;
  stepMs: number;
  evaluatedAt: number;
}

export interface CapacityInput {
  name: string;
  seriesId: string;
  labels: Labels;
  limit: number;
  direction: Direction;
  horizonMs: number;
  risk: RiskThresholds;
  now: number;
}

/** Reads the crossing times off a forecast and grades them. */
export function assessCapacity(f: SeriesForecast, c: CapacityInput): CapacityRisk {
  const { grid, origin, result } = f;
  const v0 = grid.values[grid.values.length - 1]!;
  const step = grid.stepMs;
  const cross = (path: Float64Array) => clip(firstCrossing(path, origin, v0, step, c.limit, c.direction), c.now, c.now + c.horizonMs);
  const pessimistic = c.direction === 'above' ? result.upper : result.lower;
  const optimistic = c.direction === 'above' ? result.lower : result.upper;
  const at = cross(result.mean);
  const earliestAt = cross(pessimistic);
  const latestAt = cross(optimistic);
  const left = (t: number | null) => (t === null ? null : t - c.now);
  return {
    name: c.name,
    seriesId: c.seriesId,
    labels: c.labels,
    direction: c.direction,
    limit: c.limit,
    current: v0,
    at,
    earliestAt,
    latestAt,
    secondsLeft: at === null ? null : (at - c.now) / 1000,
    risk: riskLevel(left(at), c.risk),
    worstCaseRisk: riskLevel(left(earliestAt), c.risk),
    model: result.model,
    horizonMs: c.horizonMs,
    stepMs: step,
    evaluatedAt: c.now,
  };
}

/** A crossing before now (history ended early) counts as now; one after the horizon as none. */
function clip(t: number | null, now: number, end: number): number | null {
  if (t === null || t > end) return null;
  return Math.max(t, now);
}
