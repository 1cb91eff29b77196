// Multivariate isolation forest over a host's or service's metrics together.
//
// Each row (one timestamp, several metrics) becomes a feature vector: per metric
// the value, rolling mean and standard deviation over 3, 5 and 10 rows, lags
// 1-3 and the rate of change; plus hour of day, day of week and a business-hours
// flag. Feature vectors are kept in a rolling window; the forest (Liu, Ting &
// Zhou 2008) is retrained on that window every `retrainEvery` rows. Raw path-length
// scores are calibrated against the scores of the training window (an empirical
// CDF), so the output is the probability that a normal row scores lower, and
// `threshold` (by default 1 - contamination) means the same on every host. A row is
// flagged after `consecutive` anomalous rows in a row.
import { dayFraction, dayOfWeek } from './math.js';
import { MAX_FEATURES, MAX_NODES, PackedForest, WIDE_NODE } from './packed-forest.js';
import { PartedForest, partTrees } from './parted-forest.js';
import { IsolationTreeGrower, avgPath, heightLimit, type FeatureReader } from './tree-grower.js';

export interface IsolationForestConfig {
  trees: number;
  /** Rows sampled per tree (psi). */
  sampleSize: number;
  /** Rows of feature vectors kept for retraining. */
  window: number;
  retrainEvery: number;
  /** Recent online scores the calibration uses. */
  calibration: number;
  /** Rows needed before the first training. */
  minRows: number;
  /** Expected share of anomalous rows; sets the default threshold. */
  contamination: number;
  /** Calibrated score at or above which a row is anomalous (default 1 - contamination). */
  threshold?: number;
  /** Rows in a row that must be anomalous before a flag. */
  consecutive: number;
  seed: number;
  /**
   * Rows by which the first retraining comes early (taken modulo retrainEvery). Forests started
   * together (one per host) then retrain in different rounds, not all in the same one: a
   * hundred hosts retraining at once hold the detection worker, and with it ingestion, up.
   */
  phase: number;
  /**
   * Parts the trees are kept in: each retraining regrows one part, the oldest, on the window
   * (1: the whole forest). With 2, a retraining grows half the trees: retraining every 256 rows
   * costs what regrowing the whole forest every 512 did, while half the trees are at most 256
   * rows old and the rest at most 512. The whole forest is regrown while the window fills and
   * when this changes.
   */
  parts: number;
}

export const DEFAULT_IFOREST_CONFIG: IsolationForestConfig = {
  trees: 100,
  sampleSize: 256,
  window: 2048,
  retrainEvery: 256,
  calibration: 512,
  minRows: 64,
  contamination: 0.05,
  consecutive: 1,
  seed: 1,
  phase: 0,
  parts: 1,
};

const ROLL = [3, 5, 10] as const;
/** Per metric: value, 3 rolling means, 3 rolling stds, 3 lags, rate of change. */
const PER_METRIC = 1 + 2 * ROLL.length + 3 + 1;
const TIME_FEATURES = 3;
const HISTORY = 10;
/** Slots per node in version 1 snapshots: [feature, split, left, right, size, min, max]. */
const NODE_V1 = 7;

export interface IsolationResult {
  /** Raw isolation score 2^(-E[h]/c(psi)), or NaN before the first training. */
  raw: number;
  /** Calibrated score in [0,1] (0 before the first training). */
  score: number;
  anomalous: boolean;
  /** After the consecutive-anomalies rule. */
  flagged: boolean;
  /** The metric whose value is furthest (in rolling sigmas) from its rolling mean. */
  metric: number;
  expected: number;
  lower: number;
  upper: number;
}

export class IsolationForestDetector {
  readonly cfg: IsolationForestConfig;
  readonly dim: number;
  /**
   * The window is kept as the values it was derived from, not as feature vectors:
   * per metric a ring of the last window + HISTORY values (the rolling features of
   * the oldest row reach HISTORY - 1 back), plus each row's hour and day of week.
   * Training derives the features of the rows it samples as it needs them. That
   * is 12 times less memory than the vectors (under 300 kB instead of 3.7 MB for
   * 2,048 rows of 16 metrics), small enough to stay in the cache while a forest is built.
   */
  private readonly values: Float64Array; // per metric, a ring of `ring` values by history index
  private readonly ring: number;
  private histCount = 0;
  private readonly hours: Float64Array; // window ring, by row
  private readonly days: Float64Array;
  /** History index of row R is R + histShift (both count every update, so this stays put). */
  private histShift = 0;
  /**
   * Feature vectors of the window's rows as restored from a version 1 or 2 snapshot
   * (which kept vectors, not the values before the window), rows seedFrom onwards,
   * row-major; dropped once those rows have left the window.
   */
  private seed: Float64Array | null = null;
  private seedFrom = 0;
  private rowCount = 0;
  private sinceTrain = 0;
  /** Rows from one training to the next (retrainEvery, less `phase` after the first). */
  private retrainAfter: number;
  private readonly feature: Float64Array;
  // A query outside a node's [min, max] of its split feature is isolated there (a range
  // check, so extreme values score as extreme, not as the training maximum).
  private forest: PartedForest;
  private calib: Float64Array = new Float64Array(0); // sorted reference scores
  private readonly recent: Float64Array; // ring of raw scores as scored online
  private recentCount = 0;
  private run = 0;
  private rng: number;
  /**
   * c(psi) of the forest in use: path lengths are normalised by the sample size
   * the trees were grown from, not by what the window holds now (a young forest
   * grown from 64 rows and scored as if from 256 scores every row high).
   * NaN until then: a double from the start, so a forest's object keeps its shape when
   * the first trees set it (an integer first, then a fraction, changed the shape of every
   * host's forest, which threw the worker's optimised code out while they changed).
   */
  private pathNorm = NaN;
  /** Rows per tree (psi) of the forest in use: a part is regrown alone only while it stays the same. */
  private grownPsi = 0;

  constructor(readonly metrics: number, config: Partial<IsolationForestConfig> = {}) {
    this.cfg = { ...DEFAULT_IFOREST_CONFIG, ...config };
    this.retrainAfter = this.cfg.retrainEvery;
    this.dim = metrics * PER_METRIC + TIME_FEATURES;
    this.ring = this.cfg.window + HISTORY;
    this.values = new Float64Array(metrics * this.ring);
    this.hours = new Float64Array(this.cfg.window);
    this.days = new Float64Array(this.cfg.window);
    this.feature = new Float64Array(this.dim);
    this.recent = new Float64Array(this.cfg.calibration);
    this.rng = this.cfg.seed >>> 0 || 1;
    if (!(Number.isInteger(this.cfg.parts) && this.cfg.parts >= 1 && this.cfg.parts <= this.cfg.trees))
      throw new RangeError(`isolation forest: parts must be a whole number from 1 to the trees (${this.cfg.trees}), not ${this.cfg.parts}`);
    this.forest = PartedForest.empty(this.dim);
    const nodes = this.cfg.trees * (2 * Math.min(this.cfg.sampleSize, this.cfg.window) - 1);
    if (this.dim > MAX_FEATURES || nodes > MAX_NODES)
      throw new RangeError(`isolation forest: ${metrics} metrics and ${this.cfg.trees} trees of ${this.cfg.sampleSize} rows exceed ${MAX_FEATURES} features or ${MAX_NODES} nodes`);
  }

  get threshold(): number {
    return this.cfg.threshold ?? 1 - this.cfg.contamination;
  }

  get trained(): boolean {
    return this.forest.trees > 0;
  }

  /** Scores the row (values per metric, NaN allowed) at time t, then learns it. */
  update(t: number, values: ArrayLike<number>): IsolationResult {
    this.pushHistory(values);
    const f = this.features(t);
    const res: IsolationResult = { raw: NaN, score: 0, anomalous: false, flagged: false, metric: 0, expected: NaN, lower: NaN, upper: NaN };
    if (this.trained) {
      res.raw = this.rawScore(f, 0);
      res.score = this.calibrate(res.raw);
      res.anomalous = res.score >= this.threshold;
      this.recent[this.recentCount % this.cfg.calibration] = res.raw;
      this.recentCount++;
    }
    this.run = res.anomalous ? this.run + 1 : 0;
    res.flagged = this.run >= this.cfg.consecutive;
    this.explain(res);
    // The row stays for the next training as its values (pushed above) and its time.
    const slot = this.rowCount % this.cfg.window;
    this.hours[slot] = f[this.dim - 3]!;
    this.days[slot] = f[this.dim - 2]!;
    this.rowCount++;
    if (this.seed !== null && this.rowCount - this.cfg.window >= this.seedFrom + this.seed.length / this.dim) this.seed = null;
    this.sinceTrain++;
    const available = Math.min(this.rowCount, this.cfg.window);
    if (available >= this.cfg.minRows && (!this.trained || this.sinceTrain >= this.retrainAfter)) this.train();
    return res;
  }

  private pushHistory(values: ArrayLike<number>): void {
    const slot = this.histCount % this.ring;
    for (let m = 0; m < this.metrics; m++) {
      let v = values[m]!;
      if (!Number.isFinite(v)) v = this.histCount > 0 ? this.lag(m, 0) : 0; // carry the last value forward (lag 0 until this push)
      this.values[m * this.ring + slot] = v;
    }
    this.histCount++;
  }

  /** The value k rows back (0 = current), clamped to the oldest available. */
  private lag(m: number, k: number): number {
    const back = Math.min(k, this.histCount - 1);
    return this.values[m * this.ring + ((this.histCount - 1 - back) % this.ring)]!;
  }

  /**
   * vals[i] = feature q of the window row in slot idx[i], for i in [lo, hi), derived
   * from the values as features() derives the current row's (the same arithmetic in
   * the same order, so the same bits). hOf and atOf give each slot's history index
   * and its position in the value rings.
   */
  private featureOfRows(q: number, idx: Int32Array, lo: number, hi: number, vals: Float64Array, hOf: Float64Array, atOf: Int32Array, stds: Float64Array | null = null): void {
    const perMetric = this.metrics * PER_METRIC;
    if (q >= perMetric) {
      for (let i = lo; i < hi; i++) {
        const hour = this.hours[idx[i]!]!;
        const dow = this.days[idx[i]!]!;
        vals[i] = q === perMetric ? hour : q === perMetric + 1 ? dow : dow >= 1 && dow <= 5 && hour >= 9 && hour < 17 ? 1 : 0;
      }
    } else this.metricFeatureOfRows(q, idx, lo, hi, vals, hOf, atOf, stds);
    this.seedRows(q, idx, lo, hi, vals, hOf, stds);
  }

  /** Rows restored from an old snapshot keep the vectors it held (feature q, and q + 1 into `stds`). */
  private seedRows(q: number, idx: Int32Array, lo: number, hi: number, vals: Float64Array, hOf: Float64Array, stds: Float64Array | null): void {
    const seed = this.seed;
    if (seed === null) return;
    for (let i = lo; i < hi; i++) {
      const row = hOf[idx[i]!]! - this.histShift - this.seedFrom;
      if (row >= 0 && row * this.dim < seed.length) {
        vals[i] = seed[row * this.dim + q]!;
        if (stds !== null) stds[i] = seed[row * this.dim + q + 1]!;
      }
    }
  }

  /**
   * Every feature of the window's first `available` slots, a column of `available`
   * values per feature (in a scratch shared by the thread's forests). A metric's rolling
   * means and deviations come from one pass (rollingColumns).
   */
  private windowColumns(available: number, identity: Int32Array, hOf: Float64Array, atOf: Int32Array): Float64Array {
    const columns = windowColumns.get(available * this.dim);
    const perMetric = this.metrics * PER_METRIC;
    const column = (q: number) => columns.subarray(q * available, (q + 1) * available);
    for (let q = 0; q < this.dim; q++) {
      if (q < perMetric && q % PER_METRIC === 1) {
        this.rollingColumns((q / PER_METRIC) | 0, available, hOf, atOf, columns);
        for (let r = 0; r < 2 * ROLL.length; r++) this.seedRows(q + r, identity, 0, available, column(q + r), hOf, null);
        q += 2 * ROLL.length - 1;
      } else this.featureOfRows(q, identity, 0, available, column(q), hOf, atOf);
    }
    return columns;
  }

  /**
   * Metric m's rolling means and deviations (features 1 to 6: windows of 3, 5 and 10 rows)
   * for the window's first `available` slots, into their columns. One pass over the longest
   * window takes the shorter ones' sums on the way: the same values added in the same order
   * as metricFeatureOfRows adds them for each window, so the same bits, from 10 reads a row
   * instead of 18 (training derived them afresh for every row of its window: 6% of the
   * detection worker's instructions).
   */
  private rollingColumns(m: number, available: number, hOf: Float64Array, atOf: Int32Array, columns: Float64Array): void {
    const values = this.values;
    const ring = this.ring;
    const base = m * ring;
    const first = (m * PER_METRIC + 1) * available;
    for (let slot = 0; slot < available; slot++) {
      const at = atOf[slot]!;
      const h = hOf[slot]! + 1;
      let s = 0, s2 = 0;
      let b = 0;
      for (let w = 0; w < ROLL.length; w++) {
        const n = Math.min(ROLL[w]!, h);
        for (; b < n; b++) {
          const j = at - b;
          const x = values[base + (j < 0 ? j + ring : j)]!;
          s += x;
          s2 += x * x;
        }
        const mean = s / n;
        const at0 = first + 2 * w * available + slot;
        columns[at0] = mean;
        columns[at0 + available] = Math.sqrt(Math.max(0, s2 / n - mean * mean));
      }
    }
  }

  /** With `stds`, a rolling mean's feature q also writes the rolling standard deviation (feature q + 1) there. */
  private metricFeatureOfRows(q: number, idx: Int32Array, lo: number, hi: number, vals: Float64Array, hOf: Float64Array, atOf: Int32Array, stds: Float64Array | null): void {
    const values = this.values;
    const ring = this.ring;
    const m = (q / PER_METRIC) | 0;
    const k = q - m * PER_METRIC;
    const base = m * ring;
    if (k === 0) {
      for (let i = lo; i < hi; i++) vals[i] = values[base + atOf[idx[i]!]!]!;
    } else if (k <= 2 * ROLL.length) {
      const w = ROLL[(k - 1) >> 1]!;
      const wantMean = (k & 1) === 1;
      for (let i = lo; i < hi; i++) {
        const slot = idx[i]!;
        const at = atOf[slot]!;
        const n = Math.min(w, hOf[slot]! + 1);
        let s = 0, s2 = 0;
        for (let b = 0; b < n; b++) {
          const j = at - b;
          const x = values[base + (j < 0 ? j + ring : j)]!;
          s += x;
          s2 += x * x;
        }
        const mean = s / n;
        const std = Math.sqrt(Math.max(0, s2 / n - mean * mean));
        vals[i] = wantMean ? mean : std;
        if (stds !== null) stds[i] = std;
      }
    } else {
      // Lags 1-3, or the rate of change (against lag 1).
      const l = k <= 2 * ROLL.length + 3 ? k - 2 * ROLL.length : 1;
      const rate = k > 2 * ROLL.length + 3;
      for (let i = lo; i < hi; i++) {
        const slot = idx[i]!;
        const at = atOf[slot]!;
        const j = at - Math.min(l, hOf[slot]!);
        const prev = values[base + (j < 0 ? j + ring : j)]!;
        if (!rate) vals[i] = prev;
        else {
          const v = values[base + at]!;
          vals[i] = prev !== 0 ? (v - prev) / Math.abs(prev) : v - prev;
        }
      }
    }
  }

  private features(t: number): Float64Array {
    const f = this.feature;
    const values = this.values;
    const ring = this.ring;
    const count = this.histCount;
    // The newest value's place in each metric's ring; older ones are read backwards from it
    // (wrapping), not each through a modulo. The arithmetic and its order are those of
    // metricFeatureOfRows, so training derives the same bits for this row.
    const at = (count - 1) % ring;
    let k = 0;
    for (let m = 0; m < this.metrics; m++) {
      const base = m * ring;
      const v = values[base + at]!;
      f[k++] = v;
      for (let r = 0; r < ROLL.length; r++) {
        const n = Math.min(ROLL[r]!, count);
        let s = 0, s2 = 0;
        for (let i = 0; i < n; i++) {
          const j = at - i;
          const x = values[base + (j < 0 ? j + ring : j)]!;
          s += x;
          s2 += x * x;
        }
        const mean = s / n;
        f[k++] = mean;
        f[k++] = Math.sqrt(Math.max(0, s2 / n - mean * mean));
      }
      for (let l = 1; l <= 3; l++) {
        const j = at - Math.min(l, count - 1);
        f[k++] = values[base + (j < 0 ? j + ring : j)]!;
      }
      const p = at - Math.min(1, count - 1);
      const prev = values[base + (p < 0 ? p + ring : p)]!;
      f[k++] = prev !== 0 ? (v - prev) / Math.abs(prev) : v - prev;
    }
    const hour = dayFraction(t) * 24;
    const dow = dayOfWeek(t);
    f[k++] = hour;
    f[k++] = dow;
    f[k] = dow >= 1 && dow <= 5 && hour >= 9 && hour < 17 ? 1 : 0;
    return f;
  }

  /** For the first `available` window slots: each one's history index, and where that index sits in the value rings. */
  private slotIndex(available: number): { hOf: Float64Array; atOf: Int32Array } {
    const window = this.cfg.window;
    const newest = this.rowCount - 1;
    const hOf = new Float64Array(available);
    const atOf = new Int32Array(available);
    for (let slot = 0; slot < available; slot++) {
      hOf[slot] = newest - ((newest - slot + window) % window) + this.histShift;
      atOf[slot] = hOf[slot]! % this.ring;
    }
    return { hOf, atOf };
  }

  private train(): void {
    const first = !this.trained;
    const { trees, sampleSize, window, parts } = this.cfg;
    const available = Math.min(this.rowCount, window);
    const psi = Math.min(sampleSize, available);
    // One part, the oldest, when the forest is in today's parts and grown from as many rows a tree; else all of them.
    const whole = first || psi !== this.grownPsi || this.forest.parts.length !== parts;
    const regrow = whole ? parts : 1;
    const { hOf, atOf } = this.slotIndex(available);
    // When the window is small against the sample (the pipeline keeps 512 rows and
    // samples 256), the trees ask for nearly every feature of most rows, often more
    // than once: deriving every feature once for the whole window, into columns shared
    // by all forests of this thread, is less work than deriving them per node.
    const identity = new Int32Array(available);
    for (let i = 0; i < available; i++) identity[i] = i;
    const growing = whole ? trees : partTrees(trees, parts, this.forest.next);
    const columns = available * this.dim < growing * psi * heightLimit(psi) ? this.windowColumns(available, identity, hOf, atOf) : null;
    const read: FeatureReader = (q, idx, lo, hi, vals) => this.featureOfRows(q, idx, lo, hi, vals, hOf, atOf);
    const grown: PackedForest[] = [];
    for (let k = 0; k < regrow; k++) {
      const n = whole ? partTrees(trees, parts, k) : growing;
      const roots = new Int32Array(n);
      grower.begin({ available, psi, dim: this.dim, maxNodes: n * (2 * psi - 1), columns, read, rng: this.rng });
      for (let tr = 0; tr < n; tr++) roots[tr] = grower.tree();
      this.rng = grower.rng;
      grown.push(grower.forest(roots));
    }
    this.forest = whole ? new PartedForest(grown, 0) : this.forest.replaceNext(grown[0]!);
    this.grownPsi = psi;
    this.pathNorm = avgPath(Math.max(2, psi));
    // Calibration: the raw scores of recent rows as they were scored (out of
    // sample, like the rows to come); before there are enough, the training rows'.
    let calib: Float64Array;
    if (this.recentCount >= this.cfg.minRows) {
      calib = this.recent.slice(0, Math.min(this.recentCount, this.cfg.calibration));
    } else {
      // The window's rows as vectors, a feature at a time.
      const column = new Float64Array(available);
      const rows = new Float64Array(available * this.dim);
      for (let q = 0; q < this.dim; q++) {
        this.featureOfRows(q, identity, 0, available, column, hOf, atOf);
        for (let r = 0; r < available; r++) rows[r * this.dim + q] = column[r]!;
      }
      calib = new Float64Array(available);
      for (let r = 0; r < available; r++) calib[r] = this.rawScore(rows, r * this.dim);
    }
    calib.sort();
    this.retrainAfter = first ? this.cfg.retrainEvery - (this.cfg.phase % this.cfg.retrainEvery) : this.cfg.retrainEvery;
    this.calib = calib;
    this.sinceTrain = 0;
  }

  /** 2^(-E[h]/c(psi)): E[h] the mean path length over the trees. */
  private rawScore(f: Float64Array, off: number): number {
    return 2 ** (-this.forest.meanPath(f, off) / this.pathNorm);
  }

  /** Share of training rows scoring below raw (mid-rank for ties). */
  private calibrate(raw: number): number {
    const c = this.calib;
    let lo = 0, hi = c.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (c[mid]! < raw) lo = mid + 1;
      else hi = mid;
    }
    let eq = lo;
    while (eq < c.length && c[eq] === raw) eq++;
    return c.length ? (lo + (eq - lo) / 2) / c.length : 0;
  }

  private explain(res: IsolationResult): void {
    // The metric furthest from its rolling 10-row mean, in rolling sigmas.
    let bestZ = -1;
    const f = this.feature;
    for (let m = 0; m < this.metrics; m++) {
      const b = m * PER_METRIC;
      const v = f[b]!;
      const mean = f[b + 5]!; // rolling mean over 10
      const sd = f[b + 6]!;
      const prevMean = this.histCount > 1 ? (mean * Math.min(10, this.histCount) - v) / Math.max(1, Math.min(10, this.histCount) - 1) : v;
      const z = Math.abs(v - prevMean) / (sd > 0 ? sd : 1e-9);
      if (z > bestZ) {
        bestZ = z;
        res.metric = m;
        res.expected = prevMean;
        res.lower = prevMean - 3 * sd;
        res.upper = prevMean + 3 * sd;
      }
    }
  }

  /** A JSON-serialisable snapshot (typed arrays as base64). */
  snapshot(): IsolationForestSnapshot {
    const b64 = (a: Float64Array | Int32Array | Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
    return {
      kind: 'vigil.iforest',
      version: 5,
      metrics: this.metrics,
      config: this.cfg,
      values: b64(this.values),
      histCount: this.histCount,
      hours: b64(this.hours),
      days: b64(this.days),
      ...(this.seed !== null && { seed: b64(this.seed), seedFrom: this.seedFrom }),
      rowCount: this.rowCount,
      sinceTrain: this.sinceTrain,
      parts: this.forest.parts.map((p) => ({ nodes: b64(p.nodeBytes), roots: b64(p.roots), origin: b64(p.origin) })),
      nextPart: this.forest.next,
      calib: b64(this.calib),
      recent: b64(this.recent),
      recentCount: this.recentCount,
      run: this.run,
      rng: this.rng,
    };
  }

  static restore(snap: IsolationForestSnapshot): IsolationForestDetector {
    if (snap.kind !== 'vigil.iforest' || ![1, 2, 3, 4, 5].includes(snap.version)) throw new Error('not a version 1 to 5 isolation forest snapshot');
    const d = new IsolationForestDetector(snap.metrics, snap.config);
    // A copy into a buffer of its own: a decoded Buffer may be a view into a shared pool.
    const bytes = (s: string) => {
      const b = Buffer.from(s, 'base64');
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
    };
    const f64 = (s: string) => new Float64Array(bytes(s));
    const int32 = (s: string) => new Int32Array(bytes(s));
    const present = (s: string | undefined, field: string) => {
      if (s === undefined) throw new Error(`isolation forest snapshot version ${snap.version} lacks ${field}`);
      return s;
    };
    const need = (s: string | undefined, field: string) => f64(present(s, field));
    d.histCount = snap.histCount;
    d.rowCount = snap.rowCount;
    d.histShift = snap.histCount - snap.rowCount;
    if (snap.version >= 3) {
      d.values.set(need(snap.values, 'values'));
      d.hours.set(need(snap.hours, 'hours'));
      d.days.set(need(snap.days, 'days'));
      if (snap.seed !== undefined) {
        d.seed = f64(snap.seed);
        d.seedFrom = snap.seedFrom ?? 0;
      }
    } else d.restoreVectors(need(snap.history, 'history'), need(snap.rows, 'rows'));
    d.sinceTrain = snap.sinceTrain;
    // The forest was grown at the last training, sinceTrain rows ago.
    d.grownPsi = Math.min(d.cfg.sampleSize, Math.min(snap.rowCount - snap.sinceTrain, d.cfg.window));
    d.pathNorm = avgPath(Math.max(2, d.grownPsi));
    if (snap.version === 5) {
      if (!Array.isArray(snap.parts) || snap.parts.length === 0) throw new Error('isolation forest snapshot version 5 lacks parts');
      const parts = snap.parts.map((p) => PackedForest.fromBytes(Buffer.from(p.nodes, 'base64'), int32(p.roots), f64(p.origin)));
      // A forest saved in other parts than today's is regrown whole at its next training (see train).
      d.forest = new PartedForest(parts, snap.nextPart ?? 0);
    } else {
      // Before version 5, one part: the whole forest.
      const roots = int32(present(snap.roots, 'roots'));
      const nodes = present(snap.nodes, 'nodes');
      if (snap.version === 4) d.forest = new PartedForest([PackedForest.fromBytes(Buffer.from(nodes, 'base64'), roots, need(snap.origin, 'origin'))], 0);
      else {
        // Earlier versions kept float64 nodes; packed as the tree grower packs its own, they score as a forest grown now would.
        const wide = snap.version === 1 ? compactNodes(f64(nodes), d.dim) : f64(nodes);
        d.forest = new PartedForest([PackedForest.fromWide(wide, wide.length / WIDE_NODE, d.dim, roots)], 0);
      }
    }
    d.calib = f64(snap.calib);
    d.recent.set(f64(snap.recent));
    d.recentCount = snap.recentCount;
    d.run = snap.run;
    d.rng = snap.rng;
    return d;
  }

  /**
   * Versions 1 and 2 kept the last HISTORY values per metric (a ring by history
   * index) and the window as feature vectors (row-major, by window slot). The
   * values carry on the history; the vectors become the seed, since the values
   * their oldest rows were derived from are gone.
   */
  private restoreVectors(history: Float64Array, rows: Float64Array): void {
    for (let h = Math.max(0, this.histCount - HISTORY); h < this.histCount; h++)
      for (let m = 0; m < this.metrics; m++) this.values[m * this.ring + (h % this.ring)] = history[m * HISTORY + (h % HISTORY)]!;
    const window = this.cfg.window;
    const available = Math.min(this.rowCount, window);
    if (available === 0) return;
    this.seedFrom = this.rowCount - available;
    this.seed = new Float64Array(available * this.dim);
    for (let row = this.seedFrom; row < this.rowCount; row++) {
      const slot = row % window;
      this.seed.set(rows.subarray(slot * this.dim, (slot + 1) * this.dim), (row - this.seedFrom) * this.dim);
      this.hours[slot] = rows[slot * this.dim + this.dim - 3]!;
      this.days[slot] = rows[slot * this.dim + this.dim - 2]!;
    }
  }
}

/** A Float64Array reused across calls, grown when a call needs more. */
class Scratch {
  private a = new Float64Array(0);

  /** At least `size` slots (contents left from earlier use). */
  get(size: number): Float64Array {
    if (this.a.length < size) this.a = new Float64Array(size);
    return this.a;
  }
}

// Trainings run one at a time on a thread, so one of each serves all its forests:
// the scratch for the window's derived columns, and the tree grower (with its nodes).
const windowColumns = new Scratch();
const grower = new IsolationTreeGrower();

/** Version 1 nodes [feature, split, left, right, size, min, max] as wide nodes (same ids, left = id + 1). */
function compactNodes(v1: Float64Array, dim: number): Float64Array {
  const n = v1.length / NODE_V1;
  const out = new Float64Array(n * WIDE_NODE);
  for (let id = 0; id < n; id++) {
    const a = id * NODE_V1;
    const o = id * WIDE_NODE;
    if (v1[a]! < 0) {
      out[o] = -1;
      // Leaves' c(size) (the oldest snapshots have 0 in the split slot).
      out[o + 1] = avgPath(v1[a + 4]!);
      continue;
    }
    out[o] = v1[a + 3]! * dim + v1[a]!;
    out[o + 1] = v1[a + 1]!;
    out[o + 2] = v1[a + 5]!;
    out[o + 3] = v1[a + 6]!;
  }
  return out;
}

export interface IsolationForestSnapshot {
  kind: 'vigil.iforest';
  /**
   * 1: nodes of 7 slots, the window as vectors (read, converted); 2: float64 nodes of 4 slots, the window
   * as vectors (read, packed); 3: the window as values (nodes read, packed); 4: packed nodes (16 bytes) and their origins;
   * 5: the packed forest in parts (see IsolationForestConfig.parts).
   */
  version: 1 | 2 | 3 | 4 | 5;
  metrics: number;
  config: IsolationForestConfig;
  /** Versions 3 to 5: per metric a ring of window + 10 values by history index; rows' hours and days of week by window slot. */
  values?: string;
  hours?: string;
  days?: string;
  /** Versions 3 to 5: feature vectors of rows (from seedFrom on) that came from a version 1 or 2 snapshot. */
  seed?: string;
  seedFrom?: number;
  /** Versions 1 and 2: the last 10 values per metric, and the window's feature vectors by slot. */
  history?: string;
  rows?: string;
  histCount: number;
  rowCount: number;
  sinceTrain: number;
  /** Versions 1 to 4: the forest's nodes and roots. */
  nodes?: string;
  roots?: string;
  /** Version 4: per feature, the origin of the packed nodes' thresholds. */
  origin?: string;
  /** Version 5: the forest's parts (nodes, roots, origins as in version 4), and the part the next partial retraining regrows. */
  parts?: Array<{ nodes: string; roots: string; origin: string }>;
  nextPart?: number;
  calib: string;
  recent: string;
  recentCount: number;
  run: number;
  rng: number;
}
