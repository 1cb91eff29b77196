import type { ServiceGraph } from '../topology/service-graph.js';
import { recommendedActions } from './actions.js';
import { DEFAULT_RCA_OPTIONS, type RcaOptions } from './options.js';
import { coverage, coverageScratch } from './coverage.js';
import { budgetSignals } from './budget.js';
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
  /**
   * Size of the anomaly in units that add up along calls, where known: seconds of waiting beyond
   * normal (latency rise x requests), failed requests beyond normal. With a target, a service's
   * signal counts by the share of the target's excess of the same kind it can account for.
   */
  excess?: number;
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
  const scope = o.target !== undefined && graph.has(o.target) ? dependencyClosure(graph, o.target) : undefined;
  // Every signal is evidence (a caller outside the scope still points at a shared dependency);
  // only services in the scope may be candidates.
  const ev = aggregateSignals(csr, scope ? budgetSignals(signals, o.target!) : signals, o);
  if (ev.anomalous.length === 0) return [];
  const { scores, lagScale } = walkScores(csr, ev, o);
  if (Object.keys(o.typePrior).length > 0) applyTypePrior(graph, ev, scores, o.typePrior);
  const byWalk = Array.from(scores.keys())
    .filter((i) => scores[i] > 0 && (!scope || scope.has(ev.names[i])))
    .sort((a, b) => scores[b] - scores[a] || ev.onset[a] - ev.onset[b]);
  // The walk's leaders are re-weighed by how much of the incident each explains.
  const lead = byWalk.slice(0, o.rerankTop);
  const scratch = coverageScratch(ev.names.length);
  const cover = lead.map((i) => coverage(csr, ev, i, lagScale, o, scratch));
  // Earliness is measured from the earliest onset among the candidates that explain much of the
  // incident, so an early but unrelated blip does not set the clock.
  const maxCover = Math.max(...cover);
  let clock = Infinity;
  lead.forEach((i, k) => {
    if (cover[k] >= 0.5 * maxCover && ev.onset[i] < clock) clock = ev.onset[i];
  });
  if (o.targetAt !== undefined && o.targetAt < clock) clock = o.targetAt;
  lead.forEach((i, k) => {
    const late = Number.isFinite(ev.onset[i]) ? Math.max(0, ev.onset[i] - clock) : 0;
    const early = Math.exp(-late / (o.maxHopLags * lagScale));
    scores[i] *= Math.pow(cover[k], o.coverageExponent) * (1 - o.onsetWeight + o.onsetWeight * early);
  });
  const order = byWalk.slice(0, o.rerankTop).sort((a, b) => scores[b] - scores[a] || ev.onset[a] - ev.onset[b]);
  const top = [...order, ...byWalk.slice(o.rerankTop)].slice(0, o.maxCandidates);
  const total = top.reduce((s, i) => s + scores[i], 0) || 1;
  return top.map((i) => candidate(graph, ev, i, scores[i] / total, o));
}

function candidate(graph: ServiceGraph, ev: ServiceEvidence, i: number, score: number, o: RcaOptions): RootCauseCandidate {
  const name = ev.names[i];
  const node = graph.service(name);
  const csr = graph.csr();
  const down = i < ev.graphSize ? bfs(csr.depStart, csr.depTarget, i, o.evidenceHops, ev.names.length) : undefined;
  const up = i < ev.graphSize ? bfs(csr.revStart, csr.revTarget, i, o.evidenceHops, ev.names.length) : undefined;
  const upstream: string[] = [];
  const downstream: string[] = [];
  let farthest = -1;
  for (const k of ev.anomalous) {
    if (k === i) continue;
    if (down && down.depth[k] > 0) upstream.push(ev.names[k]);
    else if (up && up.depth[k] > 0) {
      downstream.push(ev.names[k]);
      if (farthest < 0 || up.depth[k] > up.depth[farthest]) farthest = k;
    }
  }
  // The path the fault most plausibly travelled: from the farthest affected dependant to here.
  const path: string[] = [];
  if (up && farthest >= 0) for (let k = farthest; k !== -1; k = k === i ? -1 : up.parent[k]) path.push(ev.names[k]);
  else if (ev.anomaly[i] > 0) path.push(name);
  const notes: string[] = [];
  const metric = ev.topMetric[i];
  if (ev.anomaly[i] > 0 && ev.onset[i] === ev.firstOnset) notes.push(`earliest anomaly of the incident (${ev.firstMetric[i]})`);
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
    actions: recommendedActions(node?.type ?? 'unknown', metric ? ev.topKind[i] : undefined),
    runbooks: node?.runbooks ?? [],
  };
}

/** Multiplies each anomalous service's score by its type's prior, where one is given. */
function applyTypePrior(graph: ServiceGraph, ev: ServiceEvidence, scores: Float64Array, prior: Record<string, number>): void {
  for (let i = 0; i < ev.graphSize; i++) {
    if (scores[i] === 0) continue;
    const p = prior[graph.service(ev.names[i])?.type ?? 'unknown'];
    if (p !== undefined) scores[i] *= p;
  }
}

/** A service and everything it depends on, transitively. */
function dependencyClosure(graph: ServiceGraph, root: string): Set<string> {
  const seen = new Set([root]);
  const stack = [root];
  while (stack.length) {
    for (const e of graph.dependencies(stack.pop()!)) {
      if (seen.has(e.to)) continue;
      seen.add(e.to);
      stack.push(e.to);
    }
  }
  return seen;
}

/** Breadth-first search over one CSR direction: depth (-1 unreached, 0 the source) and parent. */
function bfs(start: Int32Array, target: Int32Array, source: number, maxHops: number, n: number): { depth: Int32Array; parent: Int32Array } {
  const depth = new Int32Array(n).fill(-1);
  const parent = new Int32Array(n).fill(-1);
  const queue = new Int32Array(n);
  let head = 0;
  let tail = 0;
  depth[source] = 0;
  queue[tail++] = source;
  while (head < tail) {
    const s = queue[head++];
    if (depth[s] >= maxHops) continue;
    for (let k = start[s]; k < start[s + 1]; k++) {
      const t = target[k];
      if (depth[t] >= 0) continue;
      depth[t] = depth[s] + 1;
      parent[t] = s;
      queue[tail++] = t;
    }
  }
  return { depth, parent };
}
