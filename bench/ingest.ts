import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { statCpuSeconds } from '../src/core/thread-cpu.js';
import { lineProtocolPayload, otlpPayload, remoteWritePayload, type Payload } from './ingest-payloads.js';
import { machineWarnings, measureParallelism } from './machine-parallelism.js';
import { SeriesGen, loadNab } from './series-gen.js';
import { ReplayedValues } from './series-replay.js';

/**
 * Ingest benchmark (`npm run bench:ingest`). Vigil runs as a real `vigil serve`
 * child process with the default configuration (store with WAL, detection and
 * score series on; only the incident stage off) on a temporary directory; this
 * process is the senders.
 * 10k series, 5 concurrent senders each owning 2,000 series and sending one
 * request per round (2,000 samples, one per series, as a Prometheus remote-write
 * shard sends a scrape), waiting for each answer before the next (as Prometheus
 * does per shard). Rounds are 15 s apart in sample time, starting 14 days back.
 * Bodies are encoded before timing; a round only rewrites timestamps and values, and the
 * values are drawn before timing too and replayed (bench/series-replay.ts): the senders
 * share the machine with Vigil, and should take as little of it as they can.
 *
 * Writes bench/results/ingest.json, a flat object of numbers:
 *   remote_write_samples_per_sec   samples acknowledged (204) per second after the warm-up
 *   remote_write_p50_ms, _p99_ms   request latency after the warm-up
 *   remote_write_max_ms            the slowest request after the warm-up (a checkpoint or other pause shows here)
 *   remote_write_slowest_second_samples  fewest samples acknowledged in one second after the warm-up
 *   remote_write_seconds           length of that run (BENCH_INGEST_SECONDS, default 300)
 *   rss_growth_mb_5min             Vigil's RSS (sampled every second), mean over the last 10% of
 *                                  the run minus the mean over 40-50% of it, MB: growth once the
 *                                  store's head and checkpoints are in their steady state (sample
 *                                  time runs 1,500x faster than real time here, so each 60 s
 *                                  checkpoint interval holds a day of samples per series)
 *   rss_mb_warm, rss_mb_end        that first mean, and the RSS at the end
 *   head_mb_*, heap_mb_*, external_mb_*  the store's head, the main thread's V8 heap and its external
 *                                  memory (typed arrays) from Vigil's /metrics, over the same two spans
 *   otlp_samples_per_sec, otlp_p99_ms                    OTLP/HTTP protobuf (uncompressed)
 *   line_protocol_samples_per_sec, line_protocol_p99_ms  InfluxDB line protocol, ns precision
 *   otlp_ and line_protocol_ seconds, max_ms, slowest_second_samples, rss_growth_mb_5min  as for
 *                                  remote write: each is sustained as long (BENCH_INGEST_SECONDS)
 *   remote_write_cpu_us_per_sample  Vigil's CPU time (all threads) per sample after the warm-up, us;
 *                                  2 cores / this = the most this machine could take with the senders free
 *   remote_write_sender_cpu_us_per_sample  the senders' (this process's) CPU time per sample, us
 *   remote_write_main_thread_cpu_us_per_sample, remote_write_detect_threads_cpu_us_per_sample  of Vigil's
 *                                  CPU per sample, its ingest thread's (HTTP, decode, store, storing scores)
 *                                  and its detection workers' (from vigil_thread_cpu_seconds_total); the rest
 *                                  is V8's helper threads (garbage collection, compilation) and libuv's
 *   remote_write_encoder_thread_cpu_us_per_sample  the store's chunk encoder thread's (same source)
 *   remote_write_sqlite_thread_cpu_us_per_sample  the store's SQLite checkpoint thread's (same source)
 *   otlp_ and line_protocol_ cpu_us_per_sample, sender_cpu_us_per_sample, main_thread_cpu_us_per_sample,
 *   detect_threads_cpu_us_per_sample  the same for those runs
 *   remote_write_detection_off_samples_per_sec, _p99_ms, _cpu_us_per_sample, _main_thread_cpu_us_per_sample
 *                                  with `detect.enabled: false`
 *   (on a fresh Vigil for BENCH_INGEST_PROTOCOL_SECONDS, default 30: a comparison, not a goal)
 *   machine_two_thread_speedup_ensemble, machine_two_thread_speedup_arithmetic  how much a second thread
 *                                  adds on this machine (bench/machine-parallelism.ts), measured first: a
 *                                  kernel's work per second on two threads at once over one alone, with
 *                                  Vigil's detector over 10,000 series and with arithmetic alone; close to 2
 *                                  on two free cores, and a warning below 1.8 (the machine is busy), above 2.2
 *                                  (the host's speed changed during the check), or when the detector kernel
 *                                  alone is over 1.3x slower than in the committed results (a slower host)
 *   machine_ensemble_ns_alone, machine_ensemble_ns_pair  that detector kernel's ns per sample, alone and in a pair
 *
 * BENCH_INGEST_ONLY=remote_write|remote_write_detection_off|otlp|line_protocol|machine runs one (results not written);
 * BENCH_INGEST_NODE_ARGS passes flags to Vigil's node (e.g. "--cpu-prof --cpu-prof-dir=/tmp/p");
 * BENCH_INGEST_WORKERS=N sets detect.workers (default: Vigil's own, `auto`); BENCH_INGEST_YAML adds to the
 * configuration of the detection-on runs, for experiments (e.g. "detect:\n  multivariate:\n    enabled: false\n");
 * BENCH_INGEST_NEIGHBOUR=memory|compute runs, beside each run, a process that keeps a core busy with random
 * reads and writes over 256 MB (memory) or with arithmetic alone (compute), to tell how much Vigil's
 * threads slow each other through the shared cache and memory rather than by taking CPU;
 * BENCH_INGEST_DEBUG=1 prints Vigil's log after each run; BENCH_INGEST_STDOUT=FILE keeps Vigil's stdout
 * (for example `--trace-gc` output).
 */

const SERIES = 10_000;
const PER_REQUEST = 2_000;
const SENDERS = SERIES / PER_REQUEST;
const STEP_MS = 15_000;
const RW_SECONDS = Number(process.env.BENCH_INGEST_SECONDS ?? 300);
const PROTOCOL_SECONDS = Number(process.env.BENCH_INGEST_PROTOCOL_SECONDS ?? 30);
const ONLY = process.env.BENCH_INGEST_ONLY;
const WORKERS = process.env.BENCH_INGEST_WORKERS;
const NODE_ARGS = (process.env.BENCH_INGEST_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
const NEIGHBOURS: Record<string, string> = {
  memory: 'const a = new Float64Array(1 << 25); let x = 0, i = 1; for (;;) { i = (Math.imul(i, 1103515245) + 12345) >>> 0; x += a[i & 33554431]; a[(i >>> 7) & 33554431] = x; }',
  compute: 'let x = 0; for (;;) x += Math.sqrt(x + 1);',
};
const NEIGHBOUR = process.env.BENCH_INGEST_NEIGHBOUR;
if (NEIGHBOUR !== undefined && !(NEIGHBOUR in NEIGHBOURS)) throw new Error(`BENCH_INGEST_NEIGHBOUR: ${NEIGHBOUR} is not one of ${Object.keys(NEIGHBOURS).join(', ')}`);

const root = mkdtempSync(join(tmpdir(), 'vigil-bench-ingest-'));
const nab = loadNab(join(process.cwd(), '..', 'shared', 'datasets', 'nab', 'data'));

interface Vigil {
  child: ChildProcess;
  port: number;
  stderr: () => string;
}

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

async function startVigil(name: string, extraYaml = ''): Promise<Vigil> {
  const dir = join(root, name);
  mkdirSync(dir);
  const port = await freePort();
  const config = join(dir, 'vigil.yaml');
  // Defaults otherwise. The incident stage (fed by anomaly events, not by samples) is measured by its own benchmarks.
  writeFileSync(config, `server:\n  listen: 127.0.0.1:${port}\nstorage:\n  dir: ${join(dir, 'data')}\nincidents:\n  enabled: false\n${extraYaml}`);
  const stdout = process.env.BENCH_INGEST_STDOUT ? openSync(process.env.BENCH_INGEST_STDOUT, 'w') : 'ignore';
  const child = spawn(process.execPath, [...NODE_ARGS, resolve('bin/vigil.js'), 'serve', '--config', config], { stdio: ['ignore', stdout, 'pipe'], cwd: dir });
  let err = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => (err = (err + d).slice(-8000)));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`vigil exited with ${child.exitCode}:\n${err}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/-/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`vigil not ready after 30 s:\n${err}`);
    await sleep(200);
  }
  return { child, port, stderr: () => err };
}

async function stopVigil(v: Vigil): Promise<void> {
  if (v.child.exitCode !== null) return;
  const exited = new Promise<void>((r) => v.child.once('exit', () => r()));
  v.child.kill('SIGTERM');
  const timer = setTimeout(() => v.child.kill('SIGKILL'), 120_000);
  await exited;
  clearTimeout(timer);
}

/** CPU time (user + system) a process has used so far, ms (all its threads). */
function cpuMs(pid: number): number {
  return (statCpuSeconds(`/proc/${pid}/stat`) ?? NaN) * 1000;
}

/** MB of the store's head and of the main thread's V8 heap and external memory, from /metrics text. */
function memoryParts(text: string): Record<string, number> {
  const get = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN) / 1048576;
  return { head_mb: get('vigil_store_head_bytes'), heap_mb: get('nodejs_heap_size_used_bytes'), external_mb: get('nodejs_external_memory_bytes') };
}

/** vigil_thread_cpu_seconds_total by thread, in ms, from /metrics text. */
function threadCpuMs(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^vigil_thread_cpu_seconds_total\{thread="([^"]+)"\} (\S+)$/gm)) out[m[1]!] = Number(m[2]) * 1000;
  return out;
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

function post(agent: Agent, port: number, p: Payload): Promise<{ status: number; body: string }> {
  return new Promise((res, rej) => {
    const headers: Record<string, string | number> = { 'content-type': p.contentType, 'content-length': p.body.length };
    if (p.contentEncoding) headers['content-encoding'] = p.contentEncoding;
    if (p.path === '/api/v1/write') headers['x-prometheus-remote-write-version'] = '0.1.0';
    const req = request({ host: '127.0.0.1', port, path: p.path, method: 'POST', agent, headers }, (r) => {
      let body = '';
      r.setEncoding('utf8');
      r.on('data', (d: string) => (body += d));
      r.on('end', () => res({ status: r.statusCode ?? 0, body }));
      r.on('error', rej);
    });
    req.on('error', rej);
    req.end(p.body);
  });
}

interface RunResult {
  /** Parts of Vigil's memory (head_mb, heap_mb, external_mb): mean at 40-50% of the run and over its last 10%. */
  memory: Record<string, [number, number]>;
  samplesPerSec: number;
  /** Vigil's CPU time (every thread) per sample acknowledged after the warm-up, and the senders'. */
  cpuUsPerSample: number;
  senderCpuUsPerSample: number;
  /** Of Vigil's CPU: its ingest thread's (decode, store, API) and its detection workers' (from vigil_thread_cpu_seconds_total). */
  mainThreadCpuUsPerSample: number;
  detectThreadsCpuUsPerSample: number;
  /** The store's chunk encoder thread's. */
  encoderThreadCpuUsPerSample: number;
  /** The store's SQLite checkpoint thread's. */
  sqliteThreadCpuUsPerSample: number;
  p50Ms: number;
  p99Ms: number;
  /** The slowest request after the warm-up. */
  maxMs: number;
  /** Fewest samples acknowledged in one second after the warm-up. */
  slowestSecond: number;
  rssGrowthMb: number;
  rssWarmMb: number;
  rssEndMb: number;
  seconds: number;
}

type Encoder = (gen: SeriesGen, first: number, count: number) => Payload;

async function run(protocol: string, encode: Encoder, seconds: number, opts: { detection?: boolean } = {}): Promise<RunResult> {
  const detect = opts.detection === false ? 'detect:\n  enabled: false\n' : WORKERS ? `detect:\n  workers: ${WORKERS}\n` : (process.env.BENCH_INGEST_YAML ?? '');
  const vigil = await startVigil(opts.detection === false ? `${protocol}-detection-off` : protocol, detect);
  const gen = new SeriesGen(SERIES, nab, 11);
  const payloads = Array.from({ length: SENDERS }, (_, s) => encode(gen, s * PER_REQUEST, PER_REQUEST));
  const values = new ReplayedValues(gen);
  const warmupMs = Math.min(30, seconds / 5) * 1000;
  const t0Sample = Math.floor((Date.now() - 14 * 86_400_000) / STEP_MS) * STEP_MS;
  const maxRounds = Math.floor((Date.now() - t0Sample) / STEP_MS) - 1;
  const agent = new Agent({ keepAlive: true, maxSockets: SENDERS });
  const lat: number[] = [];
  const latAt: number[] = [];
  const rss: Array<[number, number]> = [];
  let acked = 0;
  let ackedAfterWarmup = 0;
  let cpuAtWarmup = NaN;
  let senderCpuAtWarmup: NodeJS.CpuUsage | undefined;
  let threadsAtWarmup: Promise<Record<string, number>> = Promise.resolve({});
  setTimeout(() => {
    cpuAtWarmup = cpuMs(vigil.child.pid!);
    senderCpuAtWarmup = process.cpuUsage();
    threadsAtWarmup = fetch(`http://127.0.0.1:${vigil.port}/metrics`)
      .then((r) => r.text())
      .then(threadCpuMs)
      // Vigil busy or gone: the per-thread figures come out NaN
      .catch(() => ({}));
  }, warmupMs).unref();
  const neighbour = NEIGHBOUR ? spawn(process.execPath, ['-e', NEIGHBOURS[NEIGHBOUR]!], { stdio: 'ignore' }) : undefined;
  let failures = 0;
  let firstFailure = '';
  const start = performance.now();
  const endAt = start + seconds * 1000;

  const sender = async (p: Payload) => {
    for (let k = 0; performance.now() < endAt; k++) {
      if (k >= maxRounds) throw new Error(`${protocol}: more than ${maxRounds} rounds; sample time would pass the present`);
      p.patch(t0Sample + k * STEP_MS, values);
      const t = performance.now();
      const r = await post(agent, vigil.port, p);
      const done = performance.now();
      if (r.status >= 200 && r.status < 300) {
        acked += p.samples;
        if (t - start >= warmupMs) {
          ackedAfterWarmup += p.samples;
          lat.push(done - t);
          latAt.push(done);
        }
      } else {
        failures++;
        firstFailure ||= `${r.status} ${r.body.slice(0, 300)}`;
      }
    }
  };

  let last = acked;
  // Where the memory is, from Vigil's /metrics every 10 s (main thread's V8 heap and
  // external memory, the store's head), to tell a growing head from anything else.
  const parts: Array<[number, Record<string, number>]> = [];
  const partsTimer = setInterval(() => {
    const at = performance.now() - start;
    fetch(`http://127.0.0.1:${vigil.port}/metrics`)
      .then((r) => r.text())
      .then((text) => parts.push([at, memoryParts(text)]))
      .catch(() => undefined);
  }, 10_000);
  // Samples acknowledged in each second after the warm-up: a pause of Vigil's shows as a slow second.
  const perSecond: number[] = [];
  const ticker = setInterval(() => {
    const now = performance.now();
    if (now - start >= warmupMs + 1000) perSecond.push(acked - last);
    const mb = rssMb(vigil.child.pid!);
    rss.push([now - start, mb]);
    const recent = lat.slice(-2000).sort((a, b) => a - b);
    const p99 = recent.length ? recent[Math.floor(recent.length * 0.99)]! : NaN;
    process.stderr.write(
      `\r[bench:ingest] ${protocol.padEnd(13)} ${Math.round((now - start) / 1000)}/${seconds}s  ${fmt(acked - last).padStart(9)} samples/s  p99 ${p99.toFixed(1).padStart(6)} ms  rss ${mb.toFixed(0)} MB  failures ${failures}   `,
    );
    last = acked;
  }, 1000);
  try {
    await Promise.all(payloads.map(sender));
  } finally {
    neighbour?.kill('SIGKILL');
    clearInterval(ticker);
    clearInterval(partsTimer);
    process.stderr.write('\n');
  }
  const elapsed = performance.now() - start;
  const vigilCpuMs = cpuMs(vigil.child.pid!) - cpuAtWarmup;
  const senderCpu = process.cpuUsage(senderCpuAtWarmup);
  agent.destroy();

  const metrics = await (await fetch(`http://127.0.0.1:${vigil.port}/metrics`)).text();
  const threadsEnd = threadCpuMs(metrics);
  const threadsStart = await threadsAtWarmup;
  // CPU per sample of the ingest thread and of the detection workers together (ms -> us per sample).
  const threadUs = (pick: (thread: string) => boolean) => {
    let ms = 0;
    // A thread missing at the warm-up (the store's encoder starts once it has work) had used nothing then.
    for (const [thread, end] of Object.entries(threadsEnd)) if (pick(thread)) ms += end - (threadsStart[thread] ?? 0);
    return round2((ms * 1000) / ackedAfterWarmup);
  };
  // The protocol label Vigil counts each protocol's samples under.
  const label = protocol === 'line_protocol' ? 'influx_line' : protocol;
  let counted = 0;
  for (const m of metrics.matchAll(/^vigil_ingested_samples_total\{protocol="([^"]+)"\} (\S+)$/gm)) if (m[1] === label) counted += Number(m[2]);
  if (process.env.BENCH_INGEST_DEBUG) console.error(vigil.stderr());
  await stopVigil(vigil);
  if (failures) console.error(`[bench:ingest] ${protocol}: ${failures} requests failed, first: ${firstFailure}`);
  if (counted !== acked) console.error(`[bench:ingest] ${protocol}: Vigil counted ${counted} ingested samples, senders had ${acked} acknowledged`);

  const sorted = [...lat].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
  const measured = (elapsed - warmupMs) / 1000;
  const meanRss = (from: number, to: number) => {
    const xs = rss.filter(([t]) => t >= from && t < to).map(([, m]) => m);
    return xs.reduce((a, b) => a + b, 0) / xs.length;
  };
  const meanPart = (key: string, from: number, to: number) => {
    const xs = parts.filter(([t]) => t >= from && t < to).map(([, p]) => p[key] ?? NaN);
    return round2(xs.reduce((a, b) => a + b, 0) / xs.length);
  };
  const memory: Record<string, [number, number]> = {};
  // Parts come every 10 s: a short run's last 10% may hold none, and then its last one stands in.
  const endFrom = Math.min(elapsed * 0.9, parts.at(-1)?.[0] ?? elapsed);
  for (const key of ['head_mb', 'heap_mb', 'external_mb']) memory[key] = [meanPart(key, elapsed * 0.4, elapsed * 0.5 + 10_000), meanPart(key, endFrom, elapsed + 1)];
  console.error(`[bench:ingest] ${protocol}: memory at 40-50% -> last 10% of the run, MB: ${Object.entries(memory).map(([k, [a, b]]) => `${k} ${a} -> ${b}`).join(', ')}`);
  return {
    memory,
    samplesPerSec: Math.round(ackedAfterWarmup / measured),
    cpuUsPerSample: round2((vigilCpuMs * 1000) / ackedAfterWarmup),
    senderCpuUsPerSample: round2((senderCpu.user + senderCpu.system) / ackedAfterWarmup),
    mainThreadCpuUsPerSample: threadUs((t) => t === 'main'),
    detectThreadsCpuUsPerSample: threadUs((t) => t.startsWith('detect-')),
    encoderThreadCpuUsPerSample: threadUs((t) => t === 'store-encoder'),
    sqliteThreadCpuUsPerSample: threadUs((t) => t === 'store-sqlite'),
    p50Ms: round2(q(0.5)),
    p99Ms: round2(q(0.99)),
    maxMs: round2(sorted.at(-1) ?? NaN),
    slowestSecond: Math.min(...perSecond),
    rssGrowthMb: round2(meanRss(elapsed * 0.9, elapsed + 1) - meanRss(elapsed * 0.4, elapsed * 0.5)),
    rssWarmMb: round2(meanRss(elapsed * 0.4, elapsed * 0.5)),
    rssEndMb: round2(rss.at(-1)?.[1] ?? NaN),
    seconds: Math.round(elapsed / 1000),
  };
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

/** The committed bench/results/ingest.json (empty when there is none). */
function previousResults(): Record<string, number> {
  try {
    return JSON.parse(readFileSync('bench/results/ingest.json', 'utf8')) as Record<string, number>;
  } catch {
    return {};
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function main(): Promise<void> {
  const results: Record<string, number> = {};
  try {
    if (!ONLY || ONLY === 'machine') {
      // Measured first, with nothing else running: what the two CPUs give together.
      process.stderr.write('[bench:ingest] machine: one thread, then two at once\n');
      const ensemble = await measureParallelism('ensemble');
      const arithmetic = await measureParallelism('arithmetic');
      results.machine_two_thread_speedup_ensemble = round2(ensemble.speedup);
      results.machine_two_thread_speedup_arithmetic = round2(arithmetic.speedup);
      results.machine_ensemble_ns_alone = Math.round(ensemble.aloneNs);
      results.machine_ensemble_ns_pair = Math.round(ensemble.pairNs);
      for (const w of machineWarnings(ensemble, arithmetic, previousResults().machine_ensemble_ns_alone))
        process.stderr.write(`[bench:ingest] WARNING: ${w}, so the figures below are not comparable with other runs\n`);
    }
    if (!ONLY || ONLY === 'remote_write') {
      const rw = await run('remote_write', remoteWritePayload, RW_SECONDS);
      results.remote_write_samples_per_sec = rw.samplesPerSec;
      results.remote_write_p50_ms = rw.p50Ms;
      results.remote_write_p99_ms = rw.p99Ms;
      results.remote_write_max_ms = rw.maxMs;
      results.remote_write_slowest_second_samples = rw.slowestSecond;
      results.remote_write_seconds = rw.seconds;
      results.remote_write_cpu_us_per_sample = rw.cpuUsPerSample;
      results.remote_write_sender_cpu_us_per_sample = rw.senderCpuUsPerSample;
      results.remote_write_main_thread_cpu_us_per_sample = rw.mainThreadCpuUsPerSample;
      results.remote_write_detect_threads_cpu_us_per_sample = rw.detectThreadsCpuUsPerSample;
      results.remote_write_encoder_thread_cpu_us_per_sample = rw.encoderThreadCpuUsPerSample;
      results.remote_write_sqlite_thread_cpu_us_per_sample = rw.sqliteThreadCpuUsPerSample;
      results.rss_growth_mb_5min = rw.rssGrowthMb;
      results.rss_mb_warm = rw.rssWarmMb;
      results.rss_mb_end = rw.rssEndMb;
      results.head_mb_warm = rw.memory.head_mb![0];
      results.head_mb_end = rw.memory.head_mb![1];
      results.heap_mb_warm = rw.memory.heap_mb![0];
      results.heap_mb_end = rw.memory.heap_mb![1];
      results.external_mb_warm = rw.memory.external_mb![0];
      results.external_mb_end = rw.memory.external_mb![1];
    }
    if (!ONLY || ONLY === 'remote_write_detection_off') {
      // What decoding and storing cost alone: the share of the machine detection takes.
      const off = await run('remote_write', remoteWritePayload, PROTOCOL_SECONDS, { detection: false });
      results.remote_write_detection_off_samples_per_sec = off.samplesPerSec;
      results.remote_write_detection_off_p99_ms = off.p99Ms;
      results.remote_write_detection_off_cpu_us_per_sample = off.cpuUsPerSample;
      results.remote_write_detection_off_main_thread_cpu_us_per_sample = off.mainThreadCpuUsPerSample;
    }
    if (!ONLY || ONLY === 'otlp') {
      const otlp = await run('otlp', otlpPayload, RW_SECONDS);
      results.otlp_samples_per_sec = otlp.samplesPerSec;
      results.otlp_p99_ms = otlp.p99Ms;
      results.otlp_max_ms = otlp.maxMs;
      results.otlp_slowest_second_samples = otlp.slowestSecond;
      results.otlp_seconds = otlp.seconds;
      results.otlp_rss_growth_mb_5min = otlp.rssGrowthMb;
      results.otlp_cpu_us_per_sample = otlp.cpuUsPerSample;
      results.otlp_sender_cpu_us_per_sample = otlp.senderCpuUsPerSample;
      results.otlp_main_thread_cpu_us_per_sample = otlp.mainThreadCpuUsPerSample;
      results.otlp_detect_threads_cpu_us_per_sample = otlp.detectThreadsCpuUsPerSample;
    }
    if (!ONLY || ONLY === 'line_protocol') {
      const lp = await run('line_protocol', lineProtocolPayload, RW_SECONDS);
      results.line_protocol_samples_per_sec = lp.samplesPerSec;
      results.line_protocol_p99_ms = lp.p99Ms;
      results.line_protocol_max_ms = lp.maxMs;
      results.line_protocol_slowest_second_samples = lp.slowestSecond;
      results.line_protocol_seconds = lp.seconds;
      results.line_protocol_rss_growth_mb_5min = lp.rssGrowthMb;
      results.line_protocol_cpu_us_per_sample = lp.cpuUsPerSample;
      results.line_protocol_sender_cpu_us_per_sample = lp.senderCpuUsPerSample;
      results.line_protocol_main_thread_cpu_us_per_sample = lp.mainThreadCpuUsPerSample;
      results.line_protocol_detect_threads_cpu_us_per_sample = lp.detectThreadsCpuUsPerSample;
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  console.log(JSON.stringify(results, null, 2));
  if (!ONLY) {
    mkdirSync('bench/results', { recursive: true });
    writeFileSync('bench/results/ingest.json', JSON.stringify(results, null, 2) + '\n');
  }
}

await main();
