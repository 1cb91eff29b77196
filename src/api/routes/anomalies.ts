import type { FastifyInstance } from 'fastify';
import type { Detection } from '../../detect/stage/index.js';
import { parseTimeParam } from '../params.js';
import { VigilError } from '../../core/errors.js';

/** Recent anomaly events, newest last: `GET /api/v1/anomalies?since=&limit=`. */
export function anomalyRoutes(app: FastifyInstance, detection: Detection | undefined): void {
  app.get<{ Querystring: { since?: string; limit?: string } }>('/api/v1/anomalies', async (req) => {
    if (!detection) throw new VigilError('DETECTION_DISABLED', 'anomaly detection is disabled (detect.enabled: false)', 404);
    const since = parseTimeParam(req.query.since, 'since', -Infinity);
    const limit = req.query.limit === undefined ? 100 : Number(req.query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new VigilError('BAD_PARAM', 'limit: expected an integer from 1 to 10000', 400);
    const events = detection.recentEvents(limit, since).map((e) => ({ ...e, value: Number.isFinite(e.value) ? e.value : null }));
    return { status: 'success', data: events };
  });
}
