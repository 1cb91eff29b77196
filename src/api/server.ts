import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { isVigilError } from '../core/errors.js';
import type { SelfMetrics } from '../core/self-metrics.js';
import type { IngestLimits } from '../ingest/limits.js';
import type { IngestPipeline } from '../ingest/pipeline.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { seriesRoutes } from './routes/series.js';
import { metadataRoutes } from './routes/metadata.js';
import { statusRoutes } from './routes/status.js';
import type { MetadataStore } from '../store/metadata-store.js';
import { writeRoutes } from './routes/write.js';
import { ingestRemoteWriteRoutes } from './routes/ingest-remote-write.js';
import { ingestOtlpRoutes } from './routes/ingest-otlp.js';
import { ingestLineProtocolRoutes } from './routes/ingest-line-protocol.js';
import { anomalyRoutes } from './routes/anomalies.js';
import type { Detection } from '../detect/stage/index.js';
import type { Outbox } from '../notify/index.js';
import { notificationRoutes } from './routes/notifications.js';
import { alertRoutes, type AlertingHandles } from './routes/alerts.js';
import { ackRoutes } from './routes/ack.js';
import { ruleBacktestRoutes } from './routes/rules-backtest.js';
import type { AckLinks } from './ack-links.js';
import type { BacktestOptions } from '../alerting/rules/index.js';
import { incidentRoutes } from './routes/incidents.js';
import type { IncidentManager } from '../incidents/index.js';
import { forecastRoutes } from './routes/forecast.js';
import { topologyRoutes } from './routes/topology.js';
import type { ServiceGraph } from '../incidents/topology/service-graph.js';
import type { ForecastStage } from '../forecast/stage/forecast-stage.js';
import { remediationRoutes, type RemediationHandles } from './routes/remediation.js';
import { approvalRoutes } from './routes/approve.js';

export interface ServerOptions {
  pipeline: IngestPipeline;
  metrics: SelfMetrics;
  logger: Logger;
  limits: IngestLimits;
  /** Largest request body accepted, bytes (413 above). */
  maxBodyBytes: number;
  /** Largest number of samples one read may return (422 above). */
  maxSamplesPerRead?: number;
  isReady?: () => boolean;
  /** Metric metadata (`/api/v1/metadata`); without it the endpoint answers with none. */
  metadata?: MetadataStore;
  detection?: Detection;
  outbox?: Outbox;
  alerting?: AlertingHandles;
  reloadRules?: () => number;
  /** Signed acknowledgement links (`GET`/`POST /ack/:token`), when `server.ackLinkSecret` is set. */
  ackLinks?: AckLinks;
  /** Lifecycle options for `POST /api/v1/rules/backtest` (as the live evaluator's). */
  backtest?: BacktestOptions;
  /** The merged service topology (`/api/v1/topology`). */
  topology?: () => ServiceGraph;
  /** Incidents (`/api/v1/incidents`), when incidents.enabled. */
  incidents?: IncidentManager;
  /** Forecasts, capacity, scaling and right-sizing (`/api/v1/forecast`, `/capacity`, `/scaling`, `/rightsizing`). */
  forecast?: ForecastStage;
  /** Self-healing (`/api/v1/remediation/...`, `/approve/:token`), when remediation.enabled. */
  remediation?: RemediationHandles;
}

/**
 * Builds the HTTP API. Every error leaves as JSON in the Prometheus API's error
 * shape (`status`, `errorType`, `error`) plus Vigil's stable `code`.
 */
export function buildServer(opts: ServerOptions): FastifyInstance {
  const app = Fastify({
    // Typed as Fastify's base logger so route modules take a plain FastifyInstance.
    loggerInstance: opts.logger as FastifyBaseLogger,
    bodyLimit: opts.maxBodyBytes,
    // Per-request lines would dominate the log at ingest rates; /metrics has the request counts.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const status = isVigilError(err) ? err.statusCode : (err.statusCode ?? 500);
    if (status >= 500) req.log.error({ err, url: req.url }, 'request failed');
    else req.log.debug({ code: err.code, url: req.url, msg: err.message }, 'request refused');
    void reply.code(status).send({
      status: 'error',
      errorType: status >= 500 ? 'internal' : status === 422 ? 'execution' : 'bad_data',
      code: err.code ?? 'INTERNAL',
      error: status >= 500 && !isVigilError(err) ? 'internal error' : err.message,
    });
  });

  app.addHook('onResponse', async (req, reply) => {
    opts.metrics.httpDuration.observe(
      { route: req.routeOptions.url ?? 'unmatched', method: req.method, code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  healthRoutes(app, opts.isReady ?? (() => true));
  metricsRoutes(app, opts.metrics, opts.pipeline);
  writeRoutes(app, opts.pipeline, opts.limits);
  ingestRemoteWriteRoutes(app, opts.pipeline, opts.limits, opts.maxBodyBytes);
  ingestOtlpRoutes(app, opts.pipeline, opts.limits, opts.maxBodyBytes);
  ingestLineProtocolRoutes(app, opts.pipeline, opts.limits, opts.maxBodyBytes);
  seriesRoutes(app, opts.pipeline.store, opts.maxSamplesPerRead ?? 5_000_000);
  metadataRoutes(app, opts.metadata);
  statusRoutes(app, opts.pipeline.store);
  anomalyRoutes(app, opts.detection);
  notificationRoutes(app, opts.outbox);
  if (opts.alerting) alertRoutes(app, opts.alerting, opts.reloadRules ?? (() => 0));
  if (opts.alerting && opts.ackLinks) ackRoutes(app, opts.ackLinks, opts.alerting);
  ruleBacktestRoutes(app, opts.pipeline.store, opts.backtest);
  if (opts.incidents) incidentRoutes(app, opts.incidents);
  topologyRoutes(app, opts.topology);
  forecastRoutes(app, opts.forecast);
  if (opts.remediation) remediationRoutes(app, opts.remediation);
  if (opts.remediation && opts.ackLinks) approvalRoutes(app, opts.ackLinks, opts.remediation.engine);
  return app;
}
