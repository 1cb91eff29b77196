import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { EmbeddedStore } from '../src/store/embedded-store.js';
import type { SeriesWrite } from '../src/store/types.js';
import { SeriesGen, loadNab, rng } from './series-gen.js';

/**
 * Store benchmark (`npm run bench:store`, about 40 s, about 1.3 GB RSS). Writes
 * bench/results/store.json, a flat object of numbers:
 *   ingest_samples_per_sec             appendRefs on one core, 10k series x 1 sample per call,
 *                                      node_exporter-like values at 15 s (store time only)
 *   ingest_samples_per_sec_label_path  append() with one SeriesWrite per series (label lookups)
 *   seal_samples_per_sec               a checkpoint sealing those samples into SQLite chunks
 *   ingest_with_seal_samples_per_sec   both together: the sustained rate of one core
 *   bytes_per_sample                   encoded chunk bytes / samples after sealing 24 h of
 *                                      2k series of the realistic mix (incl. 5% NAB series)
 *   bytes_per_sample_sqlite_file       the whole SQLite file (rows, indexes, series) / samples
 *   bytes_per_sample_jittered_ts       the mix with +-5 ms scrape jitter on every timestamp
 *   bytes_per_sample_nab               every NAB series at its own (irregular) timestamps
 *   range_read_24h_ms                  median read of one series' last 24 h (5760 samples),
 *                                      from sealed chunks plus the head
 *   memory_bytes_per_series            heapUsed + external per series, 100k series each with
 *                                      a 2 h head (480 samples), after a checkpoint
 */

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const STEP = 15_000;
const T0 = Date.UTC(2024, 0, 1);
const results: Record<string, number> = {};
const root = mkdtempSync(join(tmpdir(), 'vigil-bench-'));
const nab = loadNab(join(process.cwd(), '..', 'shared', 'datasets', 'nab', 'data'));

function progress(phase: string, done: number, total: number): void {
  process.stderr.write(`\r[bench:store] ${phase.padEnd(34)} ${((100 * done) / total).toFixed(0).padStart(3)}%   `);
}

function newStore(name: string, extra: Partial<ConstructorParameters<typeof EmbeddedStore>[0]> = {}): EmbeddedStore {
  return new EmbeddedStore({ dir: join(root, name), checkpointIntervalMs: 0, ...extra });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Ingest through appendRefs, one sample per series per call batch, timing only the store. */
function ingestPhase(): void {
  const N = 10_000;
  const STEPS = 1_000;
  const gen = new SeriesGen(N, nab, 7);
  // No WAL-size checkpoint in the middle: sealing is timed separately below.
  const store = newStore('ingest', { walCheckpointBytes: Infinity });
  const refs = new Float64Array(N);
  for (let i = 0; i < N; i++) refs[i] = store.ref(gen.labels(i));
  const ts = new Float64Array(N);
  const vs = new Float64Array(N);
  let ns = 0n;
  let accepted = 0;
  for (let k = 0; k < STEPS; k++) {
    ts.fill(T0 + k * STEP);
    for (let i = 0; i < N; i++) vs[i] = gen.next(i);
    const t0 = process.hrtime.bigint();
    accepted += store.appendRefs(refs, ts, vs, N).accepted;
    ns += process.hrtime.bigint() - t0;
    if (k % 50 === 0) progress('ingest (ref path, 10k series)', k, STEPS);
  }
  results.ingest_samples_per_sec = Math.round(accepted / (Number(ns) / 1e9));
  results.ingest_samples = accepted;

  // The label path, as the JSON/remote-write decoders use it: one SeriesWrite per series.
  const LSTEPS = 100;
  ns = 0n;
  accepted = 0;
  const labels = Array.from({ length: N }, (_, i) => gen.labels(i));
  for (let k = STEPS; k < STEPS + LSTEPS; k++) {
    const writes: SeriesWrite[] = labels.map((l, i) => ({ labels: l, timestamps: [T0 + k * STEP], values: [gen.next(i)] }));
    const t0 = process.hrtime.bigint();
    accepted += store.append(writes).accepted;
    ns += process.hrtime.bigint() - t0;
    if (k % 10 === 0) progress('ingest (label path)', k - STEPS, LSTEPS);
  }
  results.ingest_samples_per_sec_label_path = Math.round(accepted / (Number(ns) / 1e9));
  // Sealing is the deferred half of ingestion (checkpoints run on the same thread), so
  // also report the rate with it: every sample above is still unsealed here.
  const unsealed = store.stats().samplesAppended;
  const t0 = process.hrtime.bigint();
  store.checkpoint();
  const sealNs = Number(process.hrtime.bigint() - t0);
  results.seal_samples_per_sec = Math.round(unsealed / (sealNs / 1e9));
  results.ingest_with_seal_samples_per_sec = Math.round(1 / (1 / results.ingest_samples_per_sec + sealNs / 1e9 / unsealed));
  store.close();
}

/** 24 h of the realistic mix, sealed; then bytes per sample and the 24 h read. */
function diskPhase(): void {
  const N = 2_000;
  const STEPS = 5_760; // 24 h at 15 s
  const gen = new SeriesGen(N, nab, 11);
  const store = newStore('disk');
  const refs = new Float64Array(N);
  for (let i = 0; i < N; i++) refs[i] = store.ref(gen.labels(i));
  const ts = new Float64Array(N);
  const vs = new Float64Array(N);
  const step = (k: number) => {
    ts.fill(T0 + k * STEP);
    for (let i = 0; i < N; i++) vs[i] = gen.next(i);
    store.appendRefs(refs, ts, vs, N);
  };
  for (let k = 0; k < STEPS; k++) {
    step(k);
    if (k % 200 === 0) progress('24 h of 2k series', k, STEPS);
  }
  store.checkpoint();
  const p = store.chunkPayload();
  results.bytes_per_sample = round3(p.bytes / p.samples);
  results.chunk_samples_avg = Math.round(p.samples / p.chunks);

  // Reads: one series, its last 24 h (5760 samples), from sealed chunks plus the head
  // (the head holds the last 2 h, partly not yet sealed after these extra steps).
  for (let k = STEPS; k < STEPS + 10; k++) step(k);
  const end = T0 + (STEPS + 9) * STEP;
  const start = end - (STEPS - 1) * STEP;
  const r = rng(3);
  const times: number[] = [];
  let samples = 0;
  for (let q = 0; q < 300; q++) {
    const i = Math.floor(r() * N);
    const l = gen.labels(i);
    const ms = Object.entries(l).map(([name, value]) => ({ name, type: '=' as const, value }));
    const t0 = performance.now();
    const res = store.read(ms, start, end);
    times.push(performance.now() - t0);
    samples = res[0]!.timestamps.length;
    if (q % 50 === 0) progress('24 h range reads', q, 300);
  }
  if (samples !== STEPS) throw new Error(`24 h read returned ${samples} samples, expected ${STEPS}`);
  results.range_read_24h_ms = round3(median(times.slice(20)));
  results.range_read_24h_p99_ms = round3([...times.slice(20)].sort((a, b) => a - b)[Math.floor(0.99 * (times.length - 20))]!);
  store.close();
  // The whole SQLite file (rows, indexes, series table, free pages) per sample, after close.
  const files = new EmbeddedStore({ dir: join(root, 'disk'), checkpointIntervalMs: 0 });
  const st = files.stats();
  results.bytes_per_sample_sqlite_file = round3(st.diskBytes / (N * (STEPS + 10)));
  files.close();
}

/** Same mix with scrape jitter (+-5 ms per sample), 6 h: what timestamps cost when not aligned. */
function jitterPhase(): void {
  const N = 1_000;
  const STEPS = 1_440;
  const gen = new SeriesGen(N, nab, 13);
  const store = newStore('jitter');
  const refs = new Float64Array(N);
  for (let i = 0; i < N; i++) refs[i] = store.ref(gen.labels(i));
  const ts = new Float64Array(N);
  const vs = new Float64Array(N);
  const r = rng(5);
  const offset = Float64Array.from({ length: N }, () => Math.floor(r() * STEP));
  for (let k = 0; k < STEPS; k++) {
    for (let i = 0; i < N; i++) {
      ts[i] = T0 + k * STEP + offset[i]! + Math.round((r() - 0.5) * 10);
      vs[i] = gen.next(i);
    }
    store.appendRefs(refs, ts, vs, N);
    if (k % 100 === 0) progress('6 h of 1k series, jittered', k, STEPS);
  }
  store.checkpoint();
  const p = store.chunkPayload();
  results.bytes_per_sample_jittered_ts = round3(p.bytes / p.samples);
  store.close();
}

/** Every NAB series at its own timestamps. */
function nabPhase(): void {
  if (nab.length === 0) return;
  // NAB spans 2011-2015: a 15 d retention on the data clock would refuse most of it as too old.
  const store = newStore('nab', { retentionMs: 20 * 365 * 86400_000 });
  nab.forEach((f, i) => store.append([{ labels: { __name__: 'nab', i: String(i) }, timestamps: f.t, values: f.v }]));
  store.checkpoint();
  const p = store.chunkPayload();
  results.bytes_per_sample_nab = round3(p.bytes / p.samples);
  store.close();
}

/** 100k series, each with a 2 h head (480 samples at 15 s), after a checkpoint. */
function memoryPhase(): void {
  const N = 100_000;
  const STEPS = 480;
  const gen = new SeriesGen(N, nab, 17);
  const ts = new Float64Array(N);
  const vs = new Float64Array(N);
  const refs = new Float64Array(N);
  gc();
  const before = process.memoryUsage();
  const store = newStore('memory');
  for (let i = 0; i < N; i++) refs[i] = store.ref(gen.labels(i));
  for (let k = 0; k < STEPS; k++) {
    ts.fill(T0 + k * STEP);
    for (let i = 0; i < N; i++) vs[i] = gen.next(i);
    store.appendRefs(refs, ts, vs, N);
    if (k % 10 === 0) progress('100k series x 2 h head', k, STEPS);
  }
  store.checkpoint();
  gc();
  const after = process.memoryUsage();
  const st = store.stats();
  results.memory_bytes_per_series = Math.round((after.heapUsed + after.external - before.heapUsed - before.external) / N);
  results.memory_rss_bytes_per_series = Math.round((after.rss - before.rss) / N);
  results.memory_head_samples_per_series = Math.round(st.headSamples / N);
  results.memory_head_array_bytes_per_series = Math.round(st.headBytes / N);
  store.close();
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

const started = performance.now();
try {
  ingestPhase();
  diskPhase();
  jitterPhase();
  nabPhase();
  memoryPhase();
} finally {
  rmSync(root, { recursive: true, force: true });
}
results.bench_seconds = Math.round((performance.now() - started) / 1000);
process.stderr.write('\n');
mkdirSync(join(process.cwd(), 'bench', 'results'), { recursive: true });
writeFileSync(join(process.cwd(), 'bench', 'results', 'store.json'), JSON.stringify(results, null, 2) + '\n');
console.log(JSON.stringify(results, null, 2));
