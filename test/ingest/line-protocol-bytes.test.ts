import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineProtocolParser } from '../../src/ingest/line-protocol/byte-parser.js';
import { fieldValueBytes } from '../../src/ingest/line-protocol/field-bytes.js';
import type { Precision } from '../../src/ingest/line-protocol/parse.js';
import { LineSeriesCache, parseLineProtocol } from './line-protocol-reference.js';
import { SeriesBytesCache } from '../../src/ingest/line-protocol/series-bytes-cache.js';
import { DEFAULT_INGEST_LIMITS, type IngestLimits } from '../../src/ingest/limits.js';
import { VigilError } from '../../src/core/errors.js';
import { batchFromWrites } from '../../src/store/sample-batch.js';
import type { SampleBatch } from '../../src/store/types.js';
import { mutate, rng } from './remote-write-helpers.js';

const limits = DEFAULT_INGEST_LIMITS;
const PRECISIONS: Precision[] = ['ns', 'us', 'ms', 's', 'm', 'h'];

type Outcome = { batch: SampleBatch; samples: number; fieldErrors: string[]; refusedFields: number } | { error: { code: string; status: number; message: string } };

function caught(fn: () => Outcome): Outcome {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof VigilError)) throw e;
    return { error: { code: e.code, status: e.statusCode, message: e.message } };
  }
}

/** The reference (string parser on the UTF-8 decoded body) and the byte parser, each with its own cache, request after request. */
class Pair {
  readonly oldCache: LineSeriesCache;
  readonly parser: LineProtocolParser;

  constructor(maxEntries?: number) {
    this.oldCache = new LineSeriesCache(maxEntries);
    this.parser = new LineProtocolParser(new SeriesBytesCache(maxEntries));
  }

  run(body: Buffer, precision: Precision, lim: IngestLimits, now: number): { old: Outcome; got: Outcome } {
    const old = caught(() => {
      const r = parseLineProtocol(body.toString('utf8'), precision, lim, now, this.oldCache);
      return { batch: batchFromWrites(r.writes), samples: r.samples, fieldErrors: r.fieldErrors, refusedFields: r.refusedFields };
    });
    const got = caught(() => this.parser.parse(body, precision, lim, now));
    return { old, got };
  }
}

function bits(a: Float64Array): string[] {
  return Array.from(new BigUint64Array(a.buffer, a.byteOffset, a.length), (x) => x.toString(16));
}

function assertSame(old: Outcome, got: Outcome, what: string): void {
  if ('error' in old || 'error' in got) {
    assert.deepEqual(got, old, what);
    return;
  }
  assert.equal(got.samples, old.samples, what);
  assert.equal(got.refusedFields, old.refusedFields, what);
  assert.deepEqual(got.fieldErrors, old.fieldErrors, what);
  const a = old.batch;
  const b = got.batch;
  assert.equal(b.size, a.size, what);
  // Same labels, with the same key order.
  assert.deepEqual(
    b.labels.map((l) => Object.entries(l)),
    a.labels.map((l) => Object.entries(l)),
    what,
  );
  for (const l of b.labels) assert.ok(Object.isFrozen(l), what);
  assert.deepEqual(Array.from(b.ends), Array.from(a.ends), what);
  // Bit for bit (-0 and all).
  assert.deepEqual(bits(b.timestamps), bits(a.timestamps), what);
  assert.deepEqual(bits(b.values), bits(a.values), what);
}

/** Random bodies exercising the grammar: segments of text and raw bytes (invalid UTF-8). */
class BodyGen {
  /** Only valid values and timestamps (most bodies then parse, so the comparison covers results as well as errors). */
  clean = false;

  constructor(private readonly r: () => number) {}

  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.r() * xs.length)]!;
  }

  chance(p: number): boolean {
    return this.r() < p;
  }

  int(n: number): number {
    return Math.floor(this.r() * n);
  }

  name(kind: 'measurement' | 'key' | 'value'): string {
    const plain = ['cpu', 'mem', 'disk.io', 'host', 'region', 'a', 'b', 'usage', 'value', 'x-y', '1st', 'Zz_9', 'value', 'eu', 'ab:cd', 'n/a'];
    let s = this.pick(plain);
    if (this.chance(this.clean ? 0.02 : 0.15)) {
      const escapes = kind === 'measurement' ? ['\\,', '\\ ', '\\\\', '\\=', '\\x', 'é', '\\é', '"'] : ['\\,', '\\=', '\\ ', '\\\\', '\\x', 'é', '\\é', '"', '\\'];
      const e = this.pick(escapes);
      const at = this.int(s.length + 1);
      s = s.slice(0, at) + e + s.slice(at);
    }
    return s;
  }

  value(): string {
    const r = this.r();
    const n = this.clean ? -3 : 0;
    if (r < 0.45) return this.float();
    if (r < 0.6) return this.pick(['0', '-0', '1', '-1', '42', '007', '9223372036854775807', '-9223372036854775808', '123456789012345', '1234567890123456', '-999999999999999', '9223372036854775808', '-9223372036854775809', '+5'].slice(0, n || undefined)) + 'i';
    if (r < 0.7) return this.pick(['0', '1', '18446744073709551615', '999999999999999', '9999999999999999', '00000000000000000001', '18446744073709551616', '-1'].slice(0, n || undefined)) + 'u';
    if (r < 0.82) return this.pick(['t', 'T', 'true', 'True', 'TRUE', 'f', 'F', 'false', 'False', 'FALSE', 'tRUE', 'fALSE', 'yes', 'truE'].slice(0, this.clean ? -4 : undefined));
    if (r < 0.92 || this.clean) return this.pick(['"x"', '"a \\"q\\" , b"', '"\\\\"', '""', '"é"', '"with space=1,k=2"', '"open'].slice(0, this.clean ? -1 : undefined));
    return this.pick(['', 'abc', '1.2.3', '1e', '.', '-', '+.5', '1e400', '-1e400', '0x10', 'NaN', 'Infinity', '1_000', '1,5']);
  }

  float(): string {
    const r = this.r();
    const digits = (n: number) => Array.from({ length: n }, () => String(this.int(10))).join('');
    const sign = this.pick(['', '', '', '-', '+']);
    let m: string;
    if (r < 0.3) m = digits(1 + this.int(8)) + '.' + digits(this.int(8));
    else if (r < 0.45) m = '.' + digits(1 + this.int(6));
    else if (r < 0.6) m = digits(1 + this.int(20));
    else if (r < 0.75) m = digits(1 + this.int(3)) + '.' + digits(12 + this.int(8));
    else if (r < 0.85) m = this.pick(['0', '0.0', '0.', '1.', '00000000249085362176.000', '0000000011960954880.0000', '9007199254740993', '0.1', '0.30000000000000004']);
    else m = digits(1 + this.int(17));
    const exps = [0, 1, 5, 15, 21, 22, 23, 30, 300, 307, 308, 309, 324, 330];
    const exp = this.chance(0.3) ? this.pick(['e', 'E']) + this.pick(['', '-']) + String(this.pick(this.clean ? exps.slice(0, 8) : exps)) : this.clean || this.chance(0.5) ? '' : 'e+' + String(this.int(40));
    return sign + m + exp;
  }

  timestamp(precision: Precision): string {
    const r = this.r();
    if (r < 0.2) return '';
    if (r < 0.6) {
      const ms = 1_700_000_000_000 + this.int(1_000_000);
      const scaled = { ns: BigInt(ms) * 1_000_000n + BigInt(this.int(1_000_000)), us: BigInt(ms) * 1000n + BigInt(this.int(1000)), ms: BigInt(ms), s: BigInt(Math.floor(ms / 1000)), m: BigInt(Math.floor(ms / 60_000)), h: BigInt(Math.floor(ms / 3_600_000)) }[precision];
      return scaled.toString();
    }
    if (r < 0.85 || this.clean) return String(this.int(10 ** (1 + this.int(15)))) + (precision === 'ns' ? '0'.repeat(this.int(8)) : '');
    return this.pick(['0', '000000', '0000001', '-5', '-0', '12x', '9007199254740991', '9007199254740992', '9007199254740991999999', '9007199254740992000000', '99999999999999999999999', '+5', '1 2', '١٢']);
  }

  line(precision: Precision, series: readonly string[]): string {
    const part = this.chance(0.8) ? this.pick(series) : this.seriesPart();
    const fields: string[] = [];
    const n = this.chance(0.6) ? 1 : 1 + this.int(4);
    for (let k = 0; k < n; k++) fields.push(`${this.chance(0.7) ? this.pick(['value', 'usage', 'idle', 'n']) : this.name('key')}=${this.value()}`);
    const ts = this.timestamp(precision);
    const sp = () => (this.chance(0.9) ? ' ' : this.pick(this.clean ? ['  ', '   '] : ['  ', '   ', '\t', ' \t']));
    let line = part + sp() + fields.join(',') + (ts === '' ? '' : sp() + ts);
    if ((ts !== '' || !this.clean) && this.chance(0.05)) line += this.pick([' ', '  ', '\t', '\u00a0', '\r', ' \u000b', '\u2028']);
    if (this.chance(0.05)) line = this.pick([' ', '\t', '  \t']) + line;
    return line;
  }

  seriesPart(): string {
    let s = this.name('measurement');
    const tags = this.int(4);
    for (let k = 0; k < tags; k++) s += `,${this.name('key')}=${this.name('value')}`;
    return s;
  }

  /** Series parts written in several ways: tag orders swapped and names that sanitise alike. */
  seriesPool(n: number): string[] {
    const pool: string[] = [];
    for (let i = 0; i < n; i++) {
      const tags = [`host=h${i % 5}`, `region=${this.pick(['eu', 'us'])}`, `job=node`].slice(0, 1 + this.int(3));
      const m = this.pick(['cpu', 'mem', 'disk.io', 'disk_io', 'net']);
      pool.push([m, ...tags].join(','));
      if (tags.length > 1) pool.push([m, ...tags.slice().reverse()].join(','));
      if (this.chance(0.3)) pool.push(this.seriesPart());
    }
    return pool;
  }

  body(precision: Precision, series: readonly string[]): Buffer {
    const parts: Buffer[] = [];
    const lines = 1 + this.int(30);
    for (let i = 0; i < lines; i++) {
      const r = this.r();
      if (r < 0.04) parts.push(Buffer.from(''));
      else if (r < 0.08) parts.push(Buffer.from(this.pick(['# comment', '#', '  # indented', '\t', ' '])));
      else {
        let line = Buffer.from(this.line(precision, series), 'utf8');
        if (this.chance(this.clean ? 0.005 : 0.04)) {
          // Invalid UTF-8 somewhere in the line.
          const at = this.int(line.length + 1);
          const bad = this.pick([[0xff], [0xc3], [0xe2, 0x82], [0x80], [0xed, 0xa0, 0x80], [0xf0, 0x9f, 0x98]]);
          line = Buffer.concat([line.subarray(0, at), Buffer.from(bad), line.subarray(at)]);
        }
        parts.push(line);
      }
    }
    const eol = this.chance(0.2) ? '\r\n' : '\n';
    let body = Buffer.concat(parts.flatMap((p, i) => (i === 0 ? [p] : [Buffer.from(this.chance(0.1) ? this.pick(['\n', '\r\n']) : eol), p])));
    if (this.chance(0.5)) body = Buffer.concat([body, Buffer.from(eol)]);
    if (!this.clean && this.chance(0.05)) body = Buffer.from(mutate(body, this.r));
    return body;
  }
}

test('byte parser = string parser on random bodies, request after request (cache, follower guess, eviction, limits)', () => {
  const r = rng(20240611);
  const g = new BodyGen(r);
  const started = Date.now();
  let compared = 0;
  let errors = 0;
  for (let run = 0; run < 60; run++) {
    const pair = new Pair(run % 4 === 3 ? 1 + g.int(12) : undefined);
    g.clean = g.chance(0.8);
    const pool = g.seriesPool(2 + g.int(12));
    const lim: IngestLimits = g.chance(0.2)
      ? { ...limits, maxSeriesPerRequest: 1 + g.int(20), maxSamplesPerRequest: 1 + g.int(60), maxLabelValueLength: g.chance(0.1) ? 3 : limits.maxLabelValueLength, maxLabelsPerSeries: g.chance(0.1) ? 3 : limits.maxLabelsPerSeries }
      : limits;
    const precision = g.pick(PRECISIONS);
    g.clean = true;
    const bodies = Array.from({ length: 3 }, () => g.body(precision, pool));
    for (let req = 0; req < 25; req++) {
      // Repeat bodies as senders do, with new ones in between.
      g.clean = g.chance(0.7);
      const body = g.chance(0.6) ? g.pick(bodies) : g.body(precision, pool);
      const { old, got } = pair.run(body, precision, lim, 1_700_000_000_000 + req);
      assertSame(old, got, `run ${run} request ${req} (${precision}): ${JSON.stringify(body.toString('latin1'))}`);
      compared++;
      if ('error' in old) errors++;
    }
  }
  assert.ok(errors > 50 && errors < compared - 200, `${errors} errors of ${compared}`);
  assert.ok(Date.now() - started < 60_000);
});

test('byte parser = string parser on the regular lines a sender repeats (the fast path), with and without timestamps', () => {
  const pair = new Pair();
  const lines: string[] = [];
  for (let i = 0; i < 200; i++) lines.push(`node_${i % 7},instance=host-${i % 13}:9100,job=node,series=${i} value=${(i * 1.37).toFixed(i % 9)},n=${i}i,ok=${i % 2 ? 'true' : 'F'} ${1_700_000_000_000_000_000n + BigInt(i) * 1_000_123n}`);
  lines.push('node_1,instance=host-1:9100,job=node,series=1 value=-0');
  lines.push('node_1,job=node,instance=host-1:9100,series=1 value=-0.0e5,x=.5E-3,y=+12.e2 1700000000000000000   ');
  const body = Buffer.from(lines.join('\n') + '\n');
  for (let req = 0; req < 3; req++) for (const p of PRECISIONS) {
    const { old, got } = pair.run(body, p, limits, 5);
    assertSame(old, got, `${p} request ${req}`);
  }
  // The same frozen label sets request after request.
  const a = pair.parser.parse(body, 'ns', limits, 0).batch.labels;
  const b = pair.parser.parse(body, 'ns', limits, 0).batch.labels;
  for (let i = 0; i < a.length; i++) assert.equal(a[i], b[i]);
});

test('the cache keeps copies of the bytes it is keyed by: a body reused and rewritten in place (as a sender may) is read anew', () => {
  const parser = new LineProtocolParser();
  const body = Buffer.from('cpu,host=a value=1 1000000\ncpu,host=b value=2 2000000\n');
  const names = () => parser.parse(body, 'ns', limits, 0).batch.labels.map((l) => `${l.__name__}/${l.host}`);
  assert.deepEqual(names(), ['cpu/a', 'cpu/b']);
  body.write('c', 9, 'latin1');
  body.write('vvvvv', 38, 'latin1');
  assert.deepEqual(names(), ['cpu/c', 'cpu_vvvvv/b']);
  body.write('a', 9, 'latin1');
  body.write('value', 38, 'latin1');
  assert.deepEqual(names(), ['cpu/a', 'cpu/b']);
});

test('timestamps are exact per precision at the boundaries (floor, safe-integer range, same errors)', () => {
  const divisor: Record<Precision, bigint> = { ns: 1_000_000n, us: 1000n, ms: 1n, s: 1n, m: 1n, h: 1n };
  const factor: Record<Precision, bigint> = { ns: 1n, us: 1n, ms: 1n, s: 1000n, m: 60_000n, h: 3_600_000n };
  const max = BigInt(Number.MAX_SAFE_INTEGER);
  for (const p of PRECISIONS) {
    const pair = new Pair();
    const edge = (max / factor[p]) * divisor[p];
    const cases = [0n, 1n, divisor[p] - 1n, divisor[p], divisor[p] + 1n, 1_700_000_000_123_456_789n / (1_000_000n / divisor[p] || 1n), edge - 1n, edge, edge + divisor[p] - 1n, edge + divisor[p], edge * 10n, max, max + 1n];
    for (const ts of cases) {
      const texts = [ts.toString(), '000' + ts.toString()];
      for (const text of texts) {
        const body = Buffer.from(`m,h=a v=1 ${text}\nm,h=a v=2 ${text}\n`);
        for (let req = 0; req < 2; req++) {
          const { old, got } = pair.run(body, p, limits, 0);
          assertSame(old, got, `${p} ${text}`);
          const ms = (ts / divisor[p]) * factor[p];
          if (ms <= max) {
            assert.ok(!('error' in got), `${p} ${text}`);
            assert.equal(got.batch.timestamps[0], Number(ms), `${p} ${text}`);
          } else assert.ok('error' in got && /out of range/.test(got.error.message), `${p} ${text}`);
        }
      }
    }
  }
});

test('float field values are bit-identical to Number() of their text', () => {
  const r = rng(99);
  const g = new BodyGen(r);
  const check = (s: string) => {
    const v = fieldValueBytes(Buffer.from(s), 0, s.length);
    const want = Number(s);
    if (Number.isFinite(want)) assert.ok(Object.is(v, want), `${s}: ${v} vs ${want}`);
    else assert.ok(Number.isNaN(v), s);
  };
  for (let i = 0; i < 50_000; i++) check(g.float());
  for (const s of ['0', '-0', '+0', '-0.0', '.0', '0.', '1e22', '1e23', '9e22', '123456789012345e-22', '123456789012345e7', '999999999999999.9', '0.1e-22', '1.7976931348623157e308', '4.9e-324', '2.2250738585072014e-308', '1e-400', '-1e-400', '000000000000000000001.5'])
    check(s);
});

test('the value of a line as the parser stores it is bit-identical to Number() of its text (plain decimals are read as they are scanned)', () => {
  const g = new BodyGen(rng(7));
  const texts: string[] = [];
  for (let i = 0; i < 20_000; i++) texts.push(g.float());
  texts.push('0', '-0', '-0.0', '1.', '1.5', '-12.25', '007.50', '999999999999999', '9999999999999999', '0.000000000000001', '123456789.012345', '12345678.9012345678');
  const finite = texts.filter((s) => Number.isFinite(Number(s)));
  // One series per line (values of one series would be regrouped by the batch), each ended by a space, a comma or the line's end.
  const lines = finite.map((s, i) => `m,series=${i} value=${s}${i % 3 === 0 ? ' 1700000000000' : i % 3 === 1 ? ',x=1i' : ''}`);
  const parser = new LineProtocolParser();
  for (let round = 0; round < 2; round++) {
    const { batch } = parser.parse(Buffer.from(lines.join('\n')), 'ms', limits, 0);
    let checked = 0;
    for (let g2 = 0; g2 < batch.size; g2++) {
      const series = Number(batch.labels[g2]!.series);
      if (batch.labels[g2]!.__name__ !== 'm') continue;
      const want = Number(finite[series]);
      assert.ok(Object.is(batch.values[batch.ends[g2]! - 1]!, want), `${finite[series]}: ${batch.values[batch.ends[g2]! - 1]} vs ${want}`);
      checked++;
    }
    assert.equal(checked, finite.length);
  }
});

test('fuzz: random and mutated bodies only ever raise 400/413 VigilErrors, quickly', () => {
  const r = rng(5);
  const g = new BodyGen(r);
  const parser = new LineProtocolParser();
  const base = Buffer.from('cpu,host=a\\ b,zone=e\\=1 usage=1.5,count=3i,ok=t,msg="x \\"y\\"" 1700000000000000000\ncpu,host=a value=2 1700000000000000000\n');
  const alphabet = Buffer.from('abc,= "\\\n\r\t0123456789.eEiutfTF-+#\u00e9');
  const started = Date.now();
  for (let i = 0; i < 20_000; i++) {
    let body: Buffer;
    if (i % 3 === 0) body = Buffer.from(Array.from({ length: g.int(80) }, () => (g.chance(0.05) ? g.int(256) : alphabet[g.int(alphabet.length)]!)));
    else if (i % 3 === 1) body = Buffer.from(mutate(base, r));
    else body = Buffer.from(mutate(g.body(g.pick(PRECISIONS), ['cpu,host=a', 'mem']), r));
    try {
      parser.parse(body, g.pick(PRECISIONS), limits, 1);
    } catch (e) {
      if (!(e instanceof VigilError) || (e.statusCode !== 400 && e.statusCode !== 413)) throw e;
    }
  }
  assert.ok(Date.now() - started < 20_000);
});
