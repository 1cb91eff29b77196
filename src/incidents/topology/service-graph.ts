/**
 * The service dependency graph: services (nodes) and "from calls / depends on to" edges,
 * each edge carrying where it came from. Merging precedence lives here so every writer
 * (config, label discovery, learning) gets the same rule: declared beats discovered beats
 * learned, and a weaker source never replaces a stronger one.
 */

export const SERVICE_NODE_TYPES = ['database', 'cache', 'queue', 'application', 'web', 'network', 'etl', 'lb', 'api', 'unknown'] as const;
export type ServiceNodeType = (typeof SERVICE_NODE_TYPES)[number];

export interface ServiceNode {
  name: string;
  type: string /* database|cache|queue|application|web|network|etl|lb|api|unknown */;
  criticality: 'low' | 'medium' | 'high' | 'critical';
  runbooks?: string[];
}

export type EdgeSource = 'declared' | 'discovered' | 'learned';

/** `from` depends on (calls) `to`: a fault in `to` propagates to `from`. */
export interface DependencyEdge {
  from: string;
  to: string;
  weight: number;
  source: EdgeSource;
  confidence: number;
}

const SOURCE_RANK: Record<EdgeSource, number> = { declared: 3, discovered: 2, learned: 1 };

/** Compressed sparse rows over node indices; built once per graph version for the ranking hot path. */
export interface CsrGraph {
  names: string[];
  index: Map<string, number>;
  /** Outgoing (dependency) edges of node i: targets[depStart[i] .. depStart[i+1]). */
  depStart: Int32Array;
  depTarget: Int32Array;
  depWeight: Float64Array;
  /** Incoming (dependant) edges of node i. */
  revStart: Int32Array;
  revTarget: Int32Array;
  revWeight: Float64Array;
}

export class ServiceGraph {
  private readonly nodes = new Map<string, ServiceNode>();
  private readonly out = new Map<string, Map<string, DependencyEdge>>();
  private readonly inc = new Map<string, Map<string, DependencyEdge>>();
  private csrCache: CsrGraph | undefined;

  /** Adds or updates a service; a known type or runbooks are not erased by a later 'unknown' sighting. */
  addService(n: ServiceNode): void {
    const prev = this.nodes.get(n.name);
    if (prev && n.type === 'unknown' && prev.type !== 'unknown') {
      if (n.runbooks?.length) prev.runbooks = [...new Set([...(prev.runbooks ?? []), ...n.runbooks])];
      return;
    }
    const runbooks = n.runbooks ?? prev?.runbooks;
    this.nodes.set(n.name, { ...n, ...(runbooks ? { runbooks } : {}) });
    if (!this.out.has(n.name)) this.out.set(n.name, new Map());
    if (!this.inc.has(n.name)) this.inc.set(n.name, new Map());
    this.csrCache = undefined;
  }

  /**
   * Adds an edge, creating unknown endpoints. An existing edge from a stronger source wins;
   * from the same source the higher confidence wins. A learned edge opposite to a declared
   * one is dropped: the declared direction is the operator's statement of fact.
   */
  addEdge(e: DependencyEdge): void {
    if (e.from === e.to) return;
    for (const name of [e.from, e.to]) if (!this.nodes.has(name)) this.addService({ name, type: 'unknown', criticality: 'medium' });
    const existing = this.out.get(e.from)!.get(e.to);
    if (existing) {
      const a = SOURCE_RANK[existing.source];
      const b = SOURCE_RANK[e.source];
      if (a > b || (a === b && existing.confidence > e.confidence)) return;
    }
    if (e.source !== 'declared') {
      const reverse = this.out.get(e.to)!.get(e.from);
      if (reverse && SOURCE_RANK[reverse.source] > SOURCE_RANK[e.source]) return;
    }
    const edge = { ...e };
    this.out.get(e.from)!.set(e.to, edge);
    this.inc.get(e.to)!.set(e.from, edge);
    this.csrCache = undefined;
  }

  has(name: string): boolean {
    return this.nodes.has(name);
  }

  services(): ServiceNode[] {
    return [...this.nodes.values()];
  }

  edges(): DependencyEdge[] {
    const all: DependencyEdge[] = [];
    for (const m of this.out.values()) for (const e of m.values()) all.push(e);
    return all;
  }

  service(name: string): ServiceNode | undefined {
    return this.nodes.get(name);
  }

  /** Edges from `name` to what it depends on. */
  dependencies(name: string): DependencyEdge[] {
    return [...(this.out.get(name)?.values() ?? [])];
  }

  /** Edges from services that depend on `name`. */
  dependents(name: string): DependencyEdge[] {
    return [...(this.inc.get(name)?.values() ?? [])];
  }

  /** Shortest undirected path length in hops, or Infinity when longer than maxHops. */
  hops(a: string, b: string, maxHops: number): number {
    if (!this.nodes.has(a) || !this.nodes.has(b)) return Infinity;
    if (a === b) return 0;
    let frontier = [a];
    const seen = new Set([a]);
    for (let d = 1; d <= maxHops && frontier.length > 0; d++) {
      const next: string[] = [];
      for (const n of frontier) {
        for (const m of [this.out.get(n)!.keys(), this.inc.get(n)!.keys()]) {
          for (const k of m) {
            if (k === b) return d;
            if (!seen.has(k)) {
              seen.add(k);
              next.push(k);
            }
          }
        }
      }
      frontier = next;
    }
    return Infinity;
  }

  /** Shortest directed path a -> ... -> b along dependencies (a depends transitively on b), or []. */
  dependencyPath(a: string, b: string, maxHops: number): string[] {
    if (!this.nodes.has(a) || !this.nodes.has(b)) return [];
    if (a === b) return [a];
    const parent = new Map<string, string>([[a, a]]);
    let frontier = [a];
    for (let d = 1; d <= maxHops && frontier.length > 0; d++) {
      const next: string[] = [];
      for (const n of frontier) {
        for (const k of this.out.get(n)!.keys()) {
          if (parent.has(k)) continue;
          parent.set(k, n);
          if (k === b) {
            const path = [b];
            let cur = b;
            while (cur !== a) {
              cur = parent.get(cur)!;
              path.push(cur);
            }
            return path.reverse();
          }
          next.push(k);
        }
      }
      frontier = next;
    }
    return [];
  }

  /** The graph as CSR arrays; cached until the next mutation. */
  csr(): CsrGraph {
    if (this.csrCache) return this.csrCache;
    const names = [...this.nodes.keys()];
    const index = new Map(names.map((n, i) => [n, i]));
    const n = names.length;
    const edges = this.edges();
    const depStart = new Int32Array(n + 1);
    const revStart = new Int32Array(n + 1);
    for (const e of edges) {
      depStart[index.get(e.from)! + 1]++;
      revStart[index.get(e.to)! + 1]++;
    }
    for (let i = 0; i < n; i++) {
      depStart[i + 1] += depStart[i];
      revStart[i + 1] += revStart[i];
    }
    const depTarget = new Int32Array(edges.length);
    const depWeight = new Float64Array(edges.length);
    const revTarget = new Int32Array(edges.length);
    const revWeight = new Float64Array(edges.length);
    const depFill = depStart.slice(0, n);
    const revFill = revStart.slice(0, n);
    for (const e of edges) {
      const f = index.get(e.from)!;
      const t = index.get(e.to)!;
      const w = e.weight * (e.source === 'learned' ? e.confidence : 1);
      depTarget[depFill[f]] = t;
      depWeight[depFill[f]++] = w;
      revTarget[revFill[t]] = f;
      revWeight[revFill[t]++] = w;
    }
    this.csrCache = { names, index, depStart, depTarget, depWeight, revStart, revTarget, revWeight };
    return this.csrCache;
  }
}
