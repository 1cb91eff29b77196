// M4 Hourly benchmark of Vigil's default forecaster (autoForecast).
//
//   npm run bench:m4                    all 414 series, horizon 48, m = 24: scores, results files
//   node dist/bench/m4.js --validate    the same on the training part only (last 48 values held
//                                       out): the figure used while developing, never the test part
//   node dist/bench/m4.js --method ets  another forecaster (see src/forecast/members.ts), no files
//   --limit N                           the first N series only (smoke runs)
//   --no-augurs                         skip the side-by-side row of Grafana's augurs (MSTL + ETS, period 24)
//
// One configuration for every series. Scored exactly as M4 defines sMAPE, MASE
// (lag-24 in-sample scale), OWA (against Naive2 computed here), MSIS and 95% coverage.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { parseSeriesCsv } from '../src/forecast/series-csv.js';
import { forecasters } from '../src/forecast/members.js';
import { coverage, mase, maseScale, msis, owa, smape } from '../src/forecast/metrics.js';
import type { ForecastResult } from '../src/forecast/types.js';
import { naive2, seasonalNaive } from '../src/forecast/naive.js';
import { loadAugurs } from './m4-augurs.js';

const H = 48, M = 24;
const DATA = resolve('../shared/datasets/m4-hourly');

interface Job { method: string; histories: Float64Array[]; indices: number[] }
interface Done { index: number; mean: Float64Array; lower: Float64Array; upper: Float64Array; model: string }

function runJob(job: Job, report: (d: Done) => void): void {
  const f = forecasters[job.method]!;
  for (const i of job.indices) {
    const r = f.forecast(job.histories[i]!, H, { season: M, level: 0.95 });
    report({ index: i, mean: r.mean, lower: r.lower, upper: r.upper, model: r.model });
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const validate = args.includes('--validate');
  const method = flag('--method') ?? 'auto';
  if (!forecasters[method]) throw new Error(`unknown --method ${method}; one of ${Object.keys(forecasters).join(', ')}`);
  const limit = Number(flag('--limit') ?? Infinity);
  const writeFiles = !validate && method === 'auto' && !Number.isFinite(limit);

  const train = parseSeriesCsv(readFileSync(`${DATA}/Hourly-train.csv`, 'utf8')).series;
  const test = parseSeriesCsv(readFileSync(`${DATA}/Hourly-test.csv`, 'utf8')).series;
  const count = Math.min(train.length, limit);
  const ids: string[] = [];
  const histories: Float64Array[] = [];
  const actuals: Float64Array[] = [];
  for (let i = 0; i < count; i++) {
    const tr = train[i]!.values;
    ids.push(train[i]!.id);
    if (validate) {
      histories.push(tr.slice(0, tr.length - H));
      actuals.push(tr.slice(tr.length - H));
    } else {
      histories.push(tr);
      actuals.push(test[i]!.values);
    }
  }

  // --- forecasts (timed), spread over worker threads ---
  const results: Done[] = new Array(count);
  const workers = Math.max(1, Math.min(availableParallelism(), 2));
  let finished = 0;
  const t0 = process.hrtime.bigint();
  const progress = (d: Done): void => {
    results[d.index] = d;
    finished++;
    if (process.stderr.isTTY || finished % 50 === 0 || finished === count) process.stderr.write(`\rforecasting ${finished}/${count} series (${method})   ${process.stderr.isTTY ? '' : '\n'}`);
  };
  await Promise.all(
    Array.from({ length: workers }, (_, w) => {
      const indices: number[] = [];
      for (let i = w; i < count; i += workers) indices.push(i);
      const job: Job = { method, histories, indices };
      return new Promise<void>((res, rej) => {
        const worker = new Worker(fileURLToPath(import.meta.url), { workerData: job });
        worker.on('message', progress);
        worker.on('error', rej);
        worker.on('exit', (code) => (code === 0 ? res() : rej(new Error(`worker exited with ${code}`))));
      });
    }),
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (process.stderr.isTTY) process.stderr.write('\n');

  // --- scores ---
  const score = (forecast: (i: number) => ForecastResult | Done) => {
    let s = 0, m = 0, is = 0, cov = 0;
    for (let i = 0; i < count; i++) {
      const f = forecast(i);
      const scale = maseScale(histories[i]!, M);
      s += smape(actuals[i]!, f.mean);
      m += mase(actuals[i]!, f.mean, scale);
      is += msis(actuals[i]!, f.lower, f.upper, scale);
      cov += coverage(actuals[i]!, f.lower, f.upper);
    }
    return { smape: s / count, mase: m / count, msis: is / count, coverage: cov / count };
  };
  const n2 = score((i) => naive2.forecast(histories[i]!, H, { season: M }));
  const sn = score((i) => seasonalNaive.forecast(histories[i]!, H, { season: M }));
  const ours = score((i) => results[i]!);
  const ourOwa = owa(ours.smape, ours.mase, n2.smape, n2.mase);
  // Grafana's augurs side by side (single thread, timed on its own).
  let augurs: (ReturnType<typeof score> & { owa: number; seconds: number; version: string }) | null = null;
  let augursNote = '';
  if (!args.includes('--no-augurs')) {
    const a = await loadAugurs([M]);
    if ('error' in a) augursNote = `augurs not run: ${a.error}`;
    else {
      const fs: ForecastResult[] = [];
      const ta = process.hrtime.bigint();
      for (let i = 0; i < count; i++) {
        fs.push(a.forecaster.forecast(histories[i]!, H, { season: M, level: 0.95 }));
        if (process.stderr.isTTY) process.stderr.write(`\raugurs ${i + 1}/${count}`);
      }
      const secs = Number(process.hrtime.bigint() - ta) / 1e9;
      if (process.stderr.isTTY) process.stderr.write('\n');
      const sc = score((i) => fs[i]!);
      augurs = { ...sc, owa: owa(sc.smape, sc.mase, n2.smape, n2.mase), seconds: secs, version: a.version };
    }
  }
  const models = new Map<string, number>();
  for (const r of results) models.set(r.model, (models.get(r.model) ?? 0) + 1);

  const row = (name: string, s: number, m: number, o: number, extra = '') => `${name.padEnd(34)} ${s.toFixed(3).padStart(7)} ${m.toFixed(3).padStart(7)} ${o.toFixed(3).padStart(7)}${extra}`;
  const out: string[] = [];
  out.push(`M4 Hourly, ${count} series, horizon ${H}, m = ${M}${validate ? ' — VALIDATION on the training part (last 48 held out)' : ''}`);
  out.push(`${'method'.padEnd(34)} ${'sMAPE'.padStart(7)} ${'MASE'.padStart(7)} ${'OWA'.padStart(7)}   MSIS   cover95`);
  out.push(row(`Vigil ${method} (measured)`, ours.smape, ours.mase, ourOwa, `  ${ours.msis.toFixed(3).padStart(7)}  ${(100 * ours.coverage).toFixed(1)}%   ${seconds.toFixed(1)} s`));
  if (augurs) out.push(row(`augurs ${augurs.version} MSTL+ETS (measured)`, augurs.smape, augurs.mase, augurs.owa, `  ${augurs.msis.toFixed(3).padStart(7)}  ${(100 * augurs.coverage).toFixed(1)}%   ${augurs.seconds.toFixed(1)} s (1 thread)`));
  else if (augursNote) out.push(augursNote);
  out.push(row('Naive2 (measured)', n2.smape, n2.mase, 1, `  ${n2.msis.toFixed(3).padStart(7)}  ${(100 * n2.coverage).toFixed(1)}%`));
  out.push(row('seasonal naive (measured)', sn.smape, sn.mase, owa(sn.smape, sn.mase, n2.smape, n2.mase), `  ${sn.msis.toFixed(3).padStart(7)}  ${(100 * sn.coverage).toFixed(1)}%`));
  if (!validate) {
    out.push('published (M4 Evaluation and Ranks):');
    for (const [name, s, m, o] of PUBLISHED) out.push(row(`  ${name}`, s, m, o));
  }
  out.push(`models chosen: ${[...models].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(out.join('\n'));

  if (writeFiles) {
    mkdirSync('bench/results', { recursive: true });
    const json = {
      smape: round(ours.smape), mase: round(ours.mase), owa: round(ourOwa), msis: round(ours.msis), coverage_95: round(ours.coverage), seconds: round(seconds, 1),
      series: count, horizon: H, season: M,
      ...(augurs ? { augurs_smape: round(augurs.smape), augurs_mase: round(augurs.mase), augurs_owa: round(augurs.owa), augurs_msis: round(augurs.msis), augurs_coverage_95: round(augurs.coverage), augurs_seconds: round(augurs.seconds, 1) } : {}),
      naive2_smape: round(n2.smape), naive2_mase: round(n2.mase), snaive_smape: round(sn.smape), snaive_mase: round(sn.mase), snaive_owa: round(owa(sn.smape, sn.mase, n2.smape, n2.mase)),
    };
    writeFileSync('bench/results/m4.json', JSON.stringify(json, null, 2) + '\n');
    const header = ['id', ...Array.from({ length: H }, (_, h) => `F${h + 1}`)].join(',');
    const table = (pick: (d: Done) => Float64Array) => [header, ...results.map((d, i) => [ids[i], ...Array.from(pick(d), (v) => fmt(v))].join(','))].join('\n') + '\n';
    writeFileSync('bench/results/m4-hourly-forecasts.csv', table((d) => d.mean));
    writeFileSync('bench/results/m4-hourly-lower.csv', table((d) => d.lower));
    writeFileSync('bench/results/m4-hourly-upper.csv', table((d) => d.upper));
    console.log('wrote bench/results/m4.json, m4-hourly-forecasts.csv, m4-hourly-lower.csv, m4-hourly-upper.csv');
  }
}

const PUBLISHED: [string, number, number, number][] = [
  ['Doornik et al. (best)', 8.913, 0.801, 0.41],
  ['Smyl (ES-RNN)', 9.328, 0.893, 0.44],
  ['Pawlikowski et al.', 9.611, 0.873, 0.444],
  ['Montero-Manso et al. (FFORMA)', 11.506, 0.819, 0.484],
  ['seasonal naive', 13.912, 1.193, 0.627],
  ['SES', 18.094, 2.385, 0.99],
  ['Theta', 18.138, 2.455, 1.006],
  ['Naive2', 18.383, 2.395, 1],
  ['Damped', 19.265, 2.956, 1.141],
];

function round(x: number, d = 4): number {
  const k = 10 ** d;
  return Math.round(x * k) / k;
}
function fmt(v: number): string {
  return Number.isFinite(v) ? String(Math.round(v * 1e4) / 1e4) : 'NaN';
}

if (!isMainThread) {
  runJob(workerData as Job, (d) => parentPort!.postMessage(d));
} else {
  await main();
}
