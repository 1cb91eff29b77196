import { ServiceGraph } from '../src/incidents/topology/service-graph.js';
import type { Topology } from '../src/simulate/topology.js';

/** The simulator's fleet as Vigil's dependency graph, every edge declared (as a catalogue would). */
export function graphFromTopology(topology: Pick<Topology, 'services' | 'edges'>): ServiceGraph {
  const g = new ServiceGraph();
  for (const s of topology.services) g.addService({ name: s.name, type: s.type, criticality: s.criticality });
  // Call counts per request span 0.005..4; the walk wants a bounded weight, so compress them.
  for (const e of topology.edges) g.addEdge({ from: e.from, to: e.to, weight: Math.min(1, 0.25 + Math.sqrt(e.weight) / 2), source: 'declared', confidence: 1 });
  return g;
}
