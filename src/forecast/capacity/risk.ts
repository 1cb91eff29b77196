/**
 * Risk from the time left before a limit is reached: high under `highMs`,
 * medium under `mediumMs`, low beyond (or when the forecast never reaches
 * the limit within its horizon). Fast resources (connection pools, queues)
 * use minutes and hours; disks days.
 */
export type RiskLevel = 'high' | 'medium' | 'low';

export interface RiskThresholds {
  highMs: number;
  mediumMs: number;
}

export const DEFAULT_RISK: RiskThresholds = { highMs: 7 * 86_400_000, mediumMs: 30 * 86_400_000 };

export function riskLevel(msLeft: number | null, th: RiskThresholds): RiskLevel {
  if (msLeft === null) return 'low';
  if (msLeft < th.highMs) return 'high';
  if (msLeft < th.mediumMs) return 'medium';
  return 'low';
}

const ORDER: Record<RiskLevel, number> = { high: 0, medium: 1, low: 2 };

/** For sorting: higher risk first. */
export function riskRank(r: RiskLevel): number {
  return ORDER[r];
}
