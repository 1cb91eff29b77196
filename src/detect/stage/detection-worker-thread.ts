import { parentPort, workerData, type Transferable } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Labels } from '../../core/labels.js';
import { currentThreadId } from '../../core/thread-cpu.js';
import { DetectionStage, type DetectionStore } from './detection-stage.js';
import { DetectorStateStore } from './state-store.js';
import { FlatScoresBuilder } from './flat-scores.js';
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
 * The stage's store on this thread: live scores come back from observeFlat and
 * start-up history from the ingest thread ('restore', replayed 'samples'), so
 * nothing here is ever asked to read or write the store.
 */
const noStore: DetectionStore = {
  append: () => {
    throw new Error('the detection worker returns scores to the ingest thread, it does not store them');
  },
  series: () => {
    throw new Error('the detection worker reads no history itself');
  },
  read: () => {
    throw new Error('the detection worker reads no history itself');
  },
};

const stage = new DetectionStage(noStore, init.opts, init.stateDir === undefined ? undefined : new DetectorStateStore(init.stateDir), logger);
stage.onAnomaly((event) => post({ type: 'event', event }));
const labelsById: Labels[] = [];
const tid = currentThreadId();
if (tid !== undefined) post({ type: 'thread', tid });

function register(series: Array<[number, Labels]>): void {
  // Frozen: the stage then finds each series' detector by identity.
  for (const [id, labels] of series) labelsById[id] = Object.freeze(labels);
}

type LiveSamples = Extract<ToWorker, { type: 'samples' }>;

/** Scores a block of live batches; one reply brings back their scores and their buffers. */
function scoreBlock(block: LiveSamples[]): void {
  let n = 0;
  for (const m of block) {
    register(m.series);
    n += m.ts.length;
  }
  // Sized for the few scores kept (nearly every score is 0 and not written); it grows if need be.
  const scores = new FlatScoresBuilder(256, 1024);
  stage.observeBlock(block, labelsById, scores);
  const out = scores.result();
  const spare = block.map((m) => [m.ids.buffer, m.ends.buffer, m.ts.buffer, m.vs.buffer] as [ArrayBuffer, ArrayBuffer, ArrayBuffer, ArrayBuffer]);
  const reply: FromWorker = { type: 'scores', ...out, scored: stage.counters.scored, seriesCount: stage.seriesCount, spare };
  init.scores.postMessage(reply, [out.ids.buffer, out.ends.buffer, out.ts.buffer, out.vs.buffer, ...spare.flat()]);
  Atomics.add(processed, 0, n);
  Atomics.notify(processed, 0);
}

/**
 * Live batches wait here to be scored as one block (see detect.blockDelay): once the first has
 * waited blockDelayMs, or once they hold blockSamples. Any other message scores them first.
 */
const waiting: LiveSamples[] = [];
let waitingSamples = 0;
let timer: NodeJS.Timeout | undefined;
const blockDelayMs = init.opts.blockDelayMs ?? 0;

function scoreWaiting(): void {
  clearTimeout(timer);
  timer = undefined;
  if (waiting.length === 0) return;
  scoreBlock(waiting.splice(0));
  waitingSamples = 0;
}

port.on('message', (m: ToWorker) => {
  if (m.type === 'samples' && !m.replay) {
    waiting.push(m);
    waitingSamples += m.ts.length;
    if (waitingSamples >= init.blockSamples) scoreWaiting();
    else timer ??= setTimeout(scoreWaiting, blockDelayMs);
  } else {
    scoreWaiting();
    handle(m);
  }
});

function handle(m: ToWorker): void {
  switch (m.type) {
    case 'samples': {
      // Replayed history at start-up (live samples go to scoreBlock).
      register(m.series);
      let from = 0;
      for (let i = 0; i < m.ids.length; i++) {
        const to = m.ends[i]!;
        stage.replay(labelsById[m.ids[i]!]!, m.ts.subarray(from, to), m.vs.subarray(from, to));
        from = to;
      }
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
    case 'metricTypes':
      stage.setMetricTypes(m.types);
      break;
    case 'close':
      stage.close();
      post({ type: 'closed' });
      init.scores.close();
      port.close();
      break;
  }
}
