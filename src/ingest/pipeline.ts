import type { SelfMetrics } from '../core/self-metrics.js';
import type { AppendResult, SampleStore, SeriesWrite } from '../store/types.js';

/** Receives every batch after it is stored; later stages (detection) subscribe here. */
export type SamplesListener = (writes: readonly SeriesWrite[]) => void;

/**
 * The one path every protocol's decoded samples take into Vigil: store first
 * (durable once append returns), then count, then hand to subscribers.
 */
export class IngestPipeline {
  private readonly listeners: SamplesListener[] = [];

  constructor(
    readonly store: SampleStore,
    private readonly metrics: SelfMetrics,
  ) {}

  onSamples(listener: SamplesListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  write(writes: readonly SeriesWrite[], protocol: string): AppendResult {
    const result = this.store.append(writes);
    if (result.accepted > 0) this.metrics.ingestedSamples.inc({ protocol }, result.accepted);
    for (const reason in result.rejected) {
      const n = result.rejected[reason as keyof AppendResult['rejected']];
      if (n) this.metrics.rejectedSamples.inc({ reason }, n);
    }
    for (const l of this.listeners) l(writes);
    return result;
  }

  /** Records samples refused before they reached the store (malformed request, limits). */
  rejectBeforeStore(reason: string, samples: number): void {
    if (samples > 0) this.metrics.rejectedSamples.inc({ reason }, samples);
  }

  /** Refreshes store gauges; called on each /metrics scrape. */
  refreshGauges(): void {
    const s = this.store.stats();
    this.metrics.activeSeries.set(s.series);
    this.metrics.storeDiskBytes.set(s.diskBytes);
    this.metrics.storeHeadBytes.set(s.headBytes);
    this.metrics.storeHeadSamples.set(s.headSamples);
  }
}
