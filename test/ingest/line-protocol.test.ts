import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineProtocolParser } from '../../src/ingest/line-protocol/byte-parser.js';
import { type Precision, parsePrecision } from '../../src/ingest/line-protocol/parse.js';
import { DEFAULT_INGEST_LIMITS, type IngestLimits } from '../../src/ingest/limits.js';
import { writesOfBatch } from '../../src/store/sample-batch.js';
import { VigilError } from '../../src/core/errors.js';
import { rng } from './remote-write-helpers.js';

const limits = DEFAULT_INGEST_LIMITS;

/** Parses `text` as the route does (a parser per route, kept across requests: pass one to share it). */
function parseLineProtocol(text: string, precision: Precision, lim: IngestLimits, now: number, parser = new LineProtocolParser()) {
  const r = parser.parse(Buffer.from(text), precision, lim, now);
  return { writes: writesOfBatch(r.batch), samples: r.samples, fieldErrors: r.fieldErrors, refusedFields: r.refusedFields };
}

function series(text: string, precision = parsePrecision(undefined, 'v2'), now = 123_000) {
  const r = parseLineProtocol(text, precision, limits, now);
  return {
    ...r,
    byName: Object.fromEntries(r.writes.map((w) => [w.labels.__name__, { labels: w.labels, t: Array.from(w.timestamps), v: Array.from(w.values) }])),
  };
}

test('fields of every numeric type become <measurement>_<field> series with tags as labels', () => {
  const r = series('cpu,host=a,region=eu usage=1.5,count=3i,big=4u,up=true,down=F,e=-1.5e3 1700000000000000000\n');
  assert.deepEqual(r.byName.cpu_usage, { labels: { host: 'a', region: 'eu', __name__: 'cpu_usage' }, t: [1_700_000_000_000], v: [1.5] });
  assert.deepEqual(r.byName.cpu_count!.v, [3]);
  assert.deepEqual(r.byName.cpu_big!.v, [4]);
  assert.deepEqual(r.byName.cpu_up!.v, [1]);
  assert.deepEqual(r.byName.cpu_down!.v, [0]);
  assert.deepEqual(r.byName.cpu_e!.v, [-1500]);
  assert.equal(r.samples, 6);
});

test('a field named value is named after the measurement; invalid name characters become _', () => {
  const r = series('disk.io,dev-name=sda value=2,read-bytes=3 1000000');
  assert.ok(r.byName.disk_io);
  assert.deepEqual(r.byName.disk_io!.labels, { dev_name: 'sda', __name__: 'disk_io' });
  assert.ok(r.byName['disk_io_read_bytes']);
  assert.deepEqual(r.byName.disk_io!.t, [1]);
});

test('escaping: commas, spaces and equals signs in names and tags; quotes and backslashes in strings', () => {
  const r = series('my\\ meas\\,x,tag\\ key=va\\,l\\=ue\\ x f\\=ld=1,s="a \\"q\\" , b" 5000000');
  const w = r.writes[0]!;
  assert.equal(w.labels.__name__, 'my_meas_x_f_ld');
  assert.equal(w.labels.tag_key, 'va,l=ue x');
  assert.equal(r.refusedFields, 1);
  assert.match(r.fieldErrors[0]!, /^line 1: field "s": string values are not supported/);
});

test('string fields are refused per field, the other fields of the line are kept', () => {
  const r = series('syslog,host=a msg="disk full",severity=3i\nsyslog,host=a severity=4i,msg="ok"');
  assert.equal(r.refusedFields, 2);
  assert.deepEqual(r.fieldErrors.map((e) => e.slice(0, 7)), ['line 1:', 'line 2:']);
  assert.deepEqual(r.byName.syslog_severity!.v, [3, 4]);
});

test('precision: v2 ns/us/ms/s and v1 n/u/ms/s/m/h convert to ms; missing timestamp = receive time', () => {
  const cases: Array<[string, 'v1' | 'v2', string, number]> = [
    ['ns', 'v2', '1700000000123456789', 1_700_000_000_123],
    ['us', 'v2', '1700000000123456', 1_700_000_000_123],
    ['ms', 'v2', '1700000000123', 1_700_000_000_123],
    ['s', 'v2', '1700000000', 1_700_000_000_000],
    ['n', 'v1', '1700000000123456789', 1_700_000_000_123],
    ['u', 'v1', '1700000000123456', 1_700_000_000_123],
    ['m', 'v1', '28333333', 28_333_333 * 60_000],
    ['h', 'v1', '472222', 472_222 * 3_600_000],
  ];
  for (const [p, api, ts, ms] of cases) assert.deepEqual(series(`m value=1 ${ts}`, parsePrecision(p, api)).byName.m!.t, [ms], p);
  assert.deepEqual(series("m value=1", parsePrecision("s", "v2"), 42).byName.m!.t, [42]);
  assert.throws(() => parsePrecision('h', 'v2'), /invalid precision "h"/);
});

test('comments, blank lines, CRLF and trailing spaces are fine', () => {
  const r = series('# a comment\r\n\r\n  m,a=b v=1 1000000   \r\n\n');
  assert.equal(r.samples, 1);
});

test('syntax errors are a 400 naming the line; nothing is returned', () => {
  const bad: Array<[string, RegExp]> = [
    ['m v=1\nm', /^line 2: expected a space and the field set/],
    ['m v=1\nm,t v=1', /^line 2: tag "t" has no "=value"/],
    ['m,t= v=1', /^line 1: tag "t" has an empty value/],
    ['m v=', /^line 1: field "v" has an empty value/],
    ['m v=abc', /^line 1: field "v": invalid value "abc"/],
    ['m v=1.5i', /^line 1: field "v": invalid integer/],
    ['m v=-1u', /^line 1: field "v": invalid unsigned/],
    ['m v=9223372036854775808i', /out of range/],
    ['m v="open', /unterminated string/],
    ['m v=1 12x', /invalid timestamp/],
    ['m v=1 -5', /negative timestamp/],
    ['m v=1 99999999999999999999999', /out of range/],
    [' ,t=1 v=1', /missing measurement/],
    ['m v=1e999', /out of the float64 range/],
  ];
  for (const [text, re] of bad) {
    assert.throws(
      () => parseLineProtocol(text, 'ns', limits, 0),
      (e: unknown) => e instanceof VigilError && e.statusCode === 400 && re.test(e.message),
      text,
    );
  }
});

test('limits: labels are validated, too many samples is 413', () => {
  assert.throws(() => parseLineProtocol('m,__x=1 v=1', 'ns', limits, 0), /reserved/);
  assert.throws(
    () => parseLineProtocol('m a=1,b=2,c=3', 'ns', { ...limits, maxSamplesPerRequest: 2 }, 0),
    (e: unknown) => e instanceof VigilError && e.statusCode === 413,
  );
});

test('fuzz: random text and mutated lines only ever raise 400/413 VigilErrors', () => {
  const r = rng(7);
  const base = 'cpu,host=a\\ b,zone=e\\=1 usage=1.5,count=3i,ok=t,msg="x \\"y\\"" 1700000000000000000\n';
  const alphabet = 'abc,= "\\\n\t0123456789.eEiutfTF-+#\u00e9\ud800';
  const started = Date.now();
  for (let i = 0; i < 20000; i++) {
    let text: string;
    if (i % 2 === 0) {
      const len = Math.floor(r() * 80);
      text = Array.from({ length: len }, () => alphabet[Math.floor(r() * alphabet.length)]).join('');
    } else {
      const chars = base.split('');
      const edits = 1 + Math.floor(r() * 4);
      for (let k = 0; k < edits; k++) {
        const at = Math.floor(r() * chars.length);
        const op = r();
        if (op < 0.4) chars[at] = alphabet[Math.floor(r() * alphabet.length)]!;
        else if (op < 0.7) chars.splice(at, 1);
        else chars.splice(at);
      }
      text = chars.join('');
    }
    try {
      parseLineProtocol(text, 'ns', limits, 1);
    } catch (e) {
      if (!(e instanceof VigilError) || (e.statusCode !== 400 && e.statusCode !== 413)) throw e;
    }
  }
  assert.ok(Date.now() - started < 20_000);
});

test('a series cache across requests gives the same writes, with one frozen label set per series', () => {
  const cache = new LineProtocolParser();
  const text = 'cpu,host=a,region=eu usage=1,idle=2 1000000000\ncpu,region=eu,host=a usage=3 2000000000\ncpu\\ load,host=a value=4 3000000000\n';
  const first = parseLineProtocol(text, 'ns', limits, 0, cache);
  const second = parseLineProtocol(text, 'ns', limits, 0, cache);
  const plain = parseLineProtocol(text, 'ns', limits, 0);
  const shape = (r: ReturnType<typeof parseLineProtocol>) => r.writes.map((w) => ({ labels: { ...w.labels }, t: Array.from(w.timestamps), v: Array.from(w.values) }));
  assert.deepEqual(shape(first), shape(plain));
  assert.deepEqual(shape(second), shape(plain));
  // Tag order does not split a series: usage has both samples in one write.
  assert.deepEqual(shape(plain).find((w) => w.labels.__name__ === 'cpu_usage')?.v, [1, 3]);
  // The second request hands out the very same (frozen) label objects.
  assert.ok(Object.isFrozen(second.writes[0]!.labels));
  assert.deepEqual(
    second.writes.map((w) => w.labels),
    first.writes.map((w) => w.labels),
  );
  for (let i = 0; i < first.writes.length; i++) assert.equal(second.writes[i]!.labels, first.writes[i]!.labels);
  // A cached series part does not excuse a broken field set.
  assert.throws(() => parseLineProtocol('cpu,host=a,region=eu usage=\n', 'ns', limits, 0, cache), /line 1: field "usage" has an empty value/);
  assert.throws(() => parseLineProtocol('cpu,host=a,region=eu\n', 'ns', limits, 0, cache), /line 1: expected a space/);
});
