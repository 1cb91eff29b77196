import { whenAllReady } from '../core/readiness.js';
import type { SelfMetrics } from '../core/self-metrics.js';
import { isValidMetricName, type Labels } from '../core/labels.js';
import type { FamilyMetadata, MetricType } from '../core/metadata.js';
import type { MetadataStore } from '../store/metadata-store.js';
import { batchFromWrites, batchSamples } from '../store/sample-batch.js';
import type { AppendResult, SampleBatch, SampleStore, SeriesWrite } from '../store/types.js';

/**
 * Receives every batch after it is stored, with the store's ref of each of its series
 * (refs[i] for series i; -1 where the store has none); later stages (detection)
 * subscribe here. Read both before returning: they are not kept.
 */
export type SamplesListener = (batch: SampleBatch, refs: Int32Array) => void;

/** A later stage's readiness for more samples: undefined when ready now, else a promise of it. */
export type AdmissionGate = () => Promise<void> | undefined;

/**
 * The one path every protocol's decoded samples take into Vigil: store first
 * (durable once append returns), then count, then hand to subscribers.
 */
export class IngestPipeline {
  private readonly listeners: SamplesListener[] = [];
  private readonly gates: AdmissionGate[] = [];
  private metadata: { store: MetadataStore; maxTextLength: number } | undefined;
  private readonly typeListeners: Array<(types: ReadonlyArray<readonly [string, MetricType]>) => void> = [];
  /** The store's refs of the batch being written (reused). */
  private refs = new Int32Array(1024);

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

  /** Registers a stage that can ask ingest to wait (detection, when its workers fall behind). */
  addGate(gate: AdmissionGate): void {
    this.gates.push(gate);
  }

  /**
   * Undefined when every stage can take more samples now, else a promise that resolves
   * when they can. Ingest routes await it before decoding a request: a busy stage slows
   * the senders down (their requests take longer to answer, as with any slow remote-write
   * receiver) while the event loop keeps serving queries, the UI and webhooks.
   */
  admission(): Promise<void> | undefined {
    return whenAllReady(this.gates, (gate) => gate());
  }

  write(writes: readonly SeriesWrite[], protocol: string): AppendResult {
    return this.writeBatch(batchFromWrites(writes), protocol);
  }

  writeBatch(batch: SampleBatch, protocol: string): AppendResult {
    const outside = { too_old: 0, too_far_in_future: 0 };
    batch = this.applyWindow(batch, outside);
    if (this.refs.length < batch.size) this.refs = new Int32Array(Math.max(batch.size, 2 * this.refs.length));
    const refs = this.refs;
    const result = this.store.appendBatch(batch, refs);
    if (outside.too_old) result.rejected.too_old = (result.rejected.too_old ?? 0) + outside.too_old;
    if (outside.too_far_in_future) result.rejected.too_far_in_future = (result.rejected.too_far_in_future ?? 0) + outside.too_far_in_future;
    if (result.accepted > 0) this.metrics.ingestedSamples.inc({ protocol }, result.accepted);
    for (const reason in result.rejected) {
      const n = result.rejected[reason as keyof AppendResult['rejected']];
      if (n) this.metrics.rejectedSamples.inc({ reason }, n);
    }
    for (const l of this.listeners) l(batch, refs);
    return result;
  }

  /**
   * Drops samples outside [now - maxSampleAge, now + maxFutureSkew]. The common case,
   * every sample inside, costs one pass over the timestamps and no copy.
   */
  private applyWindow(b: SampleBatch, outside: { too_old: number; too_far_in_future: number }): SampleBatch {
    const { maxSampleAgeMs, maxFutureSkewMs } = this.window;
    if (maxSampleAgeMs <= 0 && maxFutureSkewMs <= 0) return b;
    const now = this.now();
    const lo = maxSampleAgeMs > 0 ? now - maxSampleAgeMs : -Infinity;
    const hi = maxFutureSkewMs > 0 ? now + maxFutureSkewMs : Infinity;
    const total = batchSamples(b);
    let bad = 0;
    for (let j = 0; j < total; j++) {
      const t = b.timestamps[j]!;
      if (t < lo || t > hi) bad++;
    }
    if (bad === 0) return b;
    const labels: Labels[] = [];
    const ends: number[] = [];
    const timestamps = new Float64Array(total - bad);
    const values = new Float64Array(total - bad);
    let o = 0;
    let from = 0;
    for (let i = 0; i < b.size; i++) {
      const to = b.ends[i]!;
      const start = o;
      for (let j = from; j < to; j++) {
        const t = b.timestamps[j]!;
        if (t < lo) outside.too_old++;
        else if (t > hi) outside.too_far_in_future++;
        else {
          timestamps[o] = t;
          values[o++] = b.values[j]!;
        }
      }
      if (o > start) {
        labels.push(b.labels[i]!);
        ends.push(o);
      }
      from = to;
    }
    return { size: labels.length, labels, ends: Uint32Array.from(ends), timestamps, values };
  }

  /** Where writeMetadata keeps metric metadata; help and unit texts longer than `maxTextLength` are refused. */
  attachMetadata(store: MetadataStore, maxTextLength: number): void {
    this.metadata = { store, maxTextLength };
  }

  /**
   * Metric metadata a sender gave (remote write's, an exposition's TYPE/HELP/UNIT, OTLP's).
   * Advisory: an invalid entry (a family name that is no metric name, an over-long text)
   * is refused and counted, never the request or its samples; so is metadata the disk refuses.
   */
  writeMetadata(entries: readonly FamilyMetadata[], protocol: string): void {
    const m = this.metadata;
    if (!m || entries.length === 0) return;
    const valid = entries.filter((e) => isValidMetricName(e.family) && e.help.length <= m.maxTextLength && e.unit.length <= m.maxTextLength);
    const count = (result: string, n: number) => n > 0 && this.metrics.metadataEntries.inc({ protocol, result }, n);
    // Invalid whatever the disk does with the rest.
    count('invalid', entries.length - valid.length);
    let r;
    try {
      r = m.store.record(valid);
    } catch {
      // The disk refused it (full, read-only): metadata is advisory, the samples still go in.
      count('error', valid.length);
      return;
    }
    count('new', r.stored);
    count('unchanged', r.unchanged);
    count('too_many_families', r.overLimit);
    if (r.typeChanges.length) for (const l of this.typeListeners) l(r.typeChanges);
  }

  /** Called with the families whose type metric metadata set or changed (detection scores counters on their rate). */
  onMetricTypes(listener: (types: ReadonlyArray<readonly [family: string, type: MetricType]>) => void): void {
    this.typeListeners.push(listener);
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
