import type { FastifyInstance } from 'fastify';
import { VigilError } from '../../core/errors.js';
import type { MetadataStore } from '../../store/metadata-store.js';

interface Query {
  metric?: string;
  limit?: string;
  limit_per_metric?: string;
}

/**
 * `GET /api/v1/metadata`, as Prometheus's: per metric family, the distinct type, help
 * and unit senders gave (`metric` picks one family; `limit` caps the families,
 * `limit_per_metric` the entries of each). Grafana reads it for its metric hints.
 */
export function metadataRoutes(app: FastifyInstance, metadata: MetadataStore | undefined): void {
  app.get<{ Querystring: Query }>('/api/v1/metadata', async (req) => {
    const q = req.query;
    const limit = count(q.limit, 'limit');
    const limitPerMetric = count(q.limit_per_metric, 'limit_per_metric');
    const data = metadata?.query({ ...(q.metric !== undefined && { metric: q.metric }), limit, limitPerMetric }) ?? {};
    return { status: 'success', data };
  });
}

/** A non-negative integer parameter (0 or absent: no limit); Prometheus's negative "no limit" is taken too. */
function count(v: string | undefined, name: string): number {
  if (v === undefined || v === '') return 0;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new VigilError('BAD_PARAM', `${name}: expected an integer, got ${JSON.stringify(v.slice(0, 40))}`, 400);
  return n < 0 ? 0 : n;
}
