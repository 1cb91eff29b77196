import type { FastifyInstance } from 'fastify';
import { VigilError } from '../../core/errors.js';
import type { EdgeSource, ServiceGraph } from '../../incidents/topology/service-graph.js';

const SOURCES: readonly EdgeSource[] = ['declared', 'discovered', 'learned'];

/**
 * The merged service topology: `GET /api/v1/topology[?source=declared|discovered|learned]`.
 * Every edge says where it came from and how confident Vigil is in it; `from` depends on `to`.
 */
export function topologyRoutes(app: FastifyInstance, topology: (() => ServiceGraph) | undefined): void {
  app.get<{ Querystring: { source?: string } }>('/api/v1/topology', async (req) => {
    const { source } = req.query;
    if (source !== undefined && !(SOURCES as readonly string[]).includes(source)) {
      throw new VigilError('BAD_PARAM', `source: expected one of ${SOURCES.join(', ')}, got "${source}"`, 400);
    }
    const g = topology?.();
    const all = g?.edges() ?? [];
    const edges = (source ? all.filter((e) => e.source === source) : all)
      .map((e) => ({ from: e.from, to: e.to, weight: e.weight, source: e.source, confidence: e.confidence }))
      .sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : a.to < b.to ? -1 : a.to > b.to ? 1 : 0));
    const services = (g?.services() ?? [])
      .map((s) => ({ name: s.name, type: s.type, criticality: s.criticality, runbooks: s.runbooks ?? [] }))
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    const bySource = Object.fromEntries(SOURCES.map((s) => [s, all.filter((e) => e.source === s).length]));
    return { status: 'success', data: { services, edges, counts: { services: services.length, edges: all.length, ...bySource } } };
  });
}
