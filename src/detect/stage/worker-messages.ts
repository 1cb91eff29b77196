import type { MessagePort } from 'node:worker_threads';
import type { AnomalyEvent } from '../../core/events.js';
import type { Labels } from '../../core/labels.js';
import type { MetricType } from '../../core/metadata.js';
import type { DetectionOptions } from './detection-stage.js';

/**
 * Most samples the detection worker scores as one block (DetectionStage.observeBlock; see
 * detect.blockDelay): 256 Ki samples is some 0.2 s of scoring, and 4 MB of copies.
 */
export const BLOCK_SAMPLES = 1 << 18;

/**
 * Messages between the ingest thread and the detection worker. Series cross
 * once, as [id, labels]; after that samples and scores travel as flat typed
 * arrays (transferred, not copied): series i of a batch is ids[i] with samples
 * [ends[i-1], ends[i]).
 */
export interface WorkerInit {
  opts: DetectionOptions;
  /** Directory of detect.db; absent = state is not saved. */
  stateDir?: string;
  /** Int32 counter of samples processed, shared for back-pressure. */
  processed: SharedArrayBuffer;
  /** A block is scored once it holds this many samples (BLOCK_SAMPLES, at most a quarter of the backlog bound). */
  blockSamples: number;
  /**
   * The port scores go back on: its own channel, so the ingest thread can store them
   * synchronously (receiveMessageOnPort) before taking more samples and while it waits.
   */
  scores: MessagePort;
}

export interface FlatBatch {
  /** Series first seen in this batch. */
  series: Array<[number, Labels]>;
  ids: Uint32Array<ArrayBuffer>;
  ends: Uint32Array<ArrayBuffer>;
  ts: Float64Array<ArrayBuffer>;
  vs: Float64Array<ArrayBuffer>;
}

export type ToWorker =
  /** `batches`: end (series index) of each ingest batch in it, scored one by one as observe() would. */
  | ({ type: 'samples'; replay: boolean; batches: Uint32Array<ArrayBuffer> } & FlatBatch)
  | { type: 'restore'; series: Array<[number, Labels]>; now: number }
  | { type: 'startSaving' }
  /** Metric families' types (metric metadata), before the samples sent after it. */
  | { type: 'metricTypes'; types: Array<readonly [string, MetricType]> }
  | { type: 'close' };

export type FromWorker =
  /** `spare`: the scored batches' buffers (ids, ends, ts, vs of each), sent back for reuse. */
  | ({ type: 'scores'; scored: number; seriesCount: number; spare: Array<[ArrayBuffer, ArrayBuffer, ArrayBuffer, ArrayBuffer]> } & FlatBatch)
  | { type: 'event'; event: AnomalyEvent }
  | { type: 'restored'; from: Float64Array; restored: number }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; obj: Record<string, unknown>; msg: string }
  | { type: 'closed' }
  /** The worker's OS thread id (for per-thread CPU metrics), sent once at start where known. */
  | { type: 'thread'; tid: number };
