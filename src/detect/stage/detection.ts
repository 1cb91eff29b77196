import type { AnomalyEvent } from '../../core/events.js';
import type { MetricType } from '../../core/metadata.js';
import type { SampleBatch } from '../../store/types.js';
import type { AnomalyListener, DetectionCounters } from './detection-stage.js';

/**
 * What the rest of Vigil sees of streaming detection, whether it runs on the
 * ingest thread (DetectionStage) or on a worker thread (DetectionWorker).
 */
export interface Detection {
  readonly counters: DetectionCounters;
  readonly seriesCount: number;
  /**
   * The ingest pipeline's listener: every sample of every batch, in order. `refs`, when
   * given, are the store's refs of the batch's series (-1: none), which know a series
   * again without looking its label set up.
   */
  observe(batch: SampleBatch, refs?: Int32Array): void;
  onAnomaly(l: AnomalyListener): void;
  /** Metric families' types from metric metadata (changes only): counters are scored on their rate. */
  setMetricTypes(types: ReadonlyArray<readonly [family: string, type: MetricType]>): void;
  /** Most recent events, newest last. */
  recentEvents(limit?: number, since?: number): AnomalyEvent[];
}
