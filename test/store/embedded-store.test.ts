import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STALE_NAN, isStaleMarker } from '../../src/core/sample.js';
import { isVigilError } from '../../src/core/errors.js';
import { openStore } from '../../src/store/index.js';
import { T0, eq, open, readOne, tempDir } from './helpers.js';

const cpu = { __name__: 'cpu', host: 'a' };
const sel = [eq('__name__', 'cpu'), eq('host', 'a')];

function series(n: number, from = 0, step = 15_000): { timestamps: number[]; values: number[] } {
  const timestamps: number[] = [];
  const values: number[] = [];
  for (let i = from; i < from + n; i++) {
    timestamps.push(T0 + i * step);
    values.push(i * 0.5);
  }
  return { timestamps, values };
}

test('openStore returns a working store; reads merge sealed chunks and head without duplicates', (t) => {
  const dir = tempDir(t);
  let s = openStore({ dir, checkpointIntervalMs: 0, chunkSamples: 50 });
  assert.equal(s.append([{ labels: cpu, ...series(130) }]).accepted, 130);
  s.checkpoint(); // 2 closed chunks + a 30-sample piece
  assert.equal(s.append([{ labels: cpu, ...series(40, 130) }]).accepted, 40);
  const want = series(170);
  assert.deepEqual(readOne(s, sel), { t: want.timestamps, v: want.values });
  assert.deepEqual(readOne(s, sel, T0 + 100 * 15_000, T0 + 139 * 15_000).t, want.timestamps.slice(100, 140), 'inclusive sub-range');
  s.checkpoint(); // reseals the piece and the new samples as closed chunks
  assert.deepEqual(readOne(s, sel).t, want.timestamps);
  s.close();
  s = openStore({ dir, checkpointIntervalMs: 0, chunkSamples: 50 });
  assert.deepEqual(readOne(s, sel), { t: want.timestamps, v: want.values });
  assert.equal(s.chunkPayload().samples, 170, 'no sample stored twice on disk');
  s.close();
});

test('chunks encoded ahead a few per append, from a queue of thousands of series, are all stored by the checkpoint', (t) => {
  const dir = tempDir(t);
  const n = 12_000;
  const labels = Array.from({ length: n }, (_, i) => ({ __name__: 'q', host: `h${i}` }));
  const round = (r: number) => labels.map((l, i) => ({ labels: l, timestamps: [T0 + r * 15_000], values: [r + i] }));
  let s = openStore({ dir, checkpointIntervalMs: 0, chunkSamples: 4 });
  for (let r = 0; r < 3; r++) assert.equal(s.append(round(r)).accepted, n);
  // The fourth sample fills every series' chunk in one append, which encodes half of them
  // ahead (twice its samples' worth of chunks): the queue's done part is dropped...
  assert.equal(s.append(round(3)).accepted, n);
  // ...and one-sample appends work through the rest, about two chunks each.
  for (let k = 0; k < 3000; k++) assert.equal(s.append([{ labels: labels[k]!, timestamps: [T0 + 4 * 15_000], values: [-k] }]).accepted, 1);
  s.checkpoint();
  s.close();
  s = openStore({ dir, checkpointIntervalMs: 0, chunkSamples: 4 });
  assert.equal(s.chunkPayload().samples, 4 * n + 3000);
  for (const i of [0, 2999, 3000, 6000, 6001, 11_999]) {
    const want = [0, 1, 2, 3].map((r) => r + i);
    if (i < 3000) want.push(-i);
    assert.deepEqual(readOne(s, [eq('__name__', 'q'), eq('host', `h${i}`)]).v, want, `series h${i}`);
  }
  s.close();
});

test('out-of-order and duplicate samples follow Prometheus rules', (t) => {
  const s = open(tempDir(t));
  const w = (ts: number[], vs: number[]) => s.append([{ labels: cpu, timestamps: ts, values: vs }]);
  assert.deepEqual(w([T0, T0 + 10], [1, 2]), { accepted: 2, rejected: {} });
  assert.deepEqual(w([T0 + 5], [9]), { accepted: 0, rejected: { out_of_order: 1 } });
  assert.deepEqual(w([T0 + 10], [2]), { accepted: 1, rejected: {} }, 'same timestamp, same value: accepted silently');
  assert.deepEqual(w([T0 + 10], [3]), { accepted: 0, rejected: { duplicate: 1 } });
  assert.deepEqual(w([T0 + 20, T0 + 20], [NaN, NaN]), { accepted: 2, rejected: {} }, 'NaN equals NaN bitwise');
  assert.deepEqual(w([T0 + 30, T0 + 30], [0, -0]), { accepted: 1, rejected: { duplicate: 1 } }, '-0 differs from 0');
  assert.deepEqual(w([T0 + 40, T0 + 40], [STALE_NAN, STALE_NAN]), { accepted: 2, rejected: {} });
  assert.deepEqual(w([T0 + 50, T0 + 50], [STALE_NAN, NaN]), { accepted: 1, rejected: { duplicate: 1 } }, 'a stale marker is not a NaN value');
  assert.deepEqual(readOne(s, sel).t, [T0, T0 + 10, T0 + 20, T0 + 30, T0 + 40, T0 + 50], 'nothing stored twice');
  s.close();
});

test('duplicate and out-of-order checks still hold after a restart (newest sample on disk only)', (t) => {
  const dir = tempDir(t);
  let s = open(dir);
  s.append([{ labels: cpu, timestamps: [T0, T0 + 10], values: [1, 2.5] }]);
  s.close();
  s = open(dir);
  const w = (ts: number[], vs: number[]) => s.append([{ labels: cpu, timestamps: ts, values: vs }]);
  assert.deepEqual(w([T0 + 10], [2.5]), { accepted: 1, rejected: {} });
  assert.deepEqual(w([T0 + 10], [7]), { accepted: 0, rejected: { duplicate: 1 } });
  assert.deepEqual(w([T0 + 5], [7]), { accepted: 0, rejected: { out_of_order: 1 } });
  assert.deepEqual(w([T0 + 11], [3]), { accepted: 1, rejected: {} });
  assert.deepEqual(readOne(s, sel), { t: [T0, T0 + 10, T0 + 11], v: [1, 2.5, 3] });
  s.close();
});

test('an out-of-order window accepts late samples, also into sealed chunks and after a restart', (t) => {
  const dir = tempDir(t);
  const opts = { outOfOrderWindowMs: 70_000, chunkSamples: 4 };
  let s = open(dir, opts);
  const w = (ts: number[], vs: number[]) => s.append([{ labels: cpu, timestamps: ts, values: vs }]);
  assert.equal(w([0, 10, 20, 30, 40, 50, 60, 70, 80].map((x) => T0 + x * 1000), [0, 1, 2, 3, 4, 5, 6, 7, 8]).accepted, 9);
  assert.deepEqual(w([T0 + 15_000], [1.5]), { accepted: 1, rejected: {} });
  assert.deepEqual(w([T0 + 19_999], [1.9]), { accepted: 1, rejected: {} });
  assert.deepEqual(w([T0 + 19_999], [1.8]), { accepted: 0, rejected: { duplicate: 1 } });
  assert.deepEqual(w([T0 + 5_000], [1]), { accepted: 0, rejected: { out_of_order: 1 } }, 'more than 70 s behind the newest');
  s.checkpoint();
  // Into the middle of a sealed chunk: the chunks over the head are rewritten.
  assert.deepEqual(w([T0 + 45_000], [4.5]), { accepted: 1, rejected: {} });
  s.checkpoint();
  s.close();
  s = open(dir, opts);
  // After a restart the head is empty: the store reads the sealed chunks back.
  assert.deepEqual(w([T0 + 55_000], [5.5]), { accepted: 1, rejected: {} });
  assert.deepEqual(w([T0 + 45_000], [4.5]), { accepted: 1, rejected: {} }, 'same value again');
  assert.deepEqual(w([T0 + 45_000], [4.6]), { accepted: 0, rejected: { duplicate: 1 } });
  s.checkpoint();
  const want = [0, 10, 15, 19.999, 20, 30, 40, 45, 50, 55, 60, 70, 80].map((x) => T0 + Math.round(x * 1000));
  assert.deepEqual(readOne(s, sel).t, want);
  s.close();
  s = open(dir, opts);
  assert.deepEqual(readOne(s, sel).t, want);
  assert.deepEqual(readOne(s, sel).v, [0, 1, 1.5, 1.9, 2, 3, 4, 4.5, 5, 5.5, 6, 7, 8]);
  assert.equal(s.chunkPayload().samples, want.length, 'each sample once on disk');
  s.close();
});

test('NaN, infinities and stale markers are stored and read back, from the head and from disk', (t) => {
  const dir = tempDir(t);
  let s = open(dir);
  const vs = [NaN, Infinity, -Infinity, STALE_NAN, 1.25, -0];
  const ts = vs.map((_, i) => T0 + i * 1000);
  assert.equal(s.append([{ labels: cpu, timestamps: ts, values: vs }]).accepted, vs.length);
  const check = (where: string) => {
    const r = readOne(s, sel);
    assert.deepEqual(r.t, ts, where);
    assert.ok(Number.isNaN(r.v[0]) && !isStaleMarker(r.v[0]!), `${where}: NaN`);
    assert.equal(r.v[1], Infinity);
    assert.equal(r.v[2], -Infinity);
    assert.ok(isStaleMarker(r.v[3]!), `${where}: stale marker`);
    assert.equal(r.v[4], 1.25);
    assert.ok(Object.is(r.v[5], -0), `${where}: -0`);
  };
  check('head');
  s.close();
  s = open(dir);
  check('disk');
  s.close();
});

test('too_old, series_limit and invalid samples are refused; the rest is stored', (t) => {
  const s = open(tempDir(t), { retentionMs: 3600_000, maxSeries: 2 });
  assert.equal(s.append([{ labels: cpu, timestamps: [T0 + 10 * 3600_000], values: [1] }]).accepted, 1);
  assert.deepEqual(s.append([{ labels: { __name__: 'mem' }, timestamps: [T0 + 8 * 3600_000, T0 + 10 * 3600_000], values: [1, 2] }]), {
    accepted: 1,
    rejected: { too_old: 1 },
  });
  assert.deepEqual(s.append([{ labels: { __name__: 'third' }, timestamps: [T0 + 10 * 3600_000], values: [1] }]), { accepted: 0, rejected: { series_limit: 1 } });
  assert.throws(
    () => s.ref({ __name__: 'third' }),
    (e) => isVigilError(e) && e.code === 'SERIES_LIMIT',
  );
  assert.equal(s.ref(cpu), s.ref({ host: 'a', __name__: 'cpu', empty: '' }), 'the same series whatever the label order; empty labels ignored');
  const r = s.ref(cpu);
  const h = 3600_000;
  const res = s.appendRefs([r, 999, r, r, r], [T0 + 11 * h, T0 + 11 * h, T0 + 11 * h + 0.5, T0 + 12 * h, T0 + 11.5 * h], [1, 1, 1, 1, 1], 5);
  assert.deepEqual(res, { accepted: 2, rejected: { invalid: 2, out_of_order: 1 } });
  assert.deepEqual(s.append([{ labels: {}, timestamps: [T0], values: [1] }]), { accepted: 0, rejected: { invalid: 1 } });
  assert.deepEqual(s.append([{ labels: cpu, timestamps: [T0 + 13 * 3600_000, T0 + 14 * 3600_000], values: [1] }]), { accepted: 1, rejected: { invalid: 1 } });
  s.close();
});

test('a series exists by its samples: a write without any creates none, by either path', (t) => {
  const s = open(tempDir(t));
  s.append([{ labels: { __name__: 'empty', host: 'a' }, timestamps: [], values: [] }]);
  s.appendBatch({ size: 2, labels: [Object.freeze({ __name__: 'empty_too' }), Object.freeze({ __name__: 'full' })], ends: Uint32Array.of(0, 1), timestamps: Float64Array.of(T0), values: Float64Array.of(1) });
  assert.deepEqual(s.series([{ name: '__name__', type: '=~', value: '.+' }]).map((x) => x.labels.__name__), ['full']);
  assert.equal(s.stats().series, 1);
});

test('appendBatch hands back each series\' ref: -1 for a series without samples, without labels or over the series limit', (t) => {
  const s = open(tempDir(t), { maxSeries: 2 });
  const a = Object.freeze({ __name__: 'a' });
  const b = Object.freeze({ __name__: 'b' });
  const refs = new Int32Array(5).fill(7);
  const labels = [a, Object.freeze({ __name__: 'none' }), Object.freeze({}), b, Object.freeze({ __name__: 'third' })];
  const r = s.appendBatch({ size: 5, labels, ends: Uint32Array.of(1, 1, 2, 3, 4), timestamps: Float64Array.of(T0, T0, T0, T0), values: Float64Array.of(1, 2, 3, 4) }, refs);
  assert.deepEqual(r, { accepted: 2, rejected: { invalid: 1, series_limit: 1 } });
  assert.deepEqual(Array.from(refs), [s.ref(a), -1, -1, s.ref(b), -1]);
  assert.notEqual(refs[0], refs[3]);
  assert.throws(() => s.appendBatch({ size: 2, labels: [a, b], ends: Uint32Array.of(1, 2), timestamps: Float64Array.of(T0 + 1, T0 + 1), values: Float64Array.of(1, 1) }, new Int32Array(1)), RangeError);
});

test('series(), labelNames(), labelValues() and stats()', (t) => {
  const s = open(tempDir(t));
  s.append([
    { labels: { __name__: 'cpu', host: 'a', env: 'prod' }, timestamps: [T0, T0 + 1000], values: [1, 2] },
    { labels: { __name__: 'cpu', host: 'b' }, timestamps: [T0 + 5000], values: [1] },
    { labels: { __name__: 'mem', host: 'a' }, timestamps: [T0 + 9000], values: [1] },
  ]);
  const names = (xs: Array<{ labels: Record<string, string> }>) => xs.map((x) => `${x.labels.__name__}/${x.labels.host}`);
  assert.deepEqual(names(s.series([eq('__name__', 'cpu')])), ['cpu/a', 'cpu/b']);
  assert.deepEqual(names(s.series([eq('__name__', 'cpu')], T0 + 2000, T0 + 6000)), ['cpu/b']);
  assert.deepEqual(names(s.series([eq('host', 'a'), eq('env', '')])), ['mem/a']);
  assert.deepEqual(names(s.series([{ name: 'host', type: '=~', value: 'a|b' }, { name: '__name__', type: '!=', value: 'mem' }])), ['cpu/a', 'cpu/b']);
  assert.match(s.series([eq('host', 'b')])[0]!.id, /^[0-9a-f]{16}$/);
  assert.deepEqual(s.labelNames(), ['__name__', 'env', 'host']);
  assert.deepEqual(s.labelValues('host'), ['a', 'b']);
  const st = s.stats();
  assert.equal(st.series, 3);
  assert.equal(st.samplesAppended, 4);
  assert.equal(st.headSamples, 4);
  assert.ok(st.headBytes >= 4 * 16);
  assert.ok(st.diskBytes > 0);
  assert.equal(st.sealedChunks, 0);
  s.checkpoint();
  assert.equal(s.stats().sealedChunks, 3);
  s.close();
});

test('retention drops old chunks and series whose data is all past it', (t) => {
  const dir = tempDir(t);
  const s = open(dir, { retentionMs: 3600_000, chunkSamples: 10, headWindowMs: 600_000 });
  // 5 h at one sample a minute for "live"; "gone" stops after 1 h.
  const live = series(300, 0, 60_000);
  const gone = series(60, 0, 60_000);
  s.append([
    { labels: { __name__: 'live' }, ...live },
    { labels: { __name__: 'gone' }, ...gone },
  ]);
  s.checkpoint();
  const chunksBefore = s.stats().sealedChunks;
  const goneRef = s.ref({ __name__: 'gone' });
  const emptyRef = s.ref({ __name__: 'empty' });
  s.applyRetention();
  assert.equal(s.series([eq('__name__', 'empty')]).length, 1, 'a series without samples survives one pass');
  const cutoff = T0 + 299 * 60_000 - 3600_000;
  const r = readOne(s, [eq('__name__', 'live')]);
  assert.ok(r.t[0]! >= cutoff - 10 * 60_000 && r.t[0]! <= cutoff, `oldest kept ${r.t[0]} is within one chunk of the cutoff ${cutoff}`);
  assert.equal(r.t[r.t.length - 1], live.timestamps[299]);
  assert.ok(s.stats().sealedChunks < chunksBefore - 20);
  assert.deepEqual(s.series([eq('__name__', 'gone')]), []);
  assert.deepEqual(s.labelValues('__name__'), ['empty', 'live']);
  assert.deepEqual(s.appendRefs([goneRef], [T0 + 299 * 60_000], [1], 1).rejected, { invalid: 1 }, 'a dropped series ref is invalid');
  assert.equal(s.stats().series, 2);
  s.applyRetention();
  assert.equal(s.stats().series, 1, 'and is dropped at the next one');
  assert.deepEqual(s.appendRefs([emptyRef], [T0 + 299 * 60_000], [1], 1).rejected, { invalid: 1 });
  s.close();
  const s2 = open(dir, { retentionMs: 3600_000 });
  assert.equal(s2.stats().series, 1);
  assert.deepEqual(readOne(s2, [eq('__name__', 'live')]).t, r.t);
  s2.close();
});

test('retention can run a slice of the series at a time, after a checkpoint, with appends between slices and a crash after', (t) => {
  const dir = tempDir(t);
  const opts = { retentionMs: 3600_000, chunkSamples: 10, headWindowMs: 600_000 };
  let s = open(dir, opts);
  // 40 series: even ones live for 5 h at one sample a minute, odd ones stop after 1 h.
  const name = (i: number) => ({ __name__: 'up', instance: `host-${i}` });
  const live = series(300, 0, 60_000);
  const gone = series(60, 0, 60_000);
  s.append(Array.from({ length: 40 }, (_, i) => ({ labels: name(i), ...(i % 2 === 0 ? live : gone) })));
  // Not checkpointed yet: the pass must seal the WAL before it deletes anything.
  assert.equal(s.beginRetention(), true);
  assert.equal(s.beginRetention(), false, 'one pass at a time');
  let steps = 0;
  while (!s.retentionStep(10)) {
    steps++;
    // Between steps a live series takes a new sample (after the data clock: it moves on).
    s.append([{ labels: name(0), timestamps: [T0 + (300 + steps) * 60_000], values: [1] }]);
  }
  assert.ok(steps >= 4 + 1, `a checkpoint, then four slices of 10 series, got ${steps} steps`);
  assert.equal(s.stats().series, 20, 'the series past the retention are gone');
  assert.deepEqual(s.series([eq('instance', 'host-1')]), []);
  const cutoff = T0 + 299 * 60_000 - 3600_000;
  const kept = readOne(s, [eq('instance', 'host-2')]).t;
  assert.ok(kept[0]! >= cutoff - 10 * 60_000 && kept[0]! <= cutoff, `oldest kept ${kept[0]} is within one chunk of the cutoff ${cutoff}`);
  const host0 = readOne(s, [eq('instance', 'host-0')]).t;
  assert.equal(host0[host0.length - 1], T0 + (300 + steps) * 60_000, 'samples appended between slices are kept');
  const chunks = s.stats().sealedChunks;
  s.abandon();
  s = open(dir, opts);
  assert.equal(s.stats().series, 20, 'the WAL brings no deleted series back');
  assert.deepEqual(readOne(s, [eq('instance', 'host-0')]).t, host0);
  assert.deepEqual(readOne(s, [eq('instance', 'host-2')]).t, kept);
  assert.equal(s.stats().sealedChunks, chunks, 'the chunk count survives the crash');
  s.checkpoint();
  s.close();
});

test('heads are trimmed to the window after a checkpoint; reads still see everything', (t) => {
  const s = open(tempDir(t), { headWindowMs: 30 * 60_000, chunkSamples: 20 });
  const d = series(400, 0, 15_000); // 100 minutes
  s.append([{ labels: cpu, ...d }]);
  assert.equal(s.stats().headSamples, 400);
  s.checkpoint();
  const head = s.stats().headSamples;
  assert.ok(head >= 120 && head <= 140, `head keeps 30 min plus at most a chunk, got ${head}`);
  assert.deepEqual(readOne(s, sel).t, d.timestamps);
  assert.deepEqual(readOne(s, sel, d.timestamps[10]!, d.timestamps[390]!).t, d.timestamps.slice(10, 391));
  s.close();
});

test('a checkpoint can run a slice of the series at a time, with appends, reads and a crash between slices', (t) => {
  const dir = tempDir(t);
  const opts = { chunkSamples: 10 };
  let s = open(dir, opts);
  const labels = (i: number) => ({ __name__: 'up', instance: `host-${i}` });
  const d = series(25);
  s.append(Array.from({ length: 3000 }, (_, i) => ({ labels: labels(i), ...d })));
  assert.equal(s.beginCheckpoint(), true);
  assert.equal(s.beginCheckpoint(), false, 'one checkpoint at a time');
  assert.equal(s.checkpointStep(1000), false);
  assert.equal(s.chunkPayload().samples, 1000 * 25, 'the first slice: 1,000 series');
  // Between slices: a series already sealed and one still waiting take new samples.
  const more = series(3, 25);
  s.append([
    { labels: labels(0), ...more },
    { labels: labels(2999), ...more },
  ]);
  assert.deepEqual(readOne(s, [eq('instance', 'host-2999')]).t, [...d.timestamps, ...more.timestamps]);
  let steps = 1;
  while (!s.checkpointStep(1000)) steps++;
  assert.ok(steps >= 4, `three slices, the commit and the trim, got ${steps} steps`);
  // host-2999's new samples were sealed with its slice; host-0's wait for the next checkpoint.
  assert.equal(s.chunkPayload().samples, 3000 * 25 + 3);
  s.abandon();
  s = open(dir, opts);
  assert.equal(s.recovery.samples, 6, 'only what came after the checkpoint began is replayed');
  assert.deepEqual(readOne(s, [eq('instance', 'host-0')]).t, [...d.timestamps, ...more.timestamps]);
  s.checkpoint();
  assert.equal(s.chunkPayload().samples, 3000 * 25 + 6, 'every sample exactly once on disk');
  s.close();
});

test('past walCheckpointBytes, the checkpoint runs in the background, between event-loop turns', async (t) => {
  const dir = tempDir(t);
  const s = open(dir, { walCheckpointBytes: 64 * 1024 });
  t.after(() => s.close());
  const d = series(20);
  // About 350 kB of log: the append that crosses 64 kB begins a checkpoint and returns.
  s.append(Array.from({ length: 1000 }, (_, i) => ({ labels: { __name__: 'up', instance: `host-${i}` }, ...d })));
  assert.equal(s.chunkPayload().samples, 0, 'nothing sealed yet when append returns');
  assert.equal(s.beginCheckpoint(), false, 'the background checkpoint is running');
  for (let i = 0; i < 10 && s.chunkPayload().samples < 20_000; i++) await new Promise((r) => setImmediate(r));
  assert.equal(s.chunkPayload().samples, 20_000);
});

test('the ref path and the label path store the same thing', (t) => {
  const a = open(tempDir(t));
  const b = open(tempDir(t));
  const labels = Array.from({ length: 50 }, (_, i) => ({ __name__: 'x', i: String(i) }));
  const refs = labels.map((l) => b.ref(l));
  for (let k = 0; k < 20; k++) {
    const ts = labels.map(() => T0 + k * 1000);
    const vs = labels.map((_, i) => i * k);
    a.append(labels.map((l, i) => ({ labels: l, timestamps: [ts[i]!], values: [vs[i]!] })));
    assert.deepEqual(b.appendRefs(refs, ts, vs, refs.length), { accepted: 50, rejected: {} });
  }
  const ra = a.read([eq('__name__', 'x')], 0, Infinity);
  const rb = b.read([eq('__name__', 'x')], 0, Infinity);
  assert.deepEqual(
    ra.map((x) => [x.id, [...x.timestamps], [...x.values]]),
    rb.map((x) => [x.id, [...x.timestamps], [...x.values]]),
  );
  a.close();
  b.close();
});

test('a second store on the same directory is refused while the first is open', (t) => {
  const dir = tempDir(t);
  const s = open(dir);
  assert.throws(
    () => open(dir),
    (e) => isVigilError(e) && e.code === 'STORE_LOCKED',
  );
  s.close();
  open(dir).close();
});
