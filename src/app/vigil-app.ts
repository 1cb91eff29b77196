import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { SelfMetrics } from '../core/self-metrics.js';
import type { VigilConfig } from '../config/schema.js';
import { toStoreOptions } from '../config/sections/storage.js';
import { IngestPipeline } from '../ingest/pipeline.js';
import type { IngestLimits } from '../ingest/limits.js';
import { buildServer } from '../api/server.js';
import { openStore } from '../store/index.js';
import type { SampleStore } from '../store/types.js';

/**
 * The composition root: one place where the store, the pipeline, the HTTP API
 * and (in later stages) detectors, rules and channels are created and wired.
 */
export interface VigilApp {
  readonly config: VigilConfig;
  readonly store: SampleStore;
  readonly pipeline: IngestPipeline;
  readonly metrics: SelfMetrics;
  readonly server: FastifyInstance;
  readonly logger: Logger;
  /** The address the HTTP server listens on, e.g. http://127.0.0.1:9470. */
  readonly url: string;
  close(): Promise<void>;
}

export async function startVigil(config: VigilConfig, logger: Logger): Promise<VigilApp> {
  const metrics = new SelfMetrics();
  const store = openStore(toStoreOptions(config.storage, config.limits.maxSeries));
  const pipeline = new IngestPipeline(store, metrics);
  const limits: IngestLimits = config.limits;
  let ready = false;
  const server = buildServer({ pipeline, metrics, logger, limits, maxBodyBytes: config.server.maxBodyBytes, isReady: () => ready });
  let url: string;
  try {
    url = await server.listen({ host: config.server.host, port: config.server.port });
  } catch (e) {
    store.close();
    throw e;
  }
  ready = true;
  const s = store.stats();
  logger.info({ url, dir: config.storage.dir, series: s.series, fsync: config.storage.fsync }, 'vigil is listening');

  let closed = false;
  return {
    config,
    store,
    pipeline,
    metrics,
    server,
    logger,
    url,
    async close() {
      if (closed) return;
      closed = true;
      ready = false;
      await server.close();
      store.close();
      logger.info('vigil stopped');
    },
  };
}
