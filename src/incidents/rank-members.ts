import type { IncidentMember } from './model.js';
import { type RcaSignal, type RootCauseCandidate, rankRootCauses } from './rca/rank.js';
import { ServiceGraph } from './topology/service-graph.js';

/**
 * Root-cause ranking of an incident's members: their signals through
 * `rankRootCauses`, on the service graph extended with any member service it
 * does not know (so an undeclared service can still be named), then weighed
 * by priors learned from labelled incidents.
 */

export function memberSignals(members: readonly IncidentMember[]): RcaSignal[] {
  const out: RcaSignal[] = [];
  for (const m of members) {
    if (!m.service) continue;
    out.push({ service: m.service, metric: m.metric, onsetMs: m.t, score: m.score, kind: m.symptom, labels: { ...m.labels } });
  }
  return out;
}

export class MemberRanker {
  private base: unknown;
  private extended: ServiceGraph | undefined;

  constructor(
    /** How much a labelled history moves a service's score: factor (1 + priorWeight * share of past root causes). */
    private readonly priorWeight = 1,
  ) {}

  rank(graph: ServiceGraph | undefined, members: readonly IncidentMember[], priors: ReadonlyMap<string, number> = new Map()): RootCauseCandidate[] {
    const signals = memberSignals(members);
    if (signals.length === 0) return [];
    const g = this.graphFor(graph, signals);
    let ranked = rankRootCauses(g, signals);
    if (priors.size > 0 && ranked.length > 1) {
      ranked = ranked.map((c) => ({ ...c, score: c.score * (1 + this.priorWeight * (priors.get(c.service) ?? 0)) }));
      const total = ranked.reduce((s, c) => s + c.score, 0) || 1;
      ranked = ranked.map((c) => ({ ...c, score: c.score / total })).sort((a, b) => b.score - a.score);
    }
    return ranked.map((c) => ({ ...c, score: Math.round(c.score * 1000) / 1000 }));
  }

  /** The graph, or a copy of it extended with the unknown services (cached while the graph does not change). */
  private graphFor(graph: ServiceGraph | undefined, signals: readonly RcaSignal[]): ServiceGraph {
    const missing = signals.filter((s) => !(graph?.has(s.service) ?? false));
    if (graph && missing.length === 0) return graph;
    // The graph's CSR form is rebuilt on every change: its identity says whether the copy is current.
    const version = graph?.csr();
    if (this.base !== version || !this.extended) {
      this.base = version;
      this.extended = new ServiceGraph();
      for (const n of graph?.services() ?? []) this.extended.addService(n);
      for (const e of graph?.edges() ?? []) this.extended.addEdge(e);
    }
    for (const s of missing) if (!this.extended.has(s.service)) this.extended.addService({ name: s.service, type: 'unknown', criticality: 'medium' });
    return this.extended;
  }
}
