import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pino } from 'pino';
import { openStore } from '../../../src/store/index.js';
import { DetectionStage, DetectorStateStore, ANOMALY_SCORE_METRIC, type DetectionOptions } from '../../../src/detect/stage/index.js';
import { stepEpisode, newEpisode } from '../../../src/detect/stage/episode.js';
import { counterRate, isCumulative } from '../../../src/detect/stage/counter-rate.js';
import type { AnomalyEvent } from '../../../src/core/events.js';
import type { SeriesWrite } from '../../../src/store/types.js';
import { batchFromWrites } from '../../../src/store/sample-batch.js';
import { tempDir } from '../../helpers/vigil-process.js';
import { SeriesDetector, stateToBytes } from '../../../src/detect/series.js';
import { METRIC_NAME, seriesHash, type Labels } from '../../../src/core/labels.js';
import { FlatScoresBuilder } from '../../../src/detect/stage/flat-scores.js';

const OPTS: DetectionOptions = {
  threshold: 0.08,
  clearAfter: 5,
  severityHigh: 0.5,
  severityMedium: 0.2,
  writeScores: true,
  rebuildWindowMs: 24 * 3600_000,
  saveIntervalMs: 0,
  multivariate: { enabled: false, groupBy: 'instance', maxGroups: 10, maxMetricsPerGroup: 8, contamination: 0.05, consecutive: 3, window: 256 },
};
const silent = pino({ level: 'silent' });
const T0 = Date.UTC(2026, 0, 5);
const STEP = 60_000;

/** A noisy stationary series with a large spike at `spikeAt`. */
function series(n: number, spikeAt = -1, seed = 7): { t: Float64Array; v: Float64Array } {
  let s = seed;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const t = new Float64Array(n);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    t[i] = T0 + i * STEP;
    v[i] = 50 + (rnd() - 0.5) * 4 + (i >= spikeAt && i < spikeAt + 3 && spikeAt >= 0 ? 60 : 0);
  }
  return { t, v };
}

function feed(stage: DetectionStage, store: ReturnType<typeof openStore>, labels: Record<string, string>, t: Float64Array, v: Float64Array, from: number, to: number, batch = 50) {
  for (let i = from; i < to; i += batch) {
    const w: SeriesWrite[] = [{ labels, timestamps: t.subarray(i, Math.min(to, i + batch)), values: v.subarray(i, Math.min(to, i + batch)) }];
    store.append(w);
    stage.observe(batchFromWrites(w));
  }
}

test('one spike in a quiet series raises exactly one event that explains itself', () => {
  const dir = tempDir();
  const store = openStore({ dir: join(dir, 'data'), checkpointIntervalMs: 0 });
  const stage = new DetectionStage(store, OPTS, undefined, silent);
  const events: AnomalyEvent[] = [];
  stage.onAnomaly((e) => events.push(e));
  stage.start(T0);
  const labels = { __name__: 'queue_depth', service: 'orders', instance: 'h1' };
  const { t, v } = series(1500, 1200);
  feed(stage, store, labels, t, v, 0, t.length);

  const inSpike = events.filter((e) => e.t >= t[1200]! && e.t <= t[1210]!);
  assert.equal(inSpike.length, 1, `one event for the spike, got ${events.map((e) => new Date(e.t).toISOString()).join(', ')}`);
  const e = inSpike[0]!;
  assert.equal(e.explanation.direction, 'above');
  assert.ok(e.explanation.expected > 45 && e.explanation.expected < 55, `expected ~50, got ${e.explanation.expected}`);
  assert.ok(e.value > e.explanation.upper);
  assert.ok(e.score >= OPTS.threshold);
  assert.deepEqual(e.labels, labels);
  assert.equal(stage.recentEvents(10).at(-1)?.id, events.at(-1)?.id);

  // Scores are series too, queryable like any other.
  const scores = store.read([{ name: '__name__', type: '=', value: ANOMALY_SCORE_METRIC }, { name: 'source_metric', type: '=', value: 'queue_depth' }], t[0]!, t.at(-1)!);
  assert.equal(scores.length, 1);
  assert.equal(scores[0]!.timestamps.length, 1500);
  assert.ok(Math.max(...scores[0]!.values.subarray(1200, 1205)) >= OPTS.threshold);
  store.close();
});

test('with a score heartbeat, zeros are thinned but every nonzero score and the zero ending its run are kept', () => {
  const labels = { __name__: 'queue_depth', service: 'orders', instance: 'h1' };
  const { t, v } = series(1500, 1200);
  const run = (scoreHeartbeatMs: number) => {
    const store = openStore({ dir: join(tempDir(), 'data'), checkpointIntervalMs: 0 });
    const stage = new DetectionStage(store, { ...OPTS, scoreHeartbeatMs }, undefined, silent);
    const events: AnomalyEvent[] = [];
    stage.onAnomaly((e) => events.push(e));
    stage.start(T0);
    feed(stage, store, labels, t, v, 0, t.length);
    const d = store.read([{ name: '__name__', type: '=', value: ANOMALY_SCORE_METRIC }], t[0]!, t.at(-1)!)[0]!;
    store.close();
    return { ts: Array.from(d.timestamps), vs: Array.from(d.values), events };
  };
  const all = run(0);
  const thin = run(5 * STEP);
  assert.equal(all.ts.length, 1500);
  assert.ok(thin.ts.length < 500, `${thin.ts.length} scores written`);
  // The same events: thinning is on what is written, not on what is scored.
  assert.deepEqual(thin.events, all.events);
  // Every score written is the score at that time, and every nonzero score is written.
  const at = new Map(all.ts.map((x, i) => [x, all.vs[i]!]));
  thin.ts.forEach((x, i) => assert.equal(thin.vs[i], at.get(x)));
  const nonzero = all.ts.filter((_, i) => all.vs[i] !== 0);
  assert.ok(nonzero.length > 0);
  for (const x of nonzero) assert.ok(thin.ts.includes(x));
  // After a run of nonzero scores, the next score (a zero) is written too, and gaps stay within the heartbeat.
  for (let i = 0; i + 1 < all.ts.length; i++) if (all.vs[i] !== 0 && all.vs[i + 1] === 0) assert.ok(thin.ts.includes(all.ts[i + 1]!));
  for (let i = 1; i < thin.ts.length; i++) assert.ok(thin.ts[i]! - thin.ts[i - 1]! <= 5 * STEP);
});

test('detector state survives a restart: the restored stage scores exactly as one that never stopped', () => {
  const labels = { __name__: 'cpu_seconds', instance: 'h2' };
  const { t, v } = series(2000, 1800, 11);

  const dirA = tempDir();
  const storeA = openStore({ dir: join(dirA, 'data'), checkpointIntervalMs: 0 });
  const a = new DetectionStage(storeA, OPTS, new DetectorStateStore(join(dirA, 'data')), silent);
  a.start(T0);
  feed(a, storeA, labels, t, v, 0, 1000);
  a.close();
  storeA.close();

  // Reopen: state from detect.db, and samples written while the detector was down are caught up.
  const storeB = openStore({ dir: join(dirA, 'data'), checkpointIntervalMs: 0 });
  storeB.append([{ labels, timestamps: t.subarray(1000, 1100), values: v.subarray(1000, 1100) }]);
  const b = new DetectionStage(storeB, OPTS, new DetectorStateStore(join(dirA, 'data')), silent);
  b.start(t[1100]!);
  feed(b, storeB, labels, t, v, 1100, 2000);

  const dirC = tempDir();
  const storeC = openStore({ dir: join(dirC, 'data'), checkpointIntervalMs: 0 });
  const c = new DetectionStage(storeC, OPTS, undefined, silent);
  c.start(T0);
  feed(c, storeC, labels, t, v, 0, 2000);

  const sel = [{ name: '__name__', type: '=' as const, value: ANOMALY_SCORE_METRIC }];
  const sb = storeB.read(sel, t[1100]!, t[1999]!)[0]!;
  const sc = storeC.read(sel, t[1100]!, t[1999]!)[0]!;
  assert.equal(sb.values.length, 900);
  assert.deepEqual(Array.from(sb.values), Array.from(sc.values));
  b.close();
  storeB.close();
  storeC.close();
});

test('a restart in the middle of an anomaly raises no second event, and a counter and its score run carry on as if it never stopped', () => {
  const gauge = Object.freeze({ __name__: 'queue_depth', instance: 'h3' });
  const counter = Object.freeze({ __name__: 'jobs_done_total', instance: 'h3' });
  const { t, v } = series(2000, 1800, 5);
  // The counter's increments are the gauge's values: the same spike, as a rate.
  const c = new Float64Array(v.length);
  for (let i = 1; i < c.length; i++) c[i] = c[i - 1]! + v[i]!;
  // Restart right after the spike's first sample opened the episode, with nothing to catch up on.
  const cut = 1801;
  const run = (stage: DetectionStage, store: ReturnType<typeof openStore>, from: number, to: number, events: AnomalyEvent[]) => {
    stage.onAnomaly((e) => events.push(e));
    for (let i = from; i < to; i++) {
      const w: SeriesWrite[] = [
        { labels: gauge, timestamps: [t[i]!], values: [v[i]!] },
        { labels: counter, timestamps: [t[i]!], values: [c[i]!] },
      ];
      store.append(w);
      stage.observe(batchFromWrites(w));
    }
  };
  const opts = { ...OPTS, scoreHeartbeatMs: 10 * STEP };

  const dir = tempDir();
  const restarted: AnomalyEvent[] = [];
  const storeA = openStore({ dir: join(dir, 'data'), checkpointIntervalMs: 0 });
  const a = new DetectionStage(storeA, opts, new DetectorStateStore(join(dir, 'data')), silent);
  a.start(T0);
  run(a, storeA, 0, cut, restarted);
  assert.ok(restarted.some((e) => e.t === t[1800]), 'the spike opened an episode before the restart');
  a.close();
  storeA.close();
  const storeB = openStore({ dir: join(dir, 'data'), checkpointIntervalMs: 0 });
  const b = new DetectionStage(storeB, opts, new DetectorStateStore(join(dir, 'data')), silent);
  b.start(t[cut - 1]!);
  run(b, storeB, cut, t.length, restarted);

  const never: AnomalyEvent[] = [];
  const storeC = openStore({ dir: join(tempDir(), 'data'), checkpointIntervalMs: 0 });
  const never0 = new DetectionStage(storeC, opts, undefined, silent);
  never0.start(T0);
  run(never0, storeC, 0, t.length, never);

  assert.deepEqual(restarted.map((e) => e.id), never.map((e) => e.id), 'the same events, none raised twice');
  // Every score written after the restart (the counter's first rate, the zero ending the spike's run) as without one.
  const scores = (store: ReturnType<typeof openStore>, name: string) => {
    const d = store.read([{ name: '__name__', type: '=', value: ANOMALY_SCORE_METRIC }, { name: 'source_metric', type: '=', value: name }], t[cut]!, t.at(-1)!)[0]!;
    return { ts: Array.from(d.timestamps), vs: Array.from(d.values) };
  };
  for (const name of ['queue_depth', 'jobs_done_total']) assert.deepEqual(scores(storeB, name), scores(storeC, name), name);
  assert.equal(scores(storeB, 'jobs_done_total').ts[0], t[cut], "the counter's first sample after the restart has a rate");
  b.close();
  storeB.close();
  storeC.close();
});

test('a state saved before series trailers existed (the detector state alone) still restores', () => {
  const dir = tempDir();
  const store = openStore({ dir: join(dir, 'data'), checkpointIntervalMs: 0 });
  const labels = { __name__: 'queue_depth', instance: 'h4' };
  const { t, v } = series(300);
  const a = new DetectionStage(store, OPTS, undefined, silent);
  a.start(T0);
  feed(a, store, labels, t, v, 0, 300);
  const states = new DetectorStateStore(join(dir, 'data'));
  const detector = new SeriesDetector();
  for (let i = 0; i < 300; i++) detector.update(t[i]!, v[i]!);
  states.saveMany([{ key: seriesHash(labels), kind: 'univariate', lastT: t[299]!, state: stateToBytes(detector.state) }]);
  states.close();
  const b = new DetectionStage(store, OPTS, new DetectorStateStore(join(dir, 'data')), silent);
  const from = b.restore(labels, b.loadSaved(), t[299]!);
  assert.deepEqual(from, { t: t[299]! + 1, restored: true });
  b.close();
  store.close();
});

test('state is saved a slice of the series at a time: each series once per interval, only when it learned something', () => {
  const dir = tempDir();
  const store = openStore({ dir: join(dir, 'data'), checkpointIntervalMs: 0 });
  const stage = new DetectionStage(store, OPTS, new DetectorStateStore(join(dir, 'data')), silent);
  stage.start(T0);
  const labels = Array.from({ length: 120 }, (_, i) => Object.freeze({ __name__: 'load1', instance: `s${i}` }));
  const round = (r: number) => stage.observe(batchFromWrites(labels.map((l, i) => ({ labels: l, timestamps: [T0 + r * 60_000], values: [i + (r % 3)] }))));
  round(0);
  // 12 slices of 10 series: each slice saves its 10, and a whole interval saves every series once.
  assert.deepEqual(Array.from({ length: 12 }, () => stage.saveSlice(12)), Array(12).fill(10));
  assert.equal(stage.saveSlice(12), 0, 'nothing learned since: nothing to write');
  round(1);
  assert.equal(stage.saveSlice(12), 10, 'the walk wraps round');
  assert.equal(stage.save(), 110, 'shutdown saves the rest at once');
  stage.close();
  store.close();
});

test('counters are scored on their per-second rate, resets included', () => {
  assert.ok(isCumulative({ __name__: 'http_requests_total' }));
  assert.ok(isCumulative({ __name__: 'rpc_duration_seconds_bucket' }));
  assert.ok(!isCumulative({ __name__: 'queue_depth' }));
  assert.equal(counterRate(0, 100, 10_000, 150), 5);
  assert.equal(counterRate(0, 100, 10_000, 20), 2, 'a decrease is a reset: the new value counts from zero');
});

test('metric metadata decides what is a counter: its type wins over the name, and without one the name does', () => {
  const types = new Map([['jobs_done', 'counter'], ['queue_total', 'gauge'], ['rpc_seconds', 'histogram'], ['rpc_quantiles', 'summary'], ['q_hist', 'gaugehistogram'], ['requests', 'counter'], ['odd', 'unknown']] as const);
  const typeOf = (f: string) => types.get(f as never);
  const c = (name: string) => isCumulative({ __name__: name }, typeOf);
  assert.ok(c('jobs_done'), 'a counter whose name lacks _total');
  assert.ok(!c('queue_total'), 'a gauge whose name ends in _total');
  assert.ok(c('rpc_seconds_bucket') && c('rpc_seconds_count') && c('rpc_seconds_sum'));
  assert.ok(c('rpc_quantiles_sum') && !c('rpc_quantiles'), "a summary's quantiles are gauges");
  assert.ok(!c('q_hist_bucket'), "a gauge histogram's buckets are gauges");
  assert.ok(c('requests_total'), 'an OpenMetrics counter family: the series adds _total');
  assert.ok(c('odd_total') && !c('odd'), 'unknown: the name decides');
  assert.ok(c('untyped_total') && !c('untyped'), 'no metadata: the name decides');
});

test("a series' detector starts afresh on its rate when metadata says it is a counter, and scores as one known as a counter from the start", () => {
  const { t, v } = series(1500, 1200, 9);
  const total = new Float64Array(v.length);
  for (let i = 1; i < v.length; i++) total[i] = total[i - 1]! + v[i]!;
  const run = (name: string, typesAt: number) => {
    const store = openStore({ dir: join(tempDir(), 'data'), checkpointIntervalMs: 0 });
    const stage = new DetectionStage(store, OPTS, undefined, silent);
    stage.start(T0);
    const labels = Object.freeze({ __name__: name, instance: 'h5' });
    let changed = 0;
    if (typesAt === 0) changed = stage.setMetricTypes([['jobs_done', 'counter']]);
    feed(stage, store, labels, t, total, 0, typesAt);
    if (typesAt > 0) changed = stage.setMetricTypes([['jobs_done', 'counter']]);
    feed(stage, store, labels, t, total, typesAt, t.length);
    const d = store.read([{ name: '__name__', type: '=', value: ANOMALY_SCORE_METRIC }], t[0]!, t.at(-1)!)[0]!;
    store.close();
    return { changed, ts: Array.from(d.timestamps), vs: Array.from(d.values) };
  };
  const byName = run('jobs_done_total', 0);
  const typed = run('jobs_done', 0);
  assert.deepEqual(typed.vs, byName.vs, 'typed as a counter up front: scored on its rate, as a _total series');
  assert.equal(typed.changed, 0, 'no series existed yet');
  // Metadata arrives after 600 samples (remote write sends it every minute): the detector restarts on the rate.
  const late = run('jobs_done', 600);
  assert.equal(late.changed, 1);
  const fresh = run('jobs_done_total', 0);
  const after = (r: { ts: number[]; vs: number[] }) => r.vs.filter((_, i) => r.ts[i]! > t[600]!);
  const freshFrom600 = (() => {
    const store = openStore({ dir: join(tempDir(), 'data'), checkpointIntervalMs: 0 });
    const stage = new DetectionStage(store, OPTS, undefined, silent);
    stage.start(T0);
    feed(stage, store, Object.freeze({ __name__: 'jobs_done_total', instance: 'h5' }), t, total, 600, t.length);
    const d = store.read([{ name: '__name__', type: '=', value: ANOMALY_SCORE_METRIC }], t[0]!, t.at(-1)!)[0]!;
    store.close();
    return { ts: Array.from(d.timestamps), vs: Array.from(d.values) };
  })();
  assert.deepEqual(after(late), after(freshFrom600), 'after the change, as a counter series first seen then');
  assert.notDeepEqual(after(late), after(fresh));
});

test('hysteresis: a score hovering around the threshold is one episode', () => {
  const e = newEpisode();
  const seq = [0, 0.1, 0.05, 0.09, 0.06, 0.1, 0.01, 0.01, 0.01, 0.01, 0.01, 0.2];
  const tr = seq.map((s, i) => stepEpisode(e, i, s, 0.08, 5));
  assert.deepEqual(tr.filter((x) => x === 'opened').length, 2);
  assert.equal(tr[1], 'opened');
  assert.equal(tr[10], 'closed');
  assert.equal(tr[11], 'opened');
});

test("a family's type reaches only the series named after it (its name, and with _total, _bucket, _count or _sum)", () => {
  const store = openStore({ dir: join(tempDir(), 'data'), checkpointIntervalMs: 0 });
  const stage = new DetectionStage(store, OPTS, undefined, silent);
  stage.start(T0);
  const names = ['rpc', 'rpc_total', 'rpc_latency_bucket', 'rpc_latency_count', 'rpc_latency_sum', 'rpc_latency', 'rpc_other', 'temp'];
  for (const name of names)
    stage.observe(batchFromWrites([{ labels: Object.freeze({ __name__: name, instance: 'h1' }), timestamps: [T0, T0 + 15_000], values: [1, 2] }]));
  assert.equal(stage.setMetricTypes([['disk', 'counter']]), 0, 'a family without series changes none');
  assert.equal(stage.setMetricTypes([['temp', 'gauge']]), 0, 'a gauge named as one stays as it was');
  assert.equal(stage.setMetricTypes([['rpc', 'counter']]), 1, "rpc becomes cumulative; rpc_total already was; rpc_other is another family's");
  assert.equal(stage.setMetricTypes([['rpc', 'counter']]), 0, 'the same type again changes nothing');
  assert.equal(stage.setMetricTypes([['rpc_latency', 'gauge']]), 3, "a gauge family's _bucket, _count and _sum series are not cumulative");
  assert.equal(stage.setMetricTypes([['rpc_latency', 'histogram']]), 3, 'a histogram family: they are again');
  store.close();
});

test("scored in blocks series by series (the worker's way when behind), a fleet gets the same scores, forest rows and events as batch by batch", () => {
  const opts: DetectionOptions = { ...OPTS, multivariate: { ...OPTS.multivariate, enabled: true, window: 128, consecutive: 1 } };
  const hosts = ['h1', 'h2', 'h3'];
  const names = ['load1', 'latency_seconds', 'queue_depth', 'http_requests_total'];
  // Ids as the ingest thread gives them; a score series among them is never scored.
  const labelsOf: Labels[] = hosts.flatMap((instance) => names.map((n) => Object.freeze({ __name__: n, instance, job: 'api' })));
  labelsOf.push(Object.freeze({ __name__: ANOMALY_SCORE_METRIC, instance: 'h1', job: 'api' }));
  let s = 11;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const counters = labelsOf.map(() => 1000);
  /** Round r's batch of one host (its series, one sample each): h2's load and latency jump at 500, h3's queue spikes at 650. */
  const batch = (r: number, h: number) => {
    const ids = Uint32Array.from([...names.keys()].map((k) => h * names.length + k).concat(h === 0 ? [labelsOf.length - 1] : []));
    const vs = Float64Array.from(ids, (id) => {
      const name = labelsOf[id]![METRIC_NAME];
      if (name === 'http_requests_total') return (counters[id]! += 40 + Math.floor(rnd() * 10));
      const jump = (h === 1 && r >= 500 && r < 520 && name !== 'queue_depth' ? 30 : 0) + (h === 2 && r >= 650 && r < 653 && name === 'queue_depth' ? 80 : 0);
      return 10 + rnd() * 2 + jump;
    });
    return { ids, ends: Uint32Array.from(ids, (_, i) => i + 1), ts: new Float64Array(ids.length).fill(T0 + r * STEP), vs, batches: Uint32Array.of(ids.length) };
  };
  const list = Array.from({ length: 900 }, (_, r) => hosts.map((_, h) => batch(r, h))).flat();

  const collect = (scores: Map<string, number[][]>, events: AnomalyEvent[], stage: DetectionStage) => {
    stage.onAnomaly((e) => events.push(e));
    return (out: FlatScoresBuilder) => {
      const r = out.result();
      const labels = new Map(r.series);
      named.set(stage, new Map([...(named.get(stage) ?? []), ...labels]));
      let from = 0;
      r.ids.forEach((id, i) => {
        const key = JSON.stringify(named.get(stage)!.get(id));
        const to = r.ends[i]!;
        for (let j = from; j < to; j++) scores.set(key, [...(scores.get(key) ?? []), [r.ts[j]!, r.vs[j]!]]);
        from = to;
      });
    };
  };
  const named = new Map<DetectionStage, Map<number, Labels>>();
  const noStore = { append() {}, series: () => [], read: () => [] } as never;

  const byBatch = new DetectionStage(noStore, opts, undefined, silent);
  const batchScores = new Map<string, number[][]>();
  const batchEvents: AnomalyEvent[] = [];
  const takeBatch = collect(batchScores, batchEvents, byBatch);
  for (const b of list) {
    const out = new FlatScoresBuilder(4, 4);
    byBatch.observeFlat(b.ids, b.ends, b.ts, b.vs, 0, b.ids.length, labelsOf, out);
    takeBatch(out);
  }

  const byBlock = new DetectionStage(noStore, opts, undefined, silent);
  const blockScores = new Map<string, number[][]>();
  const blockEvents: AnomalyEvent[] = [];
  const takeBlock = collect(blockScores, blockEvents, byBlock);
  let blocks = 0;
  for (let i = 0; i < list.length; blocks++) {
    // Blocks of 1 to 60 batches, some of them as the ingest thread sends them: several batches in one message.
    const n = 1 + Math.floor(rnd() * 60);
    const parts = list.slice(i, i + n);
    i += n;
    const merged = parts.length > 2 ? [merge(parts.slice(0, 3)), ...parts.slice(3)] : parts;
    const before = blockEvents.length;
    const out = new FlatScoresBuilder(4, 4);
    byBlock.observeBlock(merged, labelsOf, out);
    takeBlock(out);
    const raised = blockEvents.slice(before).map((e) => e.t);
    assert.deepEqual(raised, [...raised].sort((a, b) => a - b), "a block's events come out in time order");
  }
  assert.ok(blocks > 20);

  assert.equal(byBlock.counters.scored, byBatch.counters.scored);
  assert.equal(byBlock.counters.scored, 900 * 12 - 3, 'every sample but each counter\'s first is scored; the score series is not');
  assert.deepEqual(new Set(blockScores.keys()), new Set(batchScores.keys()));
  assert.ok([...batchScores.keys()].some((k) => k.includes('iforest')), 'host forest rows are scored');
  for (const [k, v] of batchScores) assert.deepEqual(blockScores.get(k), v, k);
  const sortById = (l: AnomalyEvent[]) => [...l].sort((a, b) => a.t - b.t || (a.id < b.id ? -1 : 1));
  assert.ok(batchEvents.some((e) => e.explanation.component === 'iforest') && batchEvents.some((e) => e.explanation.component !== 'iforest'), 'univariate and host events both');
  assert.deepEqual(sortById(blockEvents), sortById(batchEvents));
});

/** Several ingest batches as one message: the arrays end to end, each batch's end in `batches`. */
function merge(parts: Array<{ ids: Uint32Array; ends: Uint32Array; ts: Float64Array; vs: Float64Array }>) {
  const ids: number[] = [];
  const ends: number[] = [];
  const ts: number[] = [];
  const vs: number[] = [];
  const batches: number[] = [];
  for (const p of parts) {
    const base = ts.length;
    ids.push(...p.ids);
    for (const e of p.ends) ends.push(base + e);
    ts.push(...p.ts);
    vs.push(...p.vs);
    batches.push(ids.length);
  }
  return { ids: Uint32Array.from(ids), ends: Uint32Array.from(ends), ts: Float64Array.from(ts), vs: Float64Array.from(vs), batches: Uint32Array.from(batches) };
}
