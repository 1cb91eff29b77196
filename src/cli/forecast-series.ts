import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseDuration } from '../config/duration.js';
import { forecastChart } from '../forecast/chart/forecast-chart.js';
import { UsageError } from './exit.js';
import { api, formatLabels, isoTime, serverUrl, table } from './api-client.js';

/**
 * `vigil forecast SERIES --horizon 48h [--svg out.svg] [--url URL]`: a stored
 * series' forecast from a running Vigil (`GET /api/v1/forecast`), printed as
 * a summary and drawn, with its history and interval, as a self-contained
 * SVG. (`vigil forecast FILE.csv ...` forecasts a CSV offline: see
 * forecast.ts; an argument ending in .csv selects that mode.)
 */
export interface ForecastSeriesOptions {
  horizon?: string;
  svg?: string;
  url?: string;
  window?: string;
  step?: string;
  model?: string;
  limit?: string;
  json?: boolean;
}

interface ApiSeries {
  labels: Record<string, string>;
  model: string;
  level: number;
  step: number;
  season: number;
  history: Array<[number, number]>;
  forecast: Array<{ t: number; mean: number; lower: number; upper: number }>;
}

/** True for a series selector, false for a CSV file (the offline mode). */
export function isSeriesArgument(arg: string): boolean {
  return !/\.csv$/i.test(arg);
}

/** The options of this mode, for the `forecast` command to declare. */
export function addSeriesOptions(cmd: Command): Command {
  return cmd
    .option('--svg <file>', 'series mode: draw history, forecast and interval to this SVG file (several series: file-1.svg, file-2.svg, ...)')
    .option('--url <url>', 'series mode: the Vigil server (default: $VIGIL_URL, else http://127.0.0.1:9470)')
    .option('--window <duration>', 'series mode: history to fit on (default 4 x horizon, at least 1h)')
    .option('--step <duration>', 'series mode: grid step (default chosen from window and horizon)')
    .option('--model <model>', 'series mode: auto (default), linear (a least-squares line) or lstm (a trained model of the series)')
    .option('--limit <value>', 'series mode: draw this capacity limit as a line')
    .option('--json', 'series mode: print the API answer as JSON');
}

export async function runForecastSeries(series: string, opts: ForecastSeriesOptions, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  const horizon = opts.horizon ?? '1h';
  for (const [name, v] of [['--horizon', horizon], ['--window', opts.window], ['--step', opts.step]] as const) {
    if (v === undefined) continue;
    try {
      if (!(parseDuration(v) > 0)) throw new RangeError('must be greater than 0');
    } catch (e) {
      throw new UsageError(`${name}: ${(e as Error).message}`);
    }
  }
  if (opts.model !== undefined && !['auto', 'linear', 'lstm'].includes(opts.model)) throw new UsageError(`--model: expected auto, linear or lstm, got ${JSON.stringify(opts.model)}`);
  const limit = opts.limit === undefined ? undefined : Number(opts.limit);
  if (limit !== undefined && !Number.isFinite(limit)) throw new UsageError(`--limit: expected a number, got ${JSON.stringify(opts.limit)}`);
  const base = serverUrl(opts.url);
  const q = new URLSearchParams({ series, horizon });
  if (opts.window) q.set('window', opts.window);
  if (opts.step) q.set('step', opts.step);
  if (opts.model) q.set('model', opts.model);
  const res = await api<{ data: ApiSeries[] }>(base, `/api/v1/forecast?${q}`, { timeoutMs: 120_000 });
  if (opts.json) {
    out.write(JSON.stringify(res.data, null, 2) + '\n');
  } else if (res.data.length === 0) {
    out.write(`no series matches ${series} with history in the window\n`);
  } else {
    const rows = res.data.map((s) => {
      const last = s.history[s.history.length - 1];
      const end = s.forecast[s.forecast.length - 1]!;
      return [seriesName(s.labels), s.model, last ? fmt(last[1]) : '-', isoTime(end.t * 1000), `${fmt(end.mean)} [${fmt(end.lower)}, ${fmt(end.upper)}]`];
    });
    out.write(table(['series', 'model', 'last', 'horizon end', `forecast [${Math.round((res.data[0]!.level ?? 0.95) * 100)}% interval]`], rows));
  }
  if (opts.svg) {
    res.data.forEach((s, i) => {
      const file = res.data.length === 1 ? opts.svg! : opts.svg!.replace(/(\.svg)?$/i, `-${i + 1}.svg`);
      const svg = forecastChart({
        title: `${seriesName(s.labels)}: forecast ${horizon}`,
        history: s.history.map(([t, v]) => [t * 1000, v] as const),
        forecast: s.forecast.map((p) => ({ ...p, t: p.t * 1000 })),
        level: s.level,
        model: s.model,
        limit,
      });
      writeFileSync(file, svg);
      if (!opts.json) out.write(`wrote ${file}\n`);
    });
  }
}

/** Prometheus's notation: `name{label="value", ...}`. */
function seriesName(labels: Record<string, string>): string {
  return (labels.__name__ ?? '') + formatLabels(labels, ['__name__']) || '{}';
}

function fmt(v: number): string {
  return Number.isFinite(v) ? String(+v.toPrecision(6)) : String(v);
}
