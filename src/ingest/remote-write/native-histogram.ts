import { ProtoReader, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT, malformed, unzigzag32 } from './proto-reader.js';

/**
 * One Prometheus native histogram sample of a remote-write TimeSeries (prompb.Histogram):
 *
 *   Histogram { oneof count { uint64 count_int = 1; double count_float = 2; } double sum = 3;
 *     sint32 schema = 4; double zero_threshold = 5;
 *     oneof zero_count { uint64 zero_count_int = 6; double zero_count_float = 7; }
 *     repeated BucketSpan negative_spans = 8; repeated sint64 negative_deltas = 9;
 *     repeated double negative_counts = 10; repeated BucketSpan positive_spans = 11;
 *     repeated sint64 positive_deltas = 12; repeated double positive_counts = 13;
 *     ResetHint reset_hint = 14; int64 timestamp = 15; }
 *   BucketSpan { sint32 offset = 1; uint32 length = 2; }
 *
 * Buckets come as spans of consecutive indexes (a span's offset is the gap after the
 * previous span; the first span's, the first index) with integer counts delta-encoded
 * across all buckets, or float counts as they are. Bucket index i has the upper bound
 * base^i (base = 2^(2^-schema)). Returned with OpenTelemetry's index convention
 * (bucket i is (base^i, base^(i+1)]), so the exponential-histogram converter serves both.
 */
export interface NativeHistogram {
  t: number;
  count: number;
  sum: number;
  schema: number;
  zeroThreshold: number;
  zeroCount: number;
  posIndexes: number[];
  posCounts: number[];
  negIndexes: number[];
  negCounts: number[];
  /** reset_hint GAUGE: a gauge histogram. */
  gauge: boolean;
}

/** Buckets a histogram may list (spans summed); beyond, it is malformed. */
const MAX_BUCKETS = 100_000;
const RESET_HINT_GAUGE = 3;
const scratch = new Float64Array(1);

export function decodeNativeHistogram(r: ProtoReader, end: number, where: string): NativeHistogram {
  const outerEnd = r.end;
  r.end = end;
  const h: NativeHistogram = { t: 0, count: 0, sum: 0, schema: 0, zeroThreshold: 0, zeroCount: 0, posIndexes: [], posCounts: [], negIndexes: [], negCounts: [], gauge: false };
  const posSpans: number[] = [];
  const negSpans: number[] = [];
  const posDeltas: number[] = [];
  const negDeltas: number[] = [];
  const posFloats: number[] = [];
  const negFloats: number[] = [];
  while (r.pos < end) {
    const tag = r.uint32('field tag');
    const field = tag >>> 3;
    const wt = tag & 7;
    const name = FIELDS[field];
    if (field === 0) throw malformed(`${where}: field number 0`);
    if (name === undefined) {
      r.skip(wt, field);
      continue;
    }
    const packed = wt === WIRE_LEN && (field === 9 || field === 10 || field === 12 || field === 13);
    if (!packed && wt !== WIRE_TYPES[field]) throw malformed(`${where}.${name} has wire type ${wt}, expected ${WIRE_TYPES[field]}`);
    switch (field) {
      case 1:
      case 6:
        r.int64(`${where}.${name}`, scratch, 0);
        if (field === 1) h.count = scratch[0]!;
        else h.zeroCount = scratch[0]!;
        break;
      case 2:
        h.count = r.double(`${where}.${name}`);
        break;
      case 7:
        h.zeroCount = r.double(`${where}.${name}`);
        break;
      case 3:
        h.sum = r.double(`${where}.${name}`);
        break;
      case 4:
        h.schema = unzigzag32(r.uint32(`${where}.${name}`));
        break;
      case 5:
        h.zeroThreshold = r.double(`${where}.${name}`);
        break;
      case 8:
      case 11:
        span(r, r.lengthEnd(`${where}.${name}`), field === 8 ? negSpans : posSpans, `${where}.${name}`);
        break;
      case 9:
      case 12:
        readRepeated(r, packed, field === 9 ? negDeltas : posDeltas, `${where}.${name}`, () => zigzag64(r, `${where}.${name}`));
        break;
      case 10:
      case 13:
        readRepeated(r, packed, field === 10 ? negFloats : posFloats, `${where}.${name}`, () => r.double(`${where}.${name}`));
        break;
      case 14:
        h.gauge = r.uint32(`${where}.${name}`) === RESET_HINT_GAUGE;
        break;
      case 15:
        r.int64(`${where}.${name}`, scratch, 0);
        h.t = scratch[0]!;
        break;
    }
  }
  r.end = outerEnd;
  buckets(posSpans, posDeltas, posFloats, h.posIndexes, h.posCounts, `${where}.positive`);
  buckets(negSpans, negDeltas, negFloats, h.negIndexes, h.negCounts, `${where}.negative`);
  return h;
}

const FIELDS: Record<number, string> = {
  1: 'count_int', 2: 'count_float', 3: 'sum', 4: 'schema', 5: 'zero_threshold', 6: 'zero_count_int', 7: 'zero_count_float',
  8: 'negative_spans', 9: 'negative_deltas', 10: 'negative_counts', 11: 'positive_spans', 12: 'positive_deltas', 13: 'positive_counts',
  14: 'reset_hint', 15: 'timestamp',
};
const WIRE_TYPES: Record<number, number> = {
  1: WIRE_VARINT, 2: WIRE_FIXED64, 3: WIRE_FIXED64, 4: WIRE_VARINT, 5: WIRE_FIXED64, 6: WIRE_VARINT, 7: WIRE_FIXED64,
  8: WIRE_LEN, 9: WIRE_VARINT, 10: WIRE_FIXED64, 11: WIRE_LEN, 12: WIRE_VARINT, 13: WIRE_FIXED64, 14: WIRE_VARINT, 15: WIRE_VARINT,
};

/** BucketSpan { sint32 offset = 1; uint32 length = 2; } appended as [offset, length]. */
function span(r: ProtoReader, end: number, into: number[], where: string): void {
  const outerEnd = r.end;
  r.end = end;
  let offset = 0;
  let length = 0;
  while (r.pos < end) {
    const tag = r.uint32('field tag');
    if (tag === 0x08) offset = unzigzag32(r.uint32(`${where}.offset`));
    else if (tag === 0x10) length = r.uint32(`${where}.length`);
    else if ((tag & 7) !== WIRE_VARINT && (tag >>> 3 === 1 || tag >>> 3 === 2)) throw malformed(`${where}: BucketSpan field ${tag >>> 3} has wire type ${tag & 7}, expected 0`);
    else if (tag >>> 3 === 0) throw malformed(`${where}: field number 0`);
    else r.skip(tag & 7, tag >>> 3);
  }
  r.end = outerEnd;
  into.push(offset, length);
}

function readRepeated(r: ProtoReader, packed: boolean, into: number[], where: string, read: () => number): void {
  if (!packed) {
    into.push(read());
    return;
  }
  const e = r.lengthEnd(where);
  const outerEnd = r.end;
  r.end = e;
  while (r.pos < e) into.push(read());
  r.end = outerEnd;
}

/** The spans' bucket indexes (OpenTelemetry convention: Prometheus index - 1) and counts (deltas summed, or the floats). */
function buckets(spans: number[], deltas: number[], floats: number[], indexes: number[], counts: number[], where: string): void {
  let n = 0;
  for (let s = 1; s < spans.length; s += 2) n += spans[s]!;
  if (n > MAX_BUCKETS) throw malformed(`${where}: ${n} buckets, more than ${MAX_BUCKETS}`);
  const values = floats.length > 0 ? floats : deltas;
  if (values.length !== n) throw malformed(`${where}: spans hold ${n} buckets but ${values.length} ${floats.length > 0 ? 'counts' : 'deltas'} are given`);
  let idx = 0;
  let k = 0;
  let count = 0;
  for (let s = 0; s < spans.length; s += 2) {
    idx += spans[s]!;
    for (let j = 0; j < spans[s + 1]!; j++, idx++, k++) {
      count = floats.length > 0 ? values[k]! : count + values[k]!;
      indexes.push(idx - 1);
      counts.push(count);
    }
  }
}

/** A sint64 varint, exact within +-2^52. */
function zigzag64(r: ProtoReader, what: string): number {
  r.int64(what, scratch, 0);
  const u = scratch[0]!;
  // int64() reads the bits as two's complement: a zigzag value over 2^63 comes back negative.
  const unsigned = u < 0 ? u + 2 ** 64 : u;
  return unsigned % 2 === 0 ? unsigned / 2 : -(unsigned + 1) / 2;
}
