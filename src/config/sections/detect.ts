import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { count, duration, section } from '../fields.js';

/** Streaming anomaly detection on every ingested sample. */
export const detectSchema = section({
  enabled: z.boolean().default(true),
  // Worker threads that score samples (each host's series on one of them). Default: one per core
  // but one (left to decoding and storing), at least 1, at most 4.
  workers: z.union([z.literal('auto'), count(1, 64)]).default('auto'),
  // Samples a worker may fall behind. Past half of it, ingest requests wait (without blocking
  // the server) before they are decoded; past all of it, storing a batch waits for the worker.
  // A million (about 24 MB of samples in flight at most) lets each thread ride out the other's
  // slow spells (a checkpoint, a retraining) instead of leaving a core idle.
  maxBacklog: count(1000).default(1_000_000),
  // A worker scores the samples waiting for it as one block, series by series, once the
  // block's first batch has waited this long (or the block is full: 256 Ki samples, at most a
  // quarter of maxBacklog). A series with several samples in a block has its detector's state
  // fetched from memory once for them all: at high rates per series (a catch-up, a backfill,
  // fast scrapes) that is about 40% of the worker's time. It delays anomaly events by up to
  // this much; 0 scores whatever is waiting at once.
  blockDelay: duration({ min: 0 }).prefault('250ms'),
  // Calibrated score at or above which an anomaly event opens; one value serves every series.
  threshold: z.number().gt(0).lt(1).default(0.08),
  // Hysteresis: an episode closes after this many samples below threshold/2, so one episode is one event.
  clearAfter: count(1).default(5),
  // Severity of an event from its peak score: at or above `high`, else at or above `medium`, else low.
  severityHigh: z.number().gt(0).max(1).default(0.5),
  severityMedium: z.number().gt(0).max(1).default(0.2),
  // Write every score as the series vigil_anomaly_score{...original labels, source_metric="..."}.
  writeScores: z.boolean().default(true),
  // Of the scores, write every nonzero one, the zero that ends a run of them, and a zero at
  // least this often (so a query's 5-minute lookback always finds one); 0 writes every score.
  scoreHeartbeat: duration().prefault('2m'),
  // At start-up, series without saved detector state are warmed up from this much stored history.
  rebuildWindow: duration().prefault('24h'),
  // How often each series' detector state is saved: a twelfth of the series at a time,
  // spread over the interval (and all of it at shutdown).
  saveInterval: duration({ min: 1000 }).prefault('60s'),
  multivariate: section({
    // An isolation forest per host (label `groupBy`) over that host's metrics together.
    enabled: z.boolean().default(true),
    groupBy: z.string().min(1).default('instance'),
    maxGroups: count(1).default(500),
    maxMetricsPerGroup: count(1, 64).default(16),
    contamination: z.number().gt(0).lt(0.5).default(0.05),
    // Calibrated score at or above which a row is anomalous (default 1 - contamination).
    threshold: z.number().gt(0).lt(1).optional(),
    consecutive: count(1).default(3),
    // Rows kept for rolling retraining.
    window: count(64).default(512),
    // Rows between retrainings (each row is then in two trainings). A whole window (512) halves
    // the training work; in bench:alerts it missed one more incident of 62.
    retrainEvery: count(16).default(256),
    // The forest's 100 trees are kept in this many parts; a retraining regrows only the oldest
    // part (1: all the trees). 2 halves the training work (11% of the detection worker's
    // instructions), each tree living two retrainings; in bench:alerts it missed as many
    // held-out incidents as 1 (5 of 50) but one of the reported day's 12, so it is not the
    // default; 4 missed 8 of 50.
    parts: count(1, 100).default(1),
    // A host's complete rows are scored together once the newest is this much (sample time)
    // after the oldest (at most 16 rows): its forest is far larger than the cache and cold when
    // a row comes alone, and the rows after the first find it warm. It delays host-wide events
    // by up to this much; 0 scores every row as soon as it is complete.
    batchDelay: duration({ min: 0 }).prefault('1m'),
  }),
}).transform((d) => ({
  enabled: d.enabled,
  workers: d.workers === 'auto' ? Math.max(1, Math.min(4, availableParallelism() - 1)) : d.workers,
  maxBacklog: d.maxBacklog,
  blockDelayMs: d.blockDelay,
  threshold: d.threshold,
  clearAfter: d.clearAfter,
  severityHigh: d.severityHigh,
  severityMedium: d.severityMedium,
  writeScores: d.writeScores,
  scoreHeartbeatMs: d.scoreHeartbeat,
  rebuildWindowMs: d.rebuildWindow,
  saveIntervalMs: d.saveInterval,
  multivariate: (({ batchDelay, ...mv }) => ({ ...mv, batchDelayMs: batchDelay }))(d.multivariate),
}));

export type DetectConfig = z.output<typeof detectSchema>;
