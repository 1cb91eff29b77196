// Forecasting infrastructure metrics: the NAB realAWSCloudwatch and realKnownCause
// CPU and latency series (5-minute samples). Each series is cut at 80%: the default
// automatic forecaster sees the first part and forecasts the whole last 20% in one go
// (daily season, 288 samples); scored by MASE (in-sample lag-288 scale) beside seasonal
// naive, and by 95% interval coverage.
//
//   npm run bench:forecast-infra
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseSeriesCsv } from '../src/forecast/series-csv.js';
import { autoForecast } from '../src/forecast/auto.js';
import { seasonalNaive } from '../src/forecast/naive.js';
import { coverage, maseScale } from '../src/forecast/metrics.js';

const NAB = resolve('../shared/datasets/nab/data');
const SEASON = 288;
const files: string[] = [];
for (const cat of ['realAWSCloudwatch', 'realKnownCause']) {
  for (const f of readdirSync(`${NAB}/${cat}`).sort()) if (/cpu|latency/i.test(f)) files.push(`${cat}/${f}`);
}

/** Mean absolute error over the finite actual values. */
function mae(actual: Float64Array, forecast: Float64Array): number {
  let s = 0, c = 0;
  for (let i = 0; i < actual.length; i++) if (Number.isFinite(actual[i])) { s += Math.abs(actual[i] - forecast[i]); c++; }
  return s / c;
}

const rows: { file: string; mase: number; snaive: number; cover: number }[] = [];
let seconds = 0;
files.forEach((file, i) => {
  const text = readFileSync(`${NAB}/${file}`, 'utf8').trim().split('\n');
  const long = ['id,timestamp,value', ...text.slice(1).map((l) => `s,${l}`)].join('\n');
  const values = parseSeriesCsv(long).series[0]!.values;
  const cut = Math.floor(values.length * 0.8);
  const history = values.slice(0, cut), actual = values.slice(cut);
  const t0 = process.hrtime.bigint();
  const ours = autoForecast(history, actual.length, { season: SEASON, level: 0.95 });
  seconds += Number(process.hrtime.bigint() - t0) / 1e9;
  const base = seasonalNaive.forecast(history, actual.length, { season: SEASON });
  const scale = maseScale(history, SEASON);
  const finite = actual.map((v) => (Number.isFinite(v) ? v : NaN));
  const keep = Array.from(finite.keys()).filter((k) => Number.isFinite(finite[k]));
  const pick = (a: Float64Array): Float64Array => Float64Array.from(keep, (k) => a[k]);
  rows.push({ file, mase: mae(actual, ours.mean) / scale, snaive: mae(actual, base.mean) / scale, cover: coverage(pick(actual), pick(ours.lower), pick(ours.upper)) });
  process.stderr.write(`\rforecasting ${i + 1}/${files.length} ${file.padEnd(60)}${process.stderr.isTTY ? '' : '\n'}`);
});
if (process.stderr.isTTY) process.stderr.write('\n');

const mean = (f: (r: (typeof rows)[number]) => number): number => rows.reduce((a, r) => a + f(r), 0) / rows.length;
const geo = Math.exp(mean((r) => Math.log(r.mase / r.snaive)));
console.log(`NAB CPU and latency series: ${rows.length}, last 20% held out, season ${SEASON}`);
console.log(`${'file'.padEnd(58)} ${'MASE'.padStart(7)} ${'snaive'.padStart(7)}  cover95`);
for (const r of rows) console.log(`${r.file.padEnd(58)} ${r.mase.toFixed(3).padStart(7)} ${r.snaive.toFixed(3).padStart(7)}  ${(100 * r.cover).toFixed(1)}%`);
const summary = {
  series: rows.length,
  mase: round(mean((r) => r.mase)),
  snaive_mase: round(mean((r) => r.snaive)),
  relative_mae_geomean: round(geo),
  wins_vs_snaive: rows.filter((r) => r.mase < r.snaive).length,
  coverage_95: round(mean((r) => r.cover)),
  seconds: round(seconds, 1),
};
console.log(`mean MASE ${summary.mase} vs seasonal naive ${summary.snaive_mase}; geometric mean of MAE ratios ${summary.relative_mae_geomean}; better on ${summary.wins_vs_snaive}/${rows.length}; coverage ${(100 * summary.coverage_95).toFixed(1)}%; ${summary.seconds} s`);
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/forecast-infra.json', JSON.stringify(summary, null, 2) + '\n');

function round(x: number, d = 4): number {
  const k = 10 ** d;
  return Math.round(x * k) / k;
}
