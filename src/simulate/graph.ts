import { VigilError } from '../core/errors.js';
import { HARDWARE, SERVICE_TYPES, type DependencyEdge, type HostSpec, type ServiceNode, type Topology } from './topology.js';

/**
 * Index form of a topology for the hot loop: services by number, adjacency lists both ways,
 * and a topological order (callers before callees) for pushing load down the graph.
 */
export interface ServiceGraph {
  readonly topology: Topology;
  readonly index: ReadonlyMap<string, number>;
  /** deps[s]: edge indices leaving s (s calls edge.to). */
  readonly deps: readonly number[][];
  /** callers[s]: edge indices entering s (edge.from calls s). */
  readonly callers: readonly number[][];
  readonly edgeFrom: Int32Array;
  readonly edgeTo: Int32Array;
  readonly edgeWeight: Float64Array;
  /** Callers before callees. */
  readonly order: Int32Array;
}

/** A topology written by hand may leave out host hardware; it is filled from the service type. */
export interface TopologyInput {
  services: Array<Omit<ServiceNode, 'tier' | 'criticality'> & Partial<Pick<ServiceNode, 'tier' | 'criticality'>>>;
  edges: DependencyEdge[];
  hosts?: HostSpec[];
}

export function normalizeTopology(input: TopologyInput): Topology {
  const names = new Set<string>();
  const hostNames = new Set<string>();
  for (const s of input.services) {
    if (!s.name) throw new VigilError('BAD_TOPOLOGY', 'every service needs a name');
    if (names.has(s.name)) throw new VigilError('BAD_TOPOLOGY', `duplicate service "${s.name}"`);
    if (!(SERVICE_TYPES as readonly string[]).includes(s.type)) throw new VigilError('BAD_TOPOLOGY', `service "${s.name}" has unknown type "${s.type}"`);
    if (s.hosts.length === 0) throw new VigilError('BAD_TOPOLOGY', `service "${s.name}" has no hosts`);
    for (const h of s.hosts) {
      if (hostNames.has(h)) throw new VigilError('BAD_TOPOLOGY', `host "${h}" appears twice (a host runs one service)`);
      hostNames.add(h);
    }
    names.add(s.name);
  }
  for (const e of input.edges) {
    if (!names.has(e.from) || !names.has(e.to)) throw new VigilError('BAD_TOPOLOGY', `edge ${e.from} -> ${e.to} names an unknown service`);
    if (e.from === e.to) throw new VigilError('BAD_TOPOLOGY', `service "${e.from}" depends on itself`);
    if (!(e.weight > 0)) throw new VigilError('BAD_TOPOLOGY', `edge ${e.from} -> ${e.to} needs a positive weight`);
  }
  const given = new Map((input.hosts ?? []).map((h) => [h.name, h]));
  const services: ServiceNode[] = input.services.map((s) => ({
    name: s.name,
    type: s.type,
    criticality: s.criticality ?? 'medium',
    tier: s.tier ?? 0,
    hosts: [...s.hosts],
  }));
  const hosts: HostSpec[] = services.flatMap((s) => s.hosts.map((h) => given.get(h) ?? { name: h, service: s.name, ...HARDWARE[s.type] }));
  return { services, edges: input.edges.map((e) => ({ ...e })), hosts };
}

export function buildGraph(topology: Topology): ServiceGraph {
  const n = topology.services.length;
  const index = new Map(topology.services.map((s, i) => [s.name, i]));
  const deps: number[][] = Array.from({ length: n }, () => []);
  const callers: number[][] = Array.from({ length: n }, () => []);
  const m = topology.edges.length;
  const edgeFrom = new Int32Array(m);
  const edgeTo = new Int32Array(m);
  const edgeWeight = new Float64Array(m);
  topology.edges.forEach((e, k) => {
    const f = index.get(e.from)!;
    const t = index.get(e.to)!;
    edgeFrom[k] = f;
    edgeTo[k] = t;
    edgeWeight[k] = e.weight;
    deps[f]!.push(k);
    callers[t]!.push(k);
  });
  return { topology, index, deps, callers, edgeFrom, edgeTo, edgeWeight, order: topologicalOrder(n, deps, edgeTo, topology) };
}

/** Kahn's algorithm; a cycle is refused because load could not be pushed through it. */
function topologicalOrder(n: number, deps: number[][], edgeTo: Int32Array, topology: Topology): Int32Array {
  const indegree = new Int32Array(n);
  for (const out of deps) for (const k of out) indegree[edgeTo[k]!]!++;
  const order = new Int32Array(n);
  let head = 0;
  let tail = 0;
  for (let s = 0; s < n; s++) if (indegree[s] === 0) order[tail++] = s;
  while (head < tail) {
    const s = order[head++]!;
    for (const k of deps[s]!) if (--indegree[edgeTo[k]!]! === 0) order[tail++] = edgeTo[k]!;
  }
  if (tail < n) {
    const stuck = topology.services.filter((_, i) => indegree[i]! > 0).map((s) => s.name);
    throw new VigilError('BAD_TOPOLOGY', `the dependency graph has a cycle through ${stuck.slice(0, 5).join(', ')}`);
  }
  return order;
}

/** Names of the services that call `service` (its dependents: they suffer when it fails). */
export function dependentsOf(topology: Topology, service: string): string[] {
  return topology.edges.filter((e) => e.to === service).map((e) => e.from);
}

/** Names of the services `service` calls. */
export function dependenciesOf(topology: Topology, service: string): string[] {
  return topology.edges.filter((e) => e.from === service).map((e) => e.to);
}
