import { quantile } from '../stage/quantile.js';
import type { SeriesForecast } from '../stage/series-forecast.js';

/**
 * Predictive scaling for a workload series (CPU utilisation, request rate).
 * The forecast's peak within the horizon is compared with the capacity the
 * current fleet has at the target utilisation:
 * - SCALE_SOON when the predicted peak exceeds it, with the scale-up
 *   percentage and replica count that bring the peak back to the target;
 * - SCALE_DOWN when recent history and the whole forecast (its upper bound,
 *   so a coming peak is never cut) stay under `scaleDownBelow` of capacity:
 *   sustained headroom;
 * - HOLD otherwise.
 */
export type ScalingAction = 'SCALE_SOON' | 'SCALE_DOWN' | 'HOLD';

export interface ScalingPolicy {
  /**
   * Capacity of one replica in the series' units (requests/s a replica
   * serves). When absent the series is a utilisation of the whole fleet and
   * `full` is its value at 100% (1 for a ratio, 100 for percent).
   */
  perReplica?: number;
  full: number;
  /** Utilisation to plan for, 0..1. */
  target: number;
  /** Utilisation under which the fleet is oversized, 0..1 (below target). */
  scaleDownBelow: number;
  /** Current replicas, when known. */
  replicas?: number;
  minReplicas: number;
  maxReplicas: number;
}

export interface ScalingRecommendation {
  action: ScalingAction;
  /** Predicted peak (point forecast) within the horizon, and when (unix ms). */
  predictedPeak: number;
  peakAt: number;
  /** Upper bound of the interval at the peak. */
  peakUpper: number;
  /** Predicted peak utilisation of the current fleet, 0..1 (peak / capacity). */
  peakUtilization: number;
  /** Capacity increase needed to bring the peak to the target, percent (negative: a decrease). */
  scaleByPercent: number;
  currentReplicas?: number;
  recommendedReplicas?: number;
  /** Why, in one sentence. */
  reason: string;
}

export function recommendScaling(f: SeriesForecast, p: ScalingPolicy): ScalingRecommendation {
  const { mean, upper } = f.result;
  const step = f.grid.stepMs;
  let iPeak = 0;
  for (let h = 1; h < mean.length; h++) if (mean[h]! > mean[iPeak]!) iPeak = h;
  const peak = mean[iPeak]!;
  let maxUpper = -Infinity;
  for (let h = 0; h < upper.length; h++) if (upper[h]! > maxUpper) maxUpper = upper[h]!;
  const recentHigh = quantile(f.grid.values, 0.95);
  const r = p.replicas;
  // Capacity of the current fleet in the series' units.
  const capacity = p.perReplica !== undefined ? p.perReplica * (r ?? 1) : p.full;
  const util = (v: number) => v / capacity;
  // Replicas that serve `load` at the target utilisation.
  const needed = (load: number) => {
    const n = p.perReplica !== undefined ? load / (p.perReplica * p.target) : ((r ?? 1) * util(load)) / p.target;
    return Math.min(p.maxReplicas, Math.max(p.minReplicas, Math.ceil(n - 1e-9)));
  };
  const base = {
    predictedPeak: peak,
    peakAt: f.origin + (iPeak + 1) * step,
    peakUpper: upper[iPeak]!,
    peakUtilization: util(peak),
    currentReplicas: r,
  };
  const pct = (ratio: number) => Math.round((ratio - 1) * 1000) / 10;
  if (util(peak) > p.target) {
    const rec = r !== undefined || p.perReplica !== undefined ? needed(peak) : undefined;
    return {
      ...base,
      action: 'SCALE_SOON',
      scaleByPercent: pct(util(peak) / p.target),
      recommendedReplicas: rec,
      reason: `predicted peak ${fmt(util(peak))} of capacity exceeds the ${fmt(p.target)} target`,
    };
  }
  const sustained = Math.max(maxUpper, recentHigh);
  if (util(sustained) < p.scaleDownBelow) {
    const rec = r !== undefined || p.perReplica !== undefined ? needed(sustained) : undefined;
    if (rec === undefined || r === undefined || rec < r)
      return {
        ...base,
        action: 'SCALE_DOWN',
        scaleByPercent: pct(util(sustained) / p.target),
        recommendedReplicas: rec,
        reason: `recent p95 and the forecast's upper bound stay under ${fmt(p.scaleDownBelow)} of capacity`,
      };
  }
  return { ...base, action: 'HOLD', scaleByPercent: 0, recommendedReplicas: r, reason: `predicted peak ${fmt(util(peak))} of capacity is within the ${fmt(p.target)} target` };
}

function fmt(ratio: number): string {
  return `${Math.round(ratio * 100)}%`;
}
