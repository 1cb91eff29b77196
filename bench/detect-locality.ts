import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mulberry32 } from '../src/core/mulberry32.js';
import { UnivariateEnsemble } from '../src/detect/ensemble.js';
import { IsolationForestDetector } from '../src/detect/iforest.js';
import { median } from '../src/forecast/math.js';
import { SeriesGen, loadNab } from './series-gen.js';

/**
 * Where the detection worker's time goes, outside the pipeline
 * (`npm run bench:detect-locality`): is scoring waiting on memory (per-series state
 * that is cold at 10,000 series) or on arithmetic? Writes
 * bench/results/detect-locality.json, a flat object of numbers:
 *   ensemble_us_per_sample_10_series       the ensemble over 10 series' states (warm)
 *   ensemble_us_per_sample_10k_series      over 10,000 states, an array each (as the pipeline keeps them)
 *   ensemble_us_per_sample_10k_one_array   over 10,000 states side by side in one array
 *   iforest_us_per_row_100_hosts           scoring and learning one row (16 metrics) per host, 100 hosts in turn
 *   iforest_ms_per_training_16_metrics     one retraining of a 16-metric forest (100 trees of 256 rows from
 *                                          a window of 512), as the pipeline's forests retrain every 256 rows
 * Each figure is the median of 5 timed passes of 400,000 samples (600 rows a host;
 * the training figure: 100 trainings) after a warm-up. The ensemble runs on NAB-like series (bench/series-gen.ts), 15 s
 * apart, each past 6,000 samples before timing.
 */

const root = process.cwd();
const nab = loadNab(join(root, '..', 'shared', 'datasets', 'nab', 'data'));

function ensemble(series: number, layout: 'arrays' | 'one-array'): number {
  const e = new UnivariateEnsemble();
  let states: Float64Array[];
  if (layout === 'one-array') {
    const all = new Float64Array(series * e.size);
    states = Array.from({ length: series }, (_, i) => {
      const s = all.subarray(i * e.size, (i + 1) * e.size);
      e.reset(s);
      return s;
    });
  } else states = Array.from({ length: series }, () => e.createState());
  const gen = new SeriesGen(series, nab, 11);
  const values = new Float64Array(series);
  const rounds = Math.ceil(400_000 / series);
  const t0 = 1.7e12;
  let round = 0;
  const pass = () => {
    const start = performance.now();
    for (let r = 0; r < rounds; r++, round++) {
      const t = t0 + round * 15_000;
      for (let i = 0; i < series; i++) values[i] = gen.next(i);
      for (let i = 0; i < series; i++) e.update(states[i]!, t, values[i]!);
    }
    return ((performance.now() - start) * 1000) / (rounds * series);
  };
  // Every series first learns a day and a bit (6,000 samples), so the timed passes
  // compare detectors of the same age, past their cold start and with the daily
  // cycle in use, whatever the number of series.
  const warm = Math.ceil(6_000 / rounds);
  for (let w = 0; w < warm; w++) pass();
  return median(Array.from({ length: 5 }, pass));
}

function forest(hosts: number, metrics: number): number {
  const ds = Array.from({ length: hosts }, (_, i) => new IsolationForestDetector(metrics, { seed: i + 1, window: 512 }));
  const row = new Float64Array(metrics);
  const rnd = mulberry32(1);
  let r = 0;
  const rows = 600;
  const pass = () => {
    const start = performance.now();
    for (let k = 0; k < rows; k++, r++)
      for (const d of ds) {
        for (let m = 0; m < metrics; m++) row[m] = 50 + 10 * Math.sin(r / 50 + m) + 3 * rnd();
        d.update(1.7e12 + r * 15_000, row);
      }
    return ((performance.now() - start) * 1000) / (rows * hosts);
  };
  pass(); // past the first trainings
  return median(Array.from({ length: 5 }, pass));
}

/** A forest retraining at every row: each update is then one training (and one scoring, far cheaper). */
function training(metrics: number): number {
  const d = new IsolationForestDetector(metrics, { seed: 3, window: 512, retrainEvery: 1 });
  const row = new Float64Array(metrics);
  const rnd = mulberry32(2);
  let r = 0;
  const pass = (rows: number) => {
    const start = performance.now();
    for (let k = 0; k < rows; k++, r++) {
      for (let m = 0; m < metrics; m++) row[m] = 50 + 10 * Math.sin(r / 50 + m) + 3 * rnd();
      d.update(1.7e12 + r * 15_000, row);
    }
    return (performance.now() - start) / rows;
  };
  pass(600); // a full window, and the code warm
  return median(Array.from({ length: 5 }, () => pass(100)));
}

const results: Record<string, number> = {};
const step = (key: string, f: () => number) => {
  process.stdout.write(`[bench:detect-locality] ${key} ...`);
  results[key] = Math.round(f() * 1000) / 1000;
  process.stdout.write(` ${results[key]}\n`);
};
step('ensemble_us_per_sample_10_series', () => ensemble(10, 'arrays'));
step('ensemble_us_per_sample_10k_series', () => ensemble(10_000, 'arrays'));
step('ensemble_us_per_sample_10k_one_array', () => ensemble(10_000, 'one-array'));
step('iforest_us_per_row_100_hosts', () => forest(100, 16));
step('iforest_ms_per_training_16_metrics', () => training(16));
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'detect-locality.json'), JSON.stringify(results, null, 2) + '\n');
console.log(JSON.stringify(results, null, 2));
