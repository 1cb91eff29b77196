import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExportMetricsServiceRequest } from '../../src/ingest/otlp/proto.js';
import { DeltaAccumulator, decodeOtlpProtobuf, translateOtlp, type OtlpTranslation } from '../../src/ingest/otlp/translate.js';
import { OtlpWireDecoder, type OtlpBatchTranslation } from '../../src/ingest/otlp/wire-decoder.js';
import { nanosToMs } from '../../src/ingest/otlp/nanos.js';
import { DEFAULT_INGEST_LIMITS, type IngestLimits } from '../../src/ingest/limits.js';
import { FrozenLabels } from '../../src/ingest/frozen-labels.js';
import { VigilError } from '../../src/core/errors.js';
import { isStaleMarker } from '../../src/core/sample.js';
import { writesOfBatch } from '../../src/store/sample-batch.js';
import { mutate, rng } from './remote-write-helpers.js';
import { MS, sampleRequest } from './otlp-fixtures.js';
import { CANONICAL, type EncodeOptions, encodeRequest, pick, randomRequest, seriesPool, unknownField, type Rng } from './otlp-random.js';

const limits = DEFAULT_INGEST_LIMITS;
const NOW = 1_650_000_000_000;

/** The reference: protobufjs decoding, then translateOtlp over the plain object (the path the wire decoder replaces). */
class Reference {
  constructor(
    readonly limits: IngestLimits,
    readonly acc = new DeltaAccumulator(),
    readonly frozen = new FrozenLabels(),
  ) {}
  decode(body: Uint8Array, now = NOW): OtlpTranslation {
    return translateOtlp(decodeOtlpProtobuf(body), this.limits, this.acc, now, this.frozen);
  }
}

type Outcome = { ok: true; series: unknown[]; samples: number; rejected: number; errors: string[]; metadata: unknown[] } | { ok: false; status: number; code: string; message: string };

/** Values compared as text, with NaNs told apart only by staleness (payload bits beyond the stale marker are not promised). */
function valueText(v: number): string {
  return Number.isNaN(v) ? (isStaleMarker(v) ? 'stale' : 'NaN') : Object.is(v, -0) ? '-0' : String(v);
}

function outcome(fn: () => OtlpTranslation | OtlpBatchTranslation): Outcome {
  try {
    const tr = fn();
    const writes = 'writes' in tr ? tr.writes : writesOfBatch(tr.batch);
    const series = writes.map((w) => ({ labels: { ...w.labels }, t: Array.from(w.timestamps), v: Array.from(w.values, valueText) }));
    return { ok: true, series, samples: tr.samples, rejected: tr.rejectedDataPoints, errors: tr.errors, metadata: tr.metadata };
  } catch (e) {
    if (!(e instanceof VigilError)) throw e;
    return { ok: false, status: e.statusCode, code: e.code, message: e.message };
  }
}

function smallLimits(r: Rng): IngestLimits {
  return {
    maxLabelsPerSeries: pick(r, [3, 5, 8, 30]),
    maxLabelNameLength: pick(r, [5, 12, 128]),
    maxLabelValueLength: pick(r, [3, 10, 30, 2048]),
    maxSamplesPerRequest: pick(r, [20, 60, 100_000]),
    maxSeriesPerRequest: pick(r, [10, 40, 50_000]),
  };
}

test('the wire decoder translates the fixture exactly as protobufjs + translateOtlp, on first sight and from its cache', () => {
  const bytes = ExportMetricsServiceRequest.encode(ExportMetricsServiceRequest.fromObject(sampleRequest)).finish();
  const ref = new Reference(limits);
  const wire = new OtlpWireDecoder(limits, new DeltaAccumulator());
  for (let i = 0; i < 3; i++) {
    const a = outcome(() => ref.decode(bytes));
    assert.deepEqual(outcome(() => wire.decode(bytes, NOW)), a);
    assert.ok(a.ok && a.samples === 13);
  }
  assert.deepEqual(wire.decode(bytes, NOW).metadata, [
    { family: 'queue_depth', type: 'gauge', help: '', unit: '1' },
    { family: 'http_requests_total', type: 'counter', help: 'Requests served.', unit: '{request}' },
    { family: 'inflight', type: 'gauge', help: '', unit: '' },
    { family: 'http_duration', type: 'histogram', help: '', unit: 's' },
    { family: 'rpc_latency', type: 'summary', help: '', unit: '' },
  ]);
  const [w] = wire.decode(bytes, NOW).batch.labels;
  assert.equal(wire.decode(bytes, NOW).batch.labels[0], w, 'a series keeps one frozen label set across requests');
  assert.ok(Object.isFrozen(w));
});

test("metadata: each distinct entry listed once a request, however many resources report the metric; a changed description is seen at once", () => {
  const wire = new OtlpWireDecoder(limits, new DeltaAccumulator());
  const request = (description: string) => {
    const rm = sampleRequest.resourceMetrics[0]!;
    const metrics = rm.scopeMetrics[0]!.metrics.map((m) => (m.name === 'http.requests' ? { ...m, description } : m));
    const resource = (pod: string) => ({ ...rm, resource: { attributes: [...rm.resource.attributes.filter((a) => a.key !== 'service.instance.id'), { key: 'service.instance.id', value: { stringValue: pod } }] }, scopeMetrics: [{ ...rm.scopeMetrics[0]!, metrics }] });
    return ExportMetricsServiceRequest.encode(ExportMetricsServiceRequest.fromObject({ resourceMetrics: [resource('pod-1'), resource('pod-2')] })).finish();
  };
  const help = (body: Uint8Array) => wire.decode(body, NOW).metadata.filter((m) => m.family === 'http_requests_total').map((m) => m.help);
  assert.deepEqual(help(request('Requests served.')), ['Requests served.'], 'two resources, one entry');
  assert.deepEqual(help(request('Requests served.')), ['Requests served.'], 'listed again in the next request');
  assert.deepEqual(help(request('Requests answered.')), ['Requests answered.']);
  assert.equal(wire.decode(request('Requests answered.'), NOW).metadata.length, 5);
});

test('equivalence: random requests (every metric kind, flags, AnyValue kinds, colliding keys, odd encodings, repeats) match the protobufjs path', () => {
  const r = rng(20240611);
  const started = Date.now();
  let compared = 0;
  let failures = 0;
  for (let seq = 0; seq < 150; seq++) {
    const lim = r() < 0.7 ? limits : smallLimits(r);
    const ref = new Reference(lim);
    const wire = new OtlpWireDecoder(lim, new DeltaAccumulator(), new FrozenLabels());
    const pools = Array.from({ length: 1 + Math.floor(r() * 3) }, () => seriesPool(r));
    const opts: EncodeOptions = pick(r, [CANONICAL, CANONICAL, { shuffle: 0.3, unknown: 0.1, unpacked: 0.3 }, { shuffle: 1, unknown: 0.3, unpacked: 0.5 }]);
    let request = randomRequest(r, pools);
    // A sender sends similar requests again and again: same series, new values (and sometimes the very same bytes).
    for (let k = 0; k < 6; k++) {
      if (r() < 0.7) request = randomRequest(r, pools);
      const body = encodeRequest(request, r, opts);
      const now = NOW + k * 1000;
      const expected = outcome(() => ref.decode(body, now));
      const got = outcome(() => wire.decode(body, now));
      assert.deepEqual(got, expected, `sequence ${seq}, request ${k}: ${JSON.stringify(request).slice(0, 2000)}`);
      compared++;
      if (!expected.ok) {
        failures++;
        // A refused request leaves protobufjs' path with half-applied deltas (the wire decoder applies none): start over.
        break;
      }
    }
  }
  assert.ok(compared > 500, `compared ${compared}`);
  assert.ok(failures < compared / 2);
  assert.ok(Date.now() - started < 60_000);
});

test('equivalence: several resources and scopes share series caches without mixing them up', () => {
  const r = rng(7);
  const pool = seriesPool(r);
  const ref = new Reference(limits);
  const wire = new OtlpWireDecoder(limits, new DeltaAccumulator());
  for (let k = 0; k < 30; k++) {
    const body = encodeRequest(randomRequest(r, [pool, pool, pool]), r, CANONICAL);
    assert.deepEqual(outcome(() => wire.decode(body, NOW)), outcome(() => ref.decode(body, NOW)));
  }
});

test('timestamps: fixed64 nanoseconds to milliseconds by floor, exactly, at ms boundaries and up to 2^64-1', () => {
  const exact = (ns: bigint) => Number(ns / 1_000_000n);
  const check = (ns: bigint) => {
    const lo = Number(ns & 0xffffffffn);
    const hi = Number(ns >> 32n);
    assert.equal(nanosToMs(lo, hi), exact(ns), `ns ${ns}`);
  };
  const edges = [0n, 1n, 999_999n, 1_000_000n, 1_000_001n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 32n + 1n, 2n ** 53n, 2n ** 63n, 2n ** 64n - 1n, 1_700_000_000_123_456_789n];
  for (const e of edges) for (const d of [-2n, -1n, 0n, 1n, 2n]) if (e + d >= 0n && e + d < 2n ** 64n) check(e + d);
  for (let hi = 0n; hi < 2n ** 32n; hi += 4_294_967n * 97n + 13n) {
    // Both sides of a millisecond boundary near hi * 2^32.
    const ms = (hi << 32n) / 1_000_000n;
    for (const d of [-1n, 0n, 1n]) for (const k of [ms * 1_000_000n, ms * 1_000_000n + 999_999n, (ms + 1n) * 1_000_000n]) if (k + d >= 0n && k + d < 2n ** 64n) check(k + d);
  }
  const r = rng(3);
  for (let i = 0; i < 200_000; i++) {
    const ns = (BigInt(Math.floor(r() * 2 ** 32)) << 32n) | BigInt(Math.floor(r() * 2 ** 32));
    check(ns);
    check((ns / 1_000_000n) * 1_000_000n + 999_999n < 2n ** 64n ? (ns / 1_000_000n) * 1_000_000n + 999_999n : ns);
  }
});

test('timestamps through the decoder: floor to ms; 0 and anything under 1 ms mean the receive time', () => {
  const wire = new OtlpWireDecoder(limits, new DeltaAccumulator());
  const at = (timeUnixNano: string) => {
    const req = { resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'g', gauge: { dataPoints: [{ timeUnixNano, asDouble: 1 }] } }] }] }] };
    const tr = wire.decode(ExportMetricsServiceRequest.encode(ExportMetricsServiceRequest.fromObject(req)).finish(), NOW);
    return tr.batch.timestamps[0];
  };
  assert.equal(at('1700000000123456789'), MS);
  assert.equal(at('1700000000123999999'), MS);
  assert.equal(at('1700000000124000000'), MS + 1);
  assert.equal(at('0'), NOW);
  assert.equal(at('999999'), NOW);
  assert.equal(at('1000000'), 1);
  assert.equal(at('18446744073709551615'), 18446744073709);
});

test('unknown fields of every wire type are skipped at every level', () => {
  const r = rng(11);
  const ref = new Reference(limits);
  const wire = new OtlpWireDecoder(limits, new DeltaAccumulator());
  for (let i = 0; i < 50; i++) {
    const body = encodeRequest(sampleRequest, r, { shuffle: 0, unknown: 0.8, unpacked: 0 });
    const want = outcome(() => ref.decode(body));
    assert.ok(want.ok && want.samples === 13);
    assert.deepEqual(outcome(() => wire.decode(body, NOW)), want);
  }
  assert.equal(unknownField(r).length > 0, true);
});

test('malformed requests: 400 MALFORMED_PROTOBUF naming the problem and where it is', () => {
  const wire = new OtlpWireDecoder(limits, new DeltaAccumulator());
  const err = (bytes: number[] | Uint8Array) => {
    try {
      wire.decode(Uint8Array.from(bytes), NOW);
    } catch (e) {
      assert.ok(e instanceof VigilError, String(e));
      assert.equal(e.statusCode, 400);
      assert.equal(e.code, 'MALFORMED_PROTOBUF');
      assert.match(e.message, /^malformed ExportMetricsServiceRequest: /);
      return e.message;
    }
    assert.fail('no error');
  };
  assert.match(err([0x0a, 0x05, 1]), /length 5 runs past the end/);
  assert.match(err([0x08, 0x01]), /resource_metrics has wire type 0, expected 2/);
  assert.match(err([0x00]), /field number 0/);
  assert.match(err([0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), /longer than 10 bytes|does not fit in 32 bits/);
  assert.match(err([0xf8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]), /field tag does not fit in 32 bits/);
  assert.match(err([0x0b]), /wire type 3/);
  // A data point whose time has the wrong wire type, deep inside: the path says where.
  const point = [0x18, 0x01];
  const gauge = [0x0a, point.length, ...point];
  const metric = [0x0a, 0x01, 0x67, 0x2a, gauge.length, ...gauge];
  const sm = [0x12, metric.length, ...metric];
  const rm = [0x12, sm.length, ...sm];
  assert.match(err([0x0a, rm.length, ...rm]), /NumberDataPoint\.time_unix_nano has wire type 0, expected 1 \(in resource_metrics\[0\]\.scope_metrics\[0\]\.metrics\[0\]\.data_points\[0\]\)/);
  // Invalid UTF-8 in a metric name (protobufjs refuses it too).
  const badName = [0x0a, 0x02, 0xc3, 0x28, 0x2a, gauge.length, ...gauge];
  const sm2 = [0x12, badName.length, ...badName];
  const rm2 = [0x12, sm2.length, ...sm2];
  assert.match(err([0x0a, rm2.length, ...rm2]), /not valid UTF-8/);
  // AnyValue nested past the bound is refused, not a stack overflow.
  let v: number[] = [0x0a, 0x01, 0x78];
  for (let i = 0; i < 200; i++) {
    const arr = [0x0a, ...varint(v.length), ...v];
    v = [0x2a, ...varint(arr.length), ...arr];
  }
  const kv = [0x0a, 0x01, 0x6b, 0x12, ...varint(v.length), ...v];
  const res = [0x0a, ...varint(kv.length), ...kv];
  const rm3 = [0x0a, ...varint(res.length), ...res];
  assert.match(err([0x0a, ...varint(rm3.length), ...rm3]), /nested more than 64 levels/);
});

function varint(n: number): number[] {
  const out: number[] = [];
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return out;
}

test('a refused request leaves delta totals untouched', () => {
  const acc = new DeltaAccumulator();
  const wire = new OtlpWireDecoder(limits, acc);
  const req = (v: string) => ({ resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: 'jobs', sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [{ timeUnixNano: '1000000000', asInt: v }] } }] }] }] });
  const enc = (v: string) => ExportMetricsServiceRequest.encode(ExportMetricsServiceRequest.fromObject(req(v))).finish();
  assert.deepEqual(Array.from(wire.decode(enc('3'), NOW).batch.values), [3]);
  const broken = Uint8Array.from([...enc('5'), 0x0a, 0x09]);
  assert.throws(() => wire.decode(broken, NOW), (e: unknown) => e instanceof VigilError && e.statusCode === 400);
  assert.deepEqual(Array.from(wire.decode(enc('4'), NOW).batch.values), [7]);
  assert.equal(acc.size, 1);
});

test('the cache copies attribute bytes: a body in reused memory (a pooled Buffer) does not corrupt it', () => {
  const bytes = ExportMetricsServiceRequest.encode(ExportMetricsServiceRequest.fromObject(sampleRequest)).finish();
  const pool = Buffer.alloc(bytes.length * 2);
  const body = pool.subarray(7, 7 + bytes.length);
  body.set(bytes);
  const wire = new OtlpWireDecoder(limits, new DeltaAccumulator());
  const first = outcome(() => wire.decode(body, NOW));
  pool.fill(0x55);
  body.set(bytes);
  assert.deepEqual(outcome(() => wire.decode(new Uint8Array(bytes), NOW)), first);
});

test('fuzz: random bytes, mutations, truncations, wrong wire types and huge varints give a result or a 400/413 VigilError, never another error or a hang', () => {
  const r = rng(4242);
  const wire = new OtlpWireDecoder(limits, new DeltaAccumulator());
  const pools = [seriesPool(r), seriesPool(r)];
  const valid = Array.from({ length: 20 }, () => encodeRequest(randomRequest(r, pools), r, pick(r, [CANONICAL, { shuffle: 0.5, unknown: 0.2, unpacked: 0.5 }])));
  valid.push(ExportMetricsServiceRequest.encode(ExportMetricsServiceRequest.fromObject(sampleRequest)).finish());
  const check = (body: Uint8Array) => {
    try {
      wire.decode(body, NOW);
    } catch (e) {
      if (!(e instanceof VigilError) || (e.statusCode !== 400 && e.statusCode !== 413)) throw e;
    }
  };
  const started = Date.now();
  for (const v of valid) for (let n = 0; n < v.length; n++) check(v.subarray(0, n));
  for (let i = 0; i < 20_000; i++) {
    const v = pick(r, valid);
    switch (i % 5) {
      case 0:
        check(Uint8Array.from({ length: Math.floor(r() * 200) }, () => Math.floor(r() * 256)));
        break;
      case 1:
        check(mutate(mutate(v, r), r));
        break;
      case 2: {
        // A tag's wire type changed.
        const b = Uint8Array.from(v);
        const at = Math.floor(r() * b.length);
        b[at] = (b[at]! & ~7) | Math.floor(r() * 8);
        check(b);
        break;
      }
      case 3: {
        // A huge varint spliced in.
        const at = Math.floor(r() * v.length);
        const huge = Array.from({ length: 9 + Math.floor(r() * 4) }, () => 0x80 | Math.floor(r() * 128));
        check(Uint8Array.from([...v.subarray(0, at), ...huge, 0x7f, ...v.subarray(at)]));
        break;
      }
      default:
        check(mutate(v, r));
    }
  }
  assert.ok(Date.now() - started < 60_000);
  // After all that, the caches still translate correctly.
  const ref = new Reference(limits, new DeltaAccumulator(), new FrozenLabels());
  const fresh = new OtlpWireDecoder(limits, new DeltaAccumulator());
  for (const v of valid) {
    const want = outcome(() => ref.decode(v));
    if (want.ok && !hasDelta(v)) assert.deepEqual(outcome(() => wire.decode(v, NOW)), want);
    assert.deepEqual(outcome(() => fresh.decode(v, NOW)), want);
  }
});

/** Whether a request has delta sums or histograms (whose totals depend on what was decoded before). */
function hasDelta(body: Uint8Array): boolean {
  const req = ExportMetricsServiceRequest.toObject(ExportMetricsServiceRequest.decode(body), { enums: Number }) as { resourceMetrics?: Array<{ scopeMetrics?: Array<{ metrics?: Array<Record<string, { aggregationTemporality?: number }>> }> }> };
  for (const rm of req.resourceMetrics ?? [])
    for (const sm of rm.scopeMetrics ?? []) for (const m of sm.metrics ?? []) if (m.sum?.aggregationTemporality === 1 || m.histogram?.aggregationTemporality === 1) return true;
  return false;
}
