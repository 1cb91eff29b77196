import type { CsrGraph, ServiceGraph } from '../topology/service-graph.js';

/**
 * The services near one service in the dependency graph, by how they are
 * related: what it depends on (a fault there reaches it), what depends on it
 * (a fault in it reaches them), and its siblings (callers of the same
 * dependency). Computed once per service and graph version.
 */
export interface Neighbourhood {
  /** Services this one depends on, transitively within maxHops: name -> hops. */
  dependencies: Map<string, number>;
  /** Services that depend on this one within maxHops: name -> hops. */
  dependents: Map<string, number>;
  /** Other direct callers of this one's direct dependencies: name -> the shared dependency. */
  siblings: Map<string, string>;
}

const EMPTY: Neighbourhood = { dependencies: new Map(), dependents: new Map(), siblings: new Map() };

export class NeighbourhoodCache {
  private csr: CsrGraph | undefined;
  private readonly cache = new Map<string, Neighbourhood>();

  constructor(private readonly maxHops: number) {}

  of(graph: ServiceGraph | undefined, service: string): Neighbourhood {
    if (!graph || !graph.has(service)) return EMPTY;
    const csr = graph.csr();
    if (csr !== this.csr) {
      this.csr = csr;
      this.cache.clear();
    }
    let n = this.cache.get(service);
    if (!n) {
      n = compute(csr, csr.index.get(service)!, this.maxHops);
      this.cache.set(service, n);
    }
    return n;
  }
}

function compute(g: CsrGraph, start: number, maxHops: number): Neighbourhood {
  const dependencies = bfs(g.depStart, g.depTarget, start, maxHops, g.names);
  const dependents = bfs(g.revStart, g.revTarget, start, maxHops, g.names);
  const siblings = new Map<string, string>();
  for (let e = g.depStart[start]; e < g.depStart[start + 1]; e++) {
    const d = g.depTarget[e];
    for (let r = g.revStart[d]; r < g.revStart[d + 1]; r++) {
      const s = g.revTarget[r];
      if (s !== start && !siblings.has(g.names[s])) siblings.set(g.names[s], g.names[d]);
    }
  }
  return { dependencies, dependents, siblings };
}

function bfs(start: Int32Array, target: Int32Array, from: number, maxHops: number, names: string[]): Map<string, number> {
  const out = new Map<string, number>();
  const seen = new Set<number>([from]);
  let frontier = [from];
  for (let hop = 1; hop <= maxHops && frontier.length > 0; hop++) {
    const next: number[] = [];
    for (const n of frontier)
      for (let e = start[n]; e < start[n + 1]; e++) {
        const m = target[e];
        if (seen.has(m)) continue;
        seen.add(m);
        out.set(names[m], hop);
        next.push(m);
      }
    frontier = next;
  }
  return out;
}
