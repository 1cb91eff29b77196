import type { CsrGraph } from '../topology/service-graph.js';
import type { RcaOptions, SignalKind } from './options.js';
import type { RcaSignal } from './rank.js';
import { inferKind } from './signal-kind.js';

export const KINDS: readonly SignalKind[] = ['latency', 'errors', 'saturation', 'traffic', 'availability', 'other'];
const KIND_INDEX = Object.fromEntries(KINDS.map((k, i) => [k, i])) as Record<SignalKind, number>;

/**
 * How much an anomaly of one kind in a dependency can account for an anomaly of another kind in
 * its caller (rows: cause kind, columns: effect kind, both in KINDS order). A slow dependency
 * slows its callers and makes some of them time out; failures propagate as failures; a
 * saturated one does everything; a traffic change explains little.
 */
export const EXPLAINS: readonly (readonly number[])[] = [
  //        lat  err  sat  traf avail other
  /* lat */ [1, 0.5, 0.3, 0.3, 0.3, 0.5],
  /* err */ [0.5, 1, 0.3, 0.3, 1, 0.5],
  /* sat */ [1, 1, 0.5, 0.3, 1, 0.5],
  /* traf */ [0.3, 0.3, 0.3, 0.3, 0.3, 0.3],
  /* avail */ [0.5, 1, 0.3, 0.3, 1, 0.5],
  /* other */ [0.5, 0.5, 0.5, 0.5, 0.5, 0.5],
];

/** Per-service summary of the signals, indexed like the graph's CSR (plus services the graph lacks). */
export interface ServiceEvidence {
  names: string[];
  /** Combined anomaly strength in [0, 1]; 0 for services without signals. */
  anomaly: Float64Array;
  /**
   * Strength as a possible cause: traffic changes count less, because load arrives from the
   * callers (a dependency flooded by retries is a symptom of its callers, not their cause).
   */
  cause: Float64Array;
  /** Strength per metric kind: byKind[i * KINDS.length + k], k indexing KINDS. */
  byKind: Float64Array;
  /** Earliest onset, ms; Infinity when none. */
  onset: Float64Array;
  /** Latest onset among the service's signals (a disk fills for minutes, then writes fail). */
  lastOnset: Float64Array;
  /** Metric with the strongest weighted anomaly, and its type. */
  topMetric: string[];
  topKind: SignalKind[];
  /** Metric of the earliest signal. */
  firstMetric: string[];
  anomalous: number[];
  firstOnset: number;
  /** Nodes beyond csr.names (services only seen in signals) have no edges. */
  graphSize: number;
}

export function aggregateSignals(csr: CsrGraph, signals: RcaSignal[], o: RcaOptions): ServiceEvidence {
  const names = csr.names.slice();
  const index = new Map(csr.index);
  for (const s of signals) {
    if (!index.has(s.service)) {
      index.set(s.service, names.length);
      names.push(s.service);
    }
  }
  const n = names.length;
  const anomaly = new Float64Array(n);
  const best = new Float64Array(n);
  const cause = new Float64Array(n);
  const byKind = new Float64Array(n * KINDS.length);
  const onset = new Float64Array(n).fill(Infinity);
  const lastOnset = new Float64Array(n).fill(-Infinity);
  const topMetric: string[] = new Array(n).fill('');
  const topKind: SignalKind[] = new Array(n).fill('other');
  const firstMetric: string[] = new Array(n).fill('');
  // Noisy-or over a service's signals: several independent anomalies are stronger evidence than one.
  const miss = new Float64Array(n).fill(1);
  let firstOnset = Infinity;
  for (const s of signals) {
    if (!(s.score >= o.minScore) || !Number.isFinite(s.onsetMs)) continue;
    const i = index.get(s.service)!;
    const kind = s.kind ?? inferKind(s.metric);
    const w = Math.min(1, Math.max(0, s.score) * (o.kindWeights[kind] ?? 1));
    miss[i] *= 1 - w;
    const c = kind === 'traffic' ? w * o.trafficAsCause : w;
    if (c > cause[i]) cause[i] = c;
    const slot = i * KINDS.length + KIND_INDEX[kind];
    if (w > byKind[slot]) byKind[slot] = w;
    if (w > best[i]) {
      best[i] = w;
      topMetric[i] = s.metric;
      topKind[i] = kind;
    }
    if (s.onsetMs < onset[i] || (s.onsetMs === onset[i] && w > best[i])) {
      onset[i] = s.onsetMs;
      firstMetric[i] = s.metric;
    }
    if (s.onsetMs > lastOnset[i]) lastOnset[i] = s.onsetMs;
    if (s.onsetMs < firstOnset) firstOnset = s.onsetMs;
  }
  const anomalous: number[] = [];
  for (let i = 0; i < n; i++) {
    if (best[i] > 0) {
      // Mostly the strongest signal; corroborating ones add a little.
      anomaly[i] = 0.8 * best[i] + 0.2 * (1 - miss[i]);
      anomalous.push(i);
    }
  }
  return { names, anomaly, cause, byKind, onset, lastOnset, topMetric, topKind, firstMetric, anomalous, firstOnset, graphSize: csr.names.length };
}

/**
 * Time from a service's anomaly to `t`, taking the latest of its onsets that is not after
 * t + tolerance (a fault may smoulder before it spreads); negative when all came after.
 */
export function gapTo(ev: ServiceEvidence, j: number, t: number, toleranceMs: number): number {
  const last = ev.lastOnset[j];
  return last <= t + toleranceMs ? t - last : t - ev.onset[j];
}
