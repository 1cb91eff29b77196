import { METRIC_NAME, type Labels } from '../../core/labels.js';
import { fnv1a } from '../../core/fnv1a.js';
import { IsolationForestDetector, type IsolationForestConfig, type IsolationResult } from '../iforest.js';

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
}

/** Samples of several runs are kept per timestamp until a newer timestamp arrives for the group. */
const MAX_PENDING_ROWS = 64;
/** Most complete rows a batch waits for (batchDelayMs), whatever the scrape interval. */
const MAX_BATCH_ROWS = 16;

/**
 * One isolation forest per host (series grouped by a label, `instance` by
 * default) over that host's metrics together. Samples of one scrape arrive as
 * separate series, possibly in separate requests, so rows are assembled per
 * timestamp and scored once a newer timestamp shows the row is complete.
 * Metrics missing from a row carry their last value forward.
 */
export class HostForests {
  private readonly groups = new Map<string, HostGroup>();

  constructor(private readonly opts: HostForestOptions) {}

  get size(): number {
    return this.groups.size;
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

  constructor(readonly name: string) {}

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
      onRow({ group: this.name, t, result, metric: this.names[result.metric] ?? '' });
    }
  }
}
