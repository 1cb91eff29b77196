import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, statSync, truncateSync, appendFileSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { T0, eq, open, readOne, tempDir } from './helpers.js';
import type { EmbeddedStore } from '../../src/store/embedded-store.js';
import { deleteSegmentIfPresent, segmentName } from '../../src/store/wal.js';

const sel = [eq('__name__', 'w')];

function batch(s: EmbeddedStore, from: number, n: number): void {
  const timestamps = Array.from({ length: n }, (_, i) => T0 + (from + i) * 1000);
  const r = s.append([{ labels: { __name__: 'w' }, timestamps, values: timestamps.map((t) => (t - T0) / 1000) }]);
  assert.equal(r.accepted, n);
}

function range(from: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => T0 + (from + i) * 1000);
}

function walFiles(dir: string): string[] {
  return readdirSync(join(dir, 'wal'))
    .filter((f) => f.endsWith('.wal'))
    .sort()
    .map((f) => join(dir, 'wal', f));
}

test('the WAL is replayed after a crash without checkpoint', (t) => {
  const dir = tempDir(t);
  const a = open(dir);
  batch(a, 0, 100);
  batch(a, 100, 50);
  a.abandon();
  const b = open(dir);
  assert.deepEqual(readOne(b, sel).t, range(0, 150));
  assert.equal(b.recovery.samples, 150);
  assert.equal(b.recovery.ignoredBytes, 0);
  batch(b, 150, 10);
  b.close();
  const c = open(dir);
  assert.deepEqual(readOne(c, sel).t, range(0, 160));
  assert.equal(c.recovery.samples, 0, 'a clean close leaves nothing to replay');
  c.close();
});

test('a crash after a checkpoint replays only what came after it: nothing twice', (t) => {
  const dir = tempDir(t);
  const a = open(dir, { chunkSamples: 30 });
  batch(a, 0, 100);
  a.checkpoint();
  batch(a, 100, 45);
  a.abandon();
  const b = open(dir, { chunkSamples: 30 });
  assert.deepEqual(readOne(b, sel).t, range(0, 145));
  assert.equal(b.recovery.samples, 45);
  b.checkpoint();
  batch(b, 145, 5);
  b.abandon();
  const c = open(dir, { chunkSamples: 30 });
  assert.deepEqual(readOne(c, sel).t, range(0, 150));
  c.close();
  const d = open(dir);
  assert.equal(d.chunkPayload().samples, 150);
  d.close();
});

test('WAL segments a committed checkpoint covers are skipped even if they were not deleted', (t) => {
  const dir = tempDir(t);
  const keep = join(dir, 'kept');
  mkdirSync(keep);
  const a = open(dir);
  batch(a, 0, 20);
  const before = walFiles(dir);
  for (const f of before) copyFileSync(f, join(keep, f.split('/').pop()!));
  a.checkpoint();
  batch(a, 20, 20);
  a.abandon();
  // As if the process died between the checkpoint's commit and the deletion of old segments.
  for (const f of before) copyFileSync(join(keep, f.split('/').pop()!), f);
  const b = open(dir);
  assert.deepEqual(readOne(b, sel).t, range(0, 40));
  for (const f of before) assert.ok(!existsSync(f), `${f} deleted at open`);
  b.close();
});

test('a torn record at the WAL tail is ignored; the records before it are kept', (t) => {
  const dir = tempDir(t);
  const a = open(dir);
  batch(a, 0, 10);
  batch(a, 10, 10);
  batch(a, 20, 10);
  a.abandon();
  const seg = walFiles(dir).pop()!;
  truncateSync(seg, statSync(seg).size - 5);
  const b = open(dir);
  assert.deepEqual(readOne(b, sel).t, range(0, 20));
  assert.ok(b.recovery.ignoredBytes > 0);
  b.close();
});

test('garbage after the last record and a corrupt record are detected by length and CRC', (t) => {
  const dir = tempDir(t);
  const a = open(dir);
  batch(a, 0, 10);
  batch(a, 10, 10);
  a.abandon();
  const seg = walFiles(dir).pop()!;
  appendFileSync(seg, Buffer.from([0x10, 0, 0, 0, 1, 2, 3, 4, 9, 9, 9]));
  const b = open(dir);
  assert.deepEqual(readOne(b, sel).t, range(0, 20));
  assert.equal(b.recovery.ignoredBytes, 11);
  b.abandon();
  // Flip one byte in the last record's values: its CRC fails, so replay stops before it.
  const buf = readFileSync(seg);
  buf[buf.length - 11 - 3] ^= 0xff;
  writeFileSync(seg, buf);
  const c = open(dir);
  assert.deepEqual(readOne(c, sel).t, range(0, 10));
  c.close();
});

test('kill -9 at random moments never loses an acknowledged append nor stores a sample twice', async (t) => {
  // Same formula as the fixture's.
  const value = (series: number, ts: number) => series * 1e6 + ts / 1000 + 0.25;
  const fixture = join(process.cwd(), 'dist', 'test', 'store', 'fixtures', 'crash-writer.js');
  for (const [round, fsync] of (['interval', 'never', 'always'] as const).entries()) {
    const dir = tempDir(t);
    const target = 20 + Math.floor(Math.random() * 150);
    const lastAck = await new Promise<number>((resolve, reject) => {
      const child = spawn(process.execPath, [fixture, dir, fsync], { stdio: ['ignore', 'pipe', 'inherit'] });
      let last = -1;
      let buf = '';
      child.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          const m = /^ack (\d+)$/.exec(line);
          if (m) last = Number(m[1]);
          if (last >= target) child.kill('SIGKILL');
        }
      });
      child.on('error', reject);
      child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve(last) : reject(new Error(`child exited with ${code}`))));
    });
    const s = open(dir);
    t.diagnostic(`${fsync}: killed after ack ${lastAck}; replayed ${s.recovery.samples} samples from ${s.recovery.segments} segments`);
    const res = s.read([eq('__name__', 'crash')], -Infinity, Infinity);
    assert.equal(res.length, 20, `round ${round}: every series`);
    for (const r of res) {
      const id = Number(r.labels.s);
      const ts = [...r.timestamps];
      // Acknowledged: batches 0..lastAck, 5 samples each, 1 s apart. Batches after the last ack
      // we read may have landed too, but only whole (one write(2) each) and in order.
      const acked = (lastAck + 1) * 5;
      assert.ok(ts.length >= acked && ts.length % 5 === 0, `round ${round} (${fsync}): series ${id} has ${ts.length} samples, ${acked} acknowledged`);
      for (let i = 0; i < ts.length; i++) {
        assert.equal(ts[i], i * 1000, `round ${round}: sample ${i} of series ${id}`);
        assert.equal(r.values[i], value(id, i * 1000));
      }
    }
    s.close();
  }
});

test('chunks encoded ahead of the checkpoint are what it stores, and a late sample into them is not lost', (t) => {
  const dir = tempDir(t);
  const a = open(dir, { chunkSamples: 30, outOfOrderWindowMs: 3_600_000 });
  // One sample per call: full chunks are encoded as they fill, before any checkpoint.
  for (let i = 0; i < 100; i += 2) batch(a, i, 1);
  // A late sample lands inside the first encoded chunk; another after the encoded ones.
  for (const i of [7, 95]) {
    const r = a.append([{ labels: { __name__: 'w' }, timestamps: [T0 + i * 1000], values: [i] }]);
    assert.equal(r.accepted, 1);
  }
  a.checkpoint();
  a.close();
  const b = open(dir, { chunkSamples: 30 });
  const expected = [...range(0, 100).filter((_, i) => i % 2 === 0 || i === 7 || i === 95)];
  const got = readOne(b, sel);
  assert.deepEqual(got.t, expected);
  assert.deepEqual(got.v, expected.map((x) => (x - T0) / 1000));
  b.close();
});

test('a covered segment already gone when the store opens is fine; other errors still surface', (t) => {
  // The background deletion after a checkpoint may remove a segment between the next
  // open's listing and its own deletion (seen when a store is reopened in the same process).
  const dir = tempDir(t);
  deleteSegmentIfPresent(dir, 1); // never there
  writeFileSync(join(dir, segmentName(2)), 'x');
  deleteSegmentIfPresent(dir, 2);
  assert.equal(existsSync(join(dir, segmentName(2))), false);
  mkdirSync(join(dir, segmentName(3)));
  assert.throws(() => deleteSegmentIfPresent(dir, 3), (e: NodeJS.ErrnoException) => e.code !== 'ENOENT');
});
