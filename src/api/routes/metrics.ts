import type { FastifyInstance } from 'fastify';
import type { SelfMetrics } from '../../core/self-metrics.js';
import type { IngestPipeline } from '../../ingest/pipeline.js';

/** Vigil's own metrics in the Prometheus text format, for Prometheus to scrape. */
export function metricsRoutes(app: FastifyInstance, metrics: SelfMetrics, pipeline: IngestPipeline): void {
  app.get('/metrics', async (_req, reply) => {
    pipeline.refreshGauges();
    const body = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(body);
  });
}
