import { METRIC_NAME, type Labels } from '../../core/labels.js';
import { fnv1a } from '../../core/fnv1a.js';
import { DEFAULT_IFOREST_CONFIG, IsolationForestDetector, type IsolationForestConfig, type IsolationForestSnapshot, type IsolationResult } from '../iforest.js';
import type { SavedState } from './state-store.js';
import { newEpisode, type EpisodeState } from './episode.js';

export interface HostForestOptions {
  groupBy: string;
  maxGroups: number;
  maxMetricsPerGroup: number;
  forest: Partial<IsolationForestConfig>;
  /**
   * Complete rows wait until the newest row is this much (data time, ms) after the oldest,
   * then are scored together: a host's forest is far larger than the cache and cold by the
   * time its next row comes, and the rows after the first of a batch find it warm. 0 scores
   * each row as soon as it is complete.
   */
  batchDelayMs?: number;
}

/** A flagged multivariate row, for the stage to turn into an event. */
export interface HostRowResult {
  group: string;
  t: number;
  result: IsolationResult;
  /** Name of the metric that deviates most, from the result's metric index. */
  metric: string;
  /** The host's episode (the caller steps it; it is saved and restored with the host). */
  episode: EpisodeState;
}

/** Samples of several runs are kept per timestamp until a newer timestamp arrives for the group. */
const MAX_PENDING_ROWS = 64;
/** Most complete rows a batch waits for (batchDelayMs), whatever the scrape interval. */
const MAX_BATCH_ROWS = 16;
/**
 * Most rows a restored host catches up on from stored history at start-up (the stage asks
 * for at most its rebuild window: 24 h is 5,760 rows at 15 s); later ones are left out.
 */
const MAX_CATCH_UP_ROWS = 8192;
/**
 * A host's state is saved at most this often (and at shutdown): it is half a megabyte (the
 * forest's nodes, the window's values), so saving 500 hosts every minute would write 4 MB/s.
 * After a crash, a host catches up from the store on the rows since its last save.
 */
const HOST_SAVE_MS = 10 * 60_000;
/** The kind of a host's saved state in detect.db, and its key there. */
const HOST_FOREST_KIND = 'iforest';
const hostKey = (name: string) => `${HOST_FOREST_KIND}:${name}`;

/** A host's state as saved (JSON): its columns in order, the row carried into gaps, its forest. */
interface SavedHost {
  columns: Array<[key: string, name: string]>;
  last: number[] | null;
  newestScored: number;
  forest: IsolationForestSnapshot | null;
  /** Absent in hosts saved before episodes were; startedAt is null for NaN (JSON). */
  episode?: { open: boolean; below: number; peak: number; startedAt: number | null };
}

/**
 * One isolation forest per host (series grouped by a label, `instance` by
 * default) over that host's metrics together. Samples of one scrape arrive as
 * separate series, possibly in separate requests, so rows are assembled per
 * timestamp and scored once a newer timestamp shows the row is complete.
 * Metrics missing from a row carry their last value forward.
 */
export class HostForests {
  private readonly groups = new Map<string, HostGroup>();
  /** Every group in creation order (saves walk it a slice at a time). */
  private readonly order: HostGroup[] = [];
  private saveCursor = 0;
  /** Start-up only: where saved hosts are read, and the hosts looked for there. */
  private loadSaved: ((key: string) => SavedState | undefined) | undefined;
  private readonly looked = new Set<string>();
  private restored = 0;

  constructor(private readonly opts: HostForestOptions) {}

  get size(): number {
    return this.groups.size;
  }

  /**
   * Where the hosts saved by saved() are found at start-up, before replay: `load` gets one by
   * its key. A host is brought back when the first of its series is restored here
   * (catchUpFrom), so workers that share detect.db each read only their own hosts; it then
   * catches up on the stored samples of its columns after its last learned row (replay,
   * finishReplay) and goes on as if it had never stopped.
   */
  offerSaved(load: (key: string) => SavedState | undefined): void {
    this.loadSaved = load;
  }

  /**
   * The time after which a restored host needs this series' stored samples (undefined: none).
   * A saved host that cannot be read is reported to `onError` and starts afresh.
   */
  catchUpFrom(labels: Labels, metricKey: string, onError: (host: string, err: Error) => void): number | undefined {
    const name = labels[this.opts.groupBy];
    if (name === undefined) return undefined;
    if (this.loadSaved !== undefined && !this.groups.has(name) && !this.looked.has(name) && this.groups.size < this.opts.maxGroups) {
      this.looked.add(name);
      const saved = this.loadSaved(hostKey(name));
      try {
        if (saved !== undefined) {
          const g = HostGroup.fromSaved(name, JSON.parse(Buffer.from(saved.state).toString('utf8')) as SavedHost, this.opts);
          this.groups.set(name, g);
          this.order.push(g);
          this.restored++;
        }
      } catch (e) {
        onError(name, e as Error);
      }
    }
    return this.groups.get(name)?.catchUpFrom(metricKey);
  }

  /** Stored samples of one series for its restored host (start-up; see catchUpFrom). */
  replay(labels: Labels, metricKey: string, ts: ArrayLike<number>, vs: ArrayLike<number>): void {
    const name = labels[this.opts.groupBy];
    if (name !== undefined) this.groups.get(name)?.replay(metricKey, ts, vs);
  }

  /**
   * Start-up is over: restored hosts learn the rows they caught up on, in time order, without
   * events. Returns how many hosts were restored.
   */
  finishReplay(): number {
    this.loadSaved = undefined;
    this.looked.clear();
    for (const g of this.order) g.finishReplay(this.opts);
    const n = this.restored;
    this.restored = 0;
    return n;
  }

  /**
   * The states of the next 1/slices of the hosts, of those that learned a row since they were
   * last saved, at least 10 minutes ago (any time with `final`, at shutdown).
   */
  saved(slices: number, final = false, now = Date.now()): SavedState[] {
    const out: SavedState[] = [];
    const n = this.order.length;
    for (let k = 0; k < Math.ceil(n / slices); k++) {
      if (this.saveCursor >= n) this.saveCursor = 0;
      const state = this.order[this.saveCursor++]!.save(now, final);
      if (state) out.push(state);
    }
    return out;
  }

  /**
   * Adds one sample. Series without the group label, or beyond the limits, are ignored.
   * Returns the series' column once it has one: the caller keeps it and passes later
   * samples to addAt, skipping the group and column lookups. Returns null when the
   * series can never have a column (no group label, or a limit reached for good):
   * the caller keeps that too and stops calling.
   */
  add(labels: Labels, metricKey: string, t: number, v: number): HostColumn | undefined | null {
    const name = labels[this.opts.groupBy];
    if (name === undefined) return null;
    if (!Number.isFinite(v)) return undefined;
    let g = this.groups.get(name);
    if (!g) {
      // Groups are never dropped, so the limit holds for good.
      if (this.groups.size >= this.opts.maxGroups) return null;
      g = new HostGroup(name);
      this.groups.set(name, g);
      this.order.push(g);
    }
    return g.add(metricKey, labels[METRIC_NAME] ?? metricKey, t, v, this.opts);
  }

  /** add() for a series whose column is known. */
  addAt(c: HostColumn, t: number, v: number): void {
    if (Number.isFinite(v)) c.group.put(c.col, t, v, this.opts);
  }

  /** Scores every complete row (all but each group's newest); returns the rows scored. */
  flush(onRow: (r: HostRowResult) => void): void {
    for (const g of this.groups.values()) g.flush(this.opts, onRow);
  }
}

/** One series' place in its host's rows. */
export interface HostColumn {
  readonly group: HostGroup;
  readonly col: number;
}

class HostGroup {
  private readonly columns = new Map<string, number>();
  private readonly refs: HostColumn[] = [];
  private readonly names: string[] = [];
  private readonly pending = new Map<number, Float64Array>();
  private last: Float64Array | undefined;
  private forest: IsolationForestDetector | undefined;
  private newestScored = -Infinity;
  /** The pending row last written, and its time (NaN once it has been scored). */
  private lastPutT = NaN;
  private lastPutRow: Float64Array | undefined;
  /** The newest time of a pending row. */
  private newestPending = -Infinity;
  /** A row was learned since the last save. */
  private dirty = false;
  /** When the host was last saved (ms, wall clock). */
  private savedAt = -Infinity;
  /** Its host-wide episode, so a restart in the middle of one raises no second event. */
  readonly episode: EpisodeState = newEpisode();
  /** Rows gathered from stored history at start-up (restored hosts only, until finishReplay). */
  private catchUp: Map<number, Float64Array> | undefined;

  constructor(readonly name: string) {}

  static fromSaved(name: string, h: SavedHost, opts: HostForestOptions): HostGroup {
    const g = new HostGroup(name);
    if (h.columns.length > opts.maxMetricsPerGroup) throw new Error(`${h.columns.length} columns, more than maxMetricsPerGroup (${opts.maxMetricsPerGroup})`);
    for (const [key, name] of h.columns) {
      g.columns.set(key, g.names.length);
      g.refs.push({ group: g, col: g.names.length });
      g.names.push(name);
    }
    if (h.last) g.last = Float64Array.from({ length: opts.maxMetricsPerGroup }, (_, c) => h.last![c] ?? 0);
    if (h.forest) {
      const f = IsolationForestDetector.restore({ ...h.forest, config: currentConfig(h.forest.config, opts.forest) });
      if (f.metrics !== h.columns.length) throw new Error(`a forest of ${f.metrics} metrics for ${h.columns.length} columns`);
      g.forest = f;
    }
    g.newestScored = h.newestScored ?? -Infinity;
    if (h.episode) Object.assign(g.episode, { ...h.episode, startedAt: h.episode.startedAt ?? NaN });
    g.catchUp = new Map();
    return g;
  }

  /**
   * This host's state; undefined when it learned nothing since it was last saved, or (unless
   * `final`) was saved under HOST_SAVE_MS before `now`.
   */
  save(now: number, final: boolean): SavedState | undefined {
    if (!this.dirty || (!final && now - this.savedAt < HOST_SAVE_MS)) return undefined;
    this.dirty = false;
    this.savedAt = now;
    const h: SavedHost = {
      columns: [...this.columns].map(([key, col]) => [key, this.names[col]!]),
      last: this.last ? Array.from(this.last.subarray(0, this.columns.size)) : null,
      newestScored: this.newestScored,
      forest: this.forest?.snapshot() ?? null,
      episode: { ...this.episode, startedAt: Number.isNaN(this.episode.startedAt) ? null : this.episode.startedAt },
    };
    return { key: hostKey(this.name), kind: HOST_FOREST_KIND, lastT: this.newestScored, state: Buffer.from(JSON.stringify(h), 'utf8') };
  }

  catchUpFrom(key: string): number | undefined {
    return this.catchUp !== undefined && this.columns.has(key) ? this.newestScored + 1 : undefined;
  }

  replay(key: string, ts: ArrayLike<number>, vs: ArrayLike<number>): void {
    const col = this.columns.get(key);
    const rows = this.catchUp;
    if (col === undefined || rows === undefined) return;
    for (let i = 0; i < ts.length; i++) {
      const t = ts[i]!;
      const v = vs[i]!;
      if (!(t > this.newestScored) || !Number.isFinite(v)) continue;
      let row = rows.get(t);
      if (!row) {
        if (rows.size >= MAX_CATCH_UP_ROWS) continue;
        rows.set(t, (row = new Float64Array(this.columns.size).fill(NaN)));
      }
      row[col] = v;
    }
  }

  finishReplay(opts: HostForestOptions): void {
    const rows = this.catchUp;
    this.catchUp = undefined;
    if (!rows || rows.size === 0) return;
    const times = [...rows.keys()].sort((a, b) => a - b);
    // The newest row may lack samples still to come: it waits among the pending rows, as a live one would.
    for (let i = 0; i < times.length - 1; i++) this.learn(times[i]!, rows.get(times[i]!)!, opts);
    const t = times.at(-1)!;
    const newest = rows.get(t)!;
    for (let c = 0; c < newest.length; c++) if (!Number.isNaN(newest[c]!)) this.put(c, t, newest[c]!, opts);
  }

  add(key: string, name: string, t: number, v: number, opts: HostForestOptions): HostColumn | undefined | null {
    let col = this.columns.get(key);
    if (col === undefined) {
      // The forest's width is fixed once trained, and columns are never dropped:
      // metrics first seen later are left out for good.
      if (this.forest || this.columns.size >= opts.maxMetricsPerGroup) return null;
    }
    if (t <= this.newestScored) return undefined;
    if (col === undefined) {
      col = this.columns.size;
      this.columns.set(key, col);
      this.names.push(name);
      this.refs.push({ group: this, col });
    }
    this.put(col, t, v, opts);
    return this.refs[col];
  }

  put(col: number, t: number, v: number, opts: HostForestOptions): void {
    // A scrape's samples of one host arrive together: the row of the last put is the usual one.
    if (t === this.lastPutT) {
      this.lastPutRow![col] = v;
      return;
    }
    if (t <= this.newestScored) return;
    let row = this.pending.get(t);
    if (!row) {
      if (this.pending.size >= MAX_PENDING_ROWS) return;
      row = new Float64Array(opts.maxMetricsPerGroup).fill(NaN);
      this.pending.set(t, row);
      if (t > this.newestPending) this.newestPending = t;
    }
    row[col] = v;
    this.lastPutT = t;
    this.lastPutRow = row;
  }

  private oldestPending(): number {
    let oldest = Infinity;
    for (const t of this.pending.keys()) if (t < oldest) oldest = t;
    return oldest;
  }

  flush(opts: HostForestOptions, onRow: (r: HostRowResult) => void): void {
    if (this.pending.size < 2) return;
    // All pending rows but the newest are complete; they wait for a batch (see batchDelayMs).
    if (opts.batchDelayMs && this.pending.size <= MAX_BATCH_ROWS && this.newestPending - this.oldestPending() < opts.batchDelayMs) return;
    const times = [...this.pending.keys()].sort((a, b) => a - b);
    const width = this.columns.size;
    if (width === 0) return;
    for (let i = 0; i < times.length - 1; i++) {
      const t = times[i]!;
      const row = this.pending.get(t)!;
      this.pending.delete(t);
      if (t === this.lastPutT) this.lastPutT = NaN;
      const result = this.learn(t, row, opts);
      onRow({ group: this.name, t, result, metric: this.names[result.metric] ?? '', episode: this.episode });
    }
  }

  /** Scores and learns the complete row at t (values by column; gaps are filled in place). */
  private learn(t: number, row: Float64Array, opts: HostForestOptions): IsolationResult {
    const width = this.columns.size;
    // Carry the last known value into gaps; a metric never seen yet counts as 0.
    if (!this.last) this.last = new Float64Array(opts.maxMetricsPerGroup);
    for (let c = 0; c < width; c++) {
      if (Number.isNaN(row[c]!)) row[c] = this.last[c]!;
      else this.last[c] = row[c]!;
    }
    // The retraining phase from the host's name: spread evenly, and the same at every start.
    this.forest ??= new IsolationForestDetector(width, { ...opts.forest, phase: fnv1a(this.name) });
    const result = this.forest.update(t, row.subarray(0, width));
    this.newestScored = t;
    this.dirty = true;
    return result;
  }
}

/** What shapes a forest's saved arrays: a saved forest whose shape differs from today's configuration starts afresh. */
const SHAPE_KEYS = ['trees', 'sampleSize', 'window', 'calibration'] as const;

/**
 * A saved forest's configuration with today's settings: the same shape (or an error), and
 * today's contamination, threshold, consecutive count, retraining interval and minimum rows,
 * so a changed setting applies after a restart as it does to a new host. The retraining
 * phase stays the host's own.
 */
function currentConfig(saved: IsolationForestConfig, now: Partial<IsolationForestConfig>): IsolationForestConfig {
  const cfg = { ...DEFAULT_IFOREST_CONFIG, ...now, seed: saved.seed, phase: saved.phase };
  for (const k of SHAPE_KEYS) if (saved[k] !== cfg[k]) throw new Error(`saved with ${k} ${saved[k]}, configured now as ${cfg[k]}`);
  return cfg;
}
