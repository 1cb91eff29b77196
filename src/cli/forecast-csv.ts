import { readFileSync, writeFileSync } from 'node:fs';
import { forecasters } from '../forecast/members.js';
import { parseSeriesCsv, SeriesCsvError, type SeriesTable } from '../forecast/series-csv.js';
import type { ForecastResult } from '../forecast/types.js';
import { UsageError } from './exit.js';

/**
 * `vigil forecast FILE.csv --horizon N --season M [--out forecast.csv]`:
 * forecasts every series of a CSV offline with the default automatic method.
 * Wide input (M4's `id,V1,V2,...`) gives M4's submission layout
 * (`id,F1,...,FN`, and the interval in `<out>-lower.csv` / `<out>-upper.csv`);
 * long input (`id,timestamp,value`) gives `id,timestamp,mean,lower,upper,model`.
 */
export interface ForecastCsvOptions {
  horizon?: string;
  season?: string;
  level?: string;
  method?: string;
  out?: string;
}

function positiveInt(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${name}: expected a whole number of samples of at least 1, got ${JSON.stringify(v)}`);
  return n;
}

export function runForecastCsv(file: string, opts: ForecastCsvOptions, out: NodeJS.WritableStream = process.stdout): void {
  const horizon = positiveInt('--horizon', opts.horizon, 48);
  const season = positiveInt('--season', opts.season, 1);
  const level = opts.level === undefined ? 0.95 : Number(opts.level);
  if (!(level > 0 && level < 1)) throw new UsageError(`--level: expected a number between 0 and 1, got ${JSON.stringify(opts.level)}`);
  const method = opts.method ?? 'auto';
  const model = forecasters[method];
  if (!model) throw new UsageError(`--method: unknown method ${JSON.stringify(method)} (one of ${Object.keys(forecasters).join(', ')})`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let table: SeriesTable;
  try {
    table = parseSeriesCsv(text);
  } catch (e) {
    if (e instanceof SeriesCsvError) throw new UsageError(`${file}:${e.line}: ${e.message}`);
    throw e;
  }
  const results: ForecastResult[] = [];
  const started = Date.now();
  table.series.forEach((s, i) => {
    results.push(model.forecast(s.values, horizon, { season, level }));
    if (process.stderr.isTTY) process.stderr.write(`\rforecasting ${i + 1}/${table.series.length}`);
  });
  if (process.stderr.isTTY) process.stderr.write('\n');
  const seconds = (Date.now() - started) / 1000;
  if (opts.out) {
    const written = table.layout === 'wide' ? writeWide(opts.out, table, results, horizon) : writeLong(opts.out, table, results, horizon);
    out.write(`${file}: ${table.series.length} series (${table.layout} layout), horizon ${horizon}, season ${season}, ${method}: ${seconds.toFixed(1)} s; wrote ${written.join(', ')}\n`);
  } else {
    out.write(longCsv(table, results, horizon));
  }
}

const num = (v: number): string => (Number.isFinite(v) ? String(Math.round(v * 1e6) / 1e6) : 'NaN');

function writeWide(path: string, table: SeriesTable, results: ForecastResult[], horizon: number): string[] {
  const header = ['id', ...Array.from({ length: horizon }, (_, h) => `F${h + 1}`)].join(',');
  const rows = (pick: (r: ForecastResult) => Float64Array): string => [header, ...table.series.map((s, i) => [s.id, ...Array.from(pick(results[i]), num)].join(','))].join('\n') + '\n';
  const base = path.replace(/\.csv$/i, '');
  const files = [path, `${base}-lower.csv`, `${base}-upper.csv`];
  writeFileSync(files[0], rows((r) => r.mean));
  writeFileSync(files[1], rows((r) => r.lower));
  writeFileSync(files[2], rows((r) => r.upper));
  return files;
}

function longCsv(table: SeriesTable, results: ForecastResult[], horizon: number): string {
  const lines = ['id,timestamp,mean,lower,upper,model'];
  table.series.forEach((s, i) => {
    const r = results[i];
    const t = s.timestamps, step = s.stepMs ?? 0;
    const last = t && t.length ? t[t.length - 1] : NaN;
    for (let h = 0; h < horizon; h++) {
      const when = Number.isFinite(last) && step > 0 ? new Date(last + (h + 1) * step).toISOString() : String(h + 1);
      lines.push([s.id, when, num(r.mean[h]), num(r.lower[h]), num(r.upper[h]), r.model].join(','));
    }
  });
  return lines.join('\n') + '\n';
}

function writeLong(path: string, table: SeriesTable, results: ForecastResult[], horizon: number): string[] {
  writeFileSync(path, longCsv(table, results, horizon));
  return [path];
}
