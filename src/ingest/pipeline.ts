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
    /** Sample age window against the wall clock (0 = off), applied to every protocol. */
    private readonly window: { maxSampleAgeMs: number; maxFutureSkewMs: number } = { maxSampleAgeMs: 0, maxFutureSkewMs: 0 },
    private readonly now: () => number = Date.now,
  ) {}

  onSamples(listener: SamplesListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  write(writes: readonly SeriesWrite[], protocol: string): AppendResult {
    const outside = { too_old: 0, too_far_in_future: 0 };
    writes = this.applyWindow(writes, outside);
    const result = this.store.append(writes);
    if (outside.too_old) result.rejected.too_old = (result.rejected.too_old ?? 0) + outside.too_old;
    if (outside.too_far_in_future) result.rejected.too_far_in_future = (result.rejected.too_far_in_future ?? 0) + outside.too_far_in_future;
    if (result.accepted > 0) this.metrics.ingestedSamples.inc({ protocol }, result.accepted);
    for (const reason in result.rejected) {
      const n = result.rejected[reason as keyof AppendResult['rejected']];
      if (n) this.metrics.rejectedSamples.inc({ reason }, n);
    }
    for (const l of this.listeners) l(writes);
    return result;
  }

  /**
   * Drops samples outside [now - maxSampleAge, now + maxFutureSkew]. The common case,
   * every sample inside, costs one pass over the timestamps and no copy.
   */
  private applyWindow(writes: readonly SeriesWrite[], outside: { too_old: number; too_far_in_future: number }): readonly SeriesWrite[] {
    const { maxSampleAgeMs, maxFutureSkewMs } = this.window;
    if (maxSampleAgeMs <= 0 && maxFutureSkewMs <= 0) return writes;
    const now = this.now();
    const lo = maxSampleAgeMs > 0 ? now - maxSampleAgeMs : -Infinity;
    const hi = maxFutureSkewMs > 0 ? now + maxFutureSkewMs : Infinity;
    let out: SeriesWrite[] | undefined;
    for (let i = 0; i < writes.length; i++) {
      const w = writes[i]!;
      let bad = 0;
      for (let j = 0; j < w.timestamps.length; j++) {
        const t = w.timestamps[j]!;
        if (t < lo || t > hi) bad++;
      }
      if (bad === 0) {
        out?.push(w);
        continue;
      }
      out ??= writes.slice(0, i);
      const n = Math.min(w.timestamps.length, w.values.length);
      const ts: number[] = [];
      const vs: number[] = [];
      for (let j = 0; j < n; j++) {
        const t = w.timestamps[j]!;
        if (t < lo) outside.too_old++;
        else if (t > hi) outside.too_far_in_future++;
        else {
          ts.push(t);
          vs.push(w.values[j]!);
        }
      }
      if (ts.length) out.push({ labels: w.labels, timestamps: ts, values: vs });
    }
    return out ?? writes;
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
