import type { FastifyInstance } from 'fastify';
import { VigilError } from '../../core/errors.js';
import type { SampleStore } from '../../store/types.js';

/** Most entries a list of `/api/v1/status/tsdb` may ask for. */
const MAX_LIMIT = 10_000;

/**
 * `GET /api/v1/status/tsdb[?limit=N]`, as Prometheus's: the store's series, label pairs,
 * chunks and time range, and the N (default 10) metric names with the most series, label
 * names with the most values or bytes of values, and label pairs in the most series. It is
 * where to look when the series limit (`limits.maxSeries`) refuses samples.
 */
export function statusRoutes(app: FastifyInstance, store: SampleStore): void {
  app.get<{ Querystring: { limit?: string } }>('/api/v1/status/tsdb', async (req) => {
    const raw = req.query.limit;
    const limit = raw === undefined || raw === '' ? 10 : Number(raw);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new VigilError('BAD_PARAM', `limit: expected an integer from 1 to ${MAX_LIMIT}, got ${JSON.stringify(String(raw).slice(0, 40))}`, 400);
    return { status: 'success', data: store.cardinality(limit) };
  });
}
