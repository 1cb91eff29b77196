import { METRIC_NAME, type Labels } from '../../core/labels.js';
import type { FamilyMetadata } from '../../core/metadata.js';
import type { FrozenLabels } from '../frozen-labels.js';
import { type IngestLimits, validateLabels } from '../limits.js';
import { BytesTable } from '../bytes-table.js';

/**
 * What the OTLP wire decoder remembers across requests. A sender repeats the same
 * series in every request, byte for byte, so the output series of a data point are
 * cached by the raw bytes of its attributes, per context (resource job/instance,
 * scope, metric family and kind: everything else its labels depend on). After the
 * first request a data point costs a byte compare (or a hash) instead of decoding
 * strings, building label objects and a canonical key, and validating.
 */

/**
 * One output series: its canonical key (labelsKey), its labels, and which group of
 * the current request's batch its samples go to. Series are shared by key (`valid`
 * ones are registered in OtlpSeriesCache), so two data points that render to the same
 * labels land in one group, as the labels-keyed translation does.
 */
export class SeriesRef {
  /** The request (OtlpSeriesCache.gen) in which `group` is meaningful. */
  gen = -1;
  group = 0;

  constructor(
    readonly key: string,
    readonly labels: Labels,
    /**
     * Validated, frozen and registered. A data point's series start unresolved (false) and are
     * resolved at first use; one whose labels fail validation stays unresolved and is refused at each use.
     */
    readonly valid: boolean,
  ) {}
}

/** The output series of one data point's attributes within one context. */
export interface CachedPoint {
  /** The id of the attributes' raw bytes (the cache key) in its context's table; set when added. */
  id: number;
  /** The attributes as labels, kept to rebuild `series` when `shape` changes. */
  readonly attrs: Record<string, string>;
  /** Histogram bounds or summary quantiles the series were built for (their `le`/`quantile` labels); null for numbers. */
  shape: Float64Array | null;
  /** In emission order; see wire-decoder.ts for the layout per kind. */
  series: SeriesRef[];
  /** The point that followed this one last time (senders repeat their order). */
  next: CachedPoint | undefined;
}

/** A family's metadata, one object per distinct content, and the request that last listed it. */
export interface SharedMetadata {
  readonly meta: FamilyMetadata;
  listedIn: number;
}

/** CachedPoints of one context by attribute bytes: a table of those bytes plus a guess of the next point. */
export class PointCache {
  /** The context's metric metadata, and the description and unit bytes it was read from (a sender repeats them). */
  meta: SharedMetadata | undefined;
  metaDescription: Uint8Array | undefined;
  metaUnit: Uint8Array | undefined;

  /** Most contexts (a metric of a resource) hold a few points: start small. */
  private readonly keys = new BytesTable(8);
  private readonly points: CachedPoint[] = [];
  private first: CachedPoint | undefined;
  private prev: CachedPoint | undefined;

  /** Called at the start of each run of data points (a metric) in this context. */
  rewind(): void {
    this.prev = undefined;
  }

  get(buf: Uint8Array, start: number, end: number): CachedPoint | undefined {
    const guess = this.prev === undefined ? this.first : this.prev.next;
    let p = guess !== undefined && this.keys.equals(guess.id, buf, start, end) ? guess : undefined;
    if (p === undefined) {
      const id = this.keys.find(buf, start, end);
      p = id >= 0 ? this.points[id] : undefined;
    }
    if (p !== undefined) this.follow(p);
    return p;
  }

  /** The point for these attribute bytes, if cached, without moving the guess of the next one (get() does). */
  peek(buf: Uint8Array, start: number, end: number): CachedPoint | undefined {
    const id = this.keys.find(buf, start, end);
    return id >= 0 ? this.points[id] : undefined;
  }

  /** Adds point `p` for the attribute bytes buf[start, end) (not cached yet). */
  add(buf: Uint8Array, start: number, end: number, p: CachedPoint): void {
    p.id = this.keys.add(buf, start, end);
    this.points[p.id] = p;
    this.follow(p);
  }

  private follow(p: CachedPoint): void {
    if (this.prev === undefined) this.first = p;
    else this.prev.next = p;
    this.prev = p;
  }
}

/**
 * Contexts, their cached points and the registry of validated series. Label sets are
 * validated under one IngestLimits and frozen through one FrozenLabels: switching
 * either starts over. Bounded: past `maxEntries` points, series or contexts it starts
 * over empty, between requests (never mid-request, so one request sees one SeriesRef per key).
 */
export class OtlpSeriesCache {
  /** Current request number; SeriesRef.group is valid when SeriesRef.gen equals it. */
  gen = 0;
  /** Contexts by scope (its name, version and resource) and then by metric (layout and family). */
  private contexts = new Map<string, Map<string, PointCache>>();
  private contextCount = 0;
  private refs = new Map<string, SeriesRef>();
  /** Metadata by content: contexts of one family (one per resource) share one object, so a request lists it once without a lookup. */
  private metas = new Map<string, SharedMetadata>();
  private points = 0;
  private limits: IngestLimits | undefined;
  private frozen: FrozenLabels | undefined;
  private readonly validate = (labels: Record<string, string>): void => validateLabels(labels, this.limits!, `series ${labels[METRIC_NAME] ?? '?'}`);

  constructor(private readonly maxEntries = 200_000) {}

  beginRequest(limits: IngestLimits, frozen: FrozenLabels): void {
    this.gen++;
    if (limits !== this.limits || frozen !== this.frozen || this.points > this.maxEntries || this.refs.size > this.maxEntries || this.contextCount > this.maxEntries) {
      this.contexts = new Map();
      this.contextCount = 0;
      this.refs = new Map();
      this.metas = new Map();
      this.points = 0;
      this.limits = limits;
      this.frozen = frozen;
    }
  }

  /**
   * The context of a metric (`key`) in a scope (`scopeKey`). Two lookups of strings the
   * decoder keeps (their hashes computed once), instead of one of a key concatenated per metric.
   */
  context(scopeKey: string, key: string): PointCache {
    let inScope = this.contexts.get(scopeKey);
    if (inScope === undefined) this.contexts.set(scopeKey, (inScope = new Map()));
    let c = inScope.get(key);
    if (c === undefined) {
      inScope.set(key, (c = new PointCache()));
      this.contextCount++;
    }
    return c;
  }

  /** The shared object for this metadata. */
  metadata(m: FamilyMetadata): SharedMetadata {
    const key = `${m.family}\0${m.type}\0${m.help}\0${m.unit}`;
    let s = this.metas.get(key);
    if (s === undefined) this.metas.set(key, (s = { meta: m, listedIn: -1 }));
    return s;
  }

  addPoint(ctx: PointCache, buf: Uint8Array, start: number, end: number, p: CachedPoint): void {
    this.points++;
    ctx.add(buf, start, end, p);
  }

  /**
   * The registered series for `key`, validating and freezing `labels` (through
   * FrozenLabels) when the key is new; throws the validation's VigilError.
   */
  resolve(key: string, labels: Record<string, string>): SeriesRef {
    let ref = this.refs.get(key);
    if (ref === undefined) {
      ref = new SeriesRef(key, this.frozen!.get(key, labels, this.validate), true);
      this.refs.set(key, ref);
    }
    return ref;
  }

  get size(): { contexts: number; points: number; series: number; metadata: number } {
    return { contexts: this.contextCount, points: this.points, series: this.refs.size, metadata: this.metas.size };
  }
}
