import { quantile } from '../stage/quantile.js';

/**
 * Right-sizing: a resource whose use (at the chosen percentile, p95 by
 * default) stays far under its allocation over weeks is oversized. The
 * recommended size is that percentile times a headroom factor, rounded up to
 * the allocation granularity; the saving is the difference at the unit price.
 */
export interface RightsizePolicy {
  /** Quantile of use that must fit, 0..1 (0.95 = p95). */
  percentile: number;
  /** Recommended size = percentile use * headroom. */
  headroom: number;
  /** Flag when the percentile use is under this fraction of the allocation. */
  underUse: number;
  /** Sizes are multiples of this (0.25 CPU, 256 MiB); 0 = any. */
  granularity: number;
  /** Price of one unit of allocation per hour (e.g. per CPU-hour, per byte-hour). */
  unitPricePerHour: number;
  /** Fewest samples (and fraction of the window covered) before judging. */
  minCoverage: number;
}

export interface RightsizeFinding {
  allocation: number;
  /** Use at the percentile over the window. */
  usage: number;
  /** usage / allocation. */
  utilization: number;
  peak: number;
  oversized: boolean;
  recommended: number;
  /** Per month (730 h) at the unit price; 0 when not oversized. */
  monthlySaving: number;
  /** Fraction of the window with data. */
  coverage: number;
}

export const HOURS_PER_MONTH = 730;

export function rightsize(usage: ArrayLike<number>, coverage: number, allocation: number, p: RightsizePolicy): RightsizeFinding | null {
  if (!(allocation > 0) || coverage < p.minCoverage) return null;
  const u = quantile(usage, p.percentile);
  if (!Number.isFinite(u)) return null;
  let peak = -Infinity;
  for (let i = 0; i < usage.length; i++) if (usage[i]! > peak) peak = usage[i]!;
  const raw = Math.max(u * p.headroom, 0);
  const recommended = Math.min(allocation, p.granularity > 0 ? Math.max(p.granularity, Math.ceil(raw / p.granularity - 1e-9) * p.granularity) : raw);
  const oversized = u < p.underUse * allocation && recommended < allocation;
  return {
    allocation,
    usage: u,
    utilization: u / allocation,
    peak,
    oversized,
    recommended: oversized ? recommended : allocation,
    monthlySaving: oversized ? (allocation - recommended) * p.unitPricePerHour * HOURS_PER_MONTH : 0,
    coverage,
  };
}
