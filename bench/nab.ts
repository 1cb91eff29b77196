// NAB benchmark of Vigil's default univariate ensemble.
//
//   npm run bench:nab            full run: scores, per-file CSVs, bench/results/nab.json
//   node dist/bench/nab.js --quick   scores only (no CSVs, no JSON, no memory probe)
//
// One configuration for every file; each file is streamed once, in time order,
// through a fresh per-series state; the detector never sees labels, names or windows.
// VIGIL_NAB_CONFIG='{"event":{"suppress":300}}' overrides the configuration (for
// experiments only: the committed figures are the defaults').
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { labelFile, loadNabCorpus, scoreAnomalyScores, writeDetectorResults, type NabCorpus, type ProfileResult } from '../src/detect/nab/index.js';
import { UnivariateEnsemble, type EnsembleConfig, type PartialConfig } from '../src/detect/index.js';

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const verbose = args.has('--files');
const overrides = process.env.VIGIL_NAB_CONFIG ? (JSON.parse(process.env.VIGIL_NAB_CONFIG) as PartialConfig<EnsembleConfig>) : {};

const corpus = loadNabCorpus();
const detector = new UnivariateEnsemble(overrides);

// --- score every file (timed: scoring only, no I/O) ---
const scores: Float64Array[] = [];
let samples = 0;
let elapsed = 0;
const passes = quick ? 1 : 3; // repeat for a stable throughput figure; scores are identical each pass
for (let pass = 0; pass < passes; pass++) {
  scores.length = 0;
  samples = 0;
  const t0 = process.hrtime.bigint();
  corpus.files.forEach((file, f) => {
    const state = detector.createState();
    const n = file.values.length;
    const out = new Float64Array(n);
    const ts = file.timestamps, vs = file.values;
    for (let i = 0; i < n; i++) out[i] = detector.update(state, ts[i]!, vs[i]!);
    scores.push(out);
    samples += n;
    if (!quick && pass === 0 && process.stderr.isTTY) process.stderr.write(`\rscoring ${f + 1}/${corpus.files.length} ${file.path.padEnd(60)}`);
  });
  const dt = Number(process.hrtime.bigint() - t0) / 1e9;
  elapsed = pass === 0 ? dt : Math.min(elapsed, dt);
}
if (!quick && process.stderr.isTTY) process.stderr.write('\r' + ' '.repeat(80) + '\r');
const samplesPerSec = samples / elapsed;

// --- NAB scores ---
const results = scoreAnomalyScores(corpus, scores);
const std = results.standard!, lowFp = results.reward_low_FP_rate!, lowFn = results.reward_low_FN_rate!;

function categoryBreakdown(corpus: NabCorpus, r: ProfileResult): Map<string, { raw: number; windows: number; hit: number; fp: number }> {
  const cats = new Map<string, { raw: number; windows: number; hit: number; fp: number }>();
  corpus.files.forEach((file, f) => {
    const cat = file.path.split('/')[0]!;
    const c = cats.get(cat) ?? { raw: 0, windows: 0, hit: 0, fp: 0 };
    const pf = r.perFile[f]!;
    c.raw += pf.score;
    c.fp += pf.fp;
    const l = labelFile(file.timestamps, file.windows);
    const hit = new Uint8Array(l.windowCount);
    for (let i = l.firstScored; i < l.length; i++) if (l.window[i]! >= 0 && scores[f]![i]! >= r.threshold) hit[l.window[i]!] = 1;
    for (let w = 0; w < l.windowCount; w++) if (l.scorable[w]) { c.windows++; c.hit += hit[w]!; }
    cats.set(cat, c);
  });
  return cats;
}

const fmt = (x: number, d = 1) => x.toFixed(d);
console.log(`Vigil univariate ensemble on NAB v1.1: ${corpus.files.length} files, ${samples} records`);
console.log(`  standard ${fmt(std.score, 2)}  reward_low_FP ${fmt(lowFp.score, 2)}  reward_low_FN ${fmt(lowFn.score, 2)}   (thresholds ${fmt(std.threshold, 4)} / ${fmt(lowFp.threshold, 4)} / ${fmt(lowFn.threshold, 4)})`);
console.log('\nper category (standard profile): raw score, windows detected, false-positive records');
for (const [cat, c] of categoryBreakdown(corpus, std)) {
  console.log(`  ${cat.padEnd(24)} raw ${fmt(c.raw, 2).padStart(7)}  windows ${c.hit}/${c.windows}  fp ${c.fp}`);
}
if (verbose) {
  console.log('\nper file (standard): score tp fp');
  std.perFile.forEach((p) => console.log(`  ${p.file.padEnd(60)} ${fmt(p.score, 3).padStart(7)} tp ${p.tp} fp ${p.fp}`));
}

// --- throughput and memory ---
console.log(`\nthroughput: ${Math.round(samplesPerSec).toLocaleString('en-US')} samples/s (one core, scoring only)`);
const stateBytes = detector.createState().byteLength;
// The state is one Float64Array: its payload is exact; V8 adds about 100 bytes of object header per array.
console.log(`state per series: ${stateBytes} bytes (one Float64Array of ${detector.size} slots)`);

// --- scoreboard ---
const board = JSON.parse(readFileSync(join(corpus.dir, 'scoreboard.json'), 'utf8')) as Record<string, Record<string, number>>;
const rows = Object.entries(board).map(([name, r]) => ({ name, standard: r.standard!, lowFp: r.reward_low_FP_rate!, lowFn: r.reward_low_FN_rate! }));
rows.push({ name: '>> vigil', standard: std.score, lowFp: lowFp.score, lowFn: lowFn.score });
rows.sort((a, b) => b.standard - a.standard);
console.log('\n  detector             standard  low_FP  low_FN');
for (const r of rows) console.log(`  ${r.name.padEnd(20)} ${fmt(r.standard).padStart(8)} ${fmt(r.lowFp).padStart(7)} ${fmt(r.lowFn).padStart(7)}`);

if (!quick) {
  const resultsDir = resolve('bench', 'results', 'nab');
  writeDetectorResults(resultsDir, 'vigil', corpus, scores);
  mkdirSync(resolve('bench', 'results'), { recursive: true });
  const json = {
    standard: round(std.score, 3),
    reward_low_fp: round(lowFp.score, 3),
    reward_low_fn: round(lowFn.score, 3),
    threshold_standard: round(std.threshold, 6),
    threshold_reward_low_fp: round(lowFp.threshold, 6),
    threshold_reward_low_fn: round(lowFn.threshold, 6),
    samples_per_sec: Math.round(samplesPerSec),
    state_bytes_per_series: stateBytes,
    files: corpus.files.length,
    samples,
  };
  writeFileSync(resolve('bench', 'results', 'nab.json'), JSON.stringify(json, null, 2) + '\n');
  console.log(`\nwrote bench/results/nab.json and ${corpus.files.length} result files under bench/results/nab/vigil/`);
}

function round(x: number, d: number): number {
  const k = 10 ** d;
  return Math.round(x * k) / k;
}
