import type { ServiceGraph } from '../topology/service-graph.js';
import { recommendedActions } from './actions.js';
import { DEFAULT_RCA_OPTIONS, type RcaOptions } from './options.js';
import { aggregateSignals, type ServiceEvidence } from './signals.js';
import { walkScores } from './walk.js';

export type { RcaOptions } from './options.js';
export { DEFAULT_RCA_OPTIONS } from './options.js';

/** One anomaly observed on one metric of one service. */
export interface RcaSignal {
  service: string;
  metric: string;
  onsetMs: number;
  /** Anomaly strength in [0, 1]. */
  score: number;
  kind?: 'latency' | 'errors' | 'saturation' | 'traffic' | 'availability' | 'other';
  labels?: Record<string, string>;
}

export interface RootCauseCandidate {
  service: string;
  score: number;
  metric?: string;
  evidence: {
    firstAnomaly?: { metric: string; atMs: number };
    /** Anomalous services this one depends on (directly or within a few hops). */
    upstream: string[];
    /** Anomalous services that depend on this one: the blast radius. */
    downstream: string[];
    /** From the most affected dependant down to this service, along dependencies. */
    path: string[];
    notes: string[];
  };
  actions: string[];
  runbooks: string[];
}

/**
 * Ranks the services most likely to have started an incident. A random walk that starts at
 * anomalous services and moves towards their anomalous dependencies (against the direction
 * faults travel) settles where the anomaly cannot be explained further down; that score is
 * then sharpened by who went anomalous first and by metric type and strength.
 */
export function rankRootCauses(graph: ServiceGraph, signals: RcaSignal[], opts: Partial<RcaOptions> = {}): RootCauseCandidate[] {
  const o: RcaOptions = { ...DEFAULT_RCA_OPTIONS, ...opts, kindWeights: { ...DEFAULT_RCA_OPTIONS.kindWeights, ...(opts.kindWeights ?? {}) } };
  const csr = graph.csr();
  const ev = aggregateSignals(csr, signals, o);
  if (ev.anomalous.length === 0) return [];
  const scores = walkScores(csr, ev, o);
  const order = Array.from(scores.keys())
    .filter((i) => scores[i] > 0)
    .sort((a, b) => scores[b] - scores[a] || ev.onset[a] - ev.onset[b]);
  const top = order.slice(0, o.maxCandidates);
  const total = top.reduce((s, i) => s + scores[i], 0) || 1;
  return top.map((i) => candidate(graph, ev, i, scores[i] / total, o));
}

function candidate(graph: ServiceGraph, ev: ServiceEvidence, i: number, score: number, o: RcaOptions): RootCauseCandidate {
  const name = ev.names[i];
  const node = graph.service(name);
  const anomalous = new Set(ev.anomalous.map((k) => ev.names[k]));
  const upstream: string[] = [];
  const downstream: string[] = [];
  for (const other of anomalous) {
    if (other === name) continue;
    if (graph.dependencyPath(name, other, o.evidenceHops).length) upstream.push(other);
    else if (graph.dependencyPath(other, name, o.evidenceHops).length) downstream.push(other);
  }
  // The path the fault most plausibly travelled: from the farthest affected dependant to here.
  let path: string[] = ev.anomaly[i] > 0 ? [name] : [];
  for (const d of downstream) {
    const p = graph.dependencyPath(d, name, o.evidenceHops);
    if (p.length > path.length) path = p;
  }
  const notes: string[] = [];
  const metric = ev.topMetric[i];
  if (ev.anomaly[i] > 0 && ev.onset[i] === ev.firstOnset) notes.push(`earliest anomaly of the incident (${metric})`);
  else if (ev.anomaly[i] > 0) notes.push(`anomalous ${Math.round((ev.onset[i] - ev.firstOnset) / 1000)} s after the first anomaly`);
  else notes.push('no anomaly of its own; common dependency of anomalous services');
  if (upstream.length === 0 && downstream.length > 0) notes.push(`none of its dependencies is anomalous; ${downstream.length} dependant(s) are`);
  if (!node || node.type === 'unknown') notes.push('service type unknown (not declared in vigil.yaml)');
  return {
    service: name,
    score,
    ...(metric ? { metric } : {}),
    evidence: {
      ...(metric ? { firstAnomaly: { metric: ev.firstMetric[i], atMs: ev.onset[i] } } : {}),
      upstream,
      downstream,
      path,
      notes,
    },
    actions: recommendedActions(node?.type ?? 'unknown', ev.topKind[i]),
    runbooks: node?.runbooks ?? [],
  };
}
