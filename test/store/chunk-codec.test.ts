import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_ABS_TIMESTAMP, decodeChunk, encodeChunk, chunkSampleCount } from '../../src/store/chunk-codec.js';
import { BitReader, BitWriter } from '../../src/store/bit-stream.js';
import { planWidths, readVarbits, writeVarbits, zigzag, unzigzag } from '../../src/store/varbits.js';
import { STALE_NAN, isStaleMarker } from '../../src/core/sample.js';
import { mulberry32 } from '../../src/core/mulberry32.js';

const NAB_DIR = join(process.cwd(), '..', 'shared', 'datasets', 'nab', 'data');

const rng = mulberry32;

function bits(a: Float64Array): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.length * 2);
}

/** Asserts exact round trip: timestamps equal, values bit-identical (stale markers canonical). */
function roundTrip(ts: ArrayLike<number>, vs: ArrayLike<number>, what: string): Uint8Array {
  const data = encodeChunk(ts, vs);
  assert.equal(chunkSampleCount(data), ts.length, `${what}: count`);
  const d = decodeChunk(data);
  assert.equal(d.timestamps.length, ts.length);
  const want = Float64Array.from(vs);
  const wb = bits(want);
  const gb = bits(d.values);
  for (let i = 0; i < ts.length; i++) {
    assert.equal(d.timestamps[i], ts[i], `${what}: timestamp ${i}`);
    if (isStaleMarker(want[i]!)) {
      assert.ok(isStaleMarker(d.values[i]!), `${what}: stale marker ${i}`);
      continue;
    }
    if (wb[2 * i] !== gb[2 * i] || wb[2 * i + 1] !== gb[2 * i + 1]) assert.fail(`${what}: value ${i}: want ${want[i]} got ${d.values[i]}`);
  }
  return data;
}

test('bit stream: bits, wide values and varints round-trip', () => {
  const r = rng(1);
  const w = new BitWriter(4);
  const ops: Array<[string, number, number]> = [];
  for (let i = 0; i < 5000; i++) {
    const kind = Math.floor(r() * 4);
    if (kind === 0) {
      const n = Math.floor(r() * 33);
      const v = n === 0 ? 0 : Math.floor(r() * 2 ** n);
      w.writeBits(v, n);
      ops.push(['bits', v, n]);
    } else if (kind === 1) {
      const n = 33 + Math.floor(r() * 21);
      const v = Math.floor(r() * 2 ** n);
      w.writeWide(v, n);
      ops.push(['wide', v, n]);
    } else if (kind === 2) {
      const v = Math.floor(r() * 2 ** Math.floor(r() * 54));
      w.writeVarint(v);
      ops.push(['varint', v, 0]);
    } else {
      const v = (r() < 0.5 ? -1 : 1) * Math.floor(r() * 2 ** Math.floor(r() * 54));
      w.writeSignedVarint(v);
      ops.push(['svarint', v, 0]);
    }
  }
  const rd = new BitReader(w.finish());
  for (const [kind, v, n] of ops) {
    const got = kind === 'bits' ? rd.readBits(n) : kind === 'wide' ? rd.readWide(n) : kind === 'varint' ? rd.readVarint() : rd.readSignedVarint();
    assert.equal(got, v === 0 ? 0 : v, kind);
  }
});

test('varbits: zigzag is exact up to 2^52 and the planner picks widths that fit', () => {
  for (const v of [0, 1, -1, 2 ** 52, -(2 ** 52), 123456789, -987654321]) assert.equal(unzigzag(zigzag(v)), v);
  const us = [0, 0, 3, 0, 1, 5, 200, 0, 2 ** 40, 7];
  const plan = planWidths(us, us.length);
  const w = new BitWriter();
  writeVarbits(w, us, us.length, plan);
  const out = new Float64Array(us.length);
  readVarbits(new BitReader(w.finish()), us.length, out);
  assert.deepEqual([...out], us);
  assert.equal(planWidths([0, 0, 0], 3)[4], 1, 'an all-zero run costs one bit');
});

test('random timestamps and random value bit patterns round-trip exactly', () => {
  const r = rng(42);
  const raw = new Float64Array(1);
  const rawBits = new Uint32Array(raw.buffer);
  for (let c = 0; c < 300; c++) {
    const n = 1 + Math.floor(r() * 300);
    const ts: number[] = [];
    let t = Math.floor((r() - 0.5) * 2 * 2 ** 49);
    const vs: number[] = [];
    const mode = c % 4;
    for (let i = 0; i < n; i++) {
      ts.push(t);
      t += 1 + Math.floor(r() * (r() < 0.5 ? 30 : 1e7));
      if (mode === 0) {
        // Any bit pattern; NaNs other than the two we guarantee are normalised first.
        rawBits[0] = Math.floor(r() * 2 ** 32);
        rawBits[1] = Math.floor(r() * 2 ** 32);
        vs.push(raw[0]! !== raw[0]! ? (r() < 0.5 ? NaN : STALE_NAN) : raw[0]!);
      } else if (mode === 1) vs.push(Math.round((r() - 0.5) * 1e6) / 100);
      else if (mode === 2) vs.push(Math.floor(r() * 2 ** 50) * (r() < 0.5 ? -1 : 1));
      else vs.push((r() - 0.5) * 10 ** Math.floor(r() * 40 - 20));
    }
    roundTrip(ts, vs, `chunk ${c} (mode ${mode}, n ${n})`);
  }
});

test('edge cases: NaN, infinities, stale markers, -0, extreme timestamps, one sample', () => {
  roundTrip([0], [0], 'single zero');
  roundTrip([1_700_000_000_000], [STALE_NAN], 'single stale marker');
  roundTrip([-MAX_ABS_TIMESTAMP, 0, MAX_ABS_TIMESTAMP], [-0, Infinity, -Infinity], 'extremes');
  roundTrip([1, 2, 3, 4, 5], [NaN, NaN, 1, NaN, -0], 'NaN and -0');
  roundTrip([10, 20, 30, 40], [1.5, STALE_NAN, 2.5, STALE_NAN], 'stale markers among decimals');
  roundTrip([5, 6, 1000, 1001, 50_000_000, 50_000_001], [Number.MAX_VALUE, Number.MIN_VALUE, -Number.MAX_VALUE, 5e-324, 1e308, -1e-308], 'irregular, extreme values');
  roundTrip([0, 1], [0.1 + 0.2, 0.3], 'float noise');
  roundTrip([0, 1, 2], [2 ** 50, -(2 ** 50), 2 ** 53], 'large integers');
  assert.throws(() => encodeChunk([0.5], [1]), RangeError, 'fractional timestamps are refused');
  assert.throws(() => encodeChunk([2 ** 51], [1]), RangeError);
  assert.throws(() => encodeChunk([], []), RangeError);
});

test('a quieted stale marker is written with the canonical bits', () => {
  const quiet = new Float64Array(1);
  const qb = new Uint32Array(quiet.buffer);
  const little = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  qb[little ? 1 : 0] = 0x7ff80000;
  qb[little ? 0 : 1] = 0x00000002;
  assert.ok(isStaleMarker(quiet[0]!));
  const d = decodeChunk(encodeChunk([1, 2], [quiet[0]!, 1]));
  const b = bits(d.values);
  assert.equal(b[little ? 1 : 0], 0x7ff00000);
  assert.equal(b[little ? 0 : 1], 0x00000002);
});

test('regular scrapes with slowly varying values cost well under 2 bytes a sample', () => {
  const n = 120;
  const ts = Array.from({ length: n }, (_, i) => 1_700_000_000_000 + i * 15_000);
  const counter = ts.map((_, i) => Math.round((123456.78 + i * 4.5 + (i % 7) * 0.01) * 100) / 100);
  const pages = ts.map((_, i) => 8_000_000_000 + 4096 * ((i * 37) % 50));
  const constant = ts.map(() => 1);
  assert.ok(roundTrip(ts, counter, 'counter').length / n < 1.5);
  assert.ok(roundTrip(ts, pages, 'page gauge').length / n < 1.2);
  assert.ok(roundTrip(ts, constant, 'constant').length / n < 0.2);
});

test('truncated chunks are refused, not misread', () => {
  const ts = Array.from({ length: 50 }, (_, i) => i * 1000);
  const data = encodeChunk(
    ts,
    ts.map((t) => Math.sin(t)),
  );
  assert.throws(() => decodeChunk(data.subarray(0, data.length >> 1)), RangeError);
  const bad = data.slice();
  bad[0] = 0x70;
  assert.throws(() => decodeChunk(bad), /version/);
});

function csvFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) csvFiles(p, out);
    else if (name.endsWith('.csv')) out.push(p);
  }
  return out;
}

test('every NAB series round-trips exactly in 120-sample chunks', (t) => {
  let files: string[];
  try {
    files = csvFiles(NAB_DIR);
  } catch {
    t.skip(`NAB data not found at ${NAB_DIR}`);
    return;
  }
  assert.ok(files.length > 0);
  let samples = 0;
  let bytes = 0;
  for (const f of files) {
    const lines = readFileSync(f, 'utf8').split('\n').slice(1);
    const ts: number[] = [];
    const vs: number[] = [];
    for (const line of lines) {
      if (!line.trim()) continue;
      const [when, value] = line.split(',');
      ts.push(Date.parse(when!.replace(' ', 'T') + 'Z'));
      vs.push(Number(value));
    }
    for (let i = 0; i < ts.length; i += 120) {
      const data = roundTrip(ts.slice(i, i + 120), vs.slice(i, i + 120), `${f} @${i}`);
      bytes += data.length;
    }
    samples += ts.length;
  }
  t.diagnostic(`NAB: ${files.length} files, ${samples} samples, ${(bytes / samples).toFixed(3)} bytes/sample`);
});
