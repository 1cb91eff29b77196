import type { FastifyInstance } from 'fastify';
import type { SampleStore, SeriesInfo } from '../../store/types.js';
import { formatValue, parseMatchParams, parseTimeParam } from '../params.js';
import { VigilError } from '../../core/errors.js';

interface Query {
  'match[]'?: string | string[];
  start?: string;
  end?: string;
  limit?: string;
}

/**
 * Read side, following the Prometheus HTTP API's shapes: `/api/v1/series`,
 * `/api/v1/labels`, `/api/v1/label/<name>/values`, plus `/api/v1/samples`,
 * a raw range read returning a Prometheus "matrix".
 */
export function seriesRoutes(app: FastifyInstance, store: SampleStore, maxSamplesPerRead: number): void {
  app.get<{ Querystring: Query }>('/api/v1/series', async (req) => {
    const selectors = parseMatchParams(req.query['match[]'], true);
    const { start, end } = range(req.query, true);
    const seen = new Map<string, SeriesInfo>();
    for (const ms of selectors) for (const s of store.series(ms, start, end)) seen.set(s.id, s);
    return { status: 'success', data: limit([...seen.values()].map((s) => s.labels), req.query.limit) };
  });

  app.get<{ Querystring: Query }>('/api/v1/labels', async (req) => ({ status: 'success', data: limit(store.labelNames(), req.query.limit) }));

  app.get<{ Params: { name: string }; Querystring: Query }>('/api/v1/label/:name/values', async (req) => ({
    status: 'success',
    data: limit(store.labelValues(req.params.name), req.query.limit),
  }));

  app.get<{ Querystring: Query }>('/api/v1/samples', async (req) => {
    const selectors = parseMatchParams(req.query['match[]'], true);
    const { start, end } = range(req.query, false);
    const result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> = [];
    const seen = new Set<string>();
    let total = 0;
    for (const ms of selectors) {
      for (const s of store.read(ms, start, end)) {
        if (seen.has(s.id)) continue;
        seen.add(s.id);
        total += s.timestamps.length;
        if (total > maxSamplesPerRead)
          throw new VigilError('TOO_MANY_SAMPLES', `the query selects more than ${maxSamplesPerRead} samples; narrow match[] or the time range`, 422);
        const values: Array<[number, string]> = new Array(s.timestamps.length);
        for (let i = 0; i < s.timestamps.length; i++) values[i] = [s.timestamps[i]! / 1000, formatValue(s.values[i]!)];
        result.push({ metric: { ...s.labels }, values });
      }
    }
    return { status: 'success', data: { resultType: 'matrix', result } };
  });
}

function range(q: Query, open: boolean): { start: number; end: number } {
  const now = Date.now();
  const end = parseTimeParam(q.end, 'end', open ? Number.MAX_SAFE_INTEGER : now);
  const start = parseTimeParam(q.start, 'start', open ? 0 : end - 3_600_000);
  if (start > end) throw new VigilError('BAD_PARAM', 'start: must not be after end', 400);
  return { start, end };
}

function limit<T>(xs: T[], l: string | undefined): T[] {
  if (l === undefined) return xs;
  const n = Number(l);
  if (!Number.isInteger(n) || n < 0) throw new VigilError('BAD_PARAM', 'limit: expected a non-negative integer', 400);
  return n === 0 ? xs : xs.slice(0, n);
}
