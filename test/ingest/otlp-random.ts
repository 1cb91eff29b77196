import protobuf from 'protobufjs';
import { ExportMetricsServiceRequest } from '../../src/ingest/otlp/proto.js';

/**
 * Random OTLP metrics requests (in the JSON/toObject shape protobufjs' fromObject takes)
 * and a reflection-driven encoder that can write them the way unusual but valid senders
 * might: fields in any order, repeated scalars packed or not, unknown fields anywhere.
 */

export type Rng = () => number;
type Obj = Record<string, unknown>;

export const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: Rng, n: number): number => Math.floor(r() * n);

function random64(r: Rng): bigint {
  return (BigInt(int(r, 2 ** 32)) << 32n) | BigInt(int(r, 2 ** 32));
}

const KEYS = ['host.name', 'host_name', 'http.method', 'le', 'quantile', 'job', 'instance', 'otel_scope_name', '9lives', '__x', 'a', 'a.b', 'a-b', 'ünï', ''];
const STRINGS = ['', 'x', 'GET', 'orders', 'a;b', 'ünïcødé ✓', '\uFEFFbom', 'long-' + 'v'.repeat(40), '0'];

export function anyValue(r: Rng, depth = 0): Obj {
  switch (int(r, depth > 1 ? 6 : 8)) {
    case 0:
    case 1:
      return { stringValue: pick(r, STRINGS) };
    case 2:
      return { boolValue: r() < 0.5 };
    case 3:
      return { intValue: pick(r, ['0', '-3', '42', '9007199254740993', '-9223372036854775808', BigInt.asIntN(64, random64(r)).toString()]) };
    case 4:
      return { doubleValue: pick(r, [0, 1.5, -2.25, 1e21, 0.1, NaN, Infinity, -0]) };
    case 5:
      return r() < 0.2 ? {} : { bytesValue: Buffer.from(Array.from({ length: int(r, 5) }, () => int(r, 256))).toString('base64') };
    case 6:
      return { arrayValue: { values: Array.from({ length: int(r, 3) }, () => anyValue(r, depth + 1)) } };
    default:
      return { kvlistValue: { values: Array.from({ length: int(r, 3) }, () => ({ key: pick(r, ['k', '2', '1', 'k', '__proto__']), value: anyValue(r, depth + 1) })) } };
  }
}

export function attributes(r: Rng, max = 4): Obj[] {
  return Array.from({ length: int(r, max + 1) }, () => (r() < 0.1 ? { key: pick(r, KEYS) } : { key: pick(r, KEYS), value: anyValue(r) }));
}

function time(r: Rng): string | undefined {
  const x = r();
  if (x < 0.1) return undefined;
  if (x < 0.15) return String(int(r, 1_000_000));
  if (x < 0.2) return pick(r, ['18446744073709551615', '999999', '1000000', '1000000000000000']);
  if (x < 0.3) return random64(r).toString();
  return String(1_700_000_000_000_000_000n + BigInt(int(r, 1e9)) * 1_000_000n + BigInt(int(r, 1_000_000)));
}

function count(r: Rng): string {
  return r() < 0.1 ? random64(r).toString() : String(int(r, 1000));
}

function flags(r: Rng): number | undefined {
  return r() < 0.85 ? undefined : pick(r, [0, 1, 2, 3]);
}

/** A sender's fixed set of series: attribute lists that repeat from request to request. */
export interface SeriesPool {
  attrs: Obj[][];
  names: string[];
}

export function seriesPool(r: Rng): SeriesPool {
  return {
    attrs: Array.from({ length: 1 + int(r, 6) }, () => attributes(r)),
    names: Array.from({ length: 1 + int(r, 4) }, () => pick(r, ['http.requests', 'queue.depth', 'lat', '2xx', 'jobs_total', 'a/b', 'x', ''])),
  };
}

function numberPoint(r: Rng, pool: SeriesPool): Obj {
  const p: Obj = { attributes: pick(r, pool.attrs) };
  const t = time(r);
  if (t !== undefined) p.timeUnixNano = t;
  if (r() < 0.5) p.startTimeUnixNano = '1';
  const v = r();
  if (v < 0.45) p.asDouble = pick(r, [0, 1.5, -3, 12.25, 1e300, NaN, Infinity, int(r, 100)]);
  else if (v < 0.9) p.asInt = pick(r, ['0', '-3', '42', '9007199254740993', BigInt.asIntN(64, random64(r)).toString()]);
  const f = flags(r);
  if (f !== undefined) p.flags = f;
  return p;
}

function histogramPoint(r: Rng, pool: SeriesPool): Obj {
  const nb = int(r, 4);
  const bounds = Array.from({ length: nb }, (_, i) => pick(r, [0.1, 1, 2.5, 10, i, -0, 1e-7]) + i * 100);
  const nc = r() < 0.8 ? nb + 1 : r() < 0.5 ? 0 : int(r, 5);
  const p: Obj = { attributes: pick(r, pool.attrs), explicitBounds: bounds, bucketCounts: Array.from({ length: nc }, () => count(r)) };
  const t = time(r);
  if (t !== undefined) p.timeUnixNano = t;
  if (r() < 0.7) p.count = count(r);
  if (r() < 0.6) p.sum = pick(r, [0, 2.5, -1, 1e10]);
  if (r() < 0.2) p.min = 0.5;
  const f = flags(r);
  if (f !== undefined) p.flags = f;
  return p;
}

function summaryPoint(r: Rng, pool: SeriesPool): Obj {
  const p: Obj = {
    attributes: pick(r, pool.attrs),
    quantileValues: Array.from({ length: int(r, 4) }, () => (r() < 0.1 ? {} : { quantile: pick(r, [0, 0.5, 0.99, 1]), value: pick(r, [0, 1.5, 3, -1]) })),
  };
  const t = time(r);
  if (t !== undefined) p.timeUnixNano = t;
  if (r() < 0.7) p.count = count(r);
  if (r() < 0.6) p.sum = pick(r, [0, 8, 0.5]);
  const f = flags(r);
  if (f !== undefined) p.flags = f;
  return p;
}

function metric(r: Rng, pool: SeriesPool): Obj {
  const m: Obj = { name: pick(r, pool.names) };
  if (r() < 0.3) m.unit = 's';
  const points = (gen: (r: Rng, pool: SeriesPool) => Obj) => Array.from({ length: int(r, 5) }, () => gen(r, pool));
  const temporality = pick(r, [0, 1, 2]);
  switch (int(r, 7)) {
    case 0:
    case 1:
      m.gauge = { dataPoints: points(numberPoint) };
      break;
    case 2:
    case 3:
      m.sum = { dataPoints: points(numberPoint), aggregationTemporality: temporality, isMonotonic: r() < 0.6 };
      break;
    case 4:
      m.histogram = { dataPoints: points(histogramPoint), aggregationTemporality: temporality };
      break;
    case 5:
      m.summary = { dataPoints: points(summaryPoint) };
      break;
    default:
      if (r() < 0.5) m.exponentialHistogram = { aggregationTemporality: 2, dataPoints: [{ count: '3', scale: 1, positive: { offset: 1, bucketCounts: ['1', '2'] } }, {}] };
  }
  return m;
}

/** A random request; senders' resources, scopes and series come from `pools` (one per resource). */
export function randomRequest(r: Rng, pools: SeriesPool[]): Obj {
  return {
    resourceMetrics: pools.map((pool, i) => {
      const resAttrs: Obj[] = [];
      if (r() < 0.8) resAttrs.push({ key: 'service.name', value: { stringValue: `svc${i % 2}` } });
      if (r() < 0.3) resAttrs.push({ key: 'service.namespace', value: { stringValue: 'shop' } });
      if (r() < 0.7) resAttrs.push({ key: 'service.instance.id', value: { stringValue: `pod-${i}` } });
      if (r() < 0.5) resAttrs.push(...attributes(r, 3));
      const rm: Obj = {
        scopeMetrics: Array.from({ length: 1 + int(r, 2) }, () => {
          const sm: Obj = { metrics: Array.from({ length: int(r, 5) }, () => metric(r, pool)) };
          if (r() < 0.8) sm.scope = { name: pick(r, ['', 'io.otel.http', 'ünï']), version: pick(r, ['', '1.2.0']) };
          return sm;
        }),
      };
      if (r() < 0.9) rm.resource = { attributes: resAttrs };
      return rm;
    }),
  };
}

export interface EncodeOptions {
  /** Probability that a message's fields are written in random order. */
  shuffle: number;
  /** Probability of an unknown field after each field. */
  unknown: number;
  /** Probability that a repeated scalar is written unpacked (one tag per value). */
  unpacked: number;
}

export const CANONICAL: EncodeOptions = { shuffle: 0, unknown: 0, unpacked: 0 };

const WIRE: Record<string, number> = {
  double: 1, fixed64: 1, sfixed64: 1, float: 5, fixed32: 5, sfixed32: 5,
  int32: 0, int64: 0, uint32: 0, uint64: 0, sint32: 0, sint64: 0, bool: 0, string: 2, bytes: 2,
};

/** Encodes a request given in fromObject form; the same bytes decode to the same request in protobufjs. */
export function encodeRequest(req: Obj, r: Rng, opts: EncodeOptions): Uint8Array {
  const msg = ExportMetricsServiceRequest.fromObject(req) as unknown as Obj;
  return encodeMessage(ExportMetricsServiceRequest, msg, r, opts);
}

function encodeMessage(type: protobuf.Type, msg: Obj, r: Rng, opts: EncodeOptions): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const f of type.fieldsArray) {
    const v = msg[f.name];
    if (v === undefined || v === null || !Object.prototype.hasOwnProperty.call(msg, f.name)) continue;
    const values = f.repeated ? (v as unknown[]) : [v];
    if (values.length === 0) continue;
    const rt = f.resolvedType;
    if (rt instanceof protobuf.Type) {
      for (const x of values) {
        const w = protobuf.Writer.create();
        w.uint32((f.id << 3) | 2).bytes(encodeMessage(rt, x as Obj, r, opts));
        parts.push(w.finish());
      }
      continue;
    }
    const scalar = rt instanceof protobuf.Enum ? 'int32' : f.type;
    const write = (w: protobuf.Writer, x: unknown) => (w as unknown as Record<string, (x: unknown) => protobuf.Writer>)[scalar]!.call(w, x);
    if (f.repeated && WIRE[scalar] !== 2 && r() >= opts.unpacked) {
      const inner = protobuf.Writer.create();
      for (const x of values) write(inner, x);
      const w = protobuf.Writer.create();
      w.uint32((f.id << 3) | 2).bytes(inner.finish());
      parts.push(w.finish());
    } else {
      for (const x of values) {
        const w = protobuf.Writer.create();
        w.uint32((f.id << 3) | WIRE[scalar]!);
        write(w, x);
        parts.push(w.finish());
      }
    }
  }
  const out: Uint8Array[] = [];
  for (const p of parts) {
    out.push(p);
    if (r() < opts.unknown) out.push(unknownField(r));
  }
  if (r() < opts.unknown) out.unshift(unknownField(r));
  if (r() < opts.shuffle) {
    for (let i = out.length - 1; i > 0; i--) {
      const j = int(r, i + 1);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
  }
  return Buffer.concat(out);
}

/** A field no OTLP message defines, of a random wire type. */
export function unknownField(r: Rng): Uint8Array {
  const w = protobuf.Writer.create();
  const field = 1000 + int(r, 1000);
  switch (int(r, 4)) {
    case 0:
      w.uint32(field << 3).uint64(random64(r).toString());
      break;
    case 1:
      w.uint32((field << 3) | 1).fixed64(random64(r).toString());
      break;
    case 2:
      w.uint32((field << 3) | 2).bytes(Uint8Array.from({ length: int(r, 12) }, () => int(r, 256)));
      break;
    default:
      w.uint32((field << 3) | 5).fixed32(int(r, 2 ** 32));
  }
  return w.finish();
}
