import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { encodeChunk } from '../../src/store/chunk-codec.js';
import { ChunkEncoder } from '../../src/store/chunk-encoder.js';
import { HeadSeries } from '../../src/store/head.js';
import { HeadArena } from '../../src/store/head-arena.js';
import { T0, eq, open, readOne, tempDir } from './helpers.js';

/** Waits until `done()` holds (the encoder thread answers by events), failing after 10 s. */
async function until(done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000 && !done(); i++) await sleep(10);
  assert.ok(done(), `timed out waiting for ${what}`);
}

function filledSeries(samples: number, t0 = T0): HeadSeries {
  const s = new HeadSeries(1, { __name__: 'x' }, 'h', new HeadArena());
  for (let i = 0; i < samples; i++) s.push(t0 + i * 15_000, Math.round(Math.sin(i) * 1000) / 100);
  return s;
}

/** What the ingest thread would write for head samples [from, to). */
function encodeHead(s: HeadSeries, from: number, to: number): Uint8Array {
  const ts = new Float64Array(to - from);
  const vs = new Float64Array(to - from);
  s.copyOut(from, to, ts, vs);
  return encodeChunk(ts, vs);
}

test('the encoder thread gives each closed chunk the bytes the ingest thread would have written', async (t) => {
  const failures: Error[] = [];
  const enc = new ChunkEncoder(10, (e) => failures.push(e));
  t.after(() => enc.close());
  const s = filledSeries(35);
  enc.submit(s);
  assert.equal(s.pendingTo, 30, 'three closed chunks sent; the open one stays');
  assert.equal(s.encodedTo, 0);
  await until(() => s.encodedTo === 30, 'three chunks');
  assert.deepEqual(
    s.ahead.map((b) => [...b]),
    [0, 10, 20].map((from) => [...encodeHead(s, from, from + 10)]),
  );
  assert.equal(enc.accepted, 3);
  assert.deepEqual(failures, []);
});

test('an answer for a chunk the head has changed since is not taken', async (t) => {
  const enc = new ChunkEncoder(10, () => {});
  t.after(() => enc.close());
  const s = filledSeries(20);
  enc.submit(s);
  // A late sample lands inside the chunk being encoded: the head forgets what is with the thread.
  s.insertAt(3, s.timeAt(3) - 1, 42);
  assert.equal(s.pendingTo, 0);
  enc.submit(s);
  await until(() => enc.accepted === 2, 'the chunks sent again');
  assert.equal(s.encodedTo, 20);
  assert.deepEqual([...s.ahead[0]!], [...encodeHead(s, 0, 10)], 'the chunk with the late sample');
});

test('when the encoder thread fails, its chunks go back to be encoded again', async (t) => {
  const failures: Error[] = [];
  const enc = new ChunkEncoder(10, (e) => failures.push(e));
  t.after(() => enc.close());
  // The head takes samples its caller has checked; a fractional time makes the thread's encoder throw.
  const s = new HeadSeries(1, { __name__: 'x' }, 'h', new HeadArena());
  for (let i = 0; i < 10; i++) s.push(T0 + i + 0.5, i);
  enc.submit(s);
  await until(() => failures.length === 1, 'the failure');
  assert.match(failures[0]!.message, /timestamp/);
  assert.equal(s.pendingTo, s.encodedTo, 'nothing left pending');
  assert.equal(enc.open, false);
});

test('a busy store moves chunk encoding to its thread; what the checkpoint stores is the same', async (t) => {
  const n = 200;
  const rounds = 45;
  const write = (opts: Parameters<typeof open>[1]) => {
    const s = open(tempDir(t), { chunkSamples: 8, ...opts });
    for (let r = 0; r < rounds; r++) {
      const writes = [];
      for (let i = 0; i < n; i++) writes.push({ labels: { __name__: 'm', host: `h${i}` }, timestamps: [T0 + r * 15_000], values: [Math.round((r * 7 + i) % 13) / 4] });
      assert.equal(s.append(writes).accepted, n);
    }
    return s;
  };
  const inline = write({ encoderThreadAfter: Infinity });
  const threaded = write({ encoderThreadAfter: 100 });
  t.after(() => {
    inline.close();
    threaded.close();
  });
  await until(() => threaded.stats().chunksEncodedByThread > 0, 'chunks from the thread');
  assert.equal(inline.stats().chunksEncodedByThread, 0);
  inline.checkpoint();
  threaded.checkpoint();
  assert.deepEqual(threaded.chunkPayload(), inline.chunkPayload(), 'the same chunks, byte for byte in size');
  for (const host of ['h0', 'h77', 'h199']) assert.deepEqual(readOne(threaded, [eq('host', host)]), readOne(inline, [eq('host', host)]), host);
});
