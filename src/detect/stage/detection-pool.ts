import type { Logger } from 'pino';
import { fnv1a } from '../../core/fnv1a.js';
import type { AnomalyEvent } from '../../core/events.js';
import { labelsKey, type Labels } from '../../core/labels.js';
import { whenAllReady } from '../../core/readiness.js';
import type { MetricType } from '../../core/metadata.js';
import type { SampleBatch, SampleStore } from '../../store/types.js';
import type { AnomalyListener, DetectionCounters, DetectionOptions } from './detection-stage.js';
import type { Detection } from './detection.js';
import { DetectionWorker } from './detection-worker.js';

/**
 * Streaming detection on several worker threads. Each series goes to one worker for
 * good, chosen by a hash of its host (the multivariate `groupBy` label), so a host's
 * isolation forest still sees all of that host's metrics; series without that label are
 * placed by their whole label set. Every worker stores its own scores and raises its own
 * events, and each applies its own back-pressure to the ingest thread.
 */
export class DetectionPool implements Detection {
  private readonly workers: DetectionWorker[];
  private readonly shardByIdentity = new WeakMap<Labels, number>();
  /** Shard of each series of the batch being observed (reused). */
  private shards = new Uint8Array(1024);

  constructor(
    store: SampleStore,
    private readonly opts: DetectionOptions,
    stateDir: string | undefined,
    logger: Logger,
    count: number,
    keepEvents = 1000,
    maxBacklog?: number,
  ) {
    if (!(count >= 1 && count <= 255)) throw new RangeError(`detection workers: ${count} is not between 1 and 255`);
    this.workers = Array.from({ length: count }, () => new DetectionWorker(store, opts, stateDir, logger, keepEvents, maxBacklog));
  }

  get size(): number {
    return this.workers.length;
  }

  get seriesCount(): number {
    return this.workers.reduce((n, w) => n + w.seriesCount, 0);
  }

  get counters(): DetectionCounters {
    const events = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
    let scored = 0;
    for (const w of this.workers) {
      scored += w.counters.scored;
      for (const k of Object.keys(events) as Array<keyof typeof events>) events[k] += w.counters.events[k];
    }
    return { scored, events };
  }

  /** Each worker's OS thread id (undefined until it has said, or without /proc). */
  get threadIds(): Array<number | undefined> {
    return this.workers.map((w) => w.threadId);
  }

  /** Samples waiting in the workers to be scored. */
  get backlog(): number {
    return this.workers.reduce((n, w) => n + Math.max(0, w.backlog), 0);
  }

  /** Samples not scored because their worker had stalled. */
  get skipped(): number {
    return this.workers.reduce((n, w) => n + w.skipped, 0);
  }

  /** Undefined when every worker can take more samples now, else a promise of when they can (see DetectionWorker). */
  whenCaughtUp(): Promise<void> | undefined {
    return whenAllReady(this.workers, (w) => w.whenCaughtUp());
  }

  /** The worker a series belongs to. */
  shardOf(labels: Labels): number {
    if (this.workers.length === 1) return 0;
    const frozen = Object.isFrozen(labels);
    if (frozen) {
      const s = this.shardByIdentity.get(labels);
      if (s !== undefined) return s;
    }
    const s = fnv1a(labels[this.opts.multivariate.groupBy] ?? labelsKey(labels)) % this.workers.length;
    if (frozen) this.shardByIdentity.set(labels, s);
    return s;
  }

  /** Restores each worker's series (saved state, then the store's history after it). */
  async start(now = Date.now()): Promise<void> {
    await Promise.all(this.workers.map((w, k) => w.start(now, (labels) => this.shardOf(labels) === k)));
  }

  observe(batch: SampleBatch, refs?: Int32Array): void {
    if (this.workers.length === 1) {
      this.workers[0]!.observe(batch, refs);
      return;
    }
    if (this.shards.length < batch.size) this.shards = new Uint8Array(Math.max(batch.size, 2 * this.shards.length));
    for (let i = 0; i < batch.size; i++) this.shards[i] = this.shardOf(batch.labels[i]!);
    for (let k = 0; k < this.workers.length; k++) this.workers[k]!.observe(batch, refs, this.shards, k);
  }

  onAnomaly(l: AnomalyListener): void {
    for (const w of this.workers) w.onAnomaly(l);
  }

  setMetricTypes(types: ReadonlyArray<readonly [family: string, type: MetricType]>): void {
    for (const w of this.workers) w.setMetricTypes(types);
  }

  recentEvents(limit = 100, since = -Infinity): AnomalyEvent[] {
    if (this.workers.length === 1) return this.workers[0]!.recentEvents(limit, since);
    const all = this.workers.flatMap((w) => w.recentEvents(limit, since));
    all.sort((a, b) => a.t - b.t);
    return all.slice(-limit);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }
}
