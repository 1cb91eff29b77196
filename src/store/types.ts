import type { Labels } from '../core/labels.js';
import type { IndexCardinality } from './label-index.js';
import type { LabelMatcher } from '../core/matchers.js';

/**
 * The sample store's public contract. Ingest protocols, detectors, the query API
 * and the cluster layer only see this; the embedded (SQLite) and PostgreSQL
 * back ends implement it.
 */

/** When an acknowledged write reaches stable storage. */
export type FsyncPolicy =
  /** fsync the WAL before every append returns: survives power loss. */
  | 'always'
  /** write(2) before returning (survives kill -9), fsync every `fsyncIntervalMs` (power loss may lose that interval). */
  | 'interval'
  /** write(2) only; the OS decides when data reaches disk. */
  | 'never';

export interface StoreOptions {
  /** Directory holding the WAL and the SQLite database. */
  dir: string;
  /** How long sealed samples are kept, ms. Default 15 days. */
  retentionMs?: number;
  /** How much recent history the in-memory head keeps per series, ms. Default 2 h. */
  headWindowMs?: number;
  /** Samples per sealed chunk. Default 120 (as Prometheus). */
  chunkSamples?: number;
  fsync?: FsyncPolicy;
  fsyncIntervalMs?: number;
  /** Accept samples this far behind the newest sample of their series, ms (0 = in-order only, as Prometheus by default). */
  outOfOrderWindowMs?: number;
  /** Cardinality guard: maximum active series. Default 1,000,000. */
  maxSeries?: number;
  /** Seal the head into SQLite and truncate the WAL this often, ms (0 = only on demand, at close and by WAL size). Default 60 s. */
  checkpointIntervalMs?: number;
  /** Also checkpoint as soon as the WAL written since the last checkpoint exceeds this many bytes. Default 256 MiB. */
  walCheckpointBytes?: number;
  /** Start a new WAL segment file past this size. Default 64 MiB. */
  walSegmentBytes?: number;
  /**
   * Closed chunks the store encodes on the calling thread before it moves that work to a
   * thread of its own (0: from the first chunk; Infinity: never). Default 4,096: at
   * ingest rates where encoding matters that is reached within seconds, and a store
   * taking a few samples a second never starts the thread. SQLite's WAL checkpoints move
   * to a thread of their own at the same moment.
   */
  encoderThreadAfter?: number;
}

/** One series with its samples in a write request. Timestamps are ms. */
export interface SeriesWrite {
  labels: Labels;
  timestamps: ArrayLike<number>;
  values: ArrayLike<number>;
}

/**
 * Many series' samples in flat arrays: series i (i < size) is labels[i] with the
 * samples [ends[i-1], ends[i]) of timestamps and values (ends[-1] = 0). The
 * allocation-light form of SeriesWrite[] for high-rate paths; see sample-batch.ts.
 */
export interface SampleBatch {
  readonly size: number;
  /** The first `size` entries are the batch's series (the array may be longer: a decoder's reused scratch). */
  readonly labels: readonly Labels[];
  readonly ends: Uint32Array;
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
}

export type RejectReason = 'out_of_order' | 'duplicate' | 'too_old' | 'too_far_in_future' | 'series_limit' | 'invalid';

export interface AppendResult {
  accepted: number;
  /** Counts of samples not stored, by reason. A duplicate with the same value is accepted silently, as in Prometheus. */
  rejected: Partial<Record<RejectReason, number>>;
}

export interface SeriesInfo {
  /** Stable series hash (see core/labels.seriesHash). */
  id: string;
  labels: Labels;
}

export interface SeriesData extends SeriesInfo {
  timestamps: Float64Array;
  values: Float64Array;
}

export interface StoreStats {
  series: number;
  samplesAppended: number;
  headSamples: number;
  headBytes: number;
  diskBytes: number;
  sealedChunks: number;
  /** Closed chunks encoded ahead by the store's encoder thread and taken (0 while it has not started; see encoderThreadAfter). */
  chunksEncodedByThread: number;
  /** SQLite WAL checkpoints run by the store's checkpoint thread (started with the encoder thread). */
  sqliteCheckpointsByThread: number;
}

/** As Prometheus's `/api/v1/status/tsdb` answers (the head being, here, the whole store). */
export interface CardinalityStats extends IndexCardinality {
  headStats: { numSeries: number; numLabelPairs: number; chunkCount: number; minTime: number; maxTime: number };
}

export interface SampleStore {
  /** Durable according to the fsync policy once it returns. */
  append(writes: readonly SeriesWrite[]): AppendResult;
  /**
   * append() for a flat batch: the same checks and results, no object per series. With
   * `refs` (at least batch.size long), refs[i] gets the ref of the batch's series i, or -1
   * where there is none (no samples, no valid labels, over the series limit): later stages
   * can then know a series by its ref instead of looking its label set up again.
   */
  appendBatch(batch: SampleBatch, refs?: Int32Array): AppendResult;
  /**
   * Fast path, step 1: the series ref for a label set, creating the series if needed.
   * Refs are small integers, stable while the series exists (it is dropped once all its
   * data is past the retention). Throws VigilError SERIES_LIMIT at the cardinality cap.
   */
  ref(labels: Labels): number;
  /** Fast path, step 2: appends samples i < count, sample i going to series refs[i]. Unknown refs count as `invalid`. */
  appendRefs(refs: ArrayLike<number>, timestamps: ArrayLike<number>, values: ArrayLike<number>, count: number): AppendResult;
  /** Series whose labels match all matchers and that have samples in [start, end] (all series when no range). */
  series(matchers: readonly LabelMatcher[], start?: number, end?: number): SeriesInfo[];
  /** Raw samples in [start, end] inclusive, in time order, per matching series. */
  read(matchers: readonly LabelMatcher[], start: number, end: number): SeriesData[];
  labelNames(): string[];
  labelValues(name: string): string[];
  stats(): StoreStats;
  /** Series counts by metric name and by label (the `limit` largest of each), for `/api/v1/status/tsdb`. */
  cardinality(limit: number): CardinalityStats;
  /** Seals full head chunks to disk and truncates the WAL behind them. */
  checkpoint(): void;
  /** Drops data older than the retention. */
  applyRetention(now?: number): void;
  close(): void;
}
