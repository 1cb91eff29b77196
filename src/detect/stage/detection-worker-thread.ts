import { parentPort, workerData, type Transferable } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Labels } from '../../core/labels.js';
import type { AppendResult, SeriesData, SeriesInfo, SeriesWrite } from '../../store/types.js';
import { DetectionStage, type DetectionStore } from './detection-stage.js';
import { DetectorStateStore } from './state-store.js';
import type { FromWorker, ToWorker, WorkerInit } from './worker-messages.js';

/**
 * The detection worker (see detection-worker.ts): a DetectionStage whose input
 * arrives as flat batches from the ingest thread and whose score writes go back
 * to it, so decoding and storing use one core and scoring the other.
 */
const port = parentPort!;
const init = workerData as WorkerInit;
const processed = new Int32Array(init.processed);
const post = (m: FromWorker, transfer: Transferable[] = []) => port.postMessage(m, transfer);

const logAt =
  (level: 'info' | 'warn' | 'error') =>
  (obj: Record<string, unknown>, msg = ''): void =>
    post({ type: 'log', level, obj, msg });
const logger = { info: logAt('info'), warn: logAt('warn'), error: logAt('error'), debug: () => undefined } as unknown as Logger;

/**
 * The stage's store on this thread: score writes are collected and sent to the
 * ingest thread, which appends them. Score series have frozen label sets, sent
 * once and then referred to by id; host-group rows (new objects each time) go whole.
 */
class ScoreSink implements DetectionStore {
  private readonly ids = new WeakMap<Labels, number>();
  private nextId = 0;
  private writes: SeriesWrite[] = [];
  private other: SeriesWrite[] = [];

  append(writes: readonly SeriesWrite[]): AppendResult {
    let n = 0;
    for (const w of writes) {
      (Object.isFrozen(w.labels) ? this.writes : this.other).push(w);
      n += w.timestamps.length;
    }
    return { accepted: n, rejected: {} };
  }

  /** Start-up history comes from the ingest thread ('restore' and replayed 'samples'), never from here. */
  series(): SeriesInfo[] {
    throw new Error('the detection worker reads no history itself');
  }

  read(): SeriesData[] {
    throw new Error('the detection worker reads no history itself');
  }

  /** Sends what the last batch produced, with the stage's counters. */
  flush(stage: DetectionStage): void {
    const series: Array<[number, Labels]> = [];
    let total = 0;
    for (const w of this.writes) total += w.timestamps.length;
    const ids = new Uint32Array(this.writes.length);
    const ends = new Uint32Array(this.writes.length);
    const ts = new Float64Array(total);
    const vs = new Float64Array(total);
    let o = 0;
    for (let i = 0; i < this.writes.length; i++) {
      const w = this.writes[i]!;
      let id = this.ids.get(w.labels);
      if (id === undefined) {
        this.ids.set(w.labels, (id = this.nextId++));
        series.push([id, w.labels]);
      }
      ids[i] = id;
      ts.set(w.timestamps, o);
      vs.set(w.values, o);
      o += w.timestamps.length;
      ends[i] = o;
    }
    const other = this.other.map((w) => ({ labels: w.labels, timestamps: Array.from(w.timestamps), values: Array.from(w.values) }));
    this.writes = [];
    this.other = [];
    post({ type: 'scores', series, ids, ends, ts, vs, other, scored: stage.counters.scored, seriesCount: stage.seriesCount }, [ids.buffer, ends.buffer, ts.buffer, vs.buffer]);
  }
}

const sink = new ScoreSink();
const stage = new DetectionStage(sink, init.opts, init.stateDir === undefined ? undefined : new DetectorStateStore(init.stateDir), logger);
stage.onAnomaly((event) => post({ type: 'event', event }));
const labelsById: Labels[] = [];

function register(series: Array<[number, Labels]>): void {
  // Frozen: the stage then finds each series' detector by identity.
  for (const [id, labels] of series) labelsById[id] = Object.freeze(labels);
}

port.on('message', (m: ToWorker) => {
  switch (m.type) {
    case 'samples': {
      register(m.series);
      const writes: SeriesWrite[] = [];
      let from = 0;
      for (let i = 0; i < m.ids.length; i++) {
        const to = m.ends[i]!;
        writes.push({ labels: labelsById[m.ids[i]!]!, timestamps: m.ts.subarray(from, to), values: m.vs.subarray(from, to) });
        from = to;
      }
      if (m.replay) for (const w of writes) stage.replay(w.labels, w.timestamps, w.values);
      else stage.observe(writes);
      sink.flush(stage);
      Atomics.add(processed, 0, m.ts.length);
      Atomics.notify(processed, 0);
      break;
    }
    case 'restore': {
      register(m.series);
      const saved = stage.loadSaved();
      const from = new Float64Array(m.series.length);
      let restored = 0;
      m.series.forEach(([id], i) => {
        const r = stage.restore(labelsById[id]!, saved, m.now);
        from[i] = r.t;
        if (r.restored) restored++;
      });
      post({ type: 'restored', from, restored }, [from.buffer]);
      break;
    }
    case 'startSaving':
      stage.startSaving();
      break;
    case 'close':
      stage.close();
      post({ type: 'closed' });
      port.close();
      break;
  }
});
