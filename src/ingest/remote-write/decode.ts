import { VigilError } from '../../core/errors.js';
import type { SeriesWrite } from '../../store/types.js';
import { type IngestLimits, validateLabels } from '../limits.js';
import { snappyUncompress } from './snappy.js';
import { ProtoReader, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT, malformed, readString } from './proto-reader.js';

/**
 * Prometheus remote write 1.0 (`prometheus.WriteRequest`, prompb/remote.proto and types.proto):
 *
 *   WriteRequest { repeated TimeSeries timeseries = 1; reserved 2; repeated MetricMetadata metadata = 3; }
 *   TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2;
 *                  repeated Exemplar exemplars = 3; repeated Histogram histograms = 4; }
 *   Label        { string name = 1; string value = 2; }
 *   Sample       { double value = 1; int64 timestamp = 2; }
 *
 * Metadata, exemplars and native histograms are skipped (native histograms are
 * counted by the caller through `skippedHistograms`). Unknown fields are skipped
 * by wire type; a known field with the wrong wire type, truncated data or an
 * over-long varint is a 400.
 */
export interface DecodedWriteRequest {
  writes: SeriesWrite[];
  samples: number;
  /** Native histogram samples present in the request, not stored (not supported yet). */
  skippedHistograms: number;
}

/** Decompresses a remote-write body (snappy block format); see snappy.ts. */
export function snappyDecode(body: Uint8Array, maxBytes: number): Uint8Array {
  if (body.length === 0) throw new VigilError('MALFORMED_SNAPPY', 'empty body: expected a snappy-compressed WriteRequest', 400);
  return snappyUncompress(body, maxBytes);
}

/** Largest timestamp accepted: the store keeps timestamps exactly as float64 integers. */
const MAX_TS = Number.MAX_SAFE_INTEGER;

let scratchT = new Float64Array(1024);
let scratchV = new Float64Array(1024);

export function decodeWriteRequest(buf: Uint8Array, limits: IngestLimits): DecodedWriteRequest {
  const r = new ProtoReader(buf);
  const writes: SeriesWrite[] = [];
  let samples = 0;
  let skippedHistograms = 0;
  while (r.pos < r.end) {
    const tag = r.uint32('field tag');
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 0) throw malformed('field number 0');
    if (field === 1) {
      if (wt !== WIRE_LEN) throw malformed(`WriteRequest.timeseries has wire type ${wt}, expected 2`);
      const end = r.lengthEnd('timeseries');
      if (writes.length >= limits.maxSeriesPerRequest)
        throw new VigilError('TOO_MANY_SERIES', `more than ${limits.maxSeriesPerRequest} series in one request`, 413);
      const ts = decodeTimeSeries(r, end, writes.length, limits, samples);
      samples += ts.write.timestamps.length;
      skippedHistograms += ts.histograms;
      writes.push(ts.write);
    } else r.skip(wt, field); // 3: metadata, ignored
  }
  return { writes, samples, skippedHistograms };
}

function decodeTimeSeries(
  r: ProtoReader,
  end: number,
  index: number,
  limits: IngestLimits,
  samplesBefore: number,
): { write: SeriesWrite; histograms: number } {
  const outerEnd = r.end;
  r.end = end;
  const labels: Record<string, string> = {};
  let n = 0;
  let histograms = 0;
  const where = `timeseries[${index}]`;
  while (r.pos < end) {
    const tag = r.uint32('field tag');
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 0) throw malformed(`${where}: field number 0`);
    if (field === 1) {
      if (wt !== WIRE_LEN) throw malformed(`${where}.labels has wire type ${wt}, expected 2`);
      const lend = r.lengthEnd(`${where}.labels`);
      readLabel(r, lend, labels, where);
    } else if (field === 2) {
      if (wt !== WIRE_LEN) throw malformed(`${where}.samples has wire type ${wt}, expected 2`);
      const send = r.lengthEnd(`${where}.samples`);
      if (samplesBefore + n >= limits.maxSamplesPerRequest)
        throw new VigilError('TOO_MANY_SAMPLES', `more than ${limits.maxSamplesPerRequest} samples in one request`, 413);
      if (n === scratchT.length) {
        const t = new Float64Array(n * 2);
        t.set(scratchT);
        scratchT = t;
        const v = new Float64Array(n * 2);
        v.set(scratchV);
        scratchV = v;
      }
      readSample(r, send, n, where);
      n++;
    } else {
      if (field === 4 && wt === WIRE_LEN) histograms++;
      r.skip(wt, field); // 3: exemplars, 4: native histograms
    }
  }
  r.end = outerEnd;
  validateLabels(labels, limits, `${where}.labels`);
  return { write: { labels, timestamps: scratchT.slice(0, n), values: scratchV.slice(0, n) }, histograms };
}

function readLabel(r: ProtoReader, end: number, labels: Record<string, string>, where: string): void {
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

function readSample(r: ProtoReader, end: number, i: number, where: string): void {
  const outerEnd = r.end;
  r.end = end;
  let v = 0;
  let t = 0;
  while (r.pos < end) {
    const tag = r.uint32('field tag');
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === 1) {
      if (wt !== WIRE_FIXED64) throw malformed(`${where}: Sample.value has wire type ${wt}, expected 1`);
      v = r.double('Sample.value');
    } else if (field === 2) {
      if (wt !== WIRE_VARINT) throw malformed(`${where}: Sample.timestamp has wire type ${wt}, expected 0`);
      t = r.int64('Sample.timestamp');
    } else if (field === 0) throw malformed(`${where}: field number 0`);
    else r.skip(wt, field);
  }
  r.end = outerEnd;
  if (t < 0 || t > MAX_TS)
    throw new VigilError('INVALID_WRITE', `${where}.samples[${i}]: timestamp ${t} is out of range (0 to 2^53-1 milliseconds)`, 400);
  scratchT[i] = t;
  scratchV[i] = v;
}
