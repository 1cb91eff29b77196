import { VigilError, isVigilError } from '../../core/errors.js';
import { METRIC_NAME, labelsKey, type Labels } from '../../core/labels.js';
import { STALE_NAN } from '../../core/sample.js';
import type { SeriesWrite } from '../../store/types.js';
import { FrozenLabels } from '../frozen-labels.js';
import type { FamilyMetadata } from '../../core/metadata.js';
import { MetadataList, otlpMetadata } from './metric-metadata.js';
import { addExponentialDelta, exponentialToExplicit, type ExplicitBuckets, type ExponentialPoint, type ExponentialTotals } from './exponential.js';
import { type IngestLimits, validateLabels } from '../limits.js';
import { ExportMetricsServiceRequest } from './proto.js';
import { type Obj, arr, attributeLabels, formatLe, resourceLabels, sanitizeMetricName } from './attribute-labels.js';

export { sanitizeLabelName, sanitizeMetricName } from './attribute-labels.js';

/**
 * OTLP metrics → Prometheus-style series, following the OpenTelemetry
 * "Prometheus and OpenMetrics compatibility" rules:
 *
 * - Names: characters outside `[a-zA-Z0-9_:]` become `_`, a leading digit gets a `_`
 *   prefix. Unit suffixes are not appended (the unit stays in the OTLP message).
 * - Gauges keep their name; monotonic sums become counters `<name>_total`; non-monotonic
 *   sums stay gauges. Delta sums are accumulated in memory into cumulative values per
 *   series (see DeltaAccumulator), so they read like Prometheus counters.
 * - Histograms become `<name>_bucket{le="..."}` (cumulative counts, with `le="+Inf"`),
 *   `<name>_sum` (when present) and `<name>_count`; delta histograms are accumulated too.
 *   Summaries become `<name>{quantile="..."}`, `<name>_sum`, `<name>_count`.
 *   Exponential histograms become the same classic series, their buckets merged to
 *   powers of two (exponential.ts); a delta one is written over every bucket its series had.
 * - Resource attributes: `service.name` → `job` (`service.namespace/service.name` when a
 *   namespace is set), `service.instance.id` → `instance`; every other resource attribute
 *   goes to one `target_info{job, instance, ...}` series (value 1), not onto each series.
 *   The instrumentation scope adds `otel_scope_name` and `otel_scope_version`.
 * - Attribute keys are sanitised like names (`.` and other characters to `_`, a leading
 *   digit gets `key_`, a leading `__` gets `key`); values that are not strings are
 *   rendered as text (arrays and maps as JSON). Keys that collide after sanitising have
 *   their values joined with `;`.
 * - A data point with the NO_RECORDED_VALUE flag is stored as a staleness marker.
 */

export interface OtlpTranslation {
  writes: SeriesWrite[];
  samples: number;
  /** Data points refused before the store (unsupported type, invalid labels, bad histogram). */
  rejectedDataPoints: number;
  errors: string[];
  /** Each metric's type, description and unit under its family name. */
  metadata: FamilyMetadata[];
}

const MAX_ERRORS = 10;
/** DataPointFlags.FLAG_NO_RECORDED_VALUE_MASK: the point has no value (the series went away). */
export const NO_RECORDED_VALUE = 1;

/** Turns delta data into cumulative values, per output series, in memory (lost on restart; bounded). */
export class DeltaAccumulator {
  private readonly totals = new Map<string, number>();
  /** Per delta exponential histogram (by its `_count` series key), its buckets summed so far. */
  private readonly exponential = new Map<string, ExponentialTotals>();
  constructor(private readonly maxSeries = 200_000) {}

  exponentialTotals(key: string): ExponentialTotals | undefined {
    return this.exponential.get(key);
  }

  setExponentialTotals(key: string, t: ExponentialTotals): void {
    if (!this.exponential.has(key) && this.exponential.size >= this.maxSeries) {
      // As for totals: the oldest series restarts from 0, like a counter reset.
      const first = this.exponential.keys().next().value;
      if (first !== undefined) this.exponential.delete(first);
    }
    this.exponential.set(key, t);
  }

  add(key: string, delta: number): number {
    const prev = this.totals.get(key);
    const next = (prev ?? 0) + delta;
    if (prev === undefined) {
      if (this.totals.size >= this.maxSeries) {
        // Evict the oldest entry (Map keeps insertion order): that series restarts from 0, like a counter reset.
        const first = this.totals.keys().next().value;
        if (first !== undefined) this.totals.delete(first);
      }
    }
    this.totals.set(key, next);
    return next;
  }

  get size(): number {
    return this.totals.size;
  }
}

const TO_OBJECT = { longs: String, enums: Number, bytes: String, defaults: false, arrays: false, oneofs: false } as const;

/** Decodes a binary ExportMetricsServiceRequest into a plain object (64-bit integers as decimal strings). */
export function decodeOtlpProtobuf(body: Uint8Array): Obj {
  try {
    const msg = ExportMetricsServiceRequest.decode(body);
    return ExportMetricsServiceRequest.toObject(msg, TO_OBJECT) as Obj;
  } catch (e) {
    throw new VigilError('MALFORMED_PROTOBUF', `malformed ExportMetricsServiceRequest: ${(e as Error).message}`, 400);
  }
}

/** Decodes the OTLP/JSON encoding (lowerCamelCase keys, 64-bit integers as strings or numbers, enums as integers). */
export function decodeOtlpJson(text: string): Obj {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new VigilError('MALFORMED_JSON', `malformed JSON: ${(e as Error).message}`, 400);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    throw new VigilError('MALFORMED_JSON', 'expected a JSON object (ExportMetricsServiceRequest)', 400);
  try {
    const msg = ExportMetricsServiceRequest.fromObject(json as Obj);
    return ExportMetricsServiceRequest.toObject(msg, TO_OBJECT) as Obj;
  } catch (e) {
    throw new VigilError('MALFORMED_JSON', `invalid ExportMetricsServiceRequest: ${(e as Error).message}`, 400);
  }
}

export function translateOtlp(req: Obj, limits: IngestLimits, acc: DeltaAccumulator, nowMs: number = Date.now(), frozen: FrozenLabels = new FrozenLabels()): OtlpTranslation {
  const out = new Output(limits, frozen);
  for (const rm of arr(req.resourceMetrics)) {
    const resAttrs = arr((rm.resource as Obj | undefined)?.attributes);
    const resource = resourceLabels(resAttrs);
    let latest = 0;
    for (const sm of arr(rm.scopeMetrics)) {
      const scope = (sm.scope as Obj | undefined) ?? {};
      const base: Record<string, string> = {};
      if (typeof scope.name === 'string' && scope.name !== '') base.otel_scope_name = scope.name;
      if (typeof scope.version === 'string' && scope.version !== '') base.otel_scope_version = scope.version;
      for (const m of arr(sm.metrics)) {
        const t = translateMetric(m, base, resource.labels, out, acc, nowMs);
        if (t > latest) latest = t;
      }
    }
    if (Object.keys(resource.info).length > 0) {
      const labels = { ...resource.info, ...resource.labels, [METRIC_NAME]: 'target_info' };
      try {
        out.add(labels, latest || nowMs, 1);
      } catch (e) {
        if (!isVigilError(e) || e.statusCode === 413) throw e;
        out.error(`target_info: ${e.message}`);
      }
    }
  }
  return out.result();
}

class Output {
  private readonly groups = new Map<string, { labels: Labels; t: number[]; v: Float64Array; n: number }>();
  samples = 0;
  rejected = 0;
  readonly errors: string[] = [];
  readonly metadata = new MetadataList();
  constructor(
    private readonly limits: IngestLimits,
    private readonly frozen: FrozenLabels,
  ) {}

  /** Validates the label set the first time the series is seen; throws VigilError. */
  add(labels: Record<string, string>, t: number, v: number, key = labelsKey(labels)): void {
    let g = this.groups.get(key);
    if (g === undefined) {
      const frozen = this.frozen.get(key, labels, (x) => validateLabels(x, this.limits, formatName(x)));
      if (this.groups.size >= this.limits.maxSeriesPerRequest)
        throw new VigilError('TOO_MANY_SERIES', `more than ${this.limits.maxSeriesPerRequest} series in one request`, 413);
      g = { labels: frozen, t: [], v: new Float64Array(4), n: 0 };
      this.groups.set(key, g);
    }
    if (++this.samples > this.limits.maxSamplesPerRequest)
      throw new VigilError('TOO_MANY_SAMPLES', `more than ${this.limits.maxSamplesPerRequest} samples in one request`, 413);
    // Values go straight into a Float64Array: a JS number[] would canonicalise the stale-marker NaN.
    if (g.n === g.v.length) {
      const grown = new Float64Array(g.n * 2);
      grown.set(g.v);
      g.v = grown;
    }
    g.t.push(t);
    g.v[g.n++] = v;
  }

  reject(points: number, message: string): void {
    this.rejected += points;
    this.error(message);
  }

  error(message: string): void {
    if (this.errors.length < MAX_ERRORS) this.errors.push(message);
  }

  result(): OtlpTranslation {
    const writes: SeriesWrite[] = [];
    for (const g of this.groups.values()) writes.push({ labels: g.labels, timestamps: Float64Array.from(g.t), values: g.v.slice(0, g.n) });
    return { writes, samples: this.samples, rejectedDataPoints: this.rejected, errors: this.errors, metadata: this.metadata.entries };
  }
}

function formatName(labels: Record<string, string>): string {
  return `series ${labels[METRIC_NAME] ?? '?'}`;
}

/** One sample to emit for a data point: a name suffix, extra labels, the value and whether it accumulates as a delta. */
type Emit = [suffix: string, extra: Record<string, string> | null, value: number];

function translateMetric(m: Obj, scopeLabels: Record<string, string>, resLabels: Record<string, string>, out: Output, acc: DeltaAccumulator, nowMs: number): number {
  const rawName = typeof m.name === 'string' ? m.name : '';
  const name = sanitizeMetricName(rawName);
  let kind: 'gauge' | 'sum' | 'histogram' | 'summary' | 'exp';
  let body: Obj;
  if (m.gauge) [kind, body] = ['gauge', m.gauge as Obj];
  else if (m.sum) [kind, body] = ['sum', m.sum as Obj];
  else if (m.histogram) [kind, body] = ['histogram', m.histogram as Obj];
  else if (m.summary) [kind, body] = ['summary', m.summary as Obj];
  else if (m.exponentialHistogram) [kind, body] = ['exp', m.exponentialHistogram as Obj];
  else return 0; // a metric without data: nothing to store
  const points = arr(body.dataPoints);
  if (points.length === 0) return 0;
  if (name === '') {
    out.reject(points.length, 'a metric without a name was refused');
    return 0;
  }
  const delta = body.aggregationTemporality === 1;
  const monotonic = body.isMonotonic === true;
  let family = name;
  if (kind === 'sum' && monotonic && !name.endsWith('_total')) family = `${name}_total`;
  out.metadata.add(otlpMetadata(family, kind === 'exp' ? 'histogram' : kind, monotonic, typeof m.description === 'string' ? m.description : '', typeof m.unit === 'string' ? m.unit : ''));
  let latest = 0;
  for (const p of points) {
    const t = nanosToMs(p.timeUnixNano, nowMs);
    if (t > latest) latest = t;
    const noValue = ((p.flags as number | undefined) ?? 0) & NO_RECORDED_VALUE;
    const emits: Emit[] = [];
    const attrs = attributeLabels(arr(p.attributes));
    if (kind === 'gauge' || kind === 'sum') {
      const v = p.asDouble !== undefined ? Number(p.asDouble) : p.asInt !== undefined ? Number(p.asInt) : 0;
      emits.push(['', null, v]);
    } else if (kind === 'histogram' || kind === 'exp') {
      let bounds = arr<number>(p.explicitBounds);
      let counts = arr<string | number>(p.bucketCounts).map(Number);
      let count = Number(p.count ?? 0);
      let sum = p.sum === undefined ? undefined : Number(p.sum);
      if (kind === 'exp') {
        const side = (b: unknown) => ({ offset: Number((b as Obj | undefined)?.offset ?? 0), counts: arr<string | number>((b as Obj | undefined)?.bucketCounts).map(Number) });
        const pos = side(p.positive);
        const neg = side(p.negative);
        const x: ExponentialPoint = { scale: Number(p.scale ?? 0), zeroCount: Number(p.zeroCount ?? 0), zeroThreshold: Number(p.zeroThreshold ?? 0), posOffset: pos.offset, posCounts: pos.counts, negOffset: neg.offset, negCounts: neg.counts };
        let e: ExplicitBuckets;
        if (delta && !noValue) {
          // Summed per bucket into the series' totals (by its _count key), written as cumulative.
          const totalsKey = labelsKey({ ...attrs, ...scopeLabels, ...resLabels, [METRIC_NAME]: family + '_count' });
          const r = addExponentialDelta(acc.exponentialTotals(totalsKey), x, count, sum ?? 0);
          if ('refused' in r) e = r;
          else {
            acc.setExponentialTotals(totalsKey, r.totals);
            e = r.buckets;
            count = r.totals.count;
            if (sum !== undefined) sum = r.totals.sum;
          }
        } else e = exponentialToExplicit(x);
        if ('refused' in e) {
          out.reject(1, `metric ${JSON.stringify(rawName)}: exponential histogram ${e.refused}`);
          continue;
        }
        ({ bounds, counts } = e);
      }
      if (counts.length !== 0 && counts.length !== bounds.length + 1) {
        out.reject(1, `metric ${JSON.stringify(rawName)}: histogram has ${counts.length} bucket counts for ${bounds.length} bounds (expected bounds + 1)`);
        continue;
      }
      let cum = 0;
      for (let i = 0; i < bounds.length; i++) {
        cum += counts[i] ?? 0;
        emits.push(['_bucket', { le: formatLe(bounds[i]!) }, cum]);
      }
      emits.push(['_bucket', { le: '+Inf' }, count]);
      if (sum !== undefined) emits.push(['_sum', null, sum]);
      emits.push(['_count', null, count]);
    } else {
      for (const q of arr(p.quantileValues)) emits.push(['', { quantile: formatLe(Number(q.quantile ?? 0)) }, Number(q.value ?? 0)]);
      if (p.sum !== undefined) emits.push(['_sum', null, Number(p.sum)]);
      emits.push(['_count', null, Number(p.count ?? 0)]);
    }
    try {
      for (const [suffix, extra, value] of emits) {
        const labels: Record<string, string> = { ...attrs, ...scopeLabels, ...resLabels, ...extra, [METRIC_NAME]: family + suffix };
        const key = labelsKey(labels);
        let v = value;
        if (noValue) v = STALE_NAN;
        else if (delta && kind !== 'gauge' && kind !== 'exp') v = acc.add(key, value);
        out.add(labels, t, v, key);
      }
    } catch (e) {
      if (!isVigilError(e) || e.statusCode === 413) throw e;
      out.reject(1, e.message);
    }
  }
  return latest;
}

/** Unix nanoseconds (decimal string or number) to ms, floor; 0 or absent means "now" (receive time). */
function nanosToMs(ns: unknown, nowMs: number): number {
  if (ns === undefined || ns === null || ns === '0' || ns === 0) return nowMs;
  const s = String(ns);
  if (!/^\d+$/.test(s)) throw new VigilError('INVALID_WRITE', `invalid timeUnixNano ${JSON.stringify(s.slice(0, 40))}`, 400);
  const ms = s.length > 6 ? Number(s.slice(0, -6)) : 0;
  return ms === 0 ? nowMs : ms;
}
