import { VigilError } from '../../core/errors.js';
import { METRIC_NAME, type Labels } from '../../core/labels.js';
import { exponentialToExplicit } from '../otlp/exponential.js';
import { formatLe } from '../otlp/attribute-labels.js';
import { decodeNativeHistogram, type NativeHistogram } from './native-histogram.js';
import { metricTypeOf, type FamilyMetadata } from '../../core/metadata.js';
import type { SampleBatch } from '../../store/types.js';
import { type IngestLimits, validateLabels } from '../limits.js';
import { LabelBytesCache } from './label-cache.js';
import { snappyUncompress } from './snappy.js';
import { ProtoReader, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT, at, malformed, readString } from './proto-reader.js';

/**
 * Prometheus remote write 1.0 (`prometheus.WriteRequest`, prompb/remote.proto and types.proto):
 *
 *   WriteRequest { repeated TimeSeries timeseries = 1; reserved 2; repeated MetricMetadata metadata = 3; }
 *   TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2;
 *                  repeated Exemplar exemplars = 3; repeated Histogram histograms = 4; }
 *   Label        { string name = 1; string value = 2; }
 *   Sample       { double value = 1; int64 timestamp = 2; }
 *   MetricMetadata { MetricType type = 1; string metric_family_name = 2; string help = 4; string unit = 5; }
 *
 * Metadata is returned as it came (Prometheus sends it in requests of its own, every
 * minute by default). Native histograms become classic ones (`_bucket{le}`, `_sum`,
 * `_count` series after the histogram's own entry; buckets merged to powers of two, as
 * OTLP exponential histograms are: see otlp/exponential.ts); one that cannot be (a
 * schema out of range, too many buckets) is counted in `skippedHistograms`. Exemplars
 * are skipped. Unknown fields are skipped
 * by wire type; a known field with the wrong wire type, truncated data or an
 * over-long varint is a 400.
 */
export interface DecodedWriteRequest {
  /** The series in request order (a series sent twice is two entries, as in the request). */
  batch: SampleBatch;
  samples: number;
  /** Native histogram samples that could not be stored as classic buckets. */
  skippedHistograms: number;
  /** The request's MetricMetadata entries (usually none: Prometheus sends them apart from samples). */
  metadata: FamilyMetadata[];
}

/**
 * Decompresses a remote-write body (snappy block format); see snappy.ts. With `scratch`
 * the result is only valid until the next call with the same scratch.
 */
export function snappyDecode(body: Uint8Array, maxBytes: number, scratch?: { buf: Uint8Array }): Uint8Array {
  if (body.length === 0) throw new VigilError('MALFORMED_SNAPPY', 'empty body: expected a snappy-compressed WriteRequest', 400);
  return snappyUncompress(body, maxBytes, scratch);
}

/** Largest timestamp accepted: the store keeps timestamps exactly as float64 integers. */
const MAX_TS = Number.MAX_SAFE_INTEGER;

// Every sample of the request, in order, and where each series' samples end.
let scratchT = new Float64Array(4096);
let scratchV = new Float64Array(4096);
let scratchEnds = new Uint32Array(1024);
/**
 * The request's label sets as they are decoded; the batch gets an exact copy. Grown
 * from empty in every request, the array would be copied as it grew: an allocation of
 * three times its final size.
 */
const scratchLabels: Array<Labels | undefined> = [];
/** Entries of scratchLabels filled so far (also by a request that failed); those past a request's series are cleared (not kept alive). */
let scratchFilled = 0;

const labelCache = new LabelBytesCache();
let cachedUnder: IngestLimits | undefined;

/** What decodeTimeSeries found besides the labels it returns (one object, reused: decoding is synchronous). */
const found = { samples: 0, histograms: 0 };
/** The native histograms of the TimeSeries being decoded (reused). */
const seriesHistograms: NativeHistogram[] = [];
/** Classic series derived from a histogram series' labels, by suffix and le (reused across requests as the labels are). */
const derivedLabels = new WeakMap<Labels, Map<string, Labels>>();

/**
 * With `reuse`, the batch's arrays are views of buffers the next call overwrites: for a
 * caller that hands the batch on and is done with it before decoding another (the
 * ingest route: the store and every pipeline listener read a batch without keeping it),
 * so that a request allocates no copy of its samples.
 */
export function decodeWriteRequest(buf: Uint8Array, limits: IngestLimits, reuse = false): DecodedWriteRequest {
  // Cached label sets were validated under these limits.
  if (limits !== cachedUnder) {
    labelCache.clear();
    cachedUnder = limits;
  }
  const r = new ProtoReader(buf);
  // Filled from the front (not emptied first: that would give its storage back).
  const labels = scratchLabels;
  let series = 0;
  let samples = 0;
  let skippedHistograms = 0;
  const metadata: FamilyMetadata[] = [];
  while (r.pos < r.end) {
    const tag = r.uint32('field tag');
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 0) throw malformed('field number 0');
    if (field === 1) {
      if (wt !== WIRE_LEN) throw malformed(`WriteRequest.timeseries has wire type ${wt}, expected 2`);
      const end = r.lengthEnd('timeseries');
      const i = series++;
      if (i >= limits.maxSeriesPerRequest) throw new VigilError('TOO_MANY_SERIES', `more than ${limits.maxSeriesPerRequest} series in one request`, 413);
      if (i === scratchFilled) scratchFilled++;
      const own = (labels[i] = decodeTimeSeries(r, end, i, limits, samples));
      samples += found.samples;
      growEnds(i);
      scratchEnds[i] = samples;
      if (seriesHistograms.length === 0) continue;
      // A histogram-only series has no entry of its own: an empty one would create an empty series.
      if (found.samples === 0) series--;
      // Each native histogram sample: its classic series, one entry (one sample) each, after the series' own.
      const classic: Array<[Labels, number, number]> = [];
      skippedHistograms += classicSamples(own, i, limits, classic);
      for (const [l, t, v] of classic) {
        const k = series++;
        if (k >= limits.maxSeriesPerRequest) throw new VigilError('TOO_MANY_SERIES', `more than ${limits.maxSeriesPerRequest} series in one request (native histograms count a series per bucket)`, 413);
        if (samples >= limits.maxSamplesPerRequest) throw new VigilError('TOO_MANY_SAMPLES', `more than ${limits.maxSamplesPerRequest} samples in one request`, 413);
        if (k === scratchFilled) scratchFilled++;
        labels[k] = l;
        growSamples(samples);
        scratchT[samples] = t;
        scratchV[samples++] = v;
        growEnds(k);
        scratchEnds[k] = samples;
      }
    } else if (field === 3) {
      if (wt !== WIRE_LEN) throw malformed(`WriteRequest.metadata has wire type ${wt}, expected 2`);
      metadata.push(decodeMetadata(r, r.lengthEnd('metadata'), metadata.length));
    } else r.skip(wt, field);
  }
  for (let i = series; i < scratchFilled; i++) labels[i] = undefined;
  scratchFilled = series;
  // Without `reuse`, copies of the scratch arrays: the batch may outlive this call.
  const batch: SampleBatch = {
    size: series,
    // With `reuse`, the scratch array itself (entries past `size` are cleared above).
    labels: (reuse ? labels : labels.slice(0, series)) as Labels[],
    ends: reuse ? scratchEnds.subarray(0, series) : scratchEnds.slice(0, series),
    timestamps: reuse ? scratchT.subarray(0, samples) : scratchT.slice(0, samples),
    values: reuse ? scratchV.subarray(0, samples) : scratchV.slice(0, samples),
  };
  return { batch, samples, skippedHistograms, metadata };
}

function growEnds(i: number): void {
  if (i < scratchEnds.length) return;
  const e = new Uint32Array(i * 2);
  e.set(scratchEnds);
  scratchEnds = e;
}

function growSamples(pos: number): void {
  if (pos < scratchT.length) return;
  const t = new Float64Array(pos * 2);
  t.set(scratchT);
  scratchT = t;
  const v = new Float64Array(pos * 2);
  v.set(scratchV);
  scratchV = v;
}

/**
 * The classic samples of series `index`'s native histograms (seriesHistograms), as
 * [labels, t, value]: each bound's cumulative count, +Inf, _sum, _count. Returns how many
 * histograms could not be converted.
 */
function classicSamples(base: Labels, index: number, limits: IngestLimits, out: Array<[Labels, number, number]>): number {
  let refused = 0;
  for (const h of seriesHistograms) {
    if (h.t < 0 || h.t > MAX_TS) throw new VigilError('INVALID_WRITE', `${at('', index)}.histograms: timestamp ${h.t} is out of range (0 to 2^53-1 milliseconds)`, 400);
    const e = exponentialToExplicit({ scale: h.schema, zeroCount: h.zeroCount, zeroThreshold: h.zeroThreshold, posOffset: 0, posCounts: h.posCounts, posIndexes: h.posIndexes, negOffset: 0, negCounts: h.negCounts, negIndexes: h.negIndexes });
    if ('refused' in e) {
      refused++;
      continue;
    }
    let cum = 0;
    for (let k = 0; k < e.bounds.length; k++) {
      cum += e.counts[k]!;
      out.push([derived(base, '_bucket', formatLe(e.bounds[k]!), limits, index), h.t, cum]);
    }
    out.push([derived(base, '_bucket', '+Inf', limits, index), h.t, h.count]);
    // A gauge histogram's count and sum are gauges, named as OpenMetrics names them.
    out.push([derived(base, h.gauge ? '_gsum' : '_sum', '', limits, index), h.t, h.sum]);
    out.push([derived(base, h.gauge ? '_gcount' : '_count', '', limits, index), h.t, h.count]);
  }
  seriesHistograms.length = 0;
  return refused;
}

/** `base` renamed with `suffix` (and an `le` label when given), validated and frozen once. */
function derived(base: Labels, suffix: string, le: string, limits: IngestLimits, index: number): Labels {
  let m = derivedLabels.get(base);
  if (m === undefined) derivedLabels.set(base, (m = new Map()));
  const key = suffix + '\0' + le;
  let l = m.get(key);
  if (l === undefined) {
    const labels: Record<string, string> = { ...base, [METRIC_NAME]: (base[METRIC_NAME] ?? '') + suffix };
    if (le !== '') labels.le = le;
    validateLabels(labels, limits, at('.histograms', index));
    m.set(key, (l = Object.freeze(labels)));
  }
  return l;
}

function decodeMetadata(r: ProtoReader, end: number, index: number): FamilyMetadata {
  const where = `metadata[${index}]`;
  const outerEnd = r.end;
  r.end = end;
  const m: FamilyMetadata = { family: '', type: 'unknown', help: '', unit: '' };
  while (r.pos < end) {
    const tag = r.uint32('field tag');
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 1) {
      if (wt !== WIRE_VARINT) throw malformed(`${where}.type has wire type ${wt}, expected 0`);
      m.type = metricTypeOf(r.uint32(`${where}.type`));
    } else if (field === 2 || field === 4 || field === 5) {
      const name = field === 2 ? 'metric_family_name' : field === 4 ? 'help' : 'unit';
      if (wt !== WIRE_LEN) throw malformed(`${where}.${name} has wire type ${wt}, expected 2`);
      const e = r.lengthEnd(`${where}.${name}`);
      const text = readString(r.buf, r.pos, e, `${where}.${name}`);
      r.pos = e;
      if (field === 2) m.family = text;
      else if (field === 4) m.help = text;
      else m.unit = text;
    } else if (field === 0) throw malformed(`${where}: field number 0`);
    else r.skip(wt, field);
  }
  r.end = outerEnd;
  return m;
}


/**
 * End of the run of Label fields (field 1, wire type 2) at `pos`, or -1 when it is malformed
 * (the full decoder then reports the problem). Senders write all labels before the samples.
 */
function labelRunEnd(buf: Uint8Array, pos: number, end: number): number {
  while (pos < end && buf[pos] === 0x0a) {
    let len = 0;
    let p = pos + 1;
    for (let shift = 0; ; shift += 7) {
      if (p >= end || shift > 28) return -1;
      const b = buf[p++]!;
      len += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) break;
    }
    if (p + len > end) return -1;
    pos = p + len;
  }
  return pos;
}

function decodeTimeSeries(
  r: ProtoReader,
  end: number,
  index: number,
  limits: IngestLimits,
  samplesBefore: number,
): Labels {
  const outerEnd = r.end;
  r.end = end;
  // Emptied only when it holds something: setting an array's length is a call into the runtime.
  if (seriesHistograms.length !== 0) seriesHistograms.length = 0;
  const runStart = r.pos;
  let cached = labelCache.matchNext(r.buf, runStart, end);
  let runEnd: number;
  if (cached) runEnd = labelCache.matchedEnd;
  else {
    runEnd = labelRunEnd(r.buf, runStart, end);
    cached = runEnd > runStart ? labelCache.get(r.buf, runStart, runEnd) : undefined;
  }
  if (cached) r.pos = runEnd;
  // Made only when the labels are decoded (a cached series needs none: one object per series per request).
  let labels: Record<string, string> | undefined;
  // Cacheable when every label came from the run at the start.
  let onlyRun = runEnd > runStart;
  let n = 0;
  let histograms = 0;
  while (r.pos < end) {
    const tag = r.uint32('field tag');
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 0) throw malformed(`${at('', index)}: field number 0`);
    if (field === 1) {
      if (wt !== WIRE_LEN) throw malformed(`${at('.labels', index)} has wire type ${wt}, expected 2`);
      if (r.pos - 1 >= runEnd) onlyRun = false;
      if (cached) {
        // More labels after the samples: decode this series the long way.
        labels = { ...cached };
        cached = undefined;
      }
      const lend = r.lengthEnd('.labels', index);
      readLabel(r, lend, (labels ??= {}), index);
    } else if (field === 2) {
      if (wt !== WIRE_LEN) throw malformed(`${at('.samples', index)} has wire type ${wt}, expected 2`);
      const send = r.lengthEnd('.samples', index);
      if (samplesBefore + n >= limits.maxSamplesPerRequest)
        throw new VigilError('TOO_MANY_SAMPLES', `more than ${limits.maxSamplesPerRequest} samples in one request`, 413);
      const pos = samplesBefore + n;
      growSamples(pos);
      readSample(r, send, pos, n, index);
      n++;
    } else {
      if (field === 4 && wt === WIRE_LEN) {
        histograms++;
        seriesHistograms.push(decodeNativeHistogram(r, r.lengthEnd('.histograms', index), at('.histograms', index)));
      } else r.skip(wt, field); // 3: exemplars
    }
  }
  r.end = outerEnd;
  found.samples = n;
  found.histograms = histograms;
  if (cached) return cached;
  labels ??= {};
  validateLabels(labels, limits, at('.labels', index));
  return onlyRun ? labelCache.set(r.buf, runStart, runEnd, labels) : labels;
}

function readLabel(r: ProtoReader, end: number, labels: Record<string, string>, index: number): void {
  const where = at('', index);
  const outerEnd = r.end;
  r.end = end;
  let name = '';
  let value = '';
  while (r.pos < end) {
    const tag = r.uint32('field tag');
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 1 || field === 2) {
      if (wt !== WIRE_LEN) throw malformed(`${where}: Label.${field === 1 ? 'name' : 'value'} has wire type ${wt}, expected 2`);
      const e = r.lengthEnd(`${where}.label`);
      const s = readString(r.buf, r.pos, e, `${where}: label ${field === 1 ? 'name' : 'value'}`);
      r.pos = e;
      if (field === 1) name = s;
      else value = s;
    } else if (field === 0) throw malformed(`${where}: field number 0`);
    else r.skip(wt, field);
  }
  r.end = outerEnd;
  if (Object.prototype.hasOwnProperty.call(labels, name))
    throw new VigilError('INVALID_SERIES', `${where}.labels: duplicate label name ${JSON.stringify(name)}`, 400);
  if (name === '' && value !== '') throw new VigilError('INVALID_SERIES', `${where}.labels: empty label name`, 400);
  if (name !== '') labels[name] = value;
}

function readSample(r: ProtoReader, end: number, pos: number, i: number, index: number): void {
  const outerEnd = r.end;
  r.end = end;
  let v = 0;
  // Proto3 defaults: a field left out is 0.
  scratchT[pos] = 0;
  while (r.pos < end) {
    const tag = r.uint32('field tag');
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 1) {
      if (wt !== WIRE_FIXED64) throw malformed(`${at('', index)}: Sample.value has wire type ${wt}, expected 1`);
      v = r.double('Sample.value');
    } else if (field === 2) {
      if (wt !== WIRE_VARINT) throw malformed(`${at('', index)}: Sample.timestamp has wire type ${wt}, expected 0`);
      r.int64('Sample.timestamp', scratchT, pos);
    } else if (field === 0) throw malformed(`${at('', index)}: field number 0`);
    else r.skip(wt, field);
  }
  r.end = outerEnd;
  const t = scratchT[pos]!;
  if (t < 0 || t > MAX_TS)
    throw new VigilError('INVALID_WRITE', `${at('', index)}.samples[${i}]: timestamp ${t} is out of range (0 to 2^53-1 milliseconds)`, 400);
  scratchV[pos] = v;
}
