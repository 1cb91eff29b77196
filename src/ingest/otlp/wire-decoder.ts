import { VigilError, isVigilError } from '../../core/errors.js';
import type { FamilyMetadata } from '../../core/metadata.js';
import { otlpMetadata, otlpType, type OtlpKind } from './metric-metadata.js';
import { addExponentialDelta, exponentialToExplicit, type ExplicitBuckets } from './exponential.js';
import { METRIC_NAME, labelsKey } from '../../core/labels.js';
import { STALE_NAN } from '../../core/sample.js';
import { FrozenLabels } from '../frozen-labels.js';
import type { IngestLimits } from '../limits.js';
import { ProtoReader, WIRE_LEN, readString } from '../remote-write/proto-reader.js';
import { type Obj, attributeLabels, formatLe, resourceLabels } from './attribute-labels.js';
import { MetricNameCache } from './metric-names.js';
import { nanosToMs } from './nanos.js';
import { SampleSink, type OtlpBatchTranslation } from './sample-sink.js';
import { type CachedPoint, OtlpSeriesCache, type PointCache, SeriesRef } from './series-cache.js';
import { type DeltaAccumulator, NO_RECORDED_VALUE } from './translate.js';
import { readAttributes, wireTypeError } from './wire-attributes.js';
import { DataPointFields } from './wire-data-point.js';
import { DATA_FIELDS, METRIC, METRIC_FIELDS, REQUEST, RESOURCE_METRICS, SCOPE, SCOPE_METRICS, otherField } from './wire-fields.js';
import { readVarint64, word } from './wire-scalars.js';

export type { OtlpBatchTranslation } from './sample-sink.js';

/**
 * A streaming decoder for OTLP/HTTP protobuf metrics (ExportMetricsServiceRequest):
 * it walks the wire format (field numbers as in proto.ts) and writes samples straight
 * into a SampleBatch, with the semantics of translateOtlp (translate.ts) over a
 * protobufjs-decoded request, which it replaces on the protobuf path because that
 * built and then garbage-collected a tree of objects per data point.
 *
 * The steady state allocates nothing per data point: each point's output series are
 * found by the raw bytes of its attributes in a per-context cache (series-cache.ts),
 * so strings are decoded and labels built and validated once per series, not per request.
 * Within a message fields may come in any order (the parts a later part depends on —
 * resource, scope, metric name and temporality — are read in a first pass), repeated
 * messages merge and the last member of a oneof wins, as protobuf specifies.
 *
 * Malformed input — truncation, lengths past their message, varints over 64 bits or
 * over 32 where a tag or length is expected, field number 0, a field Vigil reads with
 * the wrong wire type (protobufjs would skip it as unknown), invalid UTF-8 in a string
 * Vigil reads, deprecated group wire types, AnyValue nested over 64 levels — is a 400
 * MALFORMED_PROTOBUF naming the problem and where it is. Unknown fields are skipped.
 * Parts Vigil ignores (exemplars, min and max of exponential histograms, schema URLs, scope
 * attributes, Metric.metadata) are skipped by length, not decoded or checked. A metric's
 * description and unit become its family's metadata (with its type).
 */
export class OtlpWireDecoder {
  private readonly sink = new SampleSink();
  private nowMs = 0;

  // The metric being decoded.
  private rawName = '';
  private layout = NUMBER;
  private family = '';
  /** The metric is an exponential histogram (read as explicit bounds, layout HISTOGRAM_LAYOUT). */
  private exponential = false;
  /** A delta exponential histogram: its points are summed per bucket (addExponentialDelta), not accumulated per series. */
  private exponentialDelta = false;
  private accumulate = false;
  private scopeLabels: Record<string, string> = {};
  private resLabels: Record<string, string> = {};
  private ctx: PointCache | undefined;

  /** The request's metric metadata. */
  private metadata: FamilyMetadata[] = [];

  /** The data point being decoded. */
  private readonly p = new DataPointFields();

  /** Indexes of the resource_metrics, scope_metrics, metrics and data_points being decoded, for error messages (-1: none). */
  private readonly where = new Int32Array(4);

  constructor(
    private readonly limits: IngestLimits,
    private readonly acc: DeltaAccumulator,
    private readonly frozen: FrozenLabels = new FrozenLabels(),
    private readonly cache: OtlpSeriesCache = new OtlpSeriesCache(),
    private readonly names: MetricNameCache = new MetricNameCache(),
  ) {}

  /** Decodes and translates one request; `nowMs` stands in for absent (0) timestamps. Throws 400/413 VigilErrors. */
  decode(body: Uint8Array, nowMs: number = Date.now()): OtlpBatchTranslation {
    this.nowMs = nowMs;
    this.cache.beginRequest(this.limits, this.frozen);
    this.sink.begin(this.limits, this.cache.gen);
    this.where.fill(-1);
    this.metadata = [];
    const r = new ProtoReader(body);
    try {
      let i = 0;
      while (r.pos < r.end) {
        const tag = r.uint32('field tag');
        if (tag === 0x0a) {
          const end = r.lengthEnd('ExportMetricsServiceRequest.resource_metrics');
          this.where[0] = i++;
          this.resourceMetrics(r, end);
        } else otherField(r, tag, REQUEST);
      }
    } catch (e) {
      throw this.located(e);
    }
    const out = this.sink.finish(this.acc);
    out.metadata = this.metadata;
    return out;
  }

  /** ResourceMetrics { Resource resource = 1; repeated ScopeMetrics scope_metrics = 2; string schema_url = 3; } */
  private resourceMetrics(r: ProtoReader, end: number): void {
    const start = r.pos;
    const outerEnd = r.end;
    r.end = end;
    // Pass 1: the resource (it may follow the scope metrics; repeated, it merges).
    const attrs: Obj[] = [];
    while (r.pos < end) {
      const tag = r.uint32('field tag');
      if (tag === 0x0a) {
        const e = r.lengthEnd('ResourceMetrics.resource');
        for (const kv of readAttributes(r, r.pos, e, 1, 'Resource.attributes')) attrs.push(kv);
        r.pos = e;
      } else otherField(r, tag, RESOURCE_METRICS);
    }
    const resource = resourceLabels(attrs);
    this.resLabels = resource.labels;
    const resKey = lengthPrefixed(resource.labels.job ?? '') + lengthPrefixed(resource.labels.instance ?? '');
    // Pass 2: the scope metrics.
    r.pos = start;
    let latest = 0;
    let i = 0;
    while (r.pos < end) {
      const tag = r.uint32('field tag');
      if (tag === 0x12) {
        const e = r.lengthEnd('ResourceMetrics.scope_metrics');
        this.where[1] = i++;
        const t = this.scopeMetrics(r, e, resKey);
        if (t > latest) latest = t;
      } else r.skip(tag & 7, tag >>> 3);
    }
    this.where[1] = -1;
    r.end = outerEnd;
    if (Object.keys(resource.info).length > 0) this.targetInfo(resource.info, latest || this.nowMs);
  }

  /** The resource's other attributes as one `target_info` series (value 1); a refusal is reported, not counted as a data point. */
  private targetInfo(info: Record<string, string>, t: number): void {
    const labels: Record<string, string> = { ...info, ...this.resLabels, [METRIC_NAME]: 'target_info' };
    try {
      this.sink.add(this.cache.resolve(labelsKey(labels), labels), t, 1);
    } catch (e) {
      if (!isVigilError(e) || e.statusCode === 413) throw e;
      this.sink.error(`target_info: ${e.message}`);
    }
  }

  /** ScopeMetrics { InstrumentationScope scope = 1; repeated Metric metrics = 2; string schema_url = 3; } Returns the latest timestamp. */
  private scopeMetrics(r: ProtoReader, end: number, resKey: string): number {
    const start = r.pos;
    const outerEnd = r.end;
    r.end = end;
    // Pass 1: the scope's name and version (InstrumentationScope { string name = 1; string version = 2; ... }).
    let name = '';
    let version = '';
    while (r.pos < end) {
      const tag = r.uint32('field tag');
      if (tag === 0x0a) {
        const e = r.lengthEnd('ScopeMetrics.scope');
        r.end = e;
        while (r.pos < e) {
          const t = r.uint32('field tag');
          if (t === 0x0a || t === 0x12) {
            const se = r.lengthEnd('InstrumentationScope');
            const s = readString(r.buf, r.pos, se, t === 0x0a ? 'InstrumentationScope.name' : 'InstrumentationScope.version');
            if (t === 0x0a) name = s;
            else version = s;
            r.pos = se;
          } else otherField(r, t, SCOPE);
        }
        r.end = end;
      } else otherField(r, tag, SCOPE_METRICS);
    }
    const scopeLabels: Record<string, string> = {};
    if (name !== '') scopeLabels.otel_scope_name = name;
    if (version !== '') scopeLabels.otel_scope_version = version;
    this.scopeLabels = scopeLabels;
    const scopeKey = lengthPrefixed(name) + lengthPrefixed(version) + resKey;
    // Pass 2: the metrics.
    r.pos = start;
    let latest = 0;
    let i = 0;
    while (r.pos < end) {
      const tag = r.uint32('field tag');
      if (tag === 0x12) {
        const e = r.lengthEnd('ScopeMetrics.metrics');
        this.where[2] = i++;
        const t = this.metric(r, e, scopeKey);
        if (t > latest) latest = t;
        r.pos = e;
      } else r.skip(tag & 7, tag >>> 3);
    }
    this.where[2] = -1;
    r.end = outerEnd;
    return latest;
  }

  /**
   * Metric { string name = 1; oneof data { Gauge gauge = 5; Sum sum = 7; Histogram histogram = 9;
   * ExponentialHistogram exponential_histogram = 10; Summary summary = 11; } ... }
   * Returns the latest timestamp of its data points (0 when none was translated).
   */
  private metric(r: ProtoReader, end: number, scopeKey: string): number {
    const outerEnd = r.end;
    r.end = end;
    // Pass 1: the name, which data member is set (the last one on the wire wins; the same
    // member repeated merges, so its occurrences count from the first after any other member),
    // and, inside that member, temporality, monotonicity and the number of data points.
    let nameStart = -1;
    let nameEnd = -1;
    // Metric.description (2) and Metric.unit (3), for the family's metadata.
    let descStart = -1;
    let descEnd = -1;
    let unitStart = -1;
    let unitEnd = -1;
    let data = 0;
    let dataFrom = 0;
    while (r.pos < end) {
      const tagPos = r.pos;
      const tag = r.uint32('field tag');
      const field = tag >>> 3;
      if (field === 1 || (field >= 5 && field <= 11 && field !== 6 && field !== 8)) {
        if ((tag & 7) !== WIRE_LEN) throw wireTypeError(`Metric.${METRIC_FIELDS[field]}`, tag & 7, WIRE_LEN);
        const e = r.lengthEnd('Metric');
        if (field === 1) {
          nameStart = r.pos;
          nameEnd = e;
        } else if (field !== data) {
          data = field;
          dataFrom = tagPos;
        }
        r.pos = e;
      } else if (field === 2 || field === 3) {
        if ((tag & 7) !== WIRE_LEN) throw wireTypeError(`Metric.${field === 2 ? 'description' : 'unit'}`, tag & 7, WIRE_LEN);
        const e = r.lengthEnd('Metric');
        if (field === 2) [descStart, descEnd] = [r.pos, e];
        else [unitStart, unitEnd] = [r.pos, e];
        r.pos = e;
      } else otherField(r, tag, METRIC);
    }
    if (data === 0) {
      r.end = outerEnd;
      return 0; // a metric without data: nothing to store
    }
    let temporality = 0;
    let monotonic = false;
    let points = 0;
    const known = DATA_FIELDS[data]!;
    for (r.pos = dataFrom; r.pos < end; ) {
      const tag = r.uint32('field tag');
      if (tag >>> 3 !== data) {
        r.skip(tag & 7, tag >>> 3);
        continue;
      }
      const e = r.lengthEnd('Metric');
      r.end = e;
      while (r.pos < e) {
        const t = r.uint32('field tag');
        if (t === 0x0a) {
          r.pos = r.lengthEnd('data_points');
          points++;
        } else if (t === 0x10 && (data === 7 || data === 9 || data === 10)) {
          readVarint64(r, 'aggregation_temporality');
          temporality = word.lo | 0;
        } else if (t === 0x18 && data === 7) {
          readVarint64(r, 'Sum.is_monotonic');
          monotonic = word.lo !== 0 || word.hi !== 0;
        } else otherField(r, t, known);
      }
      r.end = end;
    }
    const metricName = nameStart < 0 || nameEnd === nameStart ? undefined : this.names.get(r.buf, nameStart, nameEnd, 'Metric.name');
    r.end = outerEnd;
    if (points === 0) return 0;
    if (metricName === undefined) {
      this.sink.reject(points, 'a metric without a name was refused');
      return 0;
    }
    this.rawName = metricName.raw;
    // Exponential histograms become explicit-bounds points as they are read, then go the same way.
    this.layout = data === 9 || data === 10 ? HISTOGRAM_LAYOUT : data === 11 ? SUMMARY_LAYOUT : NUMBER;
    this.exponential = data === 10;
    this.family = data === 7 && monotonic ? metricName.total : metricName.name;
    this.accumulate = temporality === 1 && (data === 7 || data === 9);
    this.exponentialDelta = temporality === 1 && data === 10;
    const ctx = this.cache.context(scopeKey, metricName.contextKey(this.exponential ? EXPONENTIAL_CONTEXT : this.layout, this.family));
    ctx.rewind();
    this.ctx = ctx;
    this.listMetadata(r.buf, ctx, data === 5 ? 'gauge' : data === 7 ? 'sum' : data === 9 || data === 10 ? 'histogram' : 'summary', monotonic, descStart, descEnd, unitStart, unitEnd);
    // Pass 2: the data points.
    r.end = end;
    let latest = 0;
    let i = 0;
    for (r.pos = dataFrom; r.pos < end; ) {
      const tag = r.uint32('field tag');
      if (tag >>> 3 !== data) {
        r.skip(tag & 7, tag >>> 3);
        continue;
      }
      const e = r.lengthEnd('Metric');
      r.end = e;
      while (r.pos < e) {
        const t = r.uint32('field tag');
        if (t !== 0x0a) {
          r.skip(t & 7, t >>> 3);
          continue;
        }
        const pe = r.lengthEnd('data_points');
        this.where[3] = i++;
        const ts = this.point(r, pe);
        if (ts > latest) latest = ts;
        r.pos = pe;
      }
      r.end = end;
    }
    this.where[3] = -1;
    r.end = outerEnd;
    return latest;
  }

  /**
   * Lists the metric's metadata for this request, once per distinct content. A context
   * (this family in this resource and scope) keeps it with the bytes it came from: the
   * same bytes again cost a compare, not two strings, an object and a lookup per metric.
   */
  private listMetadata(buf: Uint8Array, ctx: PointCache, kind: OtlpKind, monotonic: boolean, ds: number, de: number, us: number, ue: number): void {
    let shared = ctx.meta;
    const type = otlpType(kind, monotonic);
    if (shared === undefined || shared.meta.type !== type || !sameBytes(ctx.metaDescription, buf, ds, de) || !sameBytes(ctx.metaUnit, buf, us, ue)) {
      const description = ds < 0 ? '' : readString(buf, ds, de, 'Metric.description');
      const unit = us < 0 ? '' : readString(buf, us, ue, 'Metric.unit');
      shared = ctx.meta = this.cache.metadata(otlpMetadata(this.family, kind, monotonic, description, unit));
      ctx.metaDescription = ds < 0 ? undefined : buf.slice(ds, de);
      ctx.metaUnit = us < 0 ? undefined : buf.slice(us, ue);
    }
    if (shared.listedIn !== this.cache.gen) {
      shared.listedIn = this.cache.gen;
      this.metadata.push(shared.meta);
    }
  }

  /** One data point of the current metric; returns its timestamp. */
  private point(r: ProtoReader, end: number): number {
    const start = r.pos;
    const p = this.p;
    p.begin();
    let refused: string | undefined;
    const outerEnd = r.end;
    r.end = end;
    if (this.layout === NUMBER) p.readNumber(r, end);
    else if (this.exponential) p.readExponential(r, end);
    else if (this.layout === HISTOGRAM_LAYOUT) p.readHistogram(r, end);
    else p.readSummary(r, end);
    r.end = outerEnd;
    const ms = nanosToMs(this.p.tLo, this.p.tHi);
    const t = ms === 0 ? this.nowMs : ms;
    if (this.exponential) {
      const x = p.exponentialPoint();
      let e: ExplicitBuckets;
      if (this.exponentialDelta && !(p.flags & NO_RECORDED_VALUE)) {
        // Summed per bucket into the series' totals (kept by its _count key, as translateOtlp keeps them), written as cumulative.
        const key = this.countKey(r, start, end);
        const res = addExponentialDelta(this.acc.exponentialTotals(key), x, p.count, p.hasSum ? p.sum : 0);
        if ('refused' in res) e = res;
        else {
          this.acc.setExponentialTotals(key, res.totals);
          e = res.buckets;
          p.count = res.totals.count;
          if (p.hasSum) p.sum = res.totals.sum;
        }
      } else e = exponentialToExplicit(x);
      if ('refused' in e) refused = e.refused;
      else p.setExplicit(e);
    }
    if (refused !== undefined) {
      this.sink.reject(1, `metric ${JSON.stringify(this.rawName)}: exponential histogram ${refused}`);
      return t;
    }
    if (this.layout === HISTOGRAM_LAYOUT && this.p.nCounts !== 0 && this.p.nCounts !== this.p.nShape + 1) {
      this.sink.reject(1, `metric ${JSON.stringify(this.rawName)}: histogram has ${this.p.nCounts} bucket counts for ${this.p.nShape} bounds (expected bounds + 1)`);
      return t;
    }
    const series = this.seriesOf(r, start, end);
    try {
      this.emit(series, t);
    } catch (e) {
      if (!isVigilError(e) || e.statusCode === 413) throw e;
      this.sink.reject(1, e.message);
    }
    return t;
  }

  /**
   * The point's samples, in the order translateOtlp emits them. Series layout:
   * number [value]; histogram [bucket per bound..., +Inf, _sum, _count]; summary [quantile..., _sum, _count].
   */
  private emit(series: SeriesRef[], t: number): void {
    if (this.layout === NUMBER) {
      this.sample(series, 0, t, this.p.value);
      return;
    }
    const n = this.p.nShape;
    if (this.layout === HISTOGRAM_LAYOUT) {
      let cum = 0;
      for (let i = 0; i < n; i++) {
        // No bucket counts at all reads as zeros, as translateOtlp does.
        if (i < this.p.nCounts) cum += this.p.counts[i]!;
        this.sample(series, i, t, cum);
      }
      this.sample(series, n, t, this.p.count);
    } else for (let i = 0; i < n; i++) this.sample(series, i, t, this.p.counts[i]!);
    const at = this.layout === HISTOGRAM_LAYOUT ? n + 1 : n;
    if (this.p.hasSum) this.sample(series, at, t, this.p.sum);
    this.sample(series, at + 1, t, this.p.count);
  }

  /** One sample of series[i]; as in translateOtlp, a delta counts even when its series is then refused. */
  private sample(series: SeriesRef[], i: number, t: number, value: number): void {
    const ref = series[i]!;
    if (this.p.flags & NO_RECORDED_VALUE) {
      this.sink.add(ref.valid ? ref : this.resolve(series, i), t, STALE_NAN);
    } else if (this.accumulate) {
      const j = this.sink.deltaBegin(ref.key, value);
      this.sink.deltaSample(j, this.sink.add(ref.valid ? ref : this.resolve(series, i), t, 0));
    } else this.sink.add(ref.valid ? ref : this.resolve(series, i), t, value);
  }

  /**
   * Resolves series[i] on its first use (validating and freezing its labels, or finding the
   * series already registered under its key) and keeps the result in place. Resolving at first
   * use rather than when the point is cached validates and freezes label sets in the order
   * translateOtlp does. A set that fails validation throws here, at every use, as it does there.
   */
  private resolve(series: SeriesRef[], i: number): SeriesRef {
    const ref = this.cache.resolve(series[i]!.key, series[i]!.labels);
    series[i] = ref;
    return ref;
  }

  /** The key of the current exponential point's `_count` series (its identity as translateOtlp keys it). */
  private countKey(r: ProtoReader, start: number, end: number): string {
    const p = this.p;
    const s = p.attrStart < 0 ? start : p.attrStart;
    const e = p.attrStart < 0 ? start : p.attrEnd;
    const cached = p.attrSplit ? undefined : this.ctx!.peek(r.buf, s, e);
    const attrs = cached?.attrs ?? attributeLabels(p.attrSplit ? readAttributes(r, start, end, 1, 'attributes') : readAttributes(r, s, e, 1, 'attributes'));
    return labelsKey({ ...attrs, ...this.scopeLabels, ...this.resLabels, [METRIC_NAME]: this.family + '_count' });
  }

  /** The output series of the current point: cached by its attribute bytes, built (and cached when valid) otherwise. */
  private seriesOf(r: ProtoReader, start: number, end: number): SeriesRef[] {
    const attrField = this.exponential ? 1 : this.layout === HISTOGRAM_LAYOUT ? 9 : 7;
    if (this.p.attrSplit) {
      // Attributes interleaved with other fields (no sender does this): no single byte range to key by.
      return this.buildSeries(attributeLabels(readAttributes(r, start, end, attrField, 'attributes')));
    }
    const s = this.p.attrStart < 0 ? start : this.p.attrStart;
    const e = this.p.attrStart < 0 ? start : this.p.attrEnd;
    const ctx = this.ctx!;
    const cached = ctx.get(r.buf, s, e);
    if (cached !== undefined) {
      if (this.layout === NUMBER || sameShape(cached.shape!, this.p.shape, this.p.nShape)) return cached.series;
      // The bounds or quantiles changed: new series for the new shape.
      cached.shape = this.p.shape.slice(0, this.p.nShape);
      cached.series = this.buildSeries(cached.attrs);
      return cached.series;
    }
    const attrs = attributeLabels(readAttributes(r, s, e, attrField, 'attributes'));
    const p: CachedPoint = {
      id: -1, // the cache copies the bytes (the body may be a Buffer over memory that gets reused)
      attrs,
      shape: this.layout === NUMBER ? null : this.p.shape.slice(0, this.p.nShape),
      series: this.buildSeries(attrs),
      next: undefined,
    };
    this.cache.addPoint(ctx, r.buf, s, e, p);
    return p.series;
  }

  /** The current point's series (unresolved: see resolve()) for attribute labels `attrs`. Cold path. */
  private buildSeries(attrs: Record<string, string>): SeriesRef[] {
    const series: SeriesRef[] = [];
    const add = (suffix: string, extra: Record<string, string> | null): void => {
      const labels: Record<string, string> = { ...attrs, ...this.scopeLabels, ...this.resLabels, ...extra, [METRIC_NAME]: this.family + suffix };
      series.push(new SeriesRef(labelsKey(labels), labels, false));
    };
    const n = this.p.nShape;
    if (this.layout === NUMBER) add('', null);
    else if (this.layout === HISTOGRAM_LAYOUT) {
      for (let i = 0; i < n; i++) add('_bucket', { le: formatLe(this.p.shape[i]!) });
      add('_bucket', { le: '+Inf' });
      add('_sum', null);
      add('_count', null);
    } else {
      for (let i = 0; i < n; i++) add('', { quantile: formatLe(this.p.shape[i]!) });
      add('_sum', null);
      add('_count', null);
    }
    return series;
  }

  /** A malformed-input error from the reader, reworded as a request error with where it is. */
  private located(e: unknown): unknown {
    if (!isVigilError(e) || e.code !== 'MALFORMED_PROTOBUF') return e;
    const reason = e.message.replace(/^malformed protobuf: /, '');
    const names = ['resource_metrics', 'scope_metrics', 'metrics', 'data_points'];
    let path = '';
    for (let i = 0; i < 4 && this.where[i]! >= 0; i++) path += `${i > 0 ? '.' : ''}${names[i]}[${this.where[i]}]`;
    return new VigilError('MALFORMED_PROTOBUF', `malformed ExportMetricsServiceRequest: ${reason}${path ? ` (in ${path})` : ''}`, 400);
  }
}


/** Data point layouts, as one-character prefixes of context keys. */
const NUMBER = 'n';
const HISTOGRAM_LAYOUT = 'h';
/** Context prefix of exponential histograms (their attributes are another field than explicit ones'). */
const EXPONENTIAL_CONTEXT = 'e';
const SUMMARY_LAYOUT = 's';

/** Equal as label text: formatLe renders -0 as 0 and every NaN alike. */
function sameShape(a: Float64Array, b: Float64Array, n: number): boolean {
  if (a.length !== n) return false;
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== y && (x === x || y === y)) return false;
  }
  return true;
}

/** Unambiguous concatenation of strings that may contain any character. */
function lengthPrefixed(s: string): string {
  return `${s.length}:${s}`;
}

/** Whether buf[start, end) (start < 0: absent) holds exactly `kept`'s bytes (undefined: absent). */
function sameBytes(kept: Uint8Array | undefined, buf: Uint8Array, start: number, end: number): boolean {
  if (start < 0 || kept === undefined) return start < 0 && kept === undefined;
  if (kept.length !== end - start) return false;
  for (let i = 0; i < kept.length; i++) if (kept[i] !== buf[start + i]) return false;
  return true;
}
