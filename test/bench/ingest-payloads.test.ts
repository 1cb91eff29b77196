import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lineProtocolPayload, writeFloatText } from '../../bench/ingest-payloads.js';
import { SeriesGen } from '../../bench/series-gen.js';
import { LineProtocolParser } from '../../src/ingest/line-protocol/byte-parser.js';
import { DEFAULT_INGEST_LIMITS } from '../../src/ingest/limits.js';

const T = 1_700_000_000_000;

function text(v: number): string {
  const out = new Uint8Array(32);
  return Buffer.from(out.subarray(0, writeFloatText(out, 0, v))).toString('latin1');
}

test('values are written as Telegraf writes floats: the shortest form, as String gives it', () => {
  for (const v of [0, -0, 7, -12, 0.5, 0.05, 12.34, -12.3, 999_999_999, 1e9, 4096 * 99_999_999, 123_456_789_012_345, 0.1 + 0.2, 1e-7, Math.PI, -2.5e20])
    assert.equal(text(v), String(v), `${v}`);
});

test('a line-protocol round reads back as the values and the time it was written with', () => {
  const gen = new SeriesGen(300, [], 7);
  const p = lineProtocolPayload(gen, 100, 150);
  const drawn: number[] = [];
  p.patch(T, { next: (i) => (drawn[i - 100] = gen.next(i)) });
  const lines = Buffer.from(p.body).toString('latin1').split('\n');
  assert.equal(lines.length, 151, 'one line per series and a final newline');
  assert.match(lines[0]!, /^[a-z0-9_]+,instance=host-1:9100,job=node,series=0 value=[-0-9.e]+ 1700000000000000000$/);
  const parsed = new LineProtocolParser().parse(Buffer.from(p.body), 'ns', DEFAULT_INGEST_LIMITS, T);
  assert.deepEqual([...parsed.batch.values], drawn);
  assert.ok(parsed.batch.timestamps.every((t) => t === T));

  // The same round from values formatted beforehand (bench:ingest-threads' path) gives the same bytes.
  const before = Buffer.from(p.body);
  const rendered = new Uint8Array(150 * 25);
  const starts = new Uint32Array(151);
  let o = 0;
  for (let k = 0; k < 150; k++) starts[k + 1] = o = writeFloatText(rendered, o, drawn[k]!);
  p.rendered!.patch(T + 15_000, rendered, starts, 0);
  p.rendered!.patch(T, rendered, starts, 0);
  assert.deepEqual(Buffer.from(p.body), before);
});
