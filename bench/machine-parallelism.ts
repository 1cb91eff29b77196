import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { UnivariateEnsemble } from '../src/detect/ensemble.js';
import { ExplanationSlot } from '../src/detect/types.js';

/**
 * How much a second thread adds on this machine: a kernel runs on one worker
 * thread alone, then on two at once; the speedup is the pair's work per second
 * over the single thread's. On two free cores it is close to 2. Anything else
 * keeping a core busy (a process left running, another tenant of the host)
 * brings it down, and with it every throughput figure measured after it, so
 * bench:ingest measures it first and warns when the machine is not free.
 *
 * Kernels: `ensemble` is Vigil's own univariate detector over 10,000 series' states
 * in turn (the detection worker's work: memory-bound, so it also shows a neighbour
 * that only takes memory bandwidth or cache); `arithmetic` is a xorshift and a
 * square root over a 64 KB table (no memory traffic beyond the core's own caches).
 */
export type Kernel = 'ensemble' | 'arithmetic';

interface Job {
  kernel: Kernel;
  ms: number;
  /** Both workers of a pair spin on this until it is 1, so their timed spans overlap. */
  go: SharedArrayBuffer;
}

/** Nanoseconds per kernel step, alone and with a second copy running at the same time. */
export interface Parallelism {
  aloneNs: number;
  pairNs: number;
  /** 2 * aloneNs / pairNs: the pair's throughput in single threads. */
  speedup: number;
}

/** Below this two-thread speedup, the machine is taken to be busy with something else. */
export const FREE_MACHINE_SPEEDUP = 1.8;
/** Above this, two threads did more than twice one's work: the host's speed changed during the check. */
const IMPOSSIBLE_SPEEDUP = 2.2;
/** A detector kernel this much slower than in the committed results: the host is slower. */
const SLOWER_HOST = 1.3;

/**
 * Why this run's figures do not compare with other runs, if they do not. The speedup only
 * tells whether the second core is free; a host that runs everything slower passes it, so
 * the detector kernel's time alone is also compared with the committed run's (`previousNs`).
 */
export function machineWarnings(ensemble: Parallelism, arithmetic: Parallelism, previousNs: number | undefined): string[] {
  const out: string[] = [];
  const worst = Math.min(ensemble.speedup, arithmetic.speedup);
  if (worst < FREE_MACHINE_SPEEDUP)
    out.push(`two threads do ${worst.toFixed(2)}x the work of one (${FREE_MACHINE_SPEEDUP} or more on two free cores): something else is using this machine`);
  const best = Math.max(ensemble.speedup, arithmetic.speedup);
  if (best > IMPOSSIBLE_SPEEDUP) out.push(`two threads did ${best.toFixed(2)}x the work of one, more than two cores can: the host's speed changed during the check`);
  if (previousNs !== undefined && previousNs > 0 && ensemble.aloneNs > SLOWER_HOST * previousNs)
    out.push(`Vigil's detector kernel takes ${Math.round(ensemble.aloneNs)} ns a sample on one thread, ${(ensemble.aloneNs / previousNs).toFixed(2)}x the ${Math.round(previousNs)} ns of the committed results: this host is slower; compare CPU µs a sample, not samples/s`);
  return out;
}

export async function measureParallelism(kernel: Kernel, ms = 3000): Promise<Parallelism> {
  const [aloneNs] = await runWorkers(kernel, ms, 1);
  const pair = await runWorkers(kernel, ms, 2);
  const pairNs = (pair[0]! + pair[1]!) / 2;
  return { aloneNs: aloneNs!, pairNs, speedup: (2 * aloneNs!) / pairNs };
}

async function runWorkers(kernel: Kernel, ms: number, n: number): Promise<number[]> {
  const go = new SharedArrayBuffer(4);
  const flag = new Int32Array(go);
  const workers = Array.from({ length: n }, () => new Worker(new URL(import.meta.url), { workerData: { kernel, ms, go } satisfies Job }));
  const ready = workers.map((w) => new Promise<void>((res) => w.once('message', () => res())));
  const done = workers.map((w) => new Promise<number>((res, rej) => (w.once('error', rej), w.on('message', (m: { ns?: number }) => m.ns !== undefined && res(m.ns)))));
  await Promise.all(ready);
  Atomics.store(flag, 0, 1);
  const ns = await Promise.all(done);
  await Promise.all(workers.map((w) => w.terminate()));
  return ns;
}

function ensembleKernel(): () => number {
  const e = new UnivariateEnsemble();
  const slot = new ExplanationSlot();
  const N = 10_000;
  const states = Array.from({ length: N }, () => e.createState());
  let i = 0;
  let round = 0;
  let seed = 7;
  return () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const s = e.update(states[i]!, 1.7e12 + round * 15_000, 50 + 10 * Math.sin(round / 40 + i) + seed / 2 ** 32, slot);
    if (++i === N) {
      i = 0;
      round++;
    }
    return s;
  };
}

function arithmeticKernel(): () => number {
  const a = new Float64Array(8192);
  let x = 1;
  let s = 0;
  let i = 0;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const k = x & 8191;
    s += Math.sqrt(a[k]! + i++);
    a[k] = s * 1e-9;
    return s;
  };
}

function work(job: Job): void {
  const step = job.kernel === 'ensemble' ? ensembleKernel() : arithmeticKernel();
  const batch = job.kernel === 'ensemble' ? 10_000 : 1_000_000;
  let sink = 0;
  // Warm-up: compiled code, and for the ensemble every state past its cold start.
  for (let k = 0; k < 30 * batch; k++) sink += step();
  parentPort!.postMessage({ ready: true });
  const flag = new Int32Array(job.go);
  while (Atomics.load(flag, 0) === 0);
  const t0 = process.hrtime.bigint();
  const end = Date.now() + job.ms;
  let steps = 0;
  while (Date.now() < end) {
    for (let k = 0; k < batch; k++) sink += step();
    steps += batch;
  }
  const ns = Number(process.hrtime.bigint() - t0) / steps;
  parentPort!.postMessage({ ns, sink: sink === 0 ? 0 : 1 });
}

if (!isMainThread && (workerData as Job | undefined)?.go) work(workerData as Job);
