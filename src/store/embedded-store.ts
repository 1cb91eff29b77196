import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { VigilError } from '../core/errors.js';
import { type Labels, hashString64, labelsKey, normalizeLabels } from '../core/labels.js';
import { type LabelMatcher, compileMatchers } from '../core/matchers.js';
import { isStaleMarker } from '../core/sample.js';
import { MAX_ABS_TIMESTAMP, decodeChunkInto } from './chunk-codec.js';
import { HeadSeries } from './head.js';
import { LabelIndex } from './label-index.js';
import { acquireDirLock, releaseDirLock } from './dir-lock.js';
import { SeriesMap } from './series-map.js';
import { ChunkDb } from './sqlite-chunks.js';
import { readSeries } from './read-series.js';
import { batchSamples } from './sample-batch.js';
import { type SealPlan, applySeal, encodeAhead, sealSeries } from './seal.js';
import { ChunkEncoder } from './chunk-encoder.js';
import { SqliteCheckpointer } from './sqlite-checkpointer.js';
import { FrontQueue } from './front-queue.js';
import { HeadArena } from './head-arena.js';
import type { AppendResult, CardinalityStats, RejectReason, SampleBatch, SampleStore, SeriesData, SeriesInfo, SeriesWrite, StoreOptions, StoreStats } from './types.js';
import { WalWriter, deleteSegmentIfPresent, listSegments, replaySegment, segmentName } from './wal.js';

/**
 * The embedded sample store: an in-memory head per series, a write-ahead log, and
 * sealed Gorilla-style chunks in SQLite.
 *
 * Write semantics (as Prometheus' TSDB):
 * - A sample is a timestamp (integer milliseconds, within +-2^50) and a float64 value. Any
 *   other timestamp is rejected as `invalid`, as is a sample for an unknown ref and a
 *   series with no non-empty label. Labels with an empty value are the same as no label.
 * - Each series takes samples in time order. A sample older than the newest sample of its
 *   series is rejected as `out_of_order`, unless `outOfOrderWindowMs` (default 0) is set and
 *   it is at most that much older than the newest: then it is inserted in place, also into
 *   data already sealed on disk and across restarts.
 * - A sample whose timestamp is already stored for the series is accepted silently (counted
 *   as accepted, nothing new is stored) when its value is identical, and rejected as
 *   `duplicate` otherwise. Identical means the same bits: NaN equals NaN, -0 differs from 0,
 *   a stale marker equals a stale marker but not an ordinary NaN.
 * - NaN, +Inf and -Inf are ordinary values and are stored. The Prometheus stale marker (a
 *   NaN with bits 0x7ff0000000000002) is stored and read back as a stale marker: test it
 *   with isStaleMarker(), not by its bits (the CPU may quiet its signalling bit in transit).
 * - Time is the data clock, as in Prometheus: the newest timestamp the store holds. A sample
 *   older than that minus the retention (default 15 d) is rejected as `too_old`; backfilling
 *   data older than the retention behind newer data is therefore refused.
 * - A new series beyond `maxSeries` (default 1,000,000) series is refused: its samples count
 *   as `series_limit`, and ref() throws a VigilError with code SERIES_LIMIT.
 * - Rejections are per sample; the rest of the request is stored.
 * - When append()/appendRefs() returns, its accepted samples are readable and in the
 *   write-ahead log (one write(2) per call): they survive kill -9. The `fsync` policy decides
 *   about power loss (`interval`, the default, may lose the last second; see wal.ts). If
 *   the WAL write itself fails (disk full), the call throws and its samples may or may not
 *   be kept: treat it as not acknowledged.
 * - Every 60 s (checkpointIntervalMs) and when 256 MiB of WAL accumulate, the head is sealed
 *   into compressed chunks in SQLite and the WAL is truncated; the head keeps the last 2 h
 *   (headWindowMs) in memory for fast reads.
 * - Retention runs every 10 minutes (and on applyRetention()). In the background it runs as
 *   the checkpoint does, a slice of the series per event-loop turn, after a checkpoint of
 *   everything before it (so the WAL cannot bring back what it deleted). It drops whole chunks (120
 *   samples by default), so a read may return a few samples older than the retention until
 *   their chunk expires. A series whose newest sample is past the retention is dropped with
 *   its data (its ref becomes invalid); a series that never got a sample is dropped at the
 *   second pass that finds it empty.
 * - series() with a time range filters on each series' first and last sample times.
 */

const DEFAULTS = {
  retentionMs: 15 * 24 * 3600_000,
  headWindowMs: 2 * 3600_000,
  chunkSamples: 120,
  fsync: 'interval' as const,
  fsyncIntervalMs: 1000,
  outOfOrderWindowMs: 0,
  maxSeries: 1_000_000,
  checkpointIntervalMs: 60_000,
  walCheckpointBytes: 256 * 1024 * 1024,
  walSegmentBytes: 64 * 1024 * 1024,
  encoderThreadAfter: 4096,
};

type ResolvedOptions = Required<StoreOptions>;

/** Sample counts of one append call by outcome, and its retention floor. */
interface Tally {
  accepted: number;
  ooo: number;
  dup: number;
  old: number;
  invalid: number;
  limited: number;
  minValidT: number;
}

/** SQLite's own WAL checkpoint threshold, in pages (its default). */
const SQLITE_AUTOCHECKPOINT_PAGES = 1000;
/** The threshold while the checkpoint thread runs: a bound on its lag (256 MB of 4 KB pages). */
const SQLITE_BEHIND_PAGES = 65_536;

/** Series sealed per step of a running checkpoint (fewer when they hold many chunks; fifty times as many are trimmed per step after it). */
const CHECKPOINT_SLICE_SERIES = 1000;

/** A checkpoint in progress: the series it seals, a slice at a time, and the WAL segment it keeps from. */
interface RunningCheckpoint {
  /** The segment begun with it: the WAL from there on is what it does not cover. */
  target: number;
  /** Series touched when it began; [next, length) are still to seal. */
  series: HeadSeries[];
  next: number;
  /** Series not yet in the series table when it began (inserted with the first slice). */
  fresh: HeadSeries[];
  /** `wal_first_segment` has moved to `target`. */
  committed: boolean;
  /** Where the trim of the heads is (after the commit). */
  trimAt: number;
}

/** A retention pass in progress (beginRetention), a slice of the series at a time. */
interface RunningRetention {
  /** Chunks (and series) wholly older than this go. */
  cutoff: number;
  /** The checkpoint of what the WAL held when the pass began has been started. */
  checkpointed: boolean;
  /** Next series ref to look at. */
  next: number;
}

/** How often the background timer runs retention, at most. */
const RETENTION_EVERY_MS = 10 * 60_000;

// appendOne outcomes.
const OK = 0;
const OUT_OF_ORDER = 1;
const DUPLICATE = 2;
const TOO_OLD = 3;
const INVALID = 4;

/** Apart from appendBatch, whose size decides what V8 inlines into it (its appends). */
function refsTooShort(room: number, size: number): never {
  throw new RangeError(`appendBatch: refs has room for ${room} series, the batch has ${size}`);
}

function countOutcome(t: Tally, outcome: number): void {
  if (outcome === OK) t.accepted++;
  else if (outcome === OUT_OF_ORDER) t.ooo++;
  else if (outcome === DUPLICATE) t.dup++;
  else if (outcome === TOO_OLD) t.old++;
  else t.invalid++;
}

export class EmbeddedStore implements SampleStore {
  readonly options: Readonly<ResolvedOptions>;
  private readonly db: ChunkDb;
  private readonly wal: WalWriter;
  private readonly index = new LabelIndex();
  /** Where every series' head keeps its samples. */
  private readonly arena = new HeadArena();
  /** Series by ref; refs are dense, so an array beats a Map in the hot path. */
  private readonly byRef: (HeadSeries | undefined)[] = [];
  private readonly byLabels = new SeriesMap<HeadSeries>();
  private seriesCount = 0;
  private nextRef = 1;
  /** Series with samples not yet persisted (or dirty), for the next checkpoint. */
  private touched: HeadSeries[] = [];
  /** Series not yet in SQLite's series table. */
  private newSeries: HeadSeries[] = [];
  /** Series with a full chunk not yet encoded, for encodeAhead (a few per append call). */
  private readonly encodeQueue = new FrontQueue<HeadSeries>();
  /** Chunks encoded ahead on this thread, and the thread that takes over (see encoderThread). */
  private encodedInline = 0;
  private encoder: ChunkEncoder | undefined;
  private encoderFailed = false;
  /** Chunks a failed encoder thread had encoded. */
  private encoderAccepted = 0;
  /** SQLite's WAL checkpoints on a thread of their own, started with the encoder thread (see startSqliteCheckpointer). */
  private checkpointer: SqliteCheckpointer | undefined;
  private checkpointerFailed = false;
  private checkpointerRuns = 0;
  /** The checkpoint in progress (beginCheckpoint), stepped on the event loop by setImmediate. */
  private running: RunningCheckpoint | undefined;
  /** The retention pass in progress (beginRetention), stepped the same way after any running checkpoint. */
  private retaining: RunningRetention | undefined;
  private stepping: NodeJS.Immediate | undefined;
  /** Newest timestamp in the store: the clock for retention and too_old. */
  private maxT = -Infinity;
  private samplesAppended = 0;
  private sealedChunks = 0;
  private readonly oooWindow: number;
  private readonly chunkSamples: number;
  private readonly headKeepMs: number;
  // WAL staging for the current append call.
  private walRefs = new Uint32Array(1024);
  private walTs = new Float64Array(1024);
  private walVs = new Float64Array(1024);
  private walN = 0;
  private readonly byIdentity = new WeakMap<Labels, HeadSeries>();
  private lastLookup: HeadSeries | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastRetentionAt = 0;
  private closed = false;
  /** Result of replaying the WAL at open. */
  readonly recovery: { segments: number; records: number; samples: number; ignoredBytes: number };

  constructor(opts: StoreOptions) {
    const o: ResolvedOptions = { ...DEFAULTS, ...stripUndefined(opts) } as ResolvedOptions;
    if (!(o.chunkSamples >= 1)) throw new VigilError('BAD_STORE_OPTION', 'chunkSamples: must be at least 1');
    if (!(o.retentionMs > 0)) throw new VigilError('BAD_STORE_OPTION', 'retentionMs: must be positive');
    this.options = Object.freeze(o);
    this.oooWindow = Math.max(0, o.outOfOrderWindowMs);
    this.chunkSamples = o.chunkSamples;
    this.headKeepMs = Math.max(o.headWindowMs, this.oooWindow);
    mkdirSync(o.dir, { recursive: true });
    acquireDirLock(o.dir);
    const walDir = join(o.dir, 'wal');
    let db: ChunkDb | undefined;
    try {
      this.db = db = new ChunkDb(join(o.dir, 'vigil.db'), { durable: o.fsync !== 'never' });
      this.loadSeries();
      const first = Number(this.db.getMeta('wal_first_segment') ?? '1');
      this.recovery = this.replayWal(walDir, first);
      const segs = listSegments(walDir);
      const next = Math.max(first, (segs[segs.length - 1] ?? 0) + 1);
      this.wal = new WalWriter(walDir, next, { fsync: o.fsync, fsyncIntervalMs: o.fsyncIntervalMs, segmentBytes: o.walSegmentBytes });
    } catch (e) {
      db?.close();
      releaseDirLock(o.dir);
      throw e;
    }
    this.lastRetentionAt = Date.now();
    if (o.checkpointIntervalMs > 0) {
      this.timer = setInterval(() => this.background(), o.checkpointIntervalMs);
      this.timer.unref();
    }
  }

  // --- writes -------------------------------------------------------------------

  append(writes: readonly SeriesWrite[]): AppendResult {
    this.assertOpen();
    let total = 0;
    for (const w of writes) total += Math.min(w.timestamps.length, w.values.length);
    this.ensureStaging(total);
    const tally = this.beginTally();
    for (const w of writes) {
      const n = Math.min(w.timestamps.length, w.values.length);
      tally.invalid += Math.max(w.timestamps.length, w.values.length) - n;
      this.appendSeries(w.labels, w.timestamps, w.values, 0, n, tally);
    }
    this.commitStaging();
    return this.result(tally);
  }

  appendBatch(b: SampleBatch, refs?: Int32Array): AppendResult {
    this.assertOpen();
    if (refs !== undefined && refs.length < b.size) refsTooShort(refs.length, b.size);
    const total = batchSamples(b);
    this.ensureStaging(total);
    const tally = this.beginTally();
    let from = 0;
    for (let i = 0; i < b.size; i++) {
      const to = b.ends[i]!;
      const s = this.appendSeries(b.labels[i]!, b.timestamps, b.values, from, to, tally);
      if (refs !== undefined) refs[i] = s === undefined ? -1 : s.ref;
      from = to;
    }
    this.commitStaging();
    return this.result(tally);
  }

  /** The counts of one append call, reused (appends are synchronous and never nest). */
  private readonly tally: Tally = { accepted: 0, ooo: 0, dup: 0, old: 0, invalid: 0, limited: 0, minValidT: 0 };

  private beginTally(): Tally {
    const t = this.tally;
    t.accepted = t.ooo = t.dup = t.old = t.invalid = t.limited = 0;
    t.minValidT = this.maxT - this.options.retentionMs;
    return t;
  }

  /** Samples [from, to) of ts/vs into the series named by labels, created if new; the series (undefined: none). */
  private appendSeries(labels: Labels, ts: ArrayLike<number>, vs: ArrayLike<number>, from: number, to: number, tally: Tally): HeadSeries | undefined {
    // A series exists by its samples: a write without any creates none (as in Prometheus).
    if (from >= to) return undefined;
    let s = this.lookup(labels);
    if (s === undefined) {
      if (!hasLabels(labels)) {
        tally.invalid += to - from;
        return undefined;
      }
      if (this.seriesCount >= this.options.maxSeries) {
        tally.limited += to - from;
        return undefined;
      }
      s = this.createSeries(labels);
    }
    const minValidT = tally.minValidT;
    for (let j = from; j < to; j++) countOutcome(tally, this.appendOne(s, ts[j]!, vs[j]!, minValidT));
    return s;
  }

  /**
   * The series of a label set. Frozen label sets (the remote-write decoder hands out one
   * per series and reuses it) are remembered by identity, skipping the label hashing,
   * and each series remembers which one followed it, so a request repeating the order
   * of the last one resolves each series with one comparison.
   */
  private lookup(labels: Labels): HeadSeries | undefined {
    const guess = this.lastLookup?.next;
    if (guess !== undefined && guess.alias === labels && this.byRef[guess.ref] === guess) return (this.lastLookup = guess);
    let s: HeadSeries | undefined;
    const frozen = Object.isFrozen(labels);
    if (frozen) {
      s = this.byIdentity.get(labels);
      if (s !== undefined && this.byRef[s.ref] !== s) s = undefined;
    }
    if (s === undefined) {
      s = this.byLabels.get(labels);
      if (s !== undefined && frozen) this.byIdentity.set(labels, s);
    }
    if (s !== undefined) {
      if (frozen) s.alias = labels;
      if (this.lastLookup) this.lastLookup.next = s;
      this.lastLookup = s;
    }
    return s;
  }

  ref(labels: Labels): number {
    this.assertOpen();
    const s = this.byLabels.get(labels);
    if (s !== undefined) return s.ref;
    if (!hasLabels(labels)) throw new VigilError('INVALID_SERIES', 'a series needs at least one non-empty label', 400);
    if (this.seriesCount >= this.options.maxSeries)
      throw new VigilError('SERIES_LIMIT', `the store holds ${this.seriesCount} series, the limit (maxSeries); refusing a new one`, 422);
    return this.createSeries(labels).ref;
  }

  appendRefs(refs: ArrayLike<number>, timestamps: ArrayLike<number>, values: ArrayLike<number>, count: number): AppendResult {
    this.assertOpen();
    count = Math.min(count, refs.length, timestamps.length, values.length);
    this.ensureStaging(count);
    const tally = this.beginTally();
    const minValidT = tally.minValidT;
    const byRef = this.byRef;
    for (let i = 0; i < count; i++) {
      const s = byRef[refs[i]!];
      if (s === undefined) {
        tally.invalid++;
        continue;
      }
      countOutcome(tally, this.appendOne(s, timestamps[i]!, values[i]!, minValidT));
    }
    this.commitStaging();
    return this.result(tally);
  }

  /** Stores one sample in the head and stages it for the WAL. No allocation on the in-order path. */
  private appendOne(s: HeadSeries, t: number, v: number, minValidT: number): number {
    if (!(t >= -MAX_ABS_TIMESTAMP && t <= MAX_ABS_TIMESTAMP) || Math.floor(t) !== t) return INVALID;
    if (!s.rangeKnown) this.loadRange(s);
    const lastT = s.lastT;
    if (t > lastT) {
      if (t < minValidT) return TOO_OLD;
      s.push(t, v);
      // Only a series' first sample can be its oldest (minT <= lastT otherwise): minT is not read.
      if (lastT === -Infinity) s.minT = t;
      if (t > this.maxT) this.maxT = t;
      if (!s.touched) this.touch(s);
      if (s.count - s.pendingTo >= this.chunkSamples && !s.aheadQueued) {
        s.aheadQueued = true;
        this.encodeQueue.push(s);
      }
      this.stage(s.ref, t, v);
      return OK;
    }
    return this.appendOlder(s, t, v, minValidT);
  }

  /**
   * appendOne for a sample not newer than the series' last: a duplicate, too old, out of
   * order, or inserted inside the out-of-order window. Apart, so that appendOne stays under
   * V8's size limit for inlining (460 bytes of bytecode): called instead, it took every
   * sample's time and value boxed on the heap.
   */
  private appendOlder(s: HeadSeries, t: number, v: number, minValidT: number): number {
    if (t === s.lastT && s.lastVKnown) return sameValue(v, s.lastV) ? OK : DUPLICATE;
    if (t < minValidT) return TOO_OLD;
    if (t < s.lastT - this.oooWindow) return OUT_OF_ORDER;
    // Inside the out-of-order window, or the newest timestamp again right after a restart.
    if (t < s.headStart) this.extendHead(s, t);
    const i = s.lowerBound(t);
    if (i < s.count && s.timeAt(i) === t) return sameValue(v, s.valueAt(i)) ? OK : DUPLICATE;
    if (t === s.lastT) {
      // lastVKnown was false and the disk had nothing at lastT: cannot happen unless the
      // database lost data; treat the newest timestamp as taken.
      return DUPLICATE;
    }
    s.insertAt(i, t, v);
    if (t < s.minT) s.minT = t;
    if (!s.touched) this.touch(s);
    this.stage(s.ref, t, v);
    return OK;
  }

  private stage(ref: number, t: number, v: number): void {
    const n = this.walN++;
    this.walRefs[n] = ref;
    this.walTs[n] = t;
    this.walVs[n] = v;
  }

  private ensureStaging(n: number): void {
    if (this.walRefs.length >= n) return;
    const cap = Math.max(n, this.walRefs.length * 2);
    this.walRefs = new Uint32Array(cap);
    this.walTs = new Float64Array(cap);
    this.walVs = new Float64Array(cap);
  }

  /** One write(2) for the whole call (queued series records plus staged samples). */
  private commitStaging(): void {
    const n = this.walN;
    this.walN = 0;
    this.wal.appendSamples(this.walRefs, this.walTs, this.walVs, n);
    this.samplesAppended += n;
    if (this.wal.bytesSinceCheckpoint >= this.options.walCheckpointBytes) this.checkpointInBackground();
    else if (this.encodeQueue.size > 0) this.encodeAhead(Math.ceil((2 * n) / this.chunkSamples) + 1);
  }

  /**
   * Encodes up to `max` full chunks of queued series, so that a checkpoint only inserts
   * what is already encoded instead of encoding every sample since the last one while
   * ingestion waits (seconds at high rates). Twice the call's samples' worth of chunks
   * keeps up with the appends. Nothing is written: SQLite sees the chunks at the
   * checkpoint, in its one transaction, as before.
   */
  private encodeAhead(max: number): void {
    const q = this.encodeQueue;
    const thread = this.encoderThread();
    while (q.size > 0 && (max > 0 || thread?.open === true)) {
      const s = q.shift();
      s.aheadQueued = false;
      if (this.byRef[s.ref] !== s || s.dirty) continue;
      if (thread?.open === true) thread.submit(s);
      else {
        const n = encodeAhead(s, this.chunkSamples, max);
        max -= n;
        this.encodedInline += n;
      }
    }
  }

  /** The OS thread id of the chunk encoder thread, while it runs (for Vigil's per-thread CPU metric). */
  get encoderThreadId(): number | undefined {
    return this.encoder?.threadId;
  }

  /**
   * The chunk encoder thread, started once this store has encoded `encoderThreadAfter`
   * chunks itself (a store taking samples at a high rate soon does; a quiet one never
   * pays for the thread); undefined before that, or after it failed.
   */
  private encoderThread(): ChunkEncoder | undefined {
    if (this.encoder !== undefined || this.encoderFailed || this.encodedInline < this.options.encoderThreadAfter) return this.encoder;
    const encoder = new ChunkEncoder(this.chunkSamples, (e) => {
      this.encoderAccepted += encoder.accepted;
      this.encoder = undefined;
      this.encoderFailed = true;
      process.emitWarning(`vigil store: the chunk encoder thread failed (${e.message}); encoding on the ingest thread from now on`);
    });
    this.encoder = encoder;
    this.startSqliteCheckpointer();
    return encoder;
  }

  /** The OS thread id of the SQLite checkpoint thread, while it runs (for Vigil's per-thread CPU metric). */
  get sqliteCheckpointThreadId(): number | undefined {
    return this.checkpointer?.threadId;
  }

  /**
   * Moves SQLite's WAL checkpoints (a copy of the WAL's pages into the database file and
   * a sync, every 1,000 pages inside a checkpoint slice's commit) to a thread of their
   * own, for a store busy enough to run the encoder thread. The ingest thread's commits
   * then checkpoint only if that thread falls 64 Ki pages (256 MB) behind; if it fails,
   * they do it at SQLite's 1,000 pages again.
   */
  private startSqliteCheckpointer(): void {
    if (this.checkpointer !== undefined || this.checkpointerFailed) return;
    const checkpointer = new SqliteCheckpointer(this.db.path, this.options.fsync !== 'never', (e) => {
      this.checkpointerRuns += checkpointer.runs;
      this.checkpointer = undefined;
      this.checkpointerFailed = true;
      if (!this.closed) this.db.setAutocheckpoint(SQLITE_AUTOCHECKPOINT_PAGES);
      process.emitWarning(`vigil store: the SQLite checkpoint thread failed (${e.message}); checkpointing in commits from now on`);
    });
    this.db.setAutocheckpoint(SQLITE_BEHIND_PAGES);
    this.checkpointer = checkpointer;
  }

  private result(t: Tally): AppendResult {
    const rejected: Partial<Record<RejectReason, number>> = {};
    if (t.ooo) rejected.out_of_order = t.ooo;
    if (t.dup) rejected.duplicate = t.dup;
    if (t.old) rejected.too_old = t.old;
    if (t.invalid) rejected.invalid = t.invalid;
    if (t.limited) rejected.series_limit = t.limited;
    return { accepted: t.accepted, rejected };
  }

  private touch(s: HeadSeries): void {
    s.touched = true;
    this.touched.push(s);
  }

  /** The caller checked that the label set is not empty and the limit. */
  private createSeries(labels: Labels): HeadSeries {
    const norm = Object.freeze(normalizeLabels(labels));
    const key = labelsKey(norm);
    const ref = this.nextRef++;
    const s = new HeadSeries(ref, norm, hashString64(key), this.arena);
    this.register(s);
    this.newSeries.push(s);
    this.wal.addSeries(ref, JSON.stringify(norm));
    return s;
  }

  private register(s: HeadSeries): void {
    const byRef = this.byRef;
    // Fill gaps so the array stays a plain (holey but not dictionary-mode) array.
    while (byRef.length < s.ref) byRef.push(undefined);
    byRef[s.ref] = s;
    this.byLabels.add(s);
    this.index.add(s.ref, s.labels);
    this.seriesCount++;
  }

  /**
   * Reads back the series' chunks that end in [t, headStart) and puts them in front of
   * the head, so an old sample can be checked or inserted against them.
   */
  private extendHead(s: HeadSeries, t: number): void {
    const rows = this.db.chunksEndingIn(s.ref, t, Math.min(s.headStart, Number.MAX_SAFE_INTEGER));
    if (rows.length > 0) {
      let n = 0;
      for (const r of rows) n += r.n;
      const ts = new Float64Array(n);
      const vs = new Float64Array(n);
      const ends: number[] = [];
      let at = 0;
      for (const r of rows) {
        at += decodeChunkInto(r.data, ts, vs, at);
        ends.push(at);
      }
      s.prepend(ts, vs, at, ends);
    }
  }

  /** Reads the time range of a series loaded at open from the chunk index. */
  private loadRange(s: HeadSeries): void {
    const r = this.db.seriesRange(s.ref);
    s.rangeKnown = true;
    if (r === undefined) return;
    // The head is empty until the range is known: appends and replay load it first.
    s.minT = r.minT;
    s.setDiskTail(r.maxT);
  }

  // --- reads --------------------------------------------------------------------

  series(matchers: readonly LabelMatcher[], start?: number, end?: number): SeriesInfo[] {
    this.assertOpen();
    const refs = this.index.select(compileMatchers(matchers));
    const ranged = start !== undefined || end !== undefined;
    const lo = start ?? -Infinity;
    const hi = end ?? Infinity;
    const out: SeriesInfo[] = [];
    for (const ref of refs) {
      const s = this.byRef[ref]!;
      if (ranged && !s.rangeKnown) this.loadRange(s);
      if (ranged && (s.minT > hi || s.lastT < lo)) continue;
      out.push({ id: s.hash, labels: s.labels });
    }
    return out;
  }

  read(matchers: readonly LabelMatcher[], start: number, end: number): SeriesData[] {
    this.assertOpen();
    const refs = this.index.select(compileMatchers(matchers));
    const out: SeriesData[] = [];
    for (const ref of refs) {
      const s = this.byRef[ref]!;
      if (!s.rangeKnown) this.loadRange(s);
      if (s.minT > end || s.lastT < start) continue;
      const d = readSeries(this.db, s, start, end);
      if (d.timestamps.length > 0) out.push({ id: s.hash, labels: s.labels, timestamps: d.timestamps, values: d.values });
    }
    return out;
  }

  labelNames(): string[] {
    this.assertOpen();
    return this.index.labelNames();
  }

  labelValues(name: string): string[] {
    this.assertOpen();
    return this.index.labelValues(name);
  }

  stats(): StoreStats {
    this.assertOpen();
    let headSamples = 0;
    // The arena's segments (blocks free or not: it keeps them) and the chunks encoded ahead.
    let headBytes = this.arena.bytes;
    for (const s of this.byRef) {
      if (s === undefined) continue;
      headSamples += s.count;
      for (const c of s.ahead) headBytes += c.byteLength;
    }
    return {
      series: this.seriesCount,
      samplesAppended: this.samplesAppended,
      headSamples,
      headBytes,
      diskBytes: this.db.fileBytes() + this.wal.diskBytes(),
      sealedChunks: this.sealedChunks,
      chunksEncodedByThread: this.encoderAccepted + (this.encoder?.accepted ?? 0),
      sqliteCheckpointsByThread: this.checkpointerRuns + (this.checkpointer?.runs ?? 0),
    };
  }

  cardinality(limit: number): CardinalityStats {
    this.assertOpen();
    let minTime = Infinity;
    let maxTime = -Infinity;
    for (const s of this.byRef) {
      if (s === undefined) continue;
      if (s.minT < minTime) minTime = s.minT;
      if (s.lastT > maxTime) maxTime = s.lastT;
    }
    const none = !(minTime <= maxTime);
    return {
      headStats: { numSeries: this.seriesCount, numLabelPairs: this.index.labelPairCount(), chunkCount: this.sealedChunks, minTime: none ? 0 : minTime, maxTime: none ? 0 : maxTime },
      ...this.index.cardinality(limit),
    };
  }

  /** Encoded chunk bytes, samples and chunks in SQLite (a full scan: for benchmarks and tests). */
  chunkPayload(): { bytes: number; samples: number; chunks: number } {
    return this.db.chunkPayload();
  }

  // --- checkpoint, retention, close ---------------------------------------------

  /**
   * Seals every sample not yet in SQLite (full chunks as closed chunks, the rest of the
   * open chunk as a small "piece" that the next full seal replaces), then moves the WAL's
   * start past everything sealed and deletes the older segments. Synchronous: finishes a
   * checkpoint already running (see beginCheckpoint) and runs a whole one.
   */
  checkpoint(): void {
    this.assertOpen();
    if (this.running) this.finishCheckpoint();
    if (this.beginCheckpoint()) this.finishCheckpoint();
  }

  /**
   * Starts a checkpoint that runs a slice of the series at a time (checkpointStep), so that
   * ingestion and reads go on in between: sealing every series at once holds the event loop
   * for a time that grows with the series (seconds at a million). It starts a new WAL
   * segment and takes the series touched so far; samples that come later go to the new
   * segment and the next checkpoint. Each slice is its own transaction, not synced (the old
   * segments still cover it: after a crash the replay skips what a slice wrote); the last
   * one, synced, moves `wal_first_segment` to the new segment, which makes them all durable,
   * and the older segments are deleted. Returns false when there is nothing to seal (the
   * heads are trimmed) or a checkpoint is already running.
   */
  beginCheckpoint(): boolean {
    this.assertOpen();
    if (this.running) return false;
    if (this.touched.length === 0 && this.newSeries.length === 0 && this.wal.bytesSinceCheckpoint === 0) {
      this.trimHeads();
      return false;
    }
    const target = this.wal.rotate();
    for (const s of this.touched) s.touched = false;
    this.running = { target, series: this.touched, fresh: this.newSeries, next: 0, committed: false, trimAt: 0 };
    this.touched = [];
    this.newSeries = [];
    return true;
  }

  /**
   * Runs the next slice of the running checkpoint (`slice` series to seal, or fifty times
   * that to trim); returns true once it has finished (or none runs).
   */
  checkpointStep(slice = CHECKPOINT_SLICE_SERIES): boolean {
    this.assertOpen();
    const r = this.running;
    if (r === undefined) return true;
    try {
      if (r.next < r.series.length || r.fresh.length > 0) this.sealSlice(r, slice);
      else if (!r.committed) {
        this.db.transaction(() => {
          this.db.setMeta('wal_first_segment', String(r.target));
          // Kept here so that opening a large store needs no scan of the chunks table.
          this.db.setMeta('max_t', String(this.maxT));
          this.db.setMeta('chunk_count', String(this.sealedChunks));
        });
        r.committed = true;
        this.checkpointer?.request();
        this.wal.deleteSegmentsBefore(r.target);
      } else {
        r.trimAt = this.trimHeads(r.trimAt, 50 * slice);
        if (r.trimAt >= this.byRef.length) this.running = undefined;
      }
    } catch (e) {
      this.abortCheckpoint(r);
      throw e;
    }
    return this.running === undefined;
  }

  /** Seals the next slice of the running checkpoint's series, in one transaction. */
  private sealSlice(r: RunningCheckpoint, slice: number): void {
    const plans: SealPlan[] = [];
    let chunkDelta = 0;
    const last = Math.min(r.series.length, r.next + slice);
    let end = r.next;
    this.db.transaction(() => {
      for (const s of r.fresh) if (this.byRef[s.ref] === s) this.db.insertSeries(s.ref, s.hash, JSON.stringify(s.labels));
      // Up to `slice` series, and about as many chunk rows as 4 of them hold at most.
      let rows = 0;
      const maxRows = slice * 4;
      while (end < last && rows < maxRows) {
        const s = r.series[end++]!;
        if (this.byRef[s.ref] !== s) continue;
        const p = sealSeries(this.db, s, this.options.chunkSamples);
        if (p) {
          chunkDelta += p.rows;
          rows += p.written;
          plans.push(p);
        }
      }
      this.db.setMeta('chunk_count', String(this.sealedChunks + chunkDelta));
    }, 'relaxed');
    // Committed: now the in-memory marks may move.
    this.checkpointer?.request();
    r.fresh = [];
    r.next = end;
    this.sealedChunks += chunkDelta;
    for (const p of plans) applySeal(p);
  }

  /** A slice failed: the series it had not sealed go back to the next checkpoint (the WAL keeps their samples). */
  private abortCheckpoint(r: RunningCheckpoint): void {
    this.running = undefined;
    for (const s of r.fresh) this.newSeries.push(s);
    for (let i = r.next; i < r.series.length; i++) {
      const s = r.series[i]!;
      if (!s.touched) this.touch(s);
    }
  }

  /** Runs the running checkpoint to its end. */
  private finishCheckpoint(): void {
    while (!this.checkpointStep());
  }

  /**
   * Drops closed chunks older than the head window and forgets heads that are entirely
   * older, for up to `count` series from `from` on (by ref); returns where it stopped.
   */
  private trimHeads(from = 0, count = Infinity): number {
    const cutoff = this.maxT - this.headKeepMs;
    const byRef = this.byRef;
    const end = Math.min(byRef.length, from + count);
    for (let i = from; i < end; i++) {
      const s = byRef[i];
      if (s === undefined || s.count === 0 || s.dirty) continue;
      if (s.persisted === s.count && s.lastT < cutoff) {
        s.clear();
        continue;
      }
      // Closed chunks are in SQLite even while newer samples (after `persisted`) are not:
      // a series that never stops taking samples is trimmed too.
      s.dropChunksBefore(cutoff);
    }
    return end;
  }

  /**
   * Drops chunks wholly older than the retention before `now` (default: the data clock)
   * and series whose newest sample is, at once (a checkpoint first). Supersedes a pass
   * running in the background.
   */
  applyRetention(now?: number): void {
    this.assertOpen();
    const clock = now ?? this.maxT;
    if (!Number.isFinite(clock)) return;
    this.retaining = undefined;
    this.checkpoint();
    this.retainSlice(clock - this.options.retentionMs, 0, this.byRef.length);
  }

  /**
   * Starts a retention pass that runs a slice of the series at a time (retentionStep), as a
   * checkpoint does: deleting every series' old chunks in one transaction holds the event
   * loop for a time that grows with the series. Its first steps run a checkpoint of
   * everything appended before it (a deleted series must not come back from the WAL).
   * Returns false when one is already running or the store holds no sample yet.
   */
  beginRetention(now?: number): boolean {
    this.assertOpen();
    const clock = now ?? this.maxT;
    if (this.retaining !== undefined || !Number.isFinite(clock)) return false;
    this.retaining = { cutoff: clock - this.options.retentionMs, checkpointed: false, next: 0 };
    return true;
  }

  /**
   * Runs the next step of the retention pass: a step of a running checkpoint first, then
   * `slice` series in one transaction. Returns true once it has finished (or none runs).
   * A failed step ends the pass (the next one redoes it: retention is idempotent).
   */
  retentionStep(slice = CHECKPOINT_SLICE_SERIES): boolean {
    this.assertOpen();
    const r = this.retaining;
    if (r === undefined) return true;
    try {
      if (this.running !== undefined) this.checkpointStep(slice);
      else if (!r.checkpointed) {
        r.checkpointed = true;
        this.beginCheckpoint();
      } else {
        const end = Math.min(this.byRef.length, r.next + slice);
        this.retainSlice(r.cutoff, r.next, end);
        r.next = end;
        if (end >= this.byRef.length) this.retaining = undefined;
      }
    } catch (e) {
      this.retaining = undefined;
      throw e;
    }
    return this.retaining === undefined;
  }

  /** Retention over the series with refs in [from, to): one transaction, then the heads. */
  private retainSlice(cutoff: number, from: number, to: number): void {
    const dead: HeadSeries[] = [];
    let deleted = 0;
    this.db.transaction(() => {
      for (let ref = from; ref < to; ref++) {
        const s = this.byRef[ref];
        if (s === undefined) continue;
        if (!s.rangeKnown) this.loadRange(s);
        if (s.lastT === -Infinity && !s.emptyAtLastRetention) {
          // Never had a sample: maybe a ref() taken just now. Dropped at the next pass if still empty.
          s.emptyAtLastRetention = true;
        } else if (s.lastT < cutoff) {
          deleted += this.db.deleteSeries(s.ref);
          dead.push(s);
        } else if (s.minT < cutoff) {
          deleted += this.db.deleteChunksBefore(s.ref, cutoff);
        }
      }
      this.db.setMeta('chunk_count', String(this.sealedChunks - deleted));
    });
    this.sealedChunks -= deleted;
    for (const s of dead) {
      this.byRef[s.ref] = undefined;
      this.byLabels.delete(s);
      this.seriesCount--;
      // Its head's blocks go back to the arena (a head past the retention is empty already, but a late sample may have left one).
      s.clear();
    }
    this.index.removeMany(dead);
    // Head chunks that just left the disk leave the head too, so they cannot be resealed.
    for (let ref = from; ref < to; ref++) {
      const s = this.byRef[ref];
      if (s === undefined) continue;
      if (s.minT < cutoff) s.minT = cutoff;
      s.dropChunksBefore(cutoff);
    }
  }

  close(): void {
    if (this.closed) return;
    if (this.timer) clearInterval(this.timer);
    if (this.stepping) clearImmediate(this.stepping);
    this.encoder?.close();
    this.checkpointer?.close();
    let err: unknown;
    try {
      this.checkpoint();
      this.db.truncateSqliteWal();
    } catch (e) {
      err = e;
    }
    this.closed = true;
    try {
      this.wal.close();
    } finally {
      this.db.close();
      releaseDirLock(this.options.dir);
    }
    if (err) throw err;
  }

  /**
   * Closes files without a checkpoint or a WAL flush, as if the process had died right
   * after the last append returned. For crash-recovery tests.
   */
  abandon(): void {
    if (this.closed) return;
    if (this.timer) clearInterval(this.timer);
    if (this.stepping) clearImmediate(this.stepping);
    this.encoder?.close();
    this.checkpointer?.close();
    this.closed = true;
    this.wal.abandon();
    this.db.close();
    releaseDirLock(this.options.dir);
  }

  private background(): void {
    if (this.closed) return;
    try {
      if (Date.now() - this.lastRetentionAt >= RETENTION_EVERY_MS) {
        this.lastRetentionAt = Date.now();
        // Its first steps are a checkpoint.
        if (this.beginRetention()) this.scheduleStep();
      } else this.checkpointInBackground();
    } catch (e) {
      process.emitWarning(`vigil store: background checkpoint failed: ${(e as Error).message}`);
    }
  }

  /**
   * Begins a checkpoint and steps it on the event loop (setImmediate), so requests are
   * served between its slices. Failures are warnings: the WAL keeps every sample, and the
   * next checkpoint retries.
   */
  private checkpointInBackground(): void {
    try {
      if (this.beginCheckpoint()) this.scheduleStep();
    } catch (e) {
      process.emitWarning(`vigil store: checkpoint failed: ${(e as Error).message}`);
    }
  }

  /** Steps the running checkpoint, then the retention pass, one step per event-loop turn (one chain at a time). */
  private scheduleStep(): void {
    if (this.stepping !== undefined) return;
    this.stepping = setImmediate(() => {
      this.stepping = undefined;
      if (this.closed || (this.running === undefined && this.retaining === undefined)) return;
      const retention = this.retaining !== undefined;
      try {
        if (!(retention ? this.retentionStep() : this.checkpointStep())) this.scheduleStep();
      } catch (e) {
        process.emitWarning(`vigil store: ${retention ? 'retention' : 'checkpoint'} failed: ${(e as Error).message}`);
      }
    });
    this.stepping.unref();
  }

  private assertOpen(): void {
    if (this.closed) throw new VigilError('STORE_CLOSED', 'the store is closed', 503);
  }

  // --- open ---------------------------------------------------------------------

  private loadSeries(): void {
    let maxId = 0;
    for (const row of this.db.loadSeries()) {
      const labels = Object.freeze(JSON.parse(row.labels) as Labels);
      const s = new HeadSeries(row.id, labels, row.hash, this.arena);
      s.rangeKnown = false;
      this.register(s);
      if (row.id > maxId) maxId = row.id;
    }
    this.nextRef = maxId + 1;
    const maxT = this.db.getMeta('max_t');
    if (maxT !== undefined) this.maxT = Number(maxT);
    const chunks = this.db.getMeta('chunk_count');
    this.sealedChunks = chunks !== undefined ? Number(chunks) : this.db.chunkCount();
  }

  /** Replays segments >= first into the head (no rejections: every record was acknowledged); deletes older ones. */
  private replayWal(walDir: string, first: number): EmbeddedStore['recovery'] {
    const stats = { segments: 0, records: 0, samples: 0, ignoredBytes: 0 };
    const decoder = (json: string): Labels => Object.freeze(normalizeLabels(JSON.parse(json) as Labels));
    for (const seg of listSegments(walDir)) {
      if (seg < first) {
        // Covered by a committed checkpoint; the process died (or the store closed) before deleting it.
        deleteSegmentIfPresent(walDir, seg);
        continue;
      }
      const r = replaySegment(join(walDir, segmentName(seg)), {
        series: (ref, json) => {
          if (this.byRef[ref] !== undefined) return;
          const labels = decoder(json);
          if (this.byLabels.get(labels) !== undefined) return;
          const s = new HeadSeries(ref, labels, hashString64(labelsKey(labels)), this.arena);
          this.register(s);
          this.newSeries.push(s);
          if (ref >= this.nextRef) this.nextRef = ref + 1;
        },
        samples: (refs, ts, vs) => {
          for (let i = 0; i < refs.length; i++) {
            const s = this.byRef[refs[i]!];
            if (s === undefined) continue;
            this.replayOne(s, ts[i]!, vs[i]!);
            stats.samples++;
          }
        },
      });
      stats.segments++;
      stats.records += r.records;
      stats.ignoredBytes += r.ignoredBytes;
    }
    return stats;
  }

  private replayOne(s: HeadSeries, t: number, v: number): void {
    if (!s.rangeKnown) this.loadRange(s);
    if (t > s.lastT) {
      s.push(t, v);
    } else {
      if (t < s.headStart) this.extendHead(s, t);
      const i = s.lowerBound(t);
      if (i < s.count && s.timeAt(i) === t) return;
      s.insertAt(i, t, v);
    }
    if (t < s.minT) s.minT = t;
    if (t > this.maxT) this.maxT = t;
    if (!s.touched) this.touch(s);
  }
}

function hasLabels(labels: Labels): boolean {
  for (const name in labels) {
    const v = labels[name];
    if (typeof v === 'string' && v !== '') return true;
  }
  return false;
}

function sameValue(a: number, b: number): boolean {
  if (a === b) return a !== 0 || 1 / a === 1 / b;
  return a !== a && b !== b && isStaleMarker(a) === isStaleMarker(b);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const k in o) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
