import type { SeriesGen, ValueSource } from './series-gen.js';

/**
 * Request bodies for the ingest benchmark, built once before timing: each
 * sender owns a template holding its series (labels encoded and, for remote
 * write, snappy-compressed), and each round only overwrites the bytes of the
 * sample timestamps and values in place. Encoding is the sender's cost, not
 * Vigil's, so the load generator stays off Vigil's CPU.
 */
export interface Payload {
  readonly body: Uint8Array;
  readonly contentType: string;
  readonly contentEncoding?: string;
  readonly path: string;
  readonly samples: number;
  /** Writes round `t` (ms) and the next value of every series into `body`. */
  patch(t: number, values: ValueSource): void;
  /**
   * For a text payload, whose values cost a sender far more to format than to write:
   * `write` formats a value at out[o] and returns the offset after it; `patch` writes
   * round `t` with values formatted beforehand (this payload's `samples` of them, value j
   * being text[starts[j], starts[j + 1]), from j = `at` on). bench:ingest-threads formats
   * the timed rounds' values before timing, as it draws them.
   */
  readonly rendered?: {
    write(out: Uint8Array, o: number, v: number): number;
    patch(t: number, text: Uint8Array, starts: Uint32Array, at: number): void;
  };
}

/** A growable protobuf writer; `mark()` records where a field's payload bytes start. */
class Pb {
  buf = new Uint8Array(1 << 16);
  len = 0;

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const b = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
  }

  byte(b: number): this {
    this.room(1);
    this.buf[this.len++] = b;
    return this;
  }

  varint(n: number): this {
    while (n >= 0x80) {
      this.byte((n % 0x80) | 0x80);
      n = Math.floor(n / 0x80);
    }
    return this.byte(n);
  }

  raw(b: Uint8Array): this {
    this.room(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }

  zeros(n: number): this {
    this.room(n);
    this.buf.fill(0, this.len, this.len + n);
    this.len += n;
    return this;
  }

  bytes(field: number, b: Uint8Array): this {
    return this.varint((field << 3) | 2)
      .varint(b.length)
      .raw(b);
  }

  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

/** Offsets (in the body) of each sample's patchable timestamp and value bytes. */
interface Slots {
  t: Uint32Array;
  v: Uint32Array;
}

// ---------------------------------------------------------------- remote write

/** Millisecond timestamps in [2^35, 2^42) (years 1971-2109) are exactly 6 varint bytes. */
const TS_VARINT_BYTES = 6;

/**
 * Prometheus remote write: one WriteRequest of `count` series from `first`, one
 * sample each (one scrape, as a shard sends it), snappy-compressed.
 */
export function remoteWritePayload(gen: SeriesGen, first: number, count: number): Payload {
  const w = new Pb();
  const tOff: number[] = [];
  const vOff: number[] = [];
  for (let i = first; i < first + count; i++) {
    const ts = new Pb();
    for (const [n, v] of Object.entries(gen.labels(i))) ts.bytes(1, new Pb().string(1, n).string(2, v).finish());
    // Sample { double value = 1; int64 timestamp = 2; }: 1 + 8 + 1 + 6 bytes.
    ts.varint((2 << 3) | 2).varint(16).byte(0x09);
    const v = ts.len;
    ts.zeros(8).byte(0x10);
    const t = ts.len;
    ts.zeros(TS_VARINT_BYTES);
    const body = ts.finish();
    w.varint((1 << 3) | 2).varint(body.length);
    vOff.push(w.len + v);
    tOff.push(w.len + t);
    w.raw(body);
  }
  const plain = w.finish();
  const keep = new Uint8Array(plain.length);
  for (let i = 0; i < count; i++) {
    keep.fill(1, vOff[i]!, vOff[i]! + 8);
    keep.fill(1, tOff[i]!, tOff[i]! + TS_VARINT_BYTES);
  }
  const { out, map } = snappyCompressKeeping(plain, keep);
  const slots: Slots = { t: Uint32Array.from(tOff, (o) => map[o]!), v: Uint32Array.from(vOff, (o) => map[o]!) };
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const tsBytes = new Uint8Array(TS_VARINT_BYTES);
  return {
    body: out,
    contentType: 'application/x-protobuf',
    contentEncoding: 'snappy',
    path: '/api/v1/write',
    samples: count,
    patch(t, g) {
      if (t < 2 ** 35 || t >= 2 ** 42) throw new Error(`timestamp ${t} does not fit the 6-byte varint slot`);
      // Every sample of a round has the same timestamp: its varint bytes are worked out once.
      let x = t;
      for (let k = 0; k < TS_VARINT_BYTES - 1; k++) {
        tsBytes[k] = (x % 0x80) | 0x80;
        x = Math.floor(x / 0x80);
      }
      tsBytes[TS_VARINT_BYTES - 1] = x;
      const [b0, b1, b2, b3, b4, b5] = tsBytes as unknown as [number, number, number, number, number, number];
      for (let i = 0; i < count; i++) {
        dv.setFloat64(slots.v[i]!, g.next(first + i), true);
        const o = slots.t[i]!;
        out[o] = b0;
        out[o + 1] = b1;
        out[o + 2] = b2;
        out[o + 3] = b3;
        out[o + 4] = b4;
        out[o + 5] = b5;
      }
    },
  };
}

/**
 * A greedy snappy block compressor (the reference encoder's scheme: 4-byte hash,
 * copies of up to 64 bytes within 64 KiB) that never covers a `keep` byte with a
 * copy, nor copies from one, so those bytes stay literal and can be rewritten in
 * the compressed output. Returns the block and, for each kept input byte, its
 * offset in the block.
 */
export function snappyCompressKeeping(src: Uint8Array, keep: Uint8Array): { out: Uint8Array; map: Uint32Array } {
  const n = src.length;
  const out = new Pb();
  out.varint(n);
  const map = new Uint32Array(n);
  const table = new Int32Array(1 << 14).fill(-1);
  const free = (i: number, len: number) => {
    for (let k = 0; k < len; k++) if (keep[i + k]) return false;
    return true;
  };
  const hash = (i: number) => (Math.imul(src[i]! | (src[i + 1]! << 8) | (src[i + 2]! << 16) | (src[i + 3]! << 24), 0x1e35a7bd) >>> 18) & 0x3fff;
  const literal = (a: number, b: number) => {
    if (a === b) return;
    const len = b - a - 1;
    if (len < 60) out.byte(len << 2);
    else if (len < 0x100) out.byte(60 << 2).byte(len);
    else if (len < 0x10000) out.byte(61 << 2).byte(len & 0xff).byte(len >>> 8);
    else out.byte(62 << 2).byte(len & 0xff).byte((len >>> 8) & 0xff).byte(len >>> 16);
    for (let i = a; i < b; i++) if (keep[i]) map[i] = out.len + (i - a);
    out.raw(src.subarray(a, b));
  };
  let lit = 0;
  let i = 0;
  while (i + 4 <= n) {
    if (!free(i, 4)) {
      i++;
      continue;
    }
    const h = hash(i);
    const c = table[h]!;
    table[h] = i;
    if (c < 0 || i - c > 0xffff || !free(c, 4) || src[c] !== src[i] || src[c + 1] !== src[i + 1] || src[c + 2] !== src[i + 2] || src[c + 3] !== src[i + 3]) {
      i++;
      continue;
    }
    let len = 4;
    while (len < 64 && i + len < n && src[c + len] === src[i + len] && !keep[i + len] && !keep[c + len]) len++;
    literal(lit, i);
    const off = i - c;
    out.byte(((len - 1) << 2) | 2).byte(off & 0xff).byte(off >>> 8);
    i += len;
    lit = i;
  }
  literal(lit, n);
  return { out: out.finish(), map };
}

// ---------------------------------------------------------------------- OTLP

/**
 * OTLP/HTTP protobuf ExportMetricsServiceRequest, uncompressed: one ResourceMetrics
 * per host (service.name → job, service.instance.id → instance), one gauge Metric per
 * metric name with a data point per series (attribute `series`).
 */
export function otlpPayload(gen: SeriesGen, first: number, count: number): Payload {
  const byHost = new Map<string, Map<string, number[]>>();
  for (let i = first; i < first + count; i++) {
    const l = gen.labels(i);
    let names = byHost.get(l.instance!);
    if (!names) byHost.set(l.instance!, (names = new Map()));
    let ids = names.get(l.__name__!);
    if (!ids) names.set(l.__name__!, (ids = []));
    ids.push(i);
  }
  const kv = (k: string, v: string) => new Pb().string(1, k).bytes(2, new Pb().string(1, v).finish()).finish();
  const req = new Pb();
  const order: number[] = [];
  const tOff: number[] = [];
  const vOff: number[] = [];
  for (const [instance, names] of byHost) {
    const rm = new Pb();
    rm.bytes(1, new Pb().bytes(1, kv('service.name', 'node')).bytes(1, kv('service.instance.id', instance)).finish());
    const sm = new Pb();
    const local: Array<{ i: number; t: number; v: number }> = [];
    for (const [name, ids] of names) {
      const gauge = new Pb();
      for (const i of ids) {
        // NumberDataPoint { fixed64 time_unix_nano = 3; double as_double = 4; repeated KeyValue attributes = 7; }
        const dp = new Pb().bytes(7, kv('series', gen.labels(i).series!)).byte((3 << 3) | 1);
        const t = dp.len;
        dp.zeros(8).byte((4 << 3) | 1);
        const v = dp.len;
        dp.zeros(8);
        const body = dp.finish();
        gauge.varint((1 << 3) | 2).varint(body.length);
        local.push({ i, t: gauge.len + t, v: gauge.len + v });
        gauge.raw(body);
      }
      const metric = new Pb().string(1, name);
      metric.varint((5 << 3) | 2).varint(gauge.len);
      const base = metric.len;
      for (let k = local.length - ids.length; k < local.length; k++) {
        local[k]!.t += base;
        local[k]!.v += base;
      }
      metric.raw(gauge.finish());
      const mb = metric.finish();
      sm.varint((2 << 3) | 2).varint(mb.length);
      for (let k = local.length - ids.length; k < local.length; k++) {
        local[k]!.t += sm.len;
        local[k]!.v += sm.len;
      }
      sm.raw(mb);
    }
    const smb = sm.finish();
    rm.varint((2 << 3) | 2).varint(smb.length);
    for (const x of local) {
      x.t += rm.len;
      x.v += rm.len;
    }
    rm.raw(smb);
    const rmb = rm.finish();
    req.varint((1 << 3) | 2).varint(rmb.length);
    for (const x of local) {
      order.push(x.i);
      tOff.push(req.len + x.t);
      vOff.push(req.len + x.v);
    }
    req.raw(rmb);
  }
  const body = req.finish();
  const dv = new DataView(body.buffer, body.byteOffset, body.byteLength);
  return {
    body,
    contentType: 'application/x-protobuf',
    path: '/v1/metrics',
    samples: count,
    patch(t, g) {
      const ns = BigInt(t) * 1_000_000n;
      for (let k = 0; k < order.length; k++) {
        dv.setBigUint64(tOff[k]!, ns, true);
        dv.setFloat64(vOff[k]!, g.next(order[k]!), true);
      }
    },
  };
}

// ------------------------------------------------------------- line protocol

/** Bytes a value's text takes at most (sign, 17 significant digits, point, exponent). */
export const LP_VALUE_MAX = 25;

/**
 * InfluxDB line protocol as Telegraf writes it (nanosecond timestamps, floats in
 * their shortest form, nothing padded): `<metric>,instance=..,job=node,series=.. value=<float> <ns>`
 * per series. Lines change length with their values, so each round writes the body
 * again: the lines' fixed starts copied, the value and timestamp written after them.
 */
export function lineProtocolPayload(gen: SeriesGen, first: number, count: number): Payload {
  const enc = new TextEncoder();
  const heads: Uint8Array[] = [];
  for (let i = first; i < first + count; i++) {
    const l = gen.labels(i);
    heads.push(enc.encode(`${l.__name__},instance=${l.instance},job=${l.job},series=${l.series} value=`));
  }
  const headEnd = new Uint32Array(count);
  let total = 0;
  for (let k = 0; k < count; k++) headEnd[k] = total += heads[k]!.length;
  const head = new Uint8Array(total);
  for (let k = 0; k < count; k++) head.set(heads[k]!, headEnd[k]! - heads[k]!.length);
  const buf = new Uint8Array(total + count * (LP_VALUE_MAX + 21));
  let len = 0;
  // The round's timestamp in nanoseconds, as its 19 digits.
  const ns = new Uint8Array(19);
  const stamp = (t: number) => ns.set(enc.encode(`${t}000000`));
  const outView = new DataView(buf.buffer);
  const headView = new DataView(head.buffer);
  const nsView = new DataView(ns.buffer);
  // One round's body: line k's fixed start, its value (from `value`, which writes it at
  // out[o] and returns the offset after it), a space, the timestamp and a newline. In one
  // function with locals (loops over captured variables ran at a third of the speed),
  // copying four bytes at a time (a sixth of the time of byte by byte): the senders share
  // the machine with Vigil, and a real one would have its own.
  const write = (t: number, value: (out: Uint8Array, o: number, k: number) => number) => {
    stamp(t);
    const out = buf;
    const fixed = head;
    const ends = headEnd;
    const stampBytes = ns;
    const ov = outView;
    const hv = headView;
    const sv = nsView;
    let h = 0;
    let o = 0;
    for (let k = 0; k < count; k++) {
      const e = ends[k]!;
      for (; h + 4 <= e; h += 4, o += 4) ov.setUint32(o, hv.getUint32(h));
      while (h < e) out[o++] = fixed[h++]!;
      o = value(out, o, k);
      out[o++] = 32;
      for (let j = 0; j < 16; j += 4, o += 4) ov.setUint32(o, sv.getUint32(j));
      out[o++] = stampBytes[16]!;
      out[o++] = stampBytes[17]!;
      out[o++] = stampBytes[18]!;
      out[o++] = 10;
    }
    len = o;
  };
  return {
    get body() {
      return buf.subarray(0, len);
    },
    contentType: 'text/plain; charset=utf-8',
    path: '/api/v2/write?org=bench&bucket=bench&precision=ns',
    samples: count,
    patch(t, g) {
      write(t, (out, o, k) => writeFloatText(out, o, g.next(first + k)));
    },
    rendered: {
      write: writeFloatText,
      patch(t, text, starts, at) {
        write(t, (out, o, k) => {
          for (let j = starts[at + k]!, e = starts[at + k + 1]!; j < e; j++) out[o++] = text[j]!;
          return o;
        });
      },
    },
  };
}

/**
 * Writes v at out[o] as Telegraf writes a float (Go's `strconv.AppendFloat(v, 'f', -1, 64)`:
 * the shortest digits that read back to v) and returns the offset after it. Whole numbers
 * and hundredths (most of these series: counters, bytes, load, temperatures) are written
 * digit by digit, which gives the same text; any other value goes through String (the
 * same digits; below 10^-6 it takes an exponent, which line protocol accepts too).
 */
export function writeFloatText(out: Uint8Array, o: number, v: number): number {
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return writeWhole(out, o, v);
  const c = Math.round(v * 100);
  if (c / 100 === v && Math.abs(c) < 1e15) {
    let m = c;
    if (m < 0) {
      out[o++] = 45;
      m = -m;
    }
    const whole = Math.floor(m / 100);
    const f = m - whole * 100;
    o = writeWhole(out, o, whole);
    out[o++] = 46;
    out[o++] = 48 + Math.floor(f / 10);
    if (f % 10 !== 0) out[o++] = 48 + (f % 10);
    return o;
  }
  const s = String(v);
  for (let k = 0; k < s.length; k++) out[o++] = s.charCodeAt(k);
  return o;
}

/** The digits of a whole number below 10^15 in magnitude. */
function writeWhole(out: Uint8Array, o: number, v: number): number {
  if (v < 0) {
    out[o++] = 45;
    v = -v;
  }
  if (v >= 1e9) {
    const hi = Math.floor(v / 1e9);
    o = writeSmall(out, o, hi);
    let lo = v - hi * 1e9;
    for (let j = o + 8; j >= o; j--) {
      out[j] = 48 + (lo % 10);
      lo = Math.floor(lo / 10);
    }
    return o + 9;
  }
  return writeSmall(out, o, v);
}

/** The digits of 0 <= v < 10^9. */
function writeSmall(out: Uint8Array, o: number, v: number): number {
  let n = v | 0;
  let digits = 1;
  for (let x = n; x >= 10; x = (x / 10) | 0) digits++;
  for (let j = o + digits - 1; j >= o; j--) {
    out[j] = 48 + (n % 10);
    n = (n / 10) | 0;
  }
  return o + digits;
}
