import type { FastifyInstance } from 'fastify';
import type { IngestLimits } from '../../ingest/limits.js';
import { decodeJsonWrite } from '../../ingest/json-write.js';
import type { IngestPipeline } from '../../ingest/pipeline.js';
import { refusedCount, refusedDetail } from './ingest-body.js';

/**
 * JSON write endpoint. Answers 200 when every sample was stored; 400 with the
 * counts when some were refused (out of order, duplicates, series limit) — the
 * accepted ones are stored and durable either way, as with Prometheus's receivers.
 */
export function writeRoutes(app: FastifyInstance, pipeline: IngestPipeline, limits: IngestLimits): void {
  app.post('/api/v1/samples', async (req, reply) => {
    const ready = pipeline.admission();
    if (ready) await ready;
    let writes;
    try {
      writes = decodeJsonWrite(req.body, limits);
    } catch (e) {
      pipeline.rejectBeforeStore('invalid', countSamples(req.body));
      throw e;
    }
    const result = pipeline.write(writes, 'json');
    const refused = refusedCount(result);
    if (refused > 0) {
      const detail = refusedDetail(result);
      const status = result.rejected.series_limit ? 429 : 400;
      return reply.code(status).send({
        status: 'error',
        errorType: 'bad_data',
        code: result.rejected.series_limit ? 'SERIES_LIMIT' : 'PARTIAL_WRITE',
        error: `${refused} samples refused (${detail}); ${result.accepted} accepted and stored`,
        accepted: result.accepted,
        rejected: result.rejected,
      });
    }
    return reply.send({ status: 'success', accepted: result.accepted });
  });
}

function countSamples(body: unknown): number {
  try {
    const series = (body as { series?: Array<{ samples?: unknown[] }> }).series;
    if (!Array.isArray(series)) return 0;
    return series.reduce((n, s) => n + (Array.isArray(s?.samples) ? s.samples.length : 0), 0);
  } catch {
    return 0;
  }
}

