import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { METRIC_NAME, labelsKey, seriesHash, type Labels } from '../../core/labels.js';
import type { AnomalyEvent } from '../../core/events.js';
import type { Severity } from '../../core/severity.js';
import { isStaleMarker } from '../../core/sample.js';
import { batchSamples } from '../../store/sample-batch.js';
import type { SampleBatch, SampleStore, SeriesWrite } from '../../store/types.js';
import { UnivariateEnsemble } from '../ensemble.js';
import { IO_SCORE, IO_SIZE, IO_T, IO_X } from '../ensemble-update.js';
import { ExplanationSlot } from '../types.js';
import { DOUBLE_ZERO, stepEpisode, type EpisodeState } from './episode.js';
import { counterRate, isCumulative, namesOfFamily } from './counter-rate.js';
import type { MetricType } from '../../core/metadata.js';
import { AnomalyFeed, type AnomalyListener } from './anomaly-feed.js';
import { HostForests, type HostColumn, type HostRowResult } from './host-forests.js';
import type { FlatScoresBuilder } from './flat-scores.js';
import { SeriesMajorOrder, type FlatSamples } from './series-major.js';
import type { DetectorStateStore, SavedState } from './state-store.js';
import { slotStateFromBytes, slotStateToBytes } from './slot-state.js';

export const ANOMALY_SCORE_METRIC = 'vigil_anomaly_score';

/** Slices of the series saved one after another over each saveInterval. */
const SAVE_SLICES = 12;

export interface DetectionOptions {
  threshold: number;
  clearAfter: number;
  severityHigh: number;
  severityMedium: number;
  writeScores: boolean;
  /**
   * Zero scores are written only where they end a run of nonzero scores and at least
   * this often (ms); every nonzero score is written. 0 = write every score.
   */
  scoreHeartbeatMs?: number;
  rebuildWindowMs: number;
  saveIntervalMs: number;
  /**
   * A detection worker scores what waits for it as one block (observeBlock) once the block's
   * first batch has waited this long (ms), or once it is full; default 0: at once.
   */
  blockDelayMs?: number;
  multivariate: {
    enabled: boolean;
    groupBy: string;
    maxGroups: number;
    maxMetricsPerGroup: number;
    contamination: number;
    threshold?: number;
    consecutive: number;
    window: number;
    /** Rows between a host forest's retrainings (default 256, the detector's). */
    retrainEvery?: number;
    /** Parts a host forest's trees are kept in, one regrown a retraining (default 1: all of them). */
    parts?: number;
    /** A host's complete rows wait to be scored together until the newest is this much after the oldest (ms; default 0: each at once). */
    batchDelayMs?: number;
  };
}

export type { AnomalyListener } from './anomaly-feed.js';

/** What the stage needs of the store: history at start-up, and somewhere to write scores. */
export type DetectionStore = Pick<SampleStore, 'append' | 'series' | 'read'>;

/** A series' detector state; it is its own episode state (one object less to reach per sample). */
interface SeriesSlot extends EpisodeState {
  labels: Labels;
  key: string;
  hash: string;
  state: Float64Array;
  cumulative: boolean;
  prevT: number;
  prevV: number;
  lastT: number;
  scoreLabels: Labels;
  /** Id of the score series in flat output (-1 until its first score there). */
  scoreId: number;
  /** Time and value of the last score written. */
  scoreT: number;
  scoreV: number;
  dirty: boolean;
  /** The series' column in its host's forest rows, once it has one; null when it never will. */
  hostColumn: HostColumn | undefined | null;
}

/** Counts kept for /metrics. */
export interface DetectionCounters {
  scored: number;
  events: Record<Severity, number>;
}

/** A host's forest score series: its labels, their hash, and its id in flat output (-1 until its first score there). */
interface HostScoreSeries {
  labels: Labels;
  hash: string;
  scoreId: number;
}

/**
 * Scores every ingested sample with the default univariate ensemble and each
 * host's metrics together with an isolation forest; writes the scores back as
 * `vigil_anomaly_score` series; and turns score episodes into anomaly events
 * (one per episode, thanks to hysteresis). State is saved to `detect.db` and
 * restored at start-up, then caught up from the store.
 */
export class DetectionStage {
  private readonly ensemble = new UnivariateEnsemble();
  private readonly slots = new Map<string, SeriesSlot>();
  /** Every slot, in creation order (saves walk it a slice at a time). */
  private readonly order: SeriesSlot[] = [];
  /** Slots by metric name: a family's type reaches only the series of its names (setMetricTypes). */
  private readonly slotsByName = new Map<string, SeriesSlot[]>();
  private saveCursor = 0;
  private readonly byIdentity = new WeakMap<Labels, SeriesSlot>();
  /** observeFlat's series ids -> slots (null: a score series, never scored). */
  private readonly slotsById: Array<SeriesSlot | null> = [];
  private nextScoreId = 0;
  /** Each host's forest score series, by host. */
  private readonly hostScores = new Map<string, HostScoreSeries>();
  private readonly forests: HostForests | undefined;
  private readonly slot = new ExplanationSlot();
  /** The time, value and score of the sample being scored (ensemble.step: no number is boxed). */
  private readonly io = new Float64Array(IO_SIZE);
  /** Metric families' types as senders gave them (setMetricTypes): they decide which series are scored on their rate. */
  private readonly familyTypes = new Map<string, MetricType>();
  private readonly typeOf = (family: string): MetricType | undefined => this.familyTypes.get(family);
  private saveTimer: NodeJS.Timeout | undefined;
  private readonly feed: AnomalyFeed;
  /** observeBlock's arrangement of its batches, series by series (buffers reused). */
  private readonly seriesMajor = new SeriesMajorOrder();
  /** Events raised during observeBlock, emitted in time order when it is done. */
  private held: AnomalyEvent[] | undefined;
  readonly counters: DetectionCounters;

  constructor(
    private readonly store: DetectionStore,
    private readonly opts: DetectionOptions,
    private readonly stateStore: DetectorStateStore | undefined,
    private readonly logger: Logger,
    /** Most recent events kept for the API. */
    keepEvents = 1000,
  ) {
    this.feed = new AnomalyFeed(logger, keepEvents);
    this.counters = { scored: 0, events: this.feed.counts };
    const mv = opts.multivariate;
    if (mv.enabled) {
      this.forests = new HostForests({
        groupBy: mv.groupBy,
        maxGroups: mv.maxGroups,
        maxMetricsPerGroup: mv.maxMetricsPerGroup,
        ...(mv.batchDelayMs !== undefined && { batchDelayMs: mv.batchDelayMs }),
        forest: { contamination: mv.contamination, threshold: mv.threshold, consecutive: mv.consecutive, window: mv.window, ...(mv.retrainEvery !== undefined && { retrainEvery: mv.retrainEvery }), ...(mv.parts !== undefined && { parts: mv.parts }) },
      });
    }
  }

  get seriesCount(): number {
    return this.slots.size;
  }

  onAnomaly(l: AnomalyListener): void {
    this.feed.on(l);
  }

  /** Most recent events, newest last. */
  recentEvents(limit = 100, since = -Infinity): AnomalyEvent[] {
    return this.feed.recent(limit, since);
  }

  /** Loads saved state, catches up from the store, and starts periodic saving. */
  start(now = Date.now()): void {
    const saved = this.loadSaved();
    const all = this.store.series([{ name: METRIC_NAME, type: '=~', value: '.+' }]);
    let restored = 0;
    let replayed = 0;
    for (const info of all) {
      if (info.labels[METRIC_NAME] === ANOMALY_SCORE_METRIC) continue;
      const from = this.restore(info.labels, saved, now);
      if (from.restored) restored++;
      // Catch up on what arrived after the state was saved (or warm up a new detector), without raising events.
      for (const d of this.store.read([{ name: METRIC_NAME, type: '=', value: info.labels[METRIC_NAME]! }, ...matchersFor(info.labels)], from.t, Number.MAX_SAFE_INTEGER)) {
        if (d.id !== info.id) continue;
        this.replay(info.labels, d.timestamps, d.values);
        replayed += d.timestamps.length;
      }
    }
    if (all.length) this.logger.info({ series: all.length, restored, replayed }, 'detectors ready');
    this.startSaving();
  }

  /** Start-up, step 1: the saved univariate states by series hash (saved host forests wait for restore()). */
  loadSaved(): Map<string, { lastT: number; state: Uint8Array }> {
    const saved = new Map<string, { lastT: number; state: Uint8Array }>();
    if (!this.stateStore) return saved;
    for (const s of this.stateStore.loadAll('univariate')) saved.set(s.key, s);
    const states = this.stateStore;
    this.forests?.offerSaved((key) => states.load(key));
    return saved;
  }

  /**
   * Start-up, step 2: restores a stored series' detector; returns the time from which to
   * replay its samples (earlier when its host's restored forest needs them).
   */
  restore(labels: Labels, saved: ReadonlyMap<string, { lastT: number; state: Uint8Array }>, now: number): { t: number; restored: boolean } {
    const slot = this.slotFor(labels);
    const s = saved.get(slot.hash);
    let from = { t: now - this.opts.rebuildWindowMs, restored: false };
    if (s) {
      try {
        const { state, extras } = slotStateFromBytes(s.state, this.ensemble);
        slot.state = state;
        slot.lastT = s.lastT;
        if (extras) {
          slot.open = extras.open;
          slot.below = extras.below;
          slot.peak = extras.peak;
          slot.startedAt = extras.startedAt;
          slot.prevT = extras.prevT;
          slot.prevV = extras.prevV;
          slot.scoreT = extras.scoreT;
          slot.scoreV = extras.scoreV;
        }
        from = { t: s.lastT + 1, restored: true };
      } catch (e) {
        this.logger.warn({ series: slot.hash, err: (e as Error).message }, 'saved detector state unusable; rebuilding from the store');
      }
    }
    // Samples the series' detector has learned are skipped when replayed (scoreOne). A host
    // catches up on at most the rebuild window, as a series without saved state does.
    const host = this.forests?.catchUpFrom(labels, slot.key, (name, err) => this.logger.warn({ host: name, err: err.message }, 'saved host forest unusable; it starts afresh'));
    if (host !== undefined) from.t = Math.min(from.t, Math.max(host, now - this.opts.rebuildWindowMs));
    return from;
  }

  /** Start-up, step 3: learns stored samples without raising events or writing scores. */
  replay(labels: Labels, timestamps: ArrayLike<number>, values: ArrayLike<number>): void {
    const slot = this.slotFor(labels);
    for (let i = 0; i < timestamps.length; i++) this.scoreOne(slot, timestamps[i]!, values[i]!, false);
    this.forests?.replay(labels, slot.key, timestamps, values);
  }

  /**
   * Start-up, step 4, once every stored sample is replayed: restored host forests learn the
   * rows they caught up on; then each series' state is saved once every saveInterval, a slice
   * of the series (and hosts) at a time (SAVE_SLICES per interval), so a save never holds
   * scoring up for long: saving 100,000 states at once takes seconds, during which ingest would wait.
   */
  startSaving(): void {
    const hosts = this.forests?.finishReplay();
    if (hosts) this.logger.info({ hosts }, 'host forests restored');
    if (this.stateStore && this.opts.saveIntervalMs > 0 && !this.saveTimer) {
      this.saveTimer = setInterval(() => this.saveSlice(), Math.max(1000, this.opts.saveIntervalMs / SAVE_SLICES));
      this.saveTimer.unref();
    }
  }

  /**
   * Saves the dirty series among the next 1/slices of all series, and the hosts due for a
   * save among the next 1/slices of the hosts (see HostForests.saved; every host that learned
   * a row with `final`), each walk wrapping round; returns how many.
   */
  saveSlice(slices = SAVE_SLICES, final = false): number {
    if (!this.stateStore) return 0;
    const n = this.order.length;
    const count = n === 0 ? 0 : Math.ceil(n / slices);
    const dirty: SavedState[] = this.forests?.saved(slices, final) ?? [];
    for (let k = 0; k < count; k++) {
      if (this.saveCursor >= n) this.saveCursor = 0;
      const s = this.order[this.saveCursor++]!;
      if (!s.dirty) continue;
      s.dirty = false;
      dirty.push({ key: s.hash, kind: 'univariate', lastT: s.lastT, state: slotStateToBytes(s.state, s) });
    }
    return dirty.length ? this.stateStore.saveMany(dirty) : 0;
  }

  /** The ingest pipeline's listener: scores every sample of every batch, in order. */
  observe(batch: SampleBatch): void {
    const writeScores = this.opts.writeScores;
    const total = batchSamples(batch);
    // One buffer for the batch's scores; each series' scores are a view of it.
    const times = writeScores ? new Float64Array(total) : undefined;
    const scores = writeScores ? new Float64Array(total) : undefined;
    const scoreWrites: SeriesWrite[] = [];
    let m = 0;
    let from = 0;
    for (let k = 0; k < batch.size; k++) {
      const to = batch.ends[k]!;
      const labels = batch.labels[k]!;
      if (labels[METRIC_NAME] === ANOMALY_SCORE_METRIC) {
        from = to;
        continue;
      }
      const slot = this.slotFor(labels);
      const start = m;
      for (let i = from; i < to; i++) {
        const t = batch.timestamps[i]!;
        const v = batch.values[i]!;
        const score = this.scoreOne(slot, t, v, true);
        if (score >= 0 && scores && times && this.keepScore(slot, t, score)) {
          times[m] = t;
          scores[m++] = score;
        }
        this.addToForest(slot, labels, t, v);
      }
      from = to;
      if (m > start && scores && times) scoreWrites.push({ labels: slot.scoreLabels, timestamps: times.subarray(start, m), values: scores.subarray(start, m) });
    }
    this.forests?.flush((r) => this.onHostRow(r, scoreWrites));
    if (scoreWrites.length) this.store.append(scoreWrites);
  }

  /**
   * observe() for flat batches (the detection worker's input): series ids[i], whose
   * labels are labelsOf[ids[i]] (ids stay bound to their labels), has the samples
   * [ends[i-1], ends[i]) of ts/vs; this call takes series [first, last), one batch
   * as observe() would get it. Scores every sample in the same order as observe(),
   * so with the same scores and events, and adds the scores to `out` instead of
   * storing them.
   */
  observeFlat(ids: Uint32Array, ends: Uint32Array, ts: Float64Array, vs: Float64Array, first: number, last: number, labelsOf: readonly Labels[], out: FlatScoresBuilder): void {
    this.scoreFlat(ids, ends, ts, vs, first, last, labelsOf, out);
    if (this.forests === undefined) return;
    this.forestFlat(ids, ends, ts, vs, first, last);
    this.forests.flush((r) => this.onHostRow(r, out));
  }

  /**
   * observeFlat() over several flat batches at once, as the detection worker takes its
   * backlog: the univariate scores series by series, each series' samples from all the
   * batches together (SeriesMajorOrder: its state is then fetched from memory once for
   * them all, not once a sample), then the host forests every sample in the order it came,
   * ingest batch by ingest batch (`batches` of each part: the end, as a series index, of
   * each ingest batch in it), as observeFlat would give them. A series' samples are
   * scored in the same order either way and the forests see the same rows, so the
   * scores, states and events are observeFlat's; the events come out when the block is
   * done, in time order.
   */
  observeBlock(parts: ReadonlyArray<FlatSamples & { readonly batches: Uint32Array }>, labelsOf: readonly Labels[], out: FlatScoresBuilder): void {
    const held: AnomalyEvent[] = (this.held = []);
    try {
      const g = this.seriesMajor;
      g.arrange(parts);
      this.scoreFlat(g.ids, g.ends, g.ts, g.vs, 0, g.series, labelsOf, out);
      const forests = this.forests;
      if (forests === undefined) return;
      for (const p of parts) {
        let first = 0;
        for (const last of p.batches) {
          this.forestFlat(p.ids, p.ends, p.ts, p.vs, first, last);
          forests.flush((r) => this.onHostRow(r, out));
          first = last;
        }
      }
    } finally {
      this.held = undefined;
      // Stable: events of one time keep the order they were raised in.
      held.sort((a, b) => a.t - b.t);
      for (const e of held) this.feed.emit(e);
    }
  }

  /** observeFlat's univariate part: scores series [first, last) and adds the scores kept to `out`. */
  private scoreFlat(ids: Uint32Array, ends: Uint32Array, ts: Float64Array, vs: Float64Array, first: number, last: number, labelsOf: readonly Labels[], out: FlatScoresBuilder): void {
    const writeScores = this.opts.writeScores;
    let from = first > 0 ? ends[first - 1]! : 0;
    for (let i = first; i < last; i++) {
      const to = ends[i]!;
      const id = ids[i]!;
      let slot = this.slotsById[id];
      if (slot === undefined) {
        const labels = labelsOf[id]!;
        slot = this.slotsById[id] = labels[METRIC_NAME] === ANOMALY_SCORE_METRIC ? null : this.slotFor(labels);
      }
      if (slot === null) {
        from = to;
        continue;
      }
      let newRun = true;
      for (let j = from; j < to; j++) {
        const t = ts[j]!;
        const score = this.scoreOne(slot, t, vs[j]!, true);
        if (score >= 0 && writeScores && this.keepScore(slot, t, score)) {
          if (slot.scoreId < 0) out.series.push([(slot.scoreId = this.nextScoreId++), slot.scoreLabels]);
          out.add(slot.scoreId, newRun, t, score);
          newRun = false;
        }
      }
      from = to;
    }
  }

  /** observeFlat's multivariate part: hands the samples of series [first, last) to their hosts' forests (scoreFlat has found their slots). */
  private forestFlat(ids: Uint32Array, ends: Uint32Array, ts: Float64Array, vs: Float64Array, first: number, last: number): void {
    let from = first > 0 ? ends[first - 1]! : 0;
    for (let i = first; i < last; i++) {
      const to = ends[i]!;
      const slot = this.slotsById[ids[i]!];
      if (slot != null && slot.hostColumn !== null) for (let j = from; j < to; j++) this.addToForest(slot, slot.labels, ts[j]!, vs[j]!);
      from = to;
    }
  }

  /**
   * Whether a score is written: every nonzero score, the zero that ends a run of them,
   * and otherwise a zero at least every scoreHeartbeat. Nearly every score is exactly 0
   * (99.8% on NAB), and writing each would double the store's work. Runs of nonzero
   * scores are kept whole, so rules counting consecutive scores at a level above 0 see
   * what they would with every score; a query's 5-minute lookback finds the last zero.
   */
  private keepScore(slot: SeriesSlot, t: number, score: number): boolean {
    if (score !== 0 || slot.scoreV !== 0 || !(t - slot.scoreT < (this.opts.scoreHeartbeatMs ?? 0))) {
      slot.scoreT = t;
      slot.scoreV = score;
      return true;
    }
    return false;
  }

  /** Hands a sample to its host's forest (the column found once per series). */
  private addToForest(slot: SeriesSlot, labels: Labels, t: number, v: number): void {
    const forests = this.forests;
    const c = slot.hostColumn;
    if (forests === undefined || c === null || isStaleMarker(v)) return;
    if (c !== undefined) forests.addAt(c, t, v);
    else slot.hostColumn = forests.add(labels, slot.key, t, v);
  }

  /** Scores one sample; returns the score, or -1 when the sample is not scored (stale, out of order, first counter sample). */
  private scoreOne(slot: SeriesSlot, t: number, v: number, emit: boolean): number {
    if (!(t > slot.lastT)) return -1;
    if (isStaleMarker(v)) {
      // The series went away; its next sample starts a new counter interval.
      slot.prevT = NaN;
      slot.prevV = NaN;
      return -1;
    }
    let x = v;
    if (slot.cumulative) {
      x = counterRate(slot.prevT, slot.prevV, t, v);
      slot.prevT = t;
      slot.prevV = v;
      if (Number.isNaN(x)) {
        slot.lastT = t;
        return -1;
      }
    }
    const io = this.io;
    io[IO_T] = t;
    io[IO_X] = x;
    this.ensemble.step(slot.state, io, this.slot);
    const score = io[IO_SCORE]!;
    slot.lastT = t;
    slot.dirty = true;
    this.counters.scored++;
    const tr = stepEpisode(slot, t, score, this.opts.threshold, this.opts.clearAfter);
    if (tr === 'opened' && emit) {
      const ex = this.slot.toExplanation();
      this.emit({
        kind: 'anomaly',
        id: eventId(slot.hash, t),
        seriesHash: slot.hash,
        labels: slot.labels,
        t,
        value: x,
        score,
        severity: this.severityOf(score),
        explanation: ex,
      });
    }
    return score;
  }

  /**
   * A host row's score goes to observe()'s writes or, as a series with an id of its own
   * like the univariate scores, to observeFlat()'s flat scores: a host row is one in a hundred
   * samples, and as an object with its own label set each crossed to the ingest thread by
   * structured clone and was stored by a lookup of its labels.
   */
  private onHostRow(r: HostRowResult, out: SeriesWrite[] | FlatScoresBuilder): void {
    const res = r.result;
    if (Number.isNaN(res.raw)) return;
    const series = this.hostScore(r.group);
    if (this.opts.writeScores) {
      if (Array.isArray(out)) out.push({ labels: series.labels, timestamps: [r.t], values: [res.score] });
      else {
        if (series.scoreId < 0) out.series.push([(series.scoreId = this.nextScoreId++), series.labels]);
        out.add(series.scoreId, true, r.t, res.score);
      }
    }
    const ep = r.episode;
    // The forest's own consecutive-anomalies rule gates the episode.
    const tr = stepEpisode(ep, r.t, res.flagged ? res.score : 0, 1e-9, this.opts.clearAfter);
    if (tr !== 'opened') return;
    this.emit({
      kind: 'anomaly',
      id: eventId(series.hash, r.t),
      seriesHash: series.hash,
      labels: { [this.opts.multivariate.groupBy]: r.group, [METRIC_NAME]: r.metric },
      t: r.t,
      value: NaN,
      score: res.score,
      // A host-wide deviation is worth a look, not a page, until correlated with other signals.
      severity: res.score >= 0.995 ? 'medium' : 'low',
      explanation: {
        expected: res.expected,
        lower: res.lower,
        upper: res.upper,
        component: 'iforest',
        direction: 'none',
      },
    });
  }

  private emit(e: AnomalyEvent): void {
    if (this.held !== undefined) this.held.push(e);
    else this.feed.emit(e);
  }

  /** A host's forest score series (made at its first row, as a series' slot is at its first sample). */
  private hostScore(group: string): HostScoreSeries {
    let series = this.hostScores.get(group);
    if (series === undefined) {
      const labels = Object.freeze({ [METRIC_NAME]: ANOMALY_SCORE_METRIC, [this.opts.multivariate.groupBy]: group, detector: 'iforest' });
      series = { labels, hash: seriesHash(labels), scoreId: -1 };
      this.hostScores.set(group, series);
    }
    return series;
  }

  private severityOf(score: number): Severity {
    if (score >= this.opts.severityHigh) return 'high';
    if (score >= this.opts.severityMedium) return 'medium';
    return 'low';
  }

  private slotFor(labels: Labels): SeriesSlot {
    // Frozen label sets (reused by the remote-write decoder) are found by identity, without building the key.
    const frozen = Object.isFrozen(labels);
    if (frozen) {
      const s = this.byIdentity.get(labels);
      if (s !== undefined) return s;
    }
    const key = labelsKey(labels);
    let slot = this.slots.get(key);
    if (!slot) {
      const name = labels[METRIC_NAME] ?? '';
      // Fields every sample reads or writes first (they share the object's first cache lines).
      slot = {
        state: this.ensemble.createState(),
        lastT: -Infinity,
        cumulative: isCumulative(labels, this.typeOf),
        dirty: false,
        open: false,
        scoreT: -Infinity,
        scoreV: NaN,
        scoreId: -1,
        hostColumn: undefined,
        prevT: NaN,
        prevV: NaN,
        below: 0,
        peak: DOUBLE_ZERO,
        startedAt: NaN,
        labels,
        key,
        hash: seriesHash(labels),
        scoreLabels: Object.freeze({ ...labels, [METRIC_NAME]: ANOMALY_SCORE_METRIC, source_metric: name }),
      };
      this.slots.set(key, slot);
      this.order.push(slot);
      const same = this.slotsByName.get(name);
      if (same) same.push(slot);
      else this.slotsByName.set(name, [slot]);
    }
    if (frozen) this.byIdentity.set(labels, slot);
    return slot;
  }

  /**
   * Families' types, as senders give them (metric metadata; only changes need to come). A
   * series whose family turns out to be a counter (or no longer one) starts its detector
   * afresh on its rate (or its value): what it learned was of the other quantity. Returns
   * how many series changed.
   */
  setMetricTypes(types: Iterable<readonly [family: string, type: MetricType]>): number {
    // Only the series named after a family whose type changed are looked at: metadata comes
    // every minute, and a new family's type must not cost a walk over a million series.
    const names = new Set<string>();
    for (const [family, type] of types) {
      if (this.familyTypes.get(family) === type) continue;
      this.familyTypes.set(family, type);
      for (const name of namesOfFamily(family)) names.add(name);
    }
    let n = 0;
    for (const name of names) {
      for (const slot of this.slotsByName.get(name) ?? []) {
        const cumulative = isCumulative(slot.labels, this.typeOf);
        if (cumulative === slot.cumulative) continue;
        slot.cumulative = cumulative;
        this.ensemble.reset(slot.state);
        slot.prevT = NaN;
        slot.prevV = NaN;
        slot.dirty = true;
        n++;
      }
    }
    if (n > 0) this.logger.info({ series: n }, 'metric metadata changed how series are scored (counters on their rate); their detectors start afresh');
    return n;
  }

  /** Writes the state of every series that learned something since the last save (one slice of all of them). */
  save(): number {
    return this.saveSlice(1, true);
  }

  close(): void {
    if (this.saveTimer) clearInterval(this.saveTimer);
    this.save();
    this.stateStore?.close();
  }
}

function matchersFor(labels: Labels) {
  return Object.keys(labels)
    .filter((n) => n !== METRIC_NAME)
    .map((n) => ({ name: n, type: '=' as const, value: labels[n]! }));
}

/** Deterministic, so an event re-raised after a crash has the same id and is de-duplicated downstream. */
function eventId(hash: string, t: number): string {
  return createHash('sha1').update(`${hash}@${t}`).digest('hex').slice(0, 16);
}
