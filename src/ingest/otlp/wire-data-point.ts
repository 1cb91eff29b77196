import { type ProtoReader, malformed, unzigzag32 } from '../remote-write/proto-reader.js';
import { BUCKETS, EXPONENTIAL_POINT, HISTOGRAM_POINT, NUMBER_POINT, SUMMARY_POINT, VALUE_AT_QUANTILE, otherField, packedEnd } from './wire-fields.js';
import type { ExponentialPoint } from './exponential.js';
import { readFixed64, readVarint64, signed64, unsigned64, word } from './wire-scalars.js';

/**
 * The fields of one OTLP data point (NumberDataPoint, HistogramDataPoint, SummaryDataPoint)
 * as the wire decoder needs them, read in one pass into fields reused from point to point:
 * no allocation per point. Attributes are not decoded, only located: the decoder keys its
 * series cache by their raw bytes. Fields may come in any order; a repeated scalar field may
 * be packed or not, or both (values concatenate); the last of a oneof or of a scalar wins.
 */
export class DataPointFields {
  tLo = 0;
  tHi = 0;
  value = 0;
  count = 0;
  sum = 0;
  hasSum = false;
  flags = 0;
  attrStart = -1;
  attrEnd = -1;
  attrSplit = false;
  /** Histogram bounds or summary quantiles, and histogram bucket counts or summary quantile values. */
  shape: Float64Array = new Float64Array(32);
  nShape = 0;
  counts: Float64Array = new Float64Array(32);
  nCounts = 0;

  /** Resets the fields every kind of point has (each read method resets its own). */
  begin(): void {
    this.tLo = 0;
    this.tHi = 0;
    this.flags = 0;
    this.attrStart = -1;
    this.attrEnd = -1;
    this.attrSplit = false;
  }

  /** NumberDataPoint { time_unix_nano = 3 (fixed64); as_double = 4; as_int = 6 (sfixed64); attributes = 7; flags = 8; } */
  readNumber(r: ProtoReader, end: number): void {
    this.value = 0;
    while (r.pos < end) {
      const tagPos = r.pos;
      const tag = r.uint32('field tag');
      switch (tag) {
        case 0x19:
          readFixed64(r, 'NumberDataPoint.time_unix_nano');
          this.tLo = word.lo;
          this.tHi = word.hi;
          break;
        case 0x21:
          this.value = r.double('NumberDataPoint.as_double');
          break;
        case 0x31:
          readFixed64(r, 'NumberDataPoint.as_int');
          this.value = signed64();
          break;
        case 0x3a:
          this.attribute(r, tagPos);
          break;
        case 0x40:
          readVarint64(r, 'NumberDataPoint.flags');
          this.flags = word.lo;
          break;
        case 0x11: // start_time_unix_nano
          if (r.pos + 8 > end) throw malformed('truncated fixed64 in NumberDataPoint.start_time_unix_nano');
          r.pos += 8;
          break;
        default:
          otherField(r, tag, NUMBER_POINT);
      }
    }
  }

  /**
   * HistogramDataPoint { time_unix_nano = 3; count = 4 (fixed64); optional double sum = 5;
   * repeated fixed64 bucket_counts = 6; repeated double explicit_bounds = 7; attributes = 9; flags = 10; }
   */
  readHistogram(r: ProtoReader, end: number): void {
    this.count = 0;
    this.hasSum = false;
    this.nShape = 0;
    this.nCounts = 0;
    while (r.pos < end) {
      const tagPos = r.pos;
      const tag = r.uint32('field tag');
      switch (tag) {
        case 0x19:
          readFixed64(r, 'HistogramDataPoint.time_unix_nano');
          this.tLo = word.lo;
          this.tHi = word.hi;
          break;
        case 0x21:
          readFixed64(r, 'HistogramDataPoint.count');
          this.count = unsigned64();
          break;
        case 0x29:
          this.sum = r.double('HistogramDataPoint.sum');
          this.hasSum = true;
          break;
        case 0x31: // one unpacked bucket count
          readFixed64(r, 'HistogramDataPoint.bucket_counts');
          this.pushCount(unsigned64());
          break;
        case 0x32: {
          const e = packedEnd(r, 'HistogramDataPoint.bucket_counts');
          while (r.pos < e) {
            readFixed64(r, 'HistogramDataPoint.bucket_counts');
            this.pushCount(unsigned64());
          }
          break;
        }
        case 0x39: // one unpacked bound
          this.pushShape(r.double('HistogramDataPoint.explicit_bounds'));
          break;
        case 0x3a: {
          const e = packedEnd(r, 'HistogramDataPoint.explicit_bounds');
          while (r.pos < e) this.pushShape(r.double('HistogramDataPoint.explicit_bounds'));
          break;
        }
        case 0x4a:
          this.attribute(r, tagPos);
          break;
        case 0x50:
          readVarint64(r, 'HistogramDataPoint.flags');
          this.flags = word.lo;
          break;
        default:
          otherField(r, tag, HISTOGRAM_POINT);
      }
    }
  }

  /** SummaryDataPoint { time_unix_nano = 3; count = 4 (fixed64); double sum = 5; repeated ValueAtQuantile quantile_values = 6; attributes = 7; flags = 8; } */
  readSummary(r: ProtoReader, end: number): void {
    this.count = 0;
    this.hasSum = false;
    this.nShape = 0;
    this.nCounts = 0;
    while (r.pos < end) {
      const tagPos = r.pos;
      const tag = r.uint32('field tag');
      switch (tag) {
        case 0x19:
          readFixed64(r, 'SummaryDataPoint.time_unix_nano');
          this.tLo = word.lo;
          this.tHi = word.hi;
          break;
        case 0x21:
          readFixed64(r, 'SummaryDataPoint.count');
          this.count = unsigned64();
          break;
        case 0x29:
          // Present on the wire, even as 0, means a _sum sample (as protobufjs reports it).
          this.sum = r.double('SummaryDataPoint.sum');
          this.hasSum = true;
          break;
        case 0x32:
          this.quantile(r, r.lengthEnd('SummaryDataPoint.quantile_values'));
          break;
        case 0x3a:
          this.attribute(r, tagPos);
          break;
        case 0x40:
          readVarint64(r, 'SummaryDataPoint.flags');
          this.flags = word.lo;
          break;
        default:
          otherField(r, tag, SUMMARY_POINT);
      }
    }
  }

  /**
   * ExponentialHistogramDataPoint { attributes = 1; time_unix_nano = 3; count = 4 (fixed64);
   * optional double sum = 5; sint32 scale = 6; zero_count = 7 (fixed64); Buckets positive = 8;
   * Buckets negative = 9; flags = 10; double zero_threshold = 14; }, read as it is;
   * exponentialPoint() gives it to the converter, setExplicit() takes back its explicit buckets.
   */
  readExponential(r: ProtoReader, end: number): void {
    this.count = 0;
    this.hasSum = false;
    this.nShape = 0;
    this.nCounts = 0;
    const x = this.exp;
    x.scale = 0;
    x.zeroCount = 0;
    x.zeroThreshold = 0;
    const pos = this.positive;
    const neg = this.negative;
    pos.offset = 0;
    pos.counts.length = 0;
    neg.offset = 0;
    neg.counts.length = 0;
    while (r.pos < end) {
      const tagPos = r.pos;
      const tag = r.uint32('field tag');
      switch (tag) {
        case 0x0a:
          this.attribute(r, tagPos);
          break;
        case 0x19:
          readFixed64(r, 'ExponentialHistogramDataPoint.time_unix_nano');
          this.tLo = word.lo;
          this.tHi = word.hi;
          break;
        case 0x21:
          readFixed64(r, 'ExponentialHistogramDataPoint.count');
          this.count = unsigned64();
          break;
        case 0x29:
          this.sum = r.double('ExponentialHistogramDataPoint.sum');
          this.hasSum = true;
          break;
        case 0x30:
          readVarint64(r, 'ExponentialHistogramDataPoint.scale');
          x.scale = unzigzag32(word.lo);
          break;
        case 0x39:
          readFixed64(r, 'ExponentialHistogramDataPoint.zero_count');
          x.zeroCount = unsigned64();
          break;
        case 0x42:
          this.buckets(r, r.lengthEnd('ExponentialHistogramDataPoint.positive'), pos);
          break;
        case 0x4a:
          this.buckets(r, r.lengthEnd('ExponentialHistogramDataPoint.negative'), neg);
          break;
        case 0x50:
          readVarint64(r, 'ExponentialHistogramDataPoint.flags');
          this.flags = word.lo;
          break;
        case 0x71:
          x.zeroThreshold = r.double('ExponentialHistogramDataPoint.zero_threshold');
          break;
        default:
          otherField(r, tag, EXPONENTIAL_POINT);
      }
    }
  }

  /** The exponential point just read (its bucket arrays are reused by the next read). */
  exponentialPoint(): ExponentialPoint {
    const x = this.exp;
    return { scale: x.scale, zeroCount: x.zeroCount, zeroThreshold: x.zeroThreshold, posOffset: this.positive.offset, posCounts: this.positive.counts, negOffset: this.negative.offset, negCounts: this.negative.counts };
  }

  /** The explicit bounds and counts an exponential point amounts to (exponential.ts), as `shape` and `counts`. */
  setExplicit(e: { bounds: readonly number[]; counts: readonly number[] }): void {
    for (const b of e.bounds) this.pushShape(b);
    for (const c of e.counts) this.pushCount(c);
  }

  private readonly exp = { scale: 0, zeroCount: 0, zeroThreshold: 0 };

  /** Buckets { sint32 offset = 1; repeated uint64 bucket_counts = 2; } (counts packed or not); a repeated message merges. */
  private buckets(r: ProtoReader, end: number, into: { offset: number; counts: number[] }): void {
    const outerEnd = r.end;
    r.end = end;
    while (r.pos < end) {
      const tag = r.uint32('field tag');
      if (tag === 0x08) {
        readVarint64(r, 'Buckets.offset');
        into.offset = unzigzag32(word.lo);
      } else if (tag === 0x10) {
        readVarint64(r, 'Buckets.bucket_counts');
        into.counts.push(unsigned64());
      } else if (tag === 0x12) {
        const e = r.lengthEnd('Buckets.bucket_counts');
        while (r.pos < e) {
          readVarint64(r, 'Buckets.bucket_counts');
          into.counts.push(unsigned64());
        }
      } else otherField(r, tag, BUCKETS);
    }
    r.end = outerEnd;
  }

  private readonly positive = { offset: 0, counts: [] as number[] };
  private readonly negative = { offset: 0, counts: [] as number[] };

  /** ValueAtQuantile { double quantile = 1; double value = 2; }: the quantile into `shape`, the value into `counts`. */
  private quantile(r: ProtoReader, end: number): void {
    const outerEnd = r.end;
    r.end = end;
    let q = 0;
    let v = 0;
    while (r.pos < end) {
      const tag = r.uint32('field tag');
      if (tag === 0x09) q = r.double('ValueAtQuantile.quantile');
      else if (tag === 0x11) v = r.double('ValueAtQuantile.value');
      else otherField(r, tag, VALUE_AT_QUANTILE);
    }
    r.end = outerEnd;
    this.pushShape(q);
    this.pushCount(v);
  }

  /** Notes an attributes field (its tag at `tagPos`) and skips it: attributes are keyed by their bytes. */
  private attribute(r: ProtoReader, tagPos: number): void {
    const e = r.lengthEnd('attributes');
    if (this.attrStart < 0) this.attrStart = tagPos;
    else if (tagPos !== this.attrEnd) this.attrSplit = true;
    this.attrEnd = e;
    r.pos = e;
  }

  private pushShape(x: number): void {
    if (this.nShape === this.shape.length) this.shape = doubled(this.shape);
    this.shape[this.nShape++] = x;
  }

  private pushCount(x: number): void {
    if (this.nCounts === this.counts.length) this.counts = doubled(this.counts);
    this.counts[this.nCounts++] = x;
  }
}

function doubled(a: Float64Array): Float64Array {
  const b = new Float64Array(a.length * 2);
  b.set(a);
  return b;
}
