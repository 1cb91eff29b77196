import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { AnomalyEvent } from '../../core/events.js';
import type { MetricType } from '../../core/metadata.js';
import { METRIC_NAME, labelsKey, type Labels } from '../../core/labels.js';
import { batchSamples } from '../../store/sample-batch.js';
import type { SampleBatch, SampleStore } from '../../store/types.js';
import { AnomalyFeed, type AnomalyListener } from './anomaly-feed.js';
import { ANOMALY_SCORE_METRIC, type DetectionCounters, type DetectionOptions } from './detection-stage.js';
import type { Detection } from './detection.js';
import { BLOCK_SAMPLES, type FlatBatch, type FromWorker, type ToWorker, type WorkerInit } from './worker-messages.js';

/** Pending samples sent at once; smaller batches go at the end of the event-loop turn. */
const FLUSH_SAMPLES = 16_384;

/** Samples sent to the worker and not yet scored, above which ingest waits for it (as detect.maxBacklog's default). */
const DEFAULT_MAX_BACKLOG = 1_000_000;

/** A worker that scores nothing for this long is stalled: ingest stops waiting for it. */
const STALL_MS = 30_000;

/**
 * Streaming detection on a worker thread: the same DetectionStage, scoring the
 * same samples in the same order (so the same scores and events), while the
 * ingest thread decodes and stores the next request. Each batch crosses as flat
 * typed arrays (transferred) with series ids; score series come back the same
 * way and are appended to the store here.
 *
 * Back-pressure, so memory stays bounded and every sample is scored:
 * - ingest routes await whenCaughtUp() before decoding a request; it resolves once the
 *   worker is at most half of `maxBacklog` behind, without blocking the event loop
 *   (Atomics.waitAsync), so queries, the UI and webhooks are served meanwhile;
 * - observe() itself blocks (Atomics.wait) only past `maxBacklog`, the hard bound for
 *   callers that do not wait first (replay at start, scrapes, concurrent requests).
 * A worker that scores nothing for 30 s is stalled: ingest stops waiting for it and its
 * samples are skipped (counted, logged) until it makes progress again.
 */
export class DetectionWorker implements Detection {
  private readonly worker: Worker;
  private readonly processed: Int32Array;
  private readonly scores: MessagePort;
  /**
   * Samples handed to the worker so far (live and replayed). The worker's `processed`
   * is an Int32 that wraps; (sent - processed) | 0 is still the exact backlog.
   */
  private sent = 0;
  private readonly idsByKey = new Map<string, number>();
  private readonly idsByIdentity = new WeakMap<Labels, number>();
  private nextId = 0;
  /** Lookup hints: a frozen label set per id, and the id that followed each id last time. */
  private readonly aliases: Labels[] = [];
  private readonly followers: number[] = [];
  private lastId = -1;
  /** By store ref: 0 while unknown, 1 for a score series, else the series' id + 2. */
  private idByRef = new Int32Array(1024);
  private readonly scoreLabels: Labels[] = [];
  /** The label set of each series of the score batch being stored (reused). */
  private readonly scoreBatchLabels: Labels[] = [];
  /** Store ref of each score series (by score id), once stored; and the per-sample refs of a batch (reused). */
  private readonly scoreRefs: number[] = [];
  private refScratch = new Uint32Array(1024);
  private readonly waiting = new Map<'restored' | 'closed', (m: FromWorker) => void>();
  private failed = false;
  private readonly pending = new PendingBatch();
  /** Buffers of batches the worker has scored and sent back, for the next ones (at most MAX_SPARE). */
  private readonly spare: BatchBuffers[] = [];
  private flushQueued = false;
  private closing: Promise<void> | undefined;
  private series = 0;
  /** The worker's OS thread id, once it has said (Linux). */
  threadId: number | undefined;
  /** The shared wait of requests held at admission, while there is one. */
  private admission: Promise<void> | undefined;
  /** `processed` when the worker was found stalled; -1 while it is not. */
  private stalledAt = -1;
  /** Samples not sent to the worker because it was stalled. */
  skipped = 0;
  private readonly feed: AnomalyFeed;
  readonly counters: DetectionCounters;

  constructor(
    private readonly store: SampleStore,
    opts: DetectionOptions,
    /** Directory for detect.db; undefined = state is not saved. */
    stateDir: string | undefined,
    private readonly logger: Logger,
    keepEvents = 1000,
    private readonly maxBacklog = DEFAULT_MAX_BACKLOG,
  ) {
    this.feed = new AnomalyFeed(logger, keepEvents);
    this.counters = { scored: 0, events: this.feed.counts };
    const processed = new SharedArrayBuffer(4);
    this.processed = new Int32Array(processed);
    const { port1, port2 } = new MessageChannel();
    this.scores = port1;
    // A block never waits for more than ingest may send before it waits for the worker.
    const init: WorkerInit = { opts, stateDir, processed, scores: port2, blockSamples: Math.max(1, Math.min(BLOCK_SAMPLES, maxBacklog >>> 2)) };
    this.worker = new Worker(new URL('./detection-worker-thread.js', import.meta.url), { workerData: init, transferList: [port2] });
    this.worker.on('message', (m: FromWorker) => this.onMessage(m));
    port1.on('message', (m: FromWorker) => this.onMessage(m));
    // The worker keeps the process alive while it runs; its score port need not.
    port1.unref();
    this.worker.on('error', (err) => {
      this.failed = true;
      this.logger.error({ err }, 'detection worker failed; ingest continues without detection');
      this.releaseWaiters();
    });
    this.worker.on('exit', (code) => {
      if (!this.closing && !this.failed) this.logger.error({ code }, 'detection worker exited; ingest continues without detection');
      this.failed = true;
      this.releaseWaiters();
    });
  }

  private releaseWaiters(): void {
    for (const done of this.waiting.values()) done({ type: 'closed' });
    this.waiting.clear();
  }

  get seriesCount(): number {
    return this.series;
  }

  onAnomaly(l: AnomalyListener): void {
    this.feed.on(l);
  }

  /** Sent after the samples observed so far (flushed first), so they apply from the next sample on, as inline. */
  setMetricTypes(types: ReadonlyArray<readonly [family: string, type: MetricType]>): void {
    if (this.failed || this.closing || types.length === 0) return;
    this.flush();
    this.worker.postMessage({ type: 'metricTypes', types: types.map(([f, t]) => [f, t] as const) } satisfies ToWorker);
  }

  recentEvents(limit = 100, since = -Infinity): AnomalyEvent[] {
    return this.feed.recent(limit, since);
  }

  /**
   * Restores saved detector state in the worker and replays what the store holds
   * after it (or the rebuild window for series without state), without events.
   * `accept` picks this worker's series when several share the work.
   */
  async start(now = Date.now(), accept: (labels: Labels) => boolean = () => true): Promise<void> {
    const all = this.store.series([{ name: METRIC_NAME, type: '=~', value: '.+' }]).filter((s) => s.labels[METRIC_NAME] !== ANOMALY_SCORE_METRIC && accept(s.labels));
    const series: Array<[number, Labels]> = all.map((s) => [this.idFor(s.labels), s.labels]);
    const reply = await this.request('restored', { type: 'restore', series, now });
    if (reply.type !== 'restored') return; // the worker failed (logged)
    let replayed = 0;
    all.forEach((info, i) => {
      const matchers = Object.keys(info.labels).map((name) => ({ name, type: '=' as const, value: info.labels[name]! }));
      for (const d of this.store.read(matchers, reply.from[i]!, Number.MAX_SAFE_INTEGER)) {
        if (d.id !== info.id || d.timestamps.length === 0) continue;
        const n = d.timestamps.length;
        this.send({ type: 'samples', replay: true, batches: Uint32Array.of(1), series: [], ids: Uint32Array.of(series[i]![0]), ends: Uint32Array.of(n), ts: d.timestamps.slice(), vs: d.values.slice() });
        replayed += n;
      }
    });
    if (all.length) this.logger.info({ series: all.length, restored: reply.restored, replayed }, 'detectors ready');
    this.worker.postMessage({ type: 'startSaving' } satisfies ToWorker);
  }

  /**
   * Scores the batch's series, or with `shards`, only those whose shard is `shard`.
   * `refs` (the store's, -1 where none) find each series' id in one array read.
   */
  observe(batch: SampleBatch, refs?: Int32Array, shards?: Uint8Array, shard = 0): void {
    if (this.failed || this.closing) return;
    if (this.stalledAt !== -1 && !this.resumed()) {
      this.skipped += countShard(batch, shards, shard);
      return;
    }
    // Scores first: when storing them is what holds ingestion back, they must not queue up.
    this.storeWaitingScores();
    const p = this.pending;
    const total = batchSamples(batch);
    p.reserve(batch.size, total);
    const { ids, ends, ts, vs } = p;
    let from = 0;
    for (let i = 0; i < batch.size; i++) {
      const to = batch.ends[i]!;
      if (to > from && (shards === undefined || shards[i] === shard)) {
        const id = this.idOf(batch.labels[i]!, refs === undefined ? -1 : refs[i]!, p.fresh);
        if (id < 0) {
          from = to;
          continue;
        }
        ids[p.series] = id;
        let o = p.samples;
        for (let j = from; j < to; j++, o++) {
          ts[o] = batch.timestamps[j]!;
          vs[o] = batch.values[j]!;
        }
        p.samples = o;
        ends[p.series++] = o;
      }
      from = to;
    }
    if (p.series > (p.batches.at(-1) ?? 0)) p.batches.push(p.series);
    // Several requests per message: fewer, larger transfers.
    if (p.samples >= FLUSH_SAMPLES) this.flush();
    else if (p.samples > 0 && !this.flushQueued) {
      this.flushQueued = true;
      setImmediate(() => this.flush());
    }
  }

  /** Sends the pending samples to the worker. */
  private flush(): void {
    this.flushQueued = false;
    const p = this.pending;
    if (p.samples === 0 || this.failed) return;
    // The pending arrays themselves go (transferred, not copied), and the worker sends their
    // buffers back with the batch's scores for a later batch: a batch allocates no memory.
    const m: Extract<ToWorker, { type: 'samples' }> = {
      type: 'samples',
      replay: false,
      series: p.fresh,
      batches: Uint32Array.from(p.batches),
      ids: p.ids.subarray(0, p.series),
      ends: p.ends.subarray(0, p.series),
      ts: p.ts.subarray(0, p.samples),
      vs: p.vs.subarray(0, p.samples),
    };
    p.clear();
    this.send(m);
    p.take(this.spare.pop() ?? newBatchBuffers());
  }

  /** Lets the worker finish every batch sent, save its state, and stop. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.flush();
      if (!this.failed) await this.request('closed', { type: 'close' });
      // Scores sent before 'closed' may still be on their port: store them before it closes.
      this.storeWaitingScores();
      this.scores.close();
      await this.worker.terminate();
    })();
    return this.closing;
  }

  private send(m: Extract<ToWorker, { type: 'samples' }>): void {
    // Counted before the transfer detaches the arrays (their length is 0 after it).
    const n = m.ts.length;
    this.worker.postMessage(m, [m.ids.buffer, m.ends.buffer, m.ts.buffer, m.vs.buffer]);
    this.sent += n;
    this.waitForBacklog();
  }

  /** Samples handed to the worker so far (live and replayed). */
  get samplesSent(): number {
    return this.sent;
  }

  /** Samples sent to the worker and not yet scored by it. */
  get backlog(): number {
    return (this.sent - Atomics.load(this.processed, 0)) | 0;
  }

  /** Stores every score message that has arrived, without waiting for the event loop. */
  private storeWaitingScores(): void {
    for (let r = receiveMessageOnPort(this.scores); r !== undefined; r = receiveMessageOnPort(this.scores)) this.onMessage(r.message as FromWorker);
  }

  /** Backlog at or below which ingest requests are admitted without waiting. */
  private get admitBacklog(): number {
    return this.maxBacklog >>> 1;
  }

  /**
   * Undefined when the worker can take more samples now; else a promise that resolves,
   * without blocking the thread, once it is at most half of `maxBacklog` behind (or has
   * failed, closed or stalled). Every request waiting shares one wait.
   */
  whenCaughtUp(): Promise<void> | undefined {
    // Samples gathered for the next message count too: they go at the end of this turn.
    if (this.failed || this.closing || this.stalledAt !== -1 || this.backlog + this.pending.samples <= this.admitBacklog) return undefined;
    return (this.admission ??= this.drain().finally(() => (this.admission = undefined)));
  }

  private async drain(): Promise<void> {
    const watch = new ProgressWatch(this.processed);
    while (((this.sent - watch.seen) | 0) + this.pending.samples > this.admitBacklog && !this.failed && !this.closing) {
      const w = Atomics.waitAsync(this.processed, 0, watch.seen, 50);
      if (w.async) await w.value;
      if (!watch.check()) return this.stall(watch.seen);
    }
  }

  private waitForBacklog(): void {
    if (((this.sent - Atomics.load(this.processed, 0)) | 0) <= this.maxBacklog) return;
    const watch = new ProgressWatch(this.processed);
    while (((this.sent - watch.seen) | 0) > this.maxBacklog && !this.failed) {
      // Store scores while waiting, so a worker's answers never pile up behind the wait.
      this.storeWaitingScores();
      Atomics.wait(this.processed, 0, watch.seen, 20);
      if (!watch.check()) return this.stall(watch.seen);
    }
  }

  private stall(processed: number): void {
    if (this.stalledAt !== -1) return;
    this.stalledAt = processed;
    this.logger.warn({ backlog: (this.sent - processed) | 0 }, `detection worker made no progress for ${STALL_MS / 1000} s; skipping detection until it does`);
  }

  /** True (and no longer stalled) once a stalled worker has scored something again. */
  private resumed(): boolean {
    if (Atomics.load(this.processed, 0) === this.stalledAt) return false;
    this.logger.info({ skipped: this.skipped }, 'detection worker is making progress again; detection resumes');
    this.stalledAt = -1;
    return true;
  }

  /**
   * The id of a batch's series, known by its store ref when it has one (refs name one label
   * set for the store's lifetime: they are never reused); -1 for a score series, which is
   * never scored. The label set is only looked at the first time a ref comes.
   */
  private idOf(labels: Labels, ref: number, fresh: Array<[number, Labels]>): number {
    if (ref >= 0 && ref < this.idByRef.length) {
      const known = this.idByRef[ref]!;
      if (known !== 0) return known - 2;
    }
    const id = labels[METRIC_NAME] === ANOMALY_SCORE_METRIC ? -1 : this.idFor(labels, fresh);
    if (ref >= 0) {
      if (ref >= this.idByRef.length) this.idByRef = grow(this.idByRef, new Int32Array(Math.max(ref + 1, 2 * this.idByRef.length)));
      this.idByRef[ref] = id + 2;
    }
    return id;
  }

  /** The series id of a label set, registering it in `fresh` (sent with the batch) the first time. */
  private idFor(labels: Labels, fresh?: Array<[number, Labels]>): number {
    // As in the store: the series that followed the previous one last time is the first guess.
    const guess = this.followers[this.lastId];
    if (guess !== undefined && this.aliases[guess] === labels) return (this.lastId = guess);
    const frozen = Object.isFrozen(labels);
    let id = frozen ? this.idsByIdentity.get(labels) : undefined;
    if (id === undefined) {
      const key = labelsKey(labels);
      id = this.idsByKey.get(key);
      if (id === undefined) {
        this.idsByKey.set(key, (id = this.nextId++));
        fresh?.push([id, labels]);
      }
      if (frozen) this.idsByIdentity.set(labels, id);
    }
    if (frozen) this.aliases[id] = labels;
    if (this.lastId >= 0) this.followers[this.lastId] = id;
    this.lastId = id;
    return id;
  }

  private request(reply: 'restored' | 'closed', m: ToWorker): Promise<FromWorker> {
    if (this.failed) return Promise.resolve({ type: 'closed' });
    return new Promise((resolve) => {
      this.waiting.set(reply, resolve);
      this.worker.postMessage(m);
    });
  }

  private onMessage(m: FromWorker): void {
    switch (m.type) {
      case 'scores':
        this.counters.scored = m.scored;
        this.series = m.seriesCount;
        this.appendScores(m);
        for (const [ids, ends, ts, vs] of m.spare) {
          if (this.spare.length >= MAX_SPARE) break;
          this.spare.push({ ids: new Uint32Array(ids), ends: new Uint32Array(ends), ts: new Float64Array(ts), vs: new Float64Array(vs) });
        }
        break;
      case 'event':
        this.feed.emit(m.event);
        break;
      case 'log':
        this.logger[m.level](m.obj, m.msg);
        break;
      case 'thread':
        this.threadId = m.tid;
        break;
      default: {
        const done = this.waiting.get(m.type);
        this.waiting.delete(m.type);
        done?.(m);
      }
    }
  }

  /**
   * Stores a score batch by store ref (each score series' ref found once): a batch holds
   * the few series whose scores are due, in no stable order, so finding each by its label
   * set missed the store's lookup hints and cost a hash lookup a sample. A ref the store
   * no longer knows (the series was dropped by retention) counts as invalid: the batch is
   * then stored again by label set, which creates the series anew; samples of it that
   * appendRefs already stored are not written twice (the store finds them there: the same
   * sample, or out of order past its window).
   */
  private appendScores(m: FlatBatch): void {
    for (const [id, labels] of m.series) this.scoreLabels[id] = Object.freeze(labels);
    try {
      const byRef = m.ids.length > 0 ? this.appendScoresByRef(m) : 'stored';
      if (byRef !== 'stored') {
        // Refs the store no longer knows are all looked up again; at the series limit the cache stays.
        if (byRef === 'unknown-ref') this.scoreRefs.length = 0;
        const labels = this.scoreBatchLabels;
        for (let i = 0; i < m.ids.length; i++) labels[i] = this.scoreLabels[m.ids[i]!]!;
        this.store.appendBatch({ size: m.ids.length, labels, ends: m.ends, timestamps: m.ts, values: m.vs });
      }
    } catch (err) {
      this.logger.error({ err }, 'could not store anomaly scores');
    }
  }

  /**
   * 'no-ref', having stored nothing, when a score series cannot be created (the store's
   * series limit); 'unknown-ref' when the store refused some samples as invalid, their ref
   * being unknown to it (see appendScores).
   */
  private appendScoresByRef(m: FlatBatch): 'stored' | 'no-ref' | 'unknown-ref' {
    const n = m.ts.length;
    if (this.refScratch.length < n) this.refScratch = new Uint32Array(Math.max(n, this.refScratch.length * 2));
    const refs = this.refScratch;
    let from = 0;
    for (let i = 0; i < m.ids.length; i++) {
      const id = m.ids[i]!;
      let ref = this.scoreRefs[id];
      if (ref === undefined) {
        try {
          this.scoreRefs[id] = ref = this.store.ref(this.scoreLabels[id]!);
        } catch {
          // At the store's series limit: the label-set path stores what it can and counts the rest.
          return 'no-ref';
        }
      }
      const to = m.ends[i]!;
      refs.fill(ref, from, to);
      from = to;
    }
    return this.store.appendRefs(refs, m.ts, m.vs, n).rejected.invalid ? 'unknown-ref' : 'stored';
  }
}

/** The worker's progress (its `processed` count) as seen while waiting for it. */
class ProgressWatch {
  seen: number;
  private at = Date.now();

  constructor(private readonly processed: Int32Array) {
    this.seen = Atomics.load(processed, 0);
  }

  /** Reads the count again; false once it has not moved for STALL_MS. */
  check(): boolean {
    const now = Atomics.load(this.processed, 0);
    if (now === this.seen) return Date.now() - this.at <= STALL_MS;
    this.seen = now;
    this.at = Date.now();
    return true;
  }
}

/** Samples of the batch's series that go to `shard` (all of them without `shards`). */
function countShard(batch: SampleBatch, shards: Uint8Array | undefined, shard: number): number {
  if (shards === undefined) return batchSamples(batch);
  let n = 0;
  let from = 0;
  for (let i = 0; i < batch.size; i++) {
    const to = batch.ends[i]!;
    if (shards[i] === shard) n += to - from;
    from = to;
  }
  return n;
}

/** A batch's arrays at full capacity. */
interface BatchBuffers {
  ids: Uint32Array<ArrayBuffer>;
  ends: Uint32Array<ArrayBuffer>;
  ts: Float64Array<ArrayBuffer>;
  vs: Float64Array<ArrayBuffer>;
}

/**
 * Batches' buffers kept for reuse: enough for those in flight, a block's worth (the worker
 * scores up to 16 batches of FLUSH_SAMPLES as one block, and sends their buffers back
 * together) and some; about 270 kB each.
 */
const MAX_SPARE = 24;

/** Samples gathered for the next message to the worker, in arrays that go with it. */
class PendingBatch implements BatchBuffers {
  ids!: Uint32Array<ArrayBuffer>;
  ends!: Uint32Array<ArrayBuffer>;
  ts!: Float64Array<ArrayBuffer>;
  vs!: Float64Array<ArrayBuffer>;
  series = 0;
  samples = 0;
  fresh: Array<[number, Labels]> = [];
  /** End (series index) of each observe() batch, so the worker scores them one by one. */
  batches: number[] = [];

  constructor() {
    this.take(newBatchBuffers());
  }

  /** Makes room for `series` more series with `samples` more samples. */
  reserve(series: number, samples: number): void {
    if (this.series + series > this.ids.length) {
      const cap = Math.max(this.ids.length * 2, this.series + series);
      this.ids = grow(this.ids, new Uint32Array(cap));
      this.ends = grow(this.ends, new Uint32Array(cap));
    }
    if (this.samples + samples > this.ts.length) {
      const cap = Math.max(this.ts.length * 2, this.samples + samples);
      this.ts = grow(this.ts, new Float64Array(cap));
      this.vs = grow(this.vs, new Float64Array(cap));
    }
  }

  clear(): void {
    this.series = 0;
    this.samples = 0;
    this.fresh = [];
    this.batches = [];
  }

  /** Gathers into `b`'s arrays (at the start, and after the last ones were sent, detached). */
  take(b: BatchBuffers): void {
    this.ids = b.ids;
    this.ends = b.ends;
    this.ts = b.ts;
    this.vs = b.vs;
  }
}

function newBatchBuffers(): BatchBuffers {
  return { ids: new Uint32Array(1024), ends: new Uint32Array(1024), ts: new Float64Array(FLUSH_SAMPLES), vs: new Float64Array(FLUSH_SAMPLES) };
}

function grow<T extends Uint32Array | Int32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
