import { robustBaseline } from '../src/incidents/rca/onset.js';
import type { RcaSignal } from '../src/incidents/rca/rank.js';
import type { MetricTable, PetshopIssue, PetshopScenario } from './petshop-data.js';

/**
 * Root-cause signals from one PetShop issue: one per metric column that leaves its normal range in
 * the issue window, against normal operation (the `noissue` data, or, where a scenario has none,
 * the other issues' windows, which are normal for most nodes).
 */

/** The knobs of the signal extraction; the bench uses one configuration, chosen on train/ only. */
export interface PetshopSignalConfig {
  zThreshold: number;
  /** Scale floors per metric: a flat baseline must not turn a tiny change into a huge z. */
  relativeFloor: Record<string, number>;
  absoluteFloor: Record<string, number>;
  /** Share of a signal's strength that depends on moving with the target's metric, row by row. */
  coMovement: number;
  /** Weight of a signal of another metric than the violated one (latency for an availability SLO, say). */
  otherSymptom: number;
  /** Statistics that give signals. */
  statistics: ReadonlySet<string>;
}

/** Rows aggregate five minutes. */
export const ROW_MS = 5 * 60_000;

export const DEFAULT_PETSHOP_SIGNALS: PetshopSignalConfig = {
  zThreshold: 3,
  // Availability is a percentage near 100: a relative floor would hide a drop to 96%.
  relativeFloor: { latency: 0.05, availability: 0, requests: 0.05 },
  absoluteFloor: { latency: 1e-3, availability: 0.5, requests: 1 },
  coMovement: 1,
  otherSymptom: 0.7,
  // Mean and tail latency plus request counts: on train/ the middle percentiles added noise.
  statistics: new Set(['Average', 'p99', 'Sum']),
};

/**
 * Onset at the first row beyond the threshold from the violation on, strength 1 - threshold / z.
 * Latency counts when it rises, availability when it falls, request counts either way.
 */
export function issueSignals(sc: PetshopScenario, issue: PetshopIssue, cfg: PetshopSignalConfig = DEFAULT_PETSHOP_SIGNALS): RcaSignal[] {
  const m = issue.metrics;
  const targetMs = issue.target.timestamp * 1000;
  const profiles = m.columns.map((col, j) => (cfg.statistics.has(col.statistic) || isTarget(issue, col) ? profile(sc, issue, j, cfg) : undefined));
  const targetColumn = m.columns.findIndex((c) => isTarget(issue, c));
  const targetProfile = targetColumn >= 0 ? profiles[targetColumn] : undefined;
  const signals: RcaSignal[] = [];
  m.columns.forEach((col, j) => {
    const z = profiles[j];
    if (!z || !cfg.statistics.has(col.statistic)) return;
    // Rows that end before the violation show the state before the issue: a column already that far
    // out (a slow drift since the normal period) only counts by how much further it moves.
    let before = 0;
    for (let r = 0; r < z.length; r++) if (m.times[r] + ROW_MS <= targetMs && Number.isFinite(z[r])) before = Math.max(before, z[r]);
    let onset = -1;
    let maxZ = 0;
    for (let r = 0; r < z.length; r++) {
      if (!Number.isFinite(z[r]) || m.times[r] + ROW_MS <= targetMs) continue;
      const lift = z[r] - before;
      if (lift > cfg.zThreshold && onset < 0) onset = r;
      if (lift > maxZ) maxZ = lift;
    }
    if (onset < 0) return;
    // What moves with the violation, row by row, explains it better than what moves on its own.
    const together = targetProfile ? Math.max(0, correlation(z, targetProfile)) : 1;
    const sameSymptom = col.metric === issue.target.metric ? 1 : cfg.otherSymptom;
    const score = (1 - cfg.zThreshold / maxZ) * (1 - cfg.coMovement + cfg.coMovement * together) * sameSymptom;
    const kind = col.metric === 'latency' ? 'latency' : col.metric === 'availability' ? 'availability' : 'traffic';
    signals.push({ service: col.node, metric: `${col.metric}_${col.statistic}`, onsetMs: m.times[onset], score, kind });
  });
  return signals;
}

function isTarget(issue: PetshopIssue, col: { node: string; metric: string; statistic: string }): boolean {
  return col.node === issue.target.node && col.metric === issue.target.metric && col.statistic === issue.target.agg;
}

/** Badness of every row of one column in baseline scales (latency up, availability down, requests either way). */
function profile(sc: PetshopScenario, issue: PetshopIssue, j: number, cfg: PetshopSignalConfig): Float64Array | undefined {
  const col = issue.metrics.columns[j];
  const history = baselineValues(sc, issue, col.node, col.metric, col.statistic);
  const base = history && robustBaseline(history, 0, history.length, cfg.relativeFloor[col.metric] ?? 0.05);
  if (!base) return undefined;
  const sigma = Math.max(base.sigma, cfg.absoluteFloor[col.metric] ?? 0);
  return Float64Array.from(issue.metrics.values[j], (v) => {
    const d = (v - base.median) / sigma;
    return col.metric === 'availability' ? -d : col.metric === 'requests' ? Math.abs(d) : d;
  });
}

/** Pearson correlation over rows where both are finite; 0 with fewer than three such rows or no variation. */
export function correlation(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let n = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]) || !Number.isFinite(y[i])) continue;
    n++;
    sx += x[i];
    sy += y[i];
  }
  if (n < 3) return 0;
  const mx = sx / n;
  const my = sy / n;
  let cxy = 0;
  let cxx = 0;
  let cyy = 0;
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]) || !Number.isFinite(y[i])) continue;
    cxy += (x[i] - mx) * (y[i] - my);
    cxx += (x[i] - mx) ** 2;
    cyy += (y[i] - my) ** 2;
  }
  return cxx > 0 && cyy > 0 ? cxy / Math.sqrt(cxx * cyy) : 0;
}

/** Normal values of one column: the noissue data, else every other issue's window in the scenario. */
function baselineValues(sc: PetshopScenario, issue: PetshopIssue, node: string, metric: string, statistic: string): number[] | undefined {
  const column = (t: MetricTable) => t.columns.findIndex((c) => c.node === node && c.metric === metric && c.statistic === statistic);
  if (sc.noIssue) {
    const k = column(sc.noIssue);
    return k >= 0 ? Array.from(sc.noIssue.values[k]) : undefined;
  }
  const values: number[] = [];
  for (const other of sc.issues) {
    if (other === issue) continue;
    const k = column(other.metrics);
    if (k >= 0) values.push(...other.metrics.values[k]);
  }
  return values;
}
