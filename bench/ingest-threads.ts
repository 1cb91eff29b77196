import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Labels } from '../src/core/labels.js';
import { SelfMetrics } from '../src/core/self-metrics.js';
import { tuneEngine } from '../src/core/engine-tuning.js';
import { currentThreadId, threadCpuSeconds } from '../src/core/thread-cpu.js';
import { defaultConfig, toStoreOptions } from '../src/config/index.js';
import { DetectionStage } from '../src/detect/stage/detection-stage.js';
import { FlatScoresBuilder } from '../src/detect/stage/flat-scores.js';
import { BLOCK_SAMPLES } from '../src/detect/stage/worker-messages.js';
import { IngestPipeline } from '../src/ingest/pipeline.js';
import { decodeWriteRequest, snappyDecode } from '../src/ingest/remote-write/decode.js';
import { DeltaAccumulator } from '../src/ingest/otlp/translate.js';
import { OtlpWireDecoder } from '../src/ingest/otlp/wire-decoder.js';
import { LineProtocolParser } from '../src/ingest/line-protocol/byte-parser.js';
import { openStore } from '../src/store/index.js';
import { LP_VALUE_MAX, lineProtocolPayload, otlpPayload, remoteWritePayload } from './ingest-payloads.js';
import { SeriesGen, loadNab } from './series-gen.js';

/**
 * The two threads of bench:ingest's detection-on runs, each alone on this thread, without
 * HTTP, senders or the other thread (`npm run bench:ingest-threads`):
 *   ingest_thread_us_per_sample        snappy and protobuf decoding of remote-write bodies (2,000
 *                                      samples each, as bench:ingest's senders send them) and
 *                                      storing them (head, WAL, checkpoints into SQLite), on this
 *                                      thread (from /proc); the store's chunk encoder and SQLite
 *                                      checkpoint threads start in the warm-up, and the CPU of the
 *                                      process's other threads (those, the WAL's fsync thread and
 *                                      V8's helpers) is ingest_store_threads_us_per_sample (otlp_, lp_ alike)
 *   otlp_thread_us_per_sample          the same for OTLP/HTTP protobuf bodies
 *   lp_thread_us_per_sample            the same for InfluxDB line protocol bodies (values as
 *                                      Telegraf writes them, formatted before timing: the senders' work)
 *   detect_thread_us_per_sample        the detection worker's stage (DetectionStage.observeBlock: the
 *                                      ensemble on every sample, the host forests, the scores to write
 *                                      back) on flat batches of 2,000 samples, taken in blocks of up to
 *                                      BLOCK_SAMPLES (256 Ki) as the worker takes its backlog when it is
 *                                      behind, as it is at bench:ingest's rate
 * All over 10,000 series (100 hosts of 100), 15 s apart in sample time, each past a day of
 * samples (the daily cycle in use, the forests retrained many times) before timing.
 *
 * This host's speed has varied by a factor of two from one minute to the next, which hides a
 * 10% change in those times. With valgrind installed (it is on every machine here) the same
 * work is also counted in instructions, which do not depend on the host's speed:
 *   ingest_thread_instructions_per_sample, otlp_thread_instructions_per_sample,
 *   lp_thread_instructions_per_sample, detect_thread_instructions_per_sample (the part's thread),
 *   ingest_store_threads_instructions_per_sample (otlp_, lp_ alike: the store's threads; under
 *   valgrind, 50 times slower, they count about three times the instructions the ingest thread
 *   saves by not encoding, where bench:ingest's CPU per thread shows about as much: compare these
 *   counts between versions of the code, not with the ingest thread's)
 * (valgrind's callgrind, counting only the timed rounds, V8 on one thread so that its
 * compilations and collections land the same way each run, and with fixed hash and random
 * seeds; 2,000 series to keep the run short:
 * the series' state is the same, only fewer of them). BENCH_THREADS_VALGRIND=0 skips them.
 * BENCH_THREADS_MULTIVARIATE (JSON) changes detect.multivariate in the detect part, for experiments
 * (e.g. '{"enabled":false}' or '{"retrainEvery":512}').
 * Writes bench/results/ingest-threads.json.
 */

const SERIES = 10_000;
const BATCH = 2_000;
const STEP_MS = 15_000;
const WARM_ROUNDS = 6_000;
const TIMED_ROUNDS = 500;
const T0 = Date.UTC(2026, 0, 5);

/**
 * `ingest`: remote write; `otlp`: OTLP/HTTP protobuf (bench:ingest's OTLP run) and `lp`: InfluxDB line
 * protocol (its line-protocol run), decoded and stored the same way.
 */
type Part = 'ingest' | 'otlp' | 'lp' | 'detect';

interface PartRun {
  /** CPU of the thread that runs the part (the ingest thread, or the detection worker's stage). */
  usPerSample: number;
  /** CPU of the process's other threads meanwhile (for the ingest parts, the store's chunk encoder and SQLite checkpoint threads), or undefined without Linux's /proc. */
  otherUsPerSample: number | undefined;
  samples: number;
}

const nab = loadNab(join(process.cwd(), '..', 'shared', 'datasets', 'nab', 'data'));

function progress(part: string, done: number, total: number): void {
  if (process.stderr.isTTY) process.stderr.write(`\r[bench:ingest-threads] ${part.padEnd(6)} ${done}/${total} rounds   ${done === total ? '\n' : ''}`);
  else if (done === total || done % 1000 === 0) process.stderr.write(`[bench:ingest-threads] ${part} ${done}/${total} rounds\n`);
}

/** Switches callgrind's instrumentation (under valgrind only): it counts the timed rounds alone. */
function instrument(on: boolean): void {
  if (process.env.BENCH_THREADS_UNDER_VALGRIND === '1') execFileSync('callgrind_control', ['-i', on ? 'on' : 'off', String(process.pid)], { stdio: 'ignore' });
}

/**
 * WARM_ROUNDS rounds, then TIMED_ROUNDS timed ones (CPU time, and callgrind's count under
 * valgrind). `round(r, values)` runs round r; a warm round draws its values from `gen`
 * (values undefined), a timed one gets them drawn beforehand (generating them is the
 * senders' work, not Vigil's), in series order; `prepare`, when given, sees them before
 * timing starts (to format them, for a text protocol).
 */
async function timeRounds(
  part: string,
  series: number,
  gen: SeriesGen,
  round: (r: number, values: Float64Array | undefined) => void | Promise<void>,
  prepare?: (timed: Float64Array) => void,
): Promise<PartRun> {
  for (let r = 0; r < WARM_ROUNDS; r++) {
    await round(r, undefined);
    progress(part, r + 1, WARM_ROUNDS + TIMED_ROUNDS);
  }
  const timed = new Float64Array(TIMED_ROUNDS * series);
  for (let k = 0; k < TIMED_ROUNDS; k++) for (let i = 0; i < series; i++) timed[k * series + i] = gen.next(i);
  prepare?.(timed);
  const tid = currentThreadId();
  instrument(true);
  const start = process.cpuUsage();
  const threadStart = tid === undefined ? undefined : threadCpuSeconds(tid);
  for (let k = 0; k < TIMED_ROUNDS; k++) await round(WARM_ROUNDS + k, timed.subarray(k * series, (k + 1) * series));
  const threadEnd = tid === undefined ? undefined : threadCpuSeconds(tid);
  const cpu = process.cpuUsage(start);
  instrument(false);
  progress(part, WARM_ROUNDS + TIMED_ROUNDS, WARM_ROUNDS + TIMED_ROUNDS);
  const samples = TIMED_ROUNDS * series;
  const processUs = cpu.user + cpu.system;
  // This thread's CPU from /proc (10 ms ticks: well under 1% of a timed run), the rest the other threads'.
  const threadUs = threadStart !== undefined && threadEnd !== undefined ? (threadEnd - threadStart) * 1e6 : undefined;
  return { usPerSample: (threadUs ?? processUs) / samples, otherUsPerSample: threadUs === undefined ? undefined : Math.max(0, processUs - threadUs) / samples, samples };
}

function runDetect(series: number): Promise<PartRun> {
  const gen = new SeriesGen(series, nab, 11);
  const labelsOf: Labels[] = Array.from({ length: series }, (_, i) => Object.freeze(gen.labels(i)));
  const logger = { info() {}, warn() {}, error() {}, debug() {} } as never;
  const detect = defaultConfig().detect;
  // Experiments only: BENCH_THREADS_MULTIVARIATE='{"retrainEvery":512}' changes the host forests' settings.
  const mv = process.env.BENCH_THREADS_MULTIVARIATE;
  if (mv !== undefined) Object.assign(detect.multivariate, JSON.parse(mv));
  const stage = new DetectionStage({ append() {}, series: () => [], read: () => [] } as never, detect, undefined, logger);
  const ids = Uint32Array.from({ length: series }, (_, i) => i);
  // Blocks as the worker takes its backlog when behind (as it is at bench:ingest's rate): the
  // ingest thread's batches of BATCH series, as many as make BLOCK_SAMPLES.
  const roundsPerBlock = Math.max(1, Math.floor(BLOCK_SAMPLES / series));
  const ends = Uint32Array.from({ length: BATCH }, (_, i) => i + 1);
  const batches = Uint32Array.of(BATCH);
  const block = Array.from({ length: roundsPerBlock }, () => ({ ts: new Float64Array(series), vs: new Float64Array(series) }));
  const parts = block.flatMap(({ ts, vs }) =>
    Array.from({ length: Math.ceil(series / BATCH) }, (_, k) => {
      const n = Math.min(BATCH, series - k * BATCH);
      const at = k * BATCH;
      return { ids: ids.subarray(at, at + n), ends: ends.subarray(0, n), ts: ts.subarray(at, at + n), vs: vs.subarray(at, at + n), batches: n === BATCH ? batches : Uint32Array.of(n) };
    }),
  );
  const perRound = parts.length / roundsPerBlock;
  let filled = 0;
  return timeRounds('detect', series, gen, (r, values) => {
    const { ts, vs } = block[filled++]!;
    ts.fill(T0 + r * STEP_MS);
    if (values === undefined) for (let i = 0; i < series; i++) vs[i] = gen.next(i);
    else vs.set(values);
    // A block is scored once full, and at the last warm-up and timed round.
    if (filled < roundsPerBlock && r !== WARM_ROUNDS - 1 && r !== WARM_ROUNDS + TIMED_ROUNDS - 1) return;
    const out = new FlatScoresBuilder(256, 1024);
    stage.observeBlock(parts.slice(0, filled * perRound), labelsOf, out);
    out.result();
    filled = 0;
  });
}

type IngestProtocol = 'remote_write' | 'otlp' | 'influx_line';

async function runIngest(protocol: IngestProtocol, series: number): Promise<PartRun> {
  const gen = new SeriesGen(series, nab, 7);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-threads-'));
  const config = defaultConfig();
  // Checkpoints as the WAL fills (every 256 MiB), not every 60 s of wall time: under valgrind,
  // 50 times slower, a timer would checkpoint 50 times as often a sample. At bench:ingest's
  // rate the WAL fills in under 60 s, so these are its checkpoints too.
  const store = openStore({ ...toStoreOptions({ ...config.storage, dir }, config.limits.maxSeries), checkpointIntervalMs: 0, encoderThreadAfter: 0 });
  const pipeline = new IngestPipeline(store, new SelfMetrics({ defaultMetrics: false }), config.limits);
  const encode = protocol === 'otlp' ? otlpPayload : protocol === 'influx_line' ? lineProtocolPayload : remoteWritePayload;
  const payloads = Array.from({ length: Math.ceil(series / BATCH) }, (_, k) => encode(gen, k * BATCH, Math.min(BATCH, series - k * BATCH)));
  const scratch = { buf: new Uint8Array(1 << 16) };
  const maxDecoded = 64 << 20;
  const otlp = new OtlpWireDecoder(config.limits, new DeltaAccumulator());
  const lp = new LineProtocolParser();
  const decode = (body: Uint8Array, t: number) =>
    protocol === 'otlp'
      ? otlp.decode(body, t).batch
      : protocol === 'influx_line'
        ? lp.parse(Buffer.from(body.buffer, body.byteOffset, body.length), 'ns', config.limits, t).batch
        : // Into reused arrays, as the route decodes: the batch is stored and handed on before the next decode.
          decodeWriteRequest(snappyDecode(body, maxDecoded, scratch), config.limits, true).batch;
  // A text protocol's timed values are formatted before timing (the senders' work), the others' written as they go.
  const text = payloads[0]!.rendered;
  let rendered: Uint8Array | undefined;
  let starts: Uint32Array | undefined;
  const prepare = text
    ? (timed: Float64Array) => {
        rendered = new Uint8Array(timed.length * LP_VALUE_MAX);
        starts = new Uint32Array(timed.length + 1);
        let o = 0;
        for (let i = 0; i < timed.length; i++) starts[i + 1] = o = text.write(rendered, o, timed[i]!);
      }
    : undefined;
  try {
    return await timeRounds(
      protocol,
      series,
      gen,
      async (r, values) => {
        const source = values === undefined ? gen : ({ next: (i: number) => values[i]! } as SeriesGen);
        const t = T0 + r * STEP_MS;
        for (let k = 0; k < payloads.length; k++) {
          const p = payloads[k]!;
          if (values !== undefined && rendered !== undefined) p.rendered!.patch(t, rendered, starts!, (r - WARM_ROUNDS) * series + k * BATCH);
          else p.patch(t, source);
          const res = pipeline.writeBatch(decode(p.body, t), protocol);
          if (res.accepted !== p.samples) throw new Error(`round ${r}: ${res.accepted} of ${p.samples} samples accepted`);
        }
        // The store's checkpoints run between requests, as they do in the server.
        await new Promise((res) => setImmediate(res));
      },
      prepare,
    );
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runPart(part: Part, series: number): Promise<PartRun> {
  return part === 'detect' ? runDetect(series) : runIngest(part === 'otlp' ? 'otlp' : part === 'lp' ? 'influx_line' : 'remote_write', series);
}

/** V8 on one thread, with fixed hash and random seeds: the same build counts the same instructions. */
const SEEDS = ['--single-threaded', '--hash-seed=1', '--random-seed=1'];

/**
 * The part's instructions per timed sample, counted by callgrind in a child run of this
 * script: on its main thread (the part's), and on its other threads together.
 */
function instructions(part: Part): { main: number; others: number } | undefined {
  const series = 2_000;
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-callgrind-'));
  try {
    const r = spawnSync(
      'valgrind',
      // Fixed seeds: V8 seeds its hash tables and random numbers per process, which moved the
      // count by up to 150 instructions a sample from one run of the same build to the next.
      // One output file per thread: cg.out-01 is the main thread.
      ['--tool=callgrind', '--instr-atstart=no', '--separate-threads=yes', `--callgrind-out-file=${join(dir, 'cg.out')}`, process.execPath, ...SEEDS, process.argv[1]!, 'child', part, String(series)],
      { env: { ...process.env, BENCH_THREADS_UNDER_VALGRIND: '1' }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 },
    );
    const perThread = readdirSync(dir)
      .filter((f) => /^cg\.out-\d+$/.test(f))
      .map((f) => [Number(f.slice(7)), Number(/^totals:\s*(\d+)/m.exec(readFileSync(join(dir, f), 'utf8'))?.[1] ?? NaN)] as const);
    const main = perThread.find(([t]) => t === 1)?.[1];
    if (r.status !== 0 || main === undefined || !Number.isFinite(main)) {
      console.error(`[bench:ingest-threads] valgrind run of ${part} failed (${r.error?.message ?? `exit ${r.status}`}): ${(r.stderr ?? '').slice(-800)}`);
      return undefined;
    }
    const others = perThread.reduce((sum, [t, n]) => (t === 1 || !Number.isFinite(n) ? sum : sum + n), 0);
    const per = (n: number) => Math.round(n / (TIMED_ROUNDS * series));
    return { main: per(main), others: per(others) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function hasValgrind(): boolean {
  return spawnSync('valgrind', ['--version'], { stdio: 'ignore' }).status === 0;
}

async function main(): Promise<void> {
  tuneEngine();
  const [mode, part, n] = process.argv.slice(2);
  if (mode === 'child') {
    const r = await runPart(part as Part, Number(n));
    console.log(JSON.stringify(r));
    return;
  }
  const results: Record<string, number> = {};
  for (const p of ['ingest', 'otlp', 'lp', 'detect'] as const) {
    const r = await runPart(p, SERIES);
    results[`${p}_thread_us_per_sample`] = Math.round(r.usPerSample * 1000) / 1000;
    if (p !== 'detect' && r.otherUsPerSample !== undefined) results[`${p}_store_threads_us_per_sample`] = Math.round(r.otherUsPerSample * 1000) / 1000;
    console.log(`${p} thread: ${r.usPerSample.toFixed(3)} us/sample (CPU, ${r.samples} samples timed; other threads ${r.otherUsPerSample?.toFixed(3) ?? '?'})`);
  }
  if (process.env.BENCH_THREADS_VALGRIND !== '0' && hasValgrind()) {
    for (const p of ['ingest', 'otlp', 'lp', 'detect'] as const) {
      console.error(`[bench:ingest-threads] counting ${p}'s instructions under valgrind (a few minutes)`);
      const ir = instructions(p);
      if (ir !== undefined) {
        results[`${p}_thread_instructions_per_sample`] = ir.main;
        if (p !== 'detect') results[`${p}_store_threads_instructions_per_sample`] = ir.others;
        console.log(`${p} thread: ${ir.main} instructions/sample (other threads ${ir.others})`);
      }
    }
  }
  const outDir = join(process.cwd(), 'bench', 'results');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'ingest-threads.json'), JSON.stringify(results, null, 2) + '\n');
  console.log(JSON.stringify(results, null, 2));
}

await main();
