import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeWriteRequest, snappyDecode } from '../../src/ingest/remote-write/decode.js';
import { DEFAULT_INGEST_LIMITS } from '../../src/ingest/limits.js';
import { writesOfBatch } from '../../src/store/sample-batch.js';
import { VigilError } from '../../src/core/errors.js';
import { STALE_NAN_HIGH, STALE_NAN_LOW, isStaleMarker } from '../../src/core/sample.js';
import { PbWriter, encodeWriteRequest, mutate, rng, snappyCompress } from './remote-write-helpers.js';

const limits = DEFAULT_INGEST_LIMITS;
const T = 1_700_000_000_000;

function decode(b: Uint8Array) {
  const d = decodeWriteRequest(snappyDecode(snappyCompress(b), 1 << 24), limits);
  return { ...d, writes: writesOfBatch(d.batch) };
}

function assertVigil400(fn: () => unknown, re?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof VigilError, `expected a VigilError, got ${String(e)}`);
    assert.equal(e.statusCode, 400);
    if (re) assert.match(e.message, re);
    return true;
  });
}

test('a WriteRequest decodes into series with labels and Float64Array samples, and its metadata', () => {
  const payload = encodeWriteRequest([
    { labels: { __name__: 'up', job: 'node', instance: 'h1:9100' }, samples: [[T, 1], [T + 15_000, 0]] },
    { labels: { __name__: 'node_load1', job: 'node', instance: 'h1:9100', 'zone': 'ä-ü' }, samples: [[T, 0.25]] },
  ]);
  const d = decode(payload);
  assert.equal(d.samples, 3);
  assert.equal(d.writes.length, 2);
  assert.deepEqual(d.writes[0]!.labels, { __name__: 'up', job: 'node', instance: 'h1:9100' });
  assert.ok(d.writes[0]!.timestamps instanceof Float64Array);
  assert.deepEqual(Array.from(d.writes[0]!.timestamps), [T, T + 15_000]);
  assert.deepEqual(Array.from(d.writes[0]!.values), [1, 0]);
  assert.equal(d.writes[1]!.labels.zone, 'ä-ü');
  assert.deepEqual(d.metadata, [{ family: 'x', type: 'counter', help: 'help', unit: '' }]);
});

test('with reuse, a batch is views of buffers the next decode overwrites; without, each batch keeps its own samples', () => {
  const body = (v: number) => snappyDecode(snappyCompress(encodeWriteRequest([{ labels: { __name__: 'up', job: 'node' }, samples: [[T, v], [T + 15_000, v]] }])), 1 << 24);
  const kept = decodeWriteRequest(body(1), limits).batch;
  const first = decodeWriteRequest(body(2), limits, true).batch;
  assert.deepEqual(Array.from(first.values), [2, 2]);
  // The route stores and hands on a batch before it decodes the next request: then the views are reused.
  const second = decodeWriteRequest(body(3), limits, true).batch;
  assert.equal(first.values.buffer, second.values.buffer);
  assert.equal(first.labels, second.labels, 'the label sets too: read the first `size` of them');
  assert.deepEqual(Array.from(first.values), [3, 3]);
  assert.deepEqual(Array.from(kept.values), [1, 1]);
  assert.deepEqual(Array.from(decodeWriteRequest(body(4), limits).batch.values), [4, 4]);
  assert.deepEqual(Array.from(kept.values), [1, 1], 'a copied batch is not touched by later decodes');
});

test('MetricMetadata: every type by its wire value, help and unit; an unknown type is unknown; a wrong wire type is a 400', () => {
  const meta = (fields: (w: PbWriter) => PbWriter) => new PbWriter().bytes(3, fields(new PbWriter()).finish()).finish();
  const types = ['unknown', 'counter', 'gauge', 'histogram', 'gaugehistogram', 'summary', 'info', 'stateset', 'unknown'];
  types.forEach((type, wire) => {
    const d = decode(meta((w) => w.int(1, wire).string(2, 'node_cpu_seconds_total').string(4, 'Seconds the CPUs spent in each mode.').string(5, 'seconds')));
    assert.deepEqual(d.metadata, [{ family: 'node_cpu_seconds_total', type, help: 'Seconds the CPUs spent in each mode.', unit: 'seconds' }]);
    assert.equal(d.batch.size, 0, 'a metadata-only request, as Prometheus sends them');
  });
  // Fields in any order, unknown fields skipped.
  assert.deepEqual(decode(meta((w) => w.string(4, 'h').int(9, 7).string(2, 'f').int(1, 2))).metadata, [{ family: 'f', type: 'gauge', help: 'h', unit: '' }]);
  assertVigil400(() => decode(meta((w) => w.string(1, 'counter'))), /metadata\[0\]\.type has wire type 2/);
  assertVigil400(() => decode(meta((w) => w.int(2, 5))), /metadata\[0\]\.metric_family_name has wire type 0/);
  assertVigil400(() => decode(new PbWriter().int(3, 1).finish()), /WriteRequest\.metadata has wire type 0/);
  assertVigil400(() => decode(meta((w) => w.bytes(4, Uint8Array.of(0xff, 0xfe)))), /metadata\[0\]\.help is not valid UTF-8/);
});

test('NaN, infinities and the exact stale marker bits survive decoding', () => {
  const ts = new PbWriter()
    .bytes(1, new PbWriter().string(1, '__name__').string(2, 'm').finish())
    .bytes(2, new PbWriter().double(1, NaN).int(2, T).finish())
    .bytes(2, new PbWriter().double(1, Infinity).int(2, T + 1).finish())
    .bytes(2, new PbWriter().double(1, -Infinity).int(2, T + 2).finish())
    .bytes(2, new PbWriter().fixed64Bits(1, STALE_NAN_HIGH, STALE_NAN_LOW).int(2, T + 3).finish())
    .finish();
  const d = decode(new PbWriter().bytes(1, ts).finish());
  const v = d.writes[0]!.values;
  assert.ok(Number.isNaN(v[0]) && !isStaleMarker(v[0]!));
  assert.equal(v[1], Infinity);
  assert.equal(v[2], -Infinity);
  assert.ok(isStaleMarker(v[3]!));
});

test('fields in any order, default (absent) fields and unknown fields of every wire type are handled', () => {
  const sample = new PbWriter().int(2, T).double(1, 2.5).int(9, 123).finish(); // timestamp before value, unknown varint
  const ts = new PbWriter()
    .bytes(2, sample)
    .bytes(2, new PbWriter().finish()) // empty sample: value 0 at t=0
    .tag(15, 5).raw([1, 2, 3, 4]) // unknown fixed32
    .double(14, 3) // unknown fixed64
    .bytes(13, Uint8Array.from([9, 9, 9])) // unknown length-delimited
    .int(12, -1) // unknown 10-byte varint
    .bytes(1, new PbWriter().string(2, 'x').string(1, '__name__').finish()) // labels after samples, value before name
    .finish();
  const req = new PbWriter().double(7, 1.5).bytes(1, ts).bytes(4, Uint8Array.from([1, 2, 3])).finish();
  const d = decode(req);
  assert.deepEqual(d.writes[0]!.labels, { __name__: 'x' });
  assert.deepEqual(Array.from(d.writes[0]!.timestamps), [T, 0]);
  assert.deepEqual(Array.from(d.writes[0]!.values), [2.5, 0]);
});

test('malformed protobuf is a 400 naming the problem', () => {
  const good = encodeWriteRequest([{ labels: { __name__: 'up' }, samples: [[T, 1]] }]);
  assertVigil400(() => decode(good.subarray(0, good.length - 20)), /truncated|runs past/);
  // timeseries with wire type 0 (varint) instead of 2
  assertVigil400(() => decode(new PbWriter().int(1, 5).finish()), /wire type 0, expected 2/);
  // sample value as varint
  const badSample = new PbWriter().bytes(1, new PbWriter().bytes(2, new PbWriter().int(1, 3).finish()).finish()).finish();
  assertVigil400(() => decode(badSample), /Sample.value has wire type 0/);
  // timestamp as fixed64
  const badTs = new PbWriter().bytes(1, new PbWriter().bytes(2, new PbWriter().double(2, 3).finish()).finish()).finish();
  assertVigil400(() => decode(badTs), /Sample.timestamp has wire type 1/);
  // an 11-byte varint
  assertVigil400(() => decode(Uint8Array.from([0x28, ...Array(10).fill(0xff), 0x01])), /longer than 10 bytes|overflows/);
  assertVigil400(() => decode(Uint8Array.from([0x28, ...Array(9).fill(0xff), 0x02])), /overflows 64 bits/);
  // a length over 32 bits
  assertVigil400(() => decode(Uint8Array.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x7f])), /32 bits/);
  // groups (wire type 3) and wire type 7
  assertVigil400(() => decode(Uint8Array.from([0x1b])), /wire type 3/);
  assertVigil400(() => decode(Uint8Array.from([0x0f])), /wire type 7|expected 2/);
  // field number 0
  assertVigil400(() => decode(Uint8Array.from([0x00, 0x00])), /field number 0/);
  // invalid UTF-8 in a label value
  const badUtf8 = new PbWriter()
    .bytes(1, new PbWriter().bytes(1, new PbWriter().string(1, '__name__').bytes(2, Uint8Array.from([0xc3, 0x28])).finish()).finish())
    .finish();
  assertVigil400(() => decode(badUtf8), /UTF-8/);
  // negative and unsafe timestamps
  const neg = encodeWriteRequest([{ labels: { __name__: 'up' }, samples: [[-5, 1]] }]);
  assertVigil400(() => decode(neg), /out of range/);
  const huge = new PbWriter()
    .bytes(1, new PbWriter().bytes(1, new PbWriter().string(1, '__name__').string(2, 'm').finish()).bytes(2, new PbWriter().double(1, 1).int(2, 2n ** 62n).finish()).finish())
    .finish();
  assertVigil400(() => decode(huge), /out of range/);
});

test('labels are validated as in the JSON API (missing name, bad names, duplicates)', () => {
  assertVigil400(() => decode(encodeWriteRequest([{ labels: { job: 'x' }, samples: [[T, 1]] }])), /timeseries\[0\]\.labels: missing metric name/);
  assertVigil400(() => decode(encodeWriteRequest([{ labels: { __name__: 'a-b' }, samples: [[T, 1]] }])), /invalid metric name/);
  const dup = new PbWriter()
    .bytes(
      1,
      new PbWriter()
        .bytes(1, new PbWriter().string(1, '__name__').string(2, 'm').finish())
        .bytes(1, new PbWriter().string(1, 'a').string(2, '1').finish())
        .bytes(1, new PbWriter().string(1, 'a').string(2, '2').finish())
        .finish(),
    )
    .finish();
  assertVigil400(() => decode(dup), /duplicate label name "a"/);
});

test('request limits answer 413', () => {
  const small = { ...limits, maxSeriesPerRequest: 2, maxSamplesPerRequest: 3 };
  const three = encodeWriteRequest([1, 2, 3].map((i) => ({ labels: { __name__: 'm', i: String(i) }, samples: [[T, i] as [number, number]] })));
  assert.throws(() => decodeWriteRequest(three, small), (e: unknown) => e instanceof VigilError && e.statusCode === 413);
  const many = encodeWriteRequest([{ labels: { __name__: 'm' }, samples: [[T, 1], [T + 1, 1], [T + 2, 1], [T + 3, 1]] }]);
  assert.throws(() => decodeWriteRequest(many, small), (e: unknown) => e instanceof VigilError && e.statusCode === 413);
});

test('snappy: corrupt, truncated and impossible blocks are 400, oversize 413', () => {
  const good = snappyCompress(encodeWriteRequest([{ labels: { __name__: 'up' }, samples: [[T, 1]] }]));
  assert.throws(() => snappyDecode(Buffer.alloc(0), 1000), (e: unknown) => e instanceof VigilError && e.statusCode === 400);
  assert.throws(() => snappyDecode(Uint8Array.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0]), 1 << 30), (e: unknown) => e instanceof VigilError && e.statusCode === 400);
  assert.throws(() => snappyDecode(Uint8Array.from([0xff, 0xff, 0x3f, 0]), 1 << 30), /impossible/);
  // a literal whose 4-byte length has the top bit set (hangs naive decoders)
  assert.throws(() => snappyDecode(Uint8Array.from([0x10, 0xfc, 0xff, 0xff, 0xff, 0xff, 1, 2]), 1 << 30), /literal/);
  // copy before any output, copy past the declared length
  assert.throws(() => snappyDecode(Uint8Array.from([0x04, 0x01, 0x01]), 1 << 30), /offset/);
  assert.throws(() => snappyDecode(Uint8Array.from([0x05, 0x00, 0x61, 0x26, 0x01, 0x00]), 1 << 30), /past the declared length/);
  assert.throws(() => snappyDecode(good, 5), (e: unknown) => e instanceof VigilError && e.statusCode === 413);
  for (let cut = 1; cut < good.length; cut++) {
    try {
      decodeWriteRequest(snappyDecode(good.subarray(0, cut), 1 << 20), limits);
    } catch (e) {
      assert.ok(e instanceof VigilError && e.statusCode === 400, String(e));
    }
  }
});

function fuzzOne(body: Uint8Array): void {
  try {
    decodeWriteRequest(snappyDecode(body, 1 << 22), limits);
  } catch (e) {
    if (!(e instanceof VigilError) || (e.statusCode !== 400 && e.statusCode !== 413)) throw e;
  }
  try {
    decodeWriteRequest(body, limits);
  } catch (e) {
    if (!(e instanceof VigilError) || (e.statusCode !== 400 && e.statusCode !== 413)) throw e;
  }
}

test('fuzz: random bytes and mutated valid payloads only ever raise 400/413 VigilErrors, quickly', () => {
  const r = rng(42);
  const started = Date.now();
  for (let i = 0; i < 3000; i++) {
    const len = Math.floor(r() * 200);
    fuzzOne(Uint8Array.from({ length: len }, () => Math.floor(r() * 256)));
  }
  const base = encodeWriteRequest([
    { labels: { __name__: 'node_cpu_seconds_total', cpu: '0', mode: 'idle', job: 'node' }, samples: [[T, 1.5], [T + 1000, NaN], [T + 2000, Infinity]] },
    { labels: { __name__: 'up', job: 'node', instance: 'ünïcode' }, samples: [[T, 1], [8_640_000_000_000_000, 2]] },
  ]);
  const compressed = snappyCompress(base);
  for (let i = 0; i < 5000; i++) {
    fuzzOne(mutate(base, r)); // mutated protobuf (re-compressed below)
    fuzzOne(snappyCompress(mutate(base, r)));
    fuzzOne(mutate(compressed, r)); // mutated snappy
  }
  // Native histograms: spans, deltas, float counts and schemas mutated.
  const histogram = (h: Parameters<typeof nativeHistogram>[0]) => new PbWriter().bytes(1, new PbWriter().string(1, '__name__').string(2, 'rpc_seconds').finish()).bytes(4, nativeHistogram(h)).finish();
  const withHistograms = new PbWriter()
    .raw(base)
    .bytes(1, histogram({ t: T, count: 11, sum: 9.5, schema: 3, zeroThreshold: 0.001, zeroCount: 1, pos: [-2, 2, 1, 1], posDeltas: [2, 1, -2], neg: [1, 1], negDeltas: [4] }))
    .bytes(1, histogram({ t: T, count: 6, sum: 7, schema: -1, pos: [1, 4], posFloats: [1, 2, 1.5, 1.5] }))
    .finish();
  assert.equal(decode(withHistograms).skippedHistograms, 0);
  for (let i = 0; i < 4000; i++) fuzzOne(mutate(withHistograms, r));
  assert.ok(Date.now() - started < 20_000, 'fuzzing took too long');
});

test('decode speed (informational): at least 200k samples/s even on slow CI', () => {
  const series = [];
  for (let s = 0; s < 500; s++) {
    const samples: Array<[number, number]> = [];
    for (let i = 0; i < 100; i++) samples.push([T + i * 15_000, Math.random() * 100]);
    series.push({ labels: { __name__: 'node_cpu_seconds_total', job: 'node', instance: `host-${s % 50}:9100`, cpu: String(s % 8), mode: 'user' }, samples });
  }
  const body = snappyCompress(encodeWriteRequest(series));
  const big = { ...limits, maxSamplesPerRequest: 1_000_000 };
  decodeWriteRequest(snappyDecode(body, 1 << 26), big);
  const n = 20;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) decodeWriteRequest(snappyDecode(body, 1 << 26), big);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const rate = (n * 50_000) / secs;
  console.log(`remote write decode (snappy + protobuf + label validation): ${Math.round(rate).toLocaleString('en-US')} samples/s`);
  assert.ok(rate > 200_000, `decode rate ${rate}`);
});

test('int64 timestamps decode exactly across the varint byte boundaries', () => {
  const ts = [0, 1, 127, 128, 2 ** 28 - 1, 2 ** 28, 2 ** 31, 2 ** 32 + 5, 2 ** 35 + 1, T, 8_640_000_000_000_000, Number.MAX_SAFE_INTEGER];
  const d = decode(encodeWriteRequest([{ labels: { __name__: 'm' }, samples: ts.map((t) => [t, 1] as [number, number]) }]));
  assert.deepEqual(Array.from(d.writes[0]!.timestamps), ts);
});

/** A prompb.Histogram: integer counts as deltas (or float counts), spans as [offset, length] pairs. */
function nativeHistogram(h: { t: number; count: number; sum: number; schema: number; zeroThreshold?: number; zeroCount?: number; pos?: number[]; posDeltas?: number[]; neg?: number[]; negDeltas?: number[]; posFloats?: number[]; gauge?: boolean }): Uint8Array {
  const zz = (v: number) => (v >= 0 ? 2 * v : -2 * v - 1);
  const spans = (w: PbWriter, field: number, s: number[]) => {
    for (let i = 0; i < s.length; i += 2) w.bytes(field, new PbWriter().int(1, zz(s[i]!)).int(2, s[i + 1]!).finish());
  };
  const w = new PbWriter();
  if (h.posFloats) w.double(2, h.count);
  else w.int(1, h.count);
  w.double(3, h.sum).int(4, zz(h.schema));
  if (h.zeroThreshold !== undefined) w.double(5, h.zeroThreshold);
  if (h.zeroCount !== undefined) w.int(6, h.zeroCount);
  spans(w, 8, h.neg ?? []);
  if (h.negDeltas) w.bytes(9, h.negDeltas.reduce((p, d) => p.varint(zz(d)), new PbWriter()).finish());
  spans(w, 11, h.pos ?? []);
  if (h.posDeltas) w.bytes(12, h.posDeltas.reduce((p, d) => p.varint(zz(d)), new PbWriter()).finish());
  if (h.posFloats) for (const f of h.posFloats) w.double(13, f);
  if (h.gauge) w.int(14, 3);
  return w.int(15, h.t).finish();
}

test('native histograms become classic buckets, _sum and _count, merged to powers of two', () => {
  const ts = new PbWriter()
    .bytes(1, new PbWriter().string(1, '__name__').string(2, 'rpc_seconds').finish())
    .bytes(1, new PbWriter().string(1, 'job').string(2, 'api').finish())
    // Prometheus bucket i holds (2^(i-1), 2^i] at schema 0: positive 0, 1, 3 (counts 2, 3, 1), negative 1 (4), zero 1.
    .bytes(4, nativeHistogram({ t: T, count: 11, sum: 9.5, schema: 0, zeroThreshold: 0.001, zeroCount: 1, pos: [0, 2, 1, 1], posDeltas: [2, 1, -2], neg: [1, 1], negDeltas: [4] }))
    .finish();
  const d = decode(new PbWriter().bytes(1, ts).finish());
  const got = d.writes.filter((w) => w.timestamps.length > 0).map((w) => `${w.labels.__name__}${w.labels.le !== undefined ? `{le=${w.labels.le}}` : ''} ${w.values[0]}`);
  assert.deepEqual(got, [
    'rpc_seconds_bucket{le=-1} 4',
    'rpc_seconds_bucket{le=0.001} 5',
    'rpc_seconds_bucket{le=1} 7',
    'rpc_seconds_bucket{le=2} 10',
    'rpc_seconds_bucket{le=4} 10',
    'rpc_seconds_bucket{le=8} 11',
    'rpc_seconds_bucket{le=+Inf} 11',
    'rpc_seconds_sum 9.5',
    'rpc_seconds_count 11',
  ]);
  assert.ok(d.writes.every((w) => w.labels.job === 'api'));
  assert.equal(d.writes.length, 9, 'no empty entry for the histogram series itself (it would create an empty series)');
  assert.equal(d.skippedHistograms, 0);

  // Float counts, and a finer schema merged down: schema 2 buckets 1..4 all fall in (1, 2].
  const f = decode(
    new PbWriter()
      .bytes(1, new PbWriter().bytes(1, new PbWriter().string(1, '__name__').string(2, 'f').finish()).bytes(4, nativeHistogram({ t: T, count: 6, sum: 7, schema: 2, pos: [1, 4], posFloats: [1, 2, 1.5, 1.5] })).finish())
      .finish(),
  );
  assert.deepEqual(
    f.writes.filter((w) => w.labels.__name__ === 'f_bucket').map((w) => [w.labels.le, w.values[0]]),
    [['0', 0], ['2', 6], ['+Inf', 6]],
  );
  // A gauge histogram (reset hint GAUGE): its count and sum as _gcount and _gsum.
  const g = decode(new PbWriter().bytes(1, new PbWriter().bytes(1, new PbWriter().string(1, '__name__').string(2, 'q').finish()).bytes(4, nativeHistogram({ t: T, count: 2, sum: 3, schema: 0, pos: [0, 1], posDeltas: [2], gauge: true })).finish()).finish());
  assert.deepEqual(g.writes.filter((w) => w.timestamps.length > 0).map((w) => w.labels.__name__), ['q_bucket', 'q_bucket', 'q_bucket', 'q_gsum', 'q_gcount']);

  // A schema out of range is counted, not stored; spans that disagree with the counts are a 400.
  const bad = decode(new PbWriter().bytes(1, new PbWriter().bytes(1, new PbWriter().string(1, '__name__').string(2, 'x').finish()).bytes(4, nativeHistogram({ t: T, count: 1, sum: 1, schema: 30, pos: [0, 1], posDeltas: [1] })).finish()).finish());
  assert.equal(bad.skippedHistograms, 1);
  assert.equal(bad.samples, 0);
  assertVigil400(
    () => decode(new PbWriter().bytes(1, new PbWriter().bytes(1, new PbWriter().string(1, '__name__').string(2, 'x').finish()).bytes(4, nativeHistogram({ t: T, count: 1, sum: 1, schema: 0, pos: [0, 2], posDeltas: [1] })).finish()).finish()),
    /timeseries\[0\]\.histograms\.positive: spans hold 2 buckets but 1 deltas are given/,
  );
});
