import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pino } from 'pino';
import { openStore } from '../../../src/store/index.js';
import { DetectionPool, DetectionStage, DetectionWorker, DetectorStateStore, ANOMALY_SCORE_METRIC, type Detection, type DetectionOptions } from '../../../src/detect/stage/index.js';
import type { AnomalyEvent } from '../../../src/core/events.js';
import type { SampleStore, SeriesWrite } from '../../../src/store/types.js';
import { batchFromWrites } from '../../../src/store/sample-batch.js';
import { tempDir } from '../../helpers/vigil-process.js';

const OPTS: DetectionOptions = {
  threshold: 0.08,
  clearAfter: 5,
  severityHigh: 0.5,
  severityMedium: 0.2,
  writeScores: true,
  rebuildWindowMs: 24 * 3600_000,
  saveIntervalMs: 0,
  multivariate: { enabled: true, groupBy: 'instance', maxGroups: 10, maxMetricsPerGroup: 8, contamination: 0.05, consecutive: 3, window: 128 },
};
const silent = pino({ level: 'silent' });
const T0 = Date.UTC(2026, 0, 5);
const STEP = 60_000;
const N = 1200;

/** Two hosts with three metrics each; host h1's load and latency jump together at 1000. */
function batches(from: number, to: number): SeriesWrite[][] {
  let s = 3;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const out: SeriesWrite[][] = [];
  const labels = ['h1', 'h2'].flatMap((instance) => ['load1', 'latency_seconds', 'http_requests_total'].map((name) => Object.freeze({ __name__: name, instance, job: 'api' })));
  const counters = labels.map(() => 1000);
  for (let i = 0; i < to; i++) {
    const t = T0 + i * STEP;
    const batch = labels.map((l, k) => {
      const jump = l.instance === 'h1' && i >= 1000 && i < 1010 && k < 2 ? 40 : 0;
      const v = l.__name__ === 'http_requests_total' ? (counters[k]! += 50 + Math.floor(rnd() * 10)) : 10 + rnd() * 2 + jump;
      return { labels: l, timestamps: [t], values: [v] };
    });
    if (i >= from) out.push(batch);
  }
  return out;
}

/** Appends each batch to the store and hands it to detection, as the ingest pipeline does. */
function ingest(store: SampleStore, detection: Pick<DetectionStage, 'observe'>, list: SeriesWrite[][]): void {
  for (const b of list) {
    store.append(b);
    detection.observe(batchFromWrites(b));
  }
}

/** The reference for restarts: an inline stage that never stopped, fed every batch (its store holds the scores). */
function neverStopped(list: SeriesWrite[][]): SampleStore {
  const store = openStore({ dir: join(tempDir(), 'data'), checkpointIntervalMs: 0 });
  const stage = new DetectionStage(store, OPTS, undefined, silent);
  stage.start(T0);
  ingest(store, stage, list);
  return store;
}

function scores(store: SampleStore) {
  return store
    .read([{ name: '__name__', type: '=', value: ANOMALY_SCORE_METRIC }], T0, T0 + N * STEP)
    .map((d) => ({ labels: JSON.stringify(d.labels), t: Array.from(d.timestamps), v: Array.from(d.values) }))
    .sort((a, b) => (a.labels < b.labels ? -1 : 1));
}

/** An inline stage and a worker, each on a store of its own, with the events each raises. */
async function inlineAndWorker(workerOpts: DetectionOptions, maxBacklog?: number) {
  const syncStore = openStore({ dir: join(tempDir(), 'data'), checkpointIntervalMs: 0 });
  const sync = new DetectionStage(syncStore, OPTS, undefined, silent);
  const syncEvents: AnomalyEvent[] = [];
  sync.onAnomaly((e) => syncEvents.push(e));
  sync.start(T0);
  const workerStore = openStore({ dir: join(tempDir(), 'data'), checkpointIntervalMs: 0 });
  const worker = new DetectionWorker(workerStore, workerOpts, undefined, silent, 1000, maxBacklog);
  const workerEvents: AnomalyEvent[] = [];
  worker.onAnomaly((e) => workerEvents.push(e));
  await worker.start(T0);
  const refs = new Int32Array(64);
  /**
   * Stores the batch in both stores and hands it to both, as the ingest pipeline does: the
   * worker gets the store's refs of the batch's series; `noRef(i)` takes series i's away.
   */
  const observe = (b: SeriesWrite[], noRef?: (i: number) => boolean) => {
    syncStore.append(b);
    sync.observe(batchFromWrites(b));
    const batch = batchFromWrites(b);
    workerStore.appendBatch(batch, refs);
    if (noRef) for (let i = 0; i < b.length; i++) if (noRef(i)) refs[i] = -1;
    worker.observe(batch, refs);
  };
  return { syncStore, sync, syncEvents, workerStore, worker, workerEvents, observe };
}

test('on a worker thread, detection writes the same scores and raises the same events as on the ingest thread', async () => {
  // A small backlog bound: ingest waits for the worker often, and nothing is dropped.
  const { syncStore, sync, syncEvents, workerStore, worker, workerEvents, observe } = await inlineAndWorker(OPTS, 50);
  for (const b of batches(0, N)) observe(b);
  await worker.close();

  assert.equal(worker.counters.scored, sync.counters.scored);
  assert.equal(worker.seriesCount, 6);
  const a = scores(syncStore);
  assert.ok(a.some((s) => s.labels.includes('iforest')), 'host-forest scores are written too');
  assert.deepEqual(scores(workerStore), a);
  assert.ok(syncEvents.length > 0, 'the jump raises events');
  assert.deepEqual(workerEvents, syncEvents);
  assert.deepEqual(worker.recentEvents(1000), sync.recentEvents(1000));
  syncStore.close();
  workerStore.close();
});

test('the worker knows series by their store refs: a score series among them is never scored, and one without a ref is known by its labels', async () => {
  const { syncStore, sync, syncEvents, workerStore, worker, workerEvents, observe } = await inlineAndWorker(OPTS);
  const score = Object.freeze({ __name__: ANOMALY_SCORE_METRIC, instance: 'h1', job: 'api', series: 'elsewhere' });
  const list = batches(0, N);
  for (let i = 0; i < list.length; i++) {
    const b = [...list[i]!, { labels: score, timestamps: [T0 + i * STEP], values: [0.5] }];
    // Now and then a series comes without its ref (as one the store refused would): by labels.
    observe(b, (k) => (i + k) % 7 === 0);
  }
  await worker.close();
  assert.equal(worker.seriesCount, 6, 'the score series is not scored');
  assert.equal(worker.counters.scored, sync.counters.scored);
  assert.deepEqual(scores(workerStore), scores(syncStore));
  assert.ok(syncEvents.length > 0);
  assert.deepEqual(workerEvents, syncEvents);
  syncStore.close();
  workerStore.close();
});

test('batch by batch, each sent alone: the worker returns each batch\'s buffers for later ones, and scores as the ingest thread does', async () => {
  const { syncStore, sync, workerStore, worker, observe } = await inlineAndWorker(OPTS);
  const list = batches(0, 400);
  for (let i = 0; i < list.length; i++) {
    observe(list[i]!);
    // Each batch its own message (sent at the end of the turn); every few, wait for the
    // worker's answers, which bring the buffers back.
    await new Promise((r) => setImmediate(r));
    if (i % 10 === 9) while (worker.backlog > 0) await new Promise((r) => setTimeout(r, 1));
  }
  await worker.close();
  assert.equal(worker.counters.scored, sync.counters.scored);
  assert.deepEqual(scores(workerStore), scores(syncStore));
  syncStore.close();
  workerStore.close();
});

test('metric types reach the worker in order with the samples: a series typed a counter midway scores as on the ingest thread', async () => {
  // The fixture's counter renamed without _total: only metadata can tell it is a counter.
  const renamed = batches(0, N).map((b) => b.map((w) => (w.labels.__name__ === 'http_requests_total' ? { ...w, labels: Object.freeze({ ...w.labels, __name__: 'http_requests' }) } : w)));
  const run = async (detection: Pick<Detection, 'observe' | 'setMetricTypes'>, store: SampleStore) => {
    for (let i = 0; i < renamed.length; i++) {
      if (i === 400) detection.setMetricTypes([['http_requests', 'counter']]);
      store.append(renamed[i]!);
      detection.observe(batchFromWrites(renamed[i]!));
    }
  };
  const syncStore = openStore({ dir: join(tempDir(), 'data'), checkpointIntervalMs: 0 });
  const sync = new DetectionStage(syncStore, OPTS, undefined, silent);
  sync.start(T0);
  await run(sync, syncStore);
  const workerStore = openStore({ dir: join(tempDir(), 'data'), checkpointIntervalMs: 0 });
  const worker = new DetectionWorker(workerStore, OPTS, undefined, silent);
  await worker.start(T0);
  await run(worker, workerStore);
  await worker.close();
  assert.deepEqual(scores(workerStore), scores(syncStore));
  // And it did change the counter's scores: typed at 400, they differ from those of the series left a gauge.
  const gaugeStore = openStore({ dir: join(tempDir(), 'data'), checkpointIntervalMs: 0 });
  const gauge = new DetectionStage(gaugeStore, OPTS, undefined, silent);
  gauge.start(T0);
  for (const b of renamed) {
    gaugeStore.append(b);
    gauge.observe(batchFromWrites(b));
  }
  const counterScores = (st: SampleStore) => scores(st).filter((x) => x.labels.includes('"source_metric":"http_requests"'));
  assert.equal(counterScores(syncStore).length, 2);
  assert.notDeepEqual(counterScores(syncStore), counterScores(gaugeStore));
  syncStore.close();
  workerStore.close();
  gaugeStore.close();
});

test('scores go to the store by series ref; a ref the store no longer knows, or none at its series limit, falls back to the label sets and nothing is lost', async () => {
  const list = batches(0, 400);
  const reference = neverStopped(list);

  // A store that, twice, answers a batch of refs as unknown without storing it (as after
  // retention dropped the series): the worker must store those scores by label set.
  const store = openStore({ dir: join(tempDir(), 'data'), checkpointIntervalMs: 0 });
  let refBatches = 0;
  let refused = 0;
  const forgetful: SampleStore = Object.create(store) as SampleStore;
  forgetful.appendRefs = (refs, ts, vs, count) => {
    refBatches++;
    if (refBatches === 1 || refBatches === 3) {
      refused++;
      return { accepted: 0, rejected: { invalid: count } };
    }
    return store.appendRefs(refs, ts, vs, count);
  };
  const worker = new DetectionWorker(forgetful, OPTS, undefined, silent, 1000, 50);
  await worker.start(T0);
  for (const [i, b] of list.entries()) {
    store.append(b);
    worker.observe(batchFromWrites(b));
    // Let the event loop turn now and then: each turn sends what was observed, and a score batch comes back for it.
    if (i % 40 === 39) await new Promise((r) => setTimeout(r, 5));
  }
  await worker.close();
  assert.equal(refused, 2);
  assert.ok(refBatches > 3, `scores went by ref (${refBatches} batches)`);
  assert.deepEqual(scores(store), scores(reference));

  // At the series limit (the six source series fill it), the score series cannot be created:
  // the worker neither fails nor logs an error per batch, and the source series are intact.
  const errors: string[] = [];
  const logger = pino({ level: 'error' }, { write: (line: string) => void errors.push(line) });
  const full = openStore({ dir: join(tempDir(), 'data'), checkpointIntervalMs: 0, maxSeries: 6 });
  const capped = new DetectionWorker(full, OPTS, undefined, logger, 1000, 50);
  await capped.start(T0);
  for (const b of list) {
    full.append(b);
    capped.observe(batchFromWrites(b));
  }
  await capped.close();
  assert.equal(capped.counters.scored, worker.counters.scored);
  assert.deepEqual(errors, []);
  assert.equal(full.series([{ name: '__name__', type: '=~', value: '.+' }]).length, 6);
  for (const st of [reference, store, full]) st.close();
});

test('the worker saves detector state at close and a new one resumes from it, catching up from the store', async () => {
  const dir = join(tempDir(), 'data');
  const all = batches(0, N);
  let store = openStore({ dir, checkpointIntervalMs: 0 });
  const first = new DetectionWorker(store, OPTS, dir, silent);
  await first.start(T0);
  ingest(store, first, all.slice(0, 600));
  await first.close();
  store.close();

  // Samples written while detection was down are replayed at start-up.
  store = openStore({ dir, checkpointIntervalMs: 0 });
  for (const b of all.slice(600, 700)) store.append(b);
  const second = new DetectionWorker(store, OPTS, dir, silent);
  await second.start(T0 + 700 * STEP);
  ingest(store, second, all.slice(700));
  await second.close();

  const refStore = neverStopped(all);
  // Scores after the restart equal those of detectors that never stopped: a series' ensemble,
  // and its host's isolation forest, which caught up on the rows it had not learned before
  // the restart (the last one pending at close, and those stored while detection was down).
  const score = { name: '__name__', type: '=' as const, value: ANOMALY_SCORE_METRIC };
  for (const sel of [
    [score, { name: 'source_metric', type: '=' as const, value: 'latency_seconds' }, { name: 'instance', type: '=' as const, value: 'h1' }],
    [score, { name: 'detector', type: '=' as const, value: 'iforest' }, { name: 'instance', type: '=' as const, value: 'h1' }],
    [score, { name: 'detector', type: '=' as const, value: 'iforest' }, { name: 'instance', type: '=' as const, value: 'h2' }],
  ]) {
    const resumed = store.read(sel, T0 + 700 * STEP, T0 + N * STEP)[0]!;
    const never = refStore.read(sel, T0 + 700 * STEP, T0 + N * STEP)[0]!;
    assert.ok(resumed.values.length >= N - 701, `${JSON.stringify(sel)}: ${resumed.values.length} scores`);
    assert.deepEqual(Array.from(resumed.timestamps), Array.from(never.timestamps));
    assert.deepEqual(Array.from(resumed.values), Array.from(never.values));
  }
  store.close();
  refStore.close();
});

test('a pool of two workers restarted on one detect.db: each brings back its own hosts, which score on as if never stopped', async () => {
  const dir = join(tempDir(), 'data');
  const all = batches(0, N);
  let store = openStore({ dir, checkpointIntervalMs: 0 });
  let pool = new DetectionPool(store, OPTS, dir, silent, 2);
  await pool.start(T0);
  ingest(store, pool, all.slice(0, 600));
  await pool.close();
  store.close();

  store = openStore({ dir, checkpointIntervalMs: 0 });
  const logged: string[] = [];
  pool = new DetectionPool(store, OPTS, dir, pino({ level: 'info' }, { write: (line: string) => void logged.push(line) }), 2);
  await pool.start(T0 + 600 * STEP);
  ingest(store, pool, all.slice(600));
  await pool.close();
  // One host on each worker.
  assert.equal(logged.filter((l) => l.includes('host forests restored') && l.includes('"hosts":1')).length, 2, logged.join(''));

  const refStore = neverStopped(all);
  for (const instance of ['h1', 'h2']) {
    const sel = [
      { name: '__name__', type: '=' as const, value: ANOMALY_SCORE_METRIC },
      { name: 'detector', type: '=' as const, value: 'iforest' },
      { name: 'instance', type: '=' as const, value: instance },
    ];
    const resumed = store.read(sel, T0 + 600 * STEP, T0 + N * STEP)[0]!;
    const never = refStore.read(sel, T0 + 600 * STEP, T0 + N * STEP)[0]!;
    assert.deepEqual(Array.from(resumed.values), Array.from(never.values), instance);
  }
  store.close();
  refStore.close();
});

test('a host forest that cannot be restored starts afresh; the rest of start-up goes on', async () => {
  const dir = join(tempDir(), 'data');
  const store = openStore({ dir, checkpointIntervalMs: 0 });
  const all = batches(0, 300);
  const first = new DetectionWorker(store, OPTS, dir, silent);
  await first.start(T0);
  ingest(store, first, all);
  await first.close();
  // Damage h1's saved forest.
  const states = new DetectorStateStore(dir);
  states.saveMany([{ key: 'iforest:h1', kind: 'iforest', lastT: T0, state: Buffer.from('{"columns": 3}') }]);
  states.close();
  const logged: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logged.push(line) });
  const second = new DetectionWorker(store, OPTS, dir, logger);
  await second.start(T0 + 300 * STEP);
  await second.close();
  store.close();
  assert.ok(logged.some((l) => l.includes('saved host forest unusable') && l.includes('"host":"h1"')), logged.join(''));
  assert.ok(logged.some((l) => l.includes('host forests restored') && l.includes('"hosts":1')), logged.join(''));
});

test('ingest waits when the worker falls more than maxBacklog samples behind', async (t) => {
  const store = openStore({ dir: join(tempDir(), 'data'), checkpointIntervalMs: 0 });
  const maxBacklog = 20_000;
  const worker = new DetectionWorker(store, { ...OPTS, writeScores: false }, undefined, silent, 1000, maxBacklog);
  t.after(() => worker.close());
  await worker.start(T0);
  // 100 series x 200 samples: each call is sent at once (more than a flush's worth).
  const labels = Array.from({ length: 100 }, (_, k) => Object.freeze({ __name__: 'load1', instance: `h${k}` }));
  let sent = 0;
  for (let round = 0; round < 20; round++) {
    const writes = labels.map((l, k) => {
      const timestamps = Array.from({ length: 200 }, (_, i) => T0 + (round * 200 + i) * STEP);
      return { labels: l, timestamps, values: timestamps.map((_, i) => 10 + ((k * 7 + i) % 5)) };
    });
    worker.observe(batchFromWrites(writes));
    sent += 20_000;
    assert.equal(worker.samplesSent, sent);
    assert.ok(worker.backlog <= maxBacklog, `backlog ${worker.backlog} after round ${round}`);
  }
  await worker.close();
  assert.equal(worker.counters.scored, sent);
  store.close();
});

test('a pool of two workers, each owning whole hosts, scores and raises events as one inline stage does', async (t) => {
  const inlineStore = openStore({ dir: join(tempDir(), 'data'), checkpointIntervalMs: 0 });
  const inline = new DetectionStage(inlineStore, OPTS, undefined, silent);
  const inlineEvents: AnomalyEvent[] = [];
  inline.onAnomaly((e) => inlineEvents.push(e));
  inline.start(T0);

  const dir = join(tempDir(), 'data');
  const poolStore = openStore({ dir, checkpointIntervalMs: 0 });
  const pool = new DetectionPool(poolStore, OPTS, dir, silent, 2);
  t.after(() => pool.close());
  const poolEvents: AnomalyEvent[] = [];
  pool.onAnomaly((e) => poolEvents.push(e));
  await pool.start(T0);
  // The two hosts land on different workers, every series of a host on its host's.
  assert.notEqual(pool.shardOf({ instance: 'h1' }), pool.shardOf({ instance: 'h2' }));
  assert.equal(pool.shardOf({ __name__: 'load1', instance: 'h1', job: 'api' }), pool.shardOf({ instance: 'h1' }));

  // The pool is fed as the ingest pipeline feeds it: with the store's refs of the batch's series.
  const refs = new Int32Array(8);
  for (const b of batches(0, N)) {
    inlineStore.append(b);
    inline.observe(batchFromWrites(b));
    const batch = batchFromWrites(b);
    poolStore.appendBatch(batch, refs);
    pool.observe(batch, refs);
  }
  await pool.close();

  assert.equal(pool.counters.scored, inline.counters.scored);
  assert.equal(pool.seriesCount, 6);
  assert.deepEqual(scores(poolStore), scores(inlineStore));
  // Workers raise events concurrently: the same events, in time order per worker.
  const byTime = (a: AnomalyEvent, b: AnomalyEvent) => a.t - b.t || (a.id < b.id ? -1 : 1);
  assert.ok(inlineEvents.length > 0);
  assert.deepEqual([...poolEvents].sort(byTime), [...inlineEvents].sort(byTime));
  assert.deepEqual(pool.recentEvents(1000).map((e) => e.id).sort(), inline.recentEvents(1000).map((e) => e.id).sort());
  inlineStore.close();
  poolStore.close();
});

test('ingest requests wait for a busy worker without blocking the thread, and go on once it is back under half the bound', async (t) => {
  const store = openStore({ dir: join(tempDir(), 'data'), checkpointIntervalMs: 0 });
  const maxBacklog = 400_000;
  const worker = new DetectionWorker(store, { ...OPTS, writeScores: false }, undefined, silent, 1000, maxBacklog);
  t.after(() => worker.close());
  await worker.start(T0);
  assert.equal(worker.whenCaughtUp(), undefined, 'an idle worker admits at once');
  // 1,000 series x 300 samples: over half the bound, under all of it (observe does not block).
  const labels = Array.from({ length: 1000 }, (_, k) => Object.freeze({ __name__: 'load1', instance: `h${k}` }));
  const writes = labels.map((l, k) => {
    const timestamps = Array.from({ length: 300 }, (_, i) => T0 + i * STEP);
    return { labels: l, timestamps, values: timestamps.map((_, i) => 10 + ((k * 7 + i) % 5)) };
  });
  worker.observe(batchFromWrites(writes));
  const wait = worker.whenCaughtUp();
  assert.ok(wait, 'a request arriving now waits');
  assert.equal(worker.whenCaughtUp(), wait, 'every waiting request shares one wait');
  // The event loop keeps turning while requests wait: timers fire.
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  await wait;
  clearInterval(timer);
  assert.ok(ticks > 0, 'timers ran during the wait');
  assert.ok(worker.backlog <= maxBacklog / 2, `backlog ${worker.backlog} once admitted`);
  await worker.close();
  assert.equal(worker.counters.scored, 300_000, 'nothing was skipped');
  assert.equal(worker.skipped, 0);
  store.close();
});

test('with a block delay, the worker holds batches and scores them in blocks: the same scores and events as inline, and what waits is scored without more coming', async () => {
  const { syncStore, sync, syncEvents, workerStore, worker, workerEvents, observe } = await inlineAndWorker({ ...OPTS, blockDelayMs: 200 });
  const list = batches(0, N);
  const half = N / 2;
  for (let i = 0; i < list.length; i++) {
    observe(list[i]!);
    // Sent a batch at a time, so the worker holds many until the delay is over.
    await new Promise((r) => setImmediate(r));
    if (i === half) {
      // Nothing more comes for a while: what waits is scored once the first batch has waited 200 ms.
      const sent = worker.samplesSent;
      const until = Date.now() + 5_000;
      while (worker.backlog > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      assert.equal(worker.backlog, 0, 'scored without waiting for more samples');
      assert.equal(worker.samplesSent, sent);
    }
  }
  await worker.close();

  assert.equal(worker.counters.scored, sync.counters.scored);
  assert.deepEqual(scores(workerStore), scores(syncStore));
  assert.ok(syncEvents.length > 0);
  const byTime = (l: AnomalyEvent[]) => [...l].sort((a, b) => a.t - b.t || (a.id < b.id ? -1 : 1));
  assert.deepEqual(byTime(workerEvents), byTime(syncEvents));
  syncStore.close();
  workerStore.close();
});
