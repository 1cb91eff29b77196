import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseCsv, parseTime } from '../detect/index.js';
import { isValidLabelName, isValidMetricName } from '../core/labels.js';
import { parseDuration } from '../config/duration.js';
import { resolveConfig } from '../config/load.js';
import { parseSelector } from '../core/matchers.js';
import { type BackfillSeries, PrometheusApiError, backfillFromPrometheus } from '../ingest/prometheus-backfill.js';
import { UsageError } from './exit.js';

interface BackfillOptions {
  url?: string;
  config?: string;
  metric?: string;
  label: string[];
  batch: string;
  prometheus?: string;
  match?: string;
  since?: string;
  until?: string;
  step?: string;
  header: string[];
}

const DEFAULT_URL = 'http://127.0.0.1:9470';

/**
 * `vigil backfill FILE.csv --url URL` and `vigil backfill --prometheus URL --match SELECTOR --since 7d`:
 * loads history into a running Vigil through its write API, oldest first, so its
 * detectors learn each series' normal behaviour (and seasonality) before live data
 * arrives. Run it before live ingestion of the same series starts: the store takes
 * each series in time order.
 */
export function registerBackfill(program: Command): void {
  program
    .command('backfill')
    .description('load history from a CSV or from Prometheus into a running Vigil so its detectors start warm')
    .argument('[file]', 'CSV with a header row: a time column and one or more value columns (not with --prometheus)')
    .option('--url <url>', `the Vigil server (default: ${DEFAULT_URL}, or server.listen of --config)`)
    .option('-c, --config <file>', "take the Vigil server's address from this vigil.yaml (server.listen)")
    .option('--prometheus <url>', 'read history from this Prometheus (its HTTP API, /api/v1/query_range) instead of a CSV')
    .option('--match <selector>', 'with --prometheus: the series to copy, e.g. \'{job="node"}\'')
    .option('--since <duration|time>', 'with --prometheus: start of the history, a duration before --until (7d) or a time (RFC 3339, unix seconds)')
    .option('--until <duration|time>', 'with --prometheus: end of the history (default: now)')
    .option('--step <duration>', 'with --prometheus: resolution of the copied series (query_range step; default 15s)')
    .option('--header <name:value>', 'with --prometheus: HTTP header sent to Prometheus, e.g. "Authorization: Bearer ..." (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--metric <name>', 'CSV: metric name for a single value column (default: the column name)')
    .option('--label <name=value>', 'label added to every series (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--batch <n>', 'samples per write request to Vigil', '10000')
    .action(async (file: string | undefined, opts: BackfillOptions) => {
      const extra = parseLabels(opts.label);
      const batch = Number(opts.batch);
      if (!Number.isInteger(batch) || batch < 1) throw new UsageError(`--batch: expected a positive integer, got ${JSON.stringify(opts.batch)}`);
      const vigilUrl = vigilUrlOf(opts);
      if (opts.prometheus !== undefined) {
        if (file !== undefined) throw new UsageError(`backfill: give either a CSV file or --prometheus, not both (got ${JSON.stringify(file)} and --prometheus)`);
        if (opts.metric !== undefined) throw new UsageError('--metric: only for a CSV file (series from Prometheus keep their names)');
        await backfillPrometheus(opts, vigilUrl, extra, batch);
        return;
      }
      for (const flag of ['match', 'since', 'until'] as const)
        if (opts[flag] !== undefined) throw new UsageError(`--${flag}: only with --prometheus URL`);
      if (opts.step !== undefined) throw new UsageError('--step: only with --prometheus URL');
      if (opts.header.length) throw new UsageError('--header: only with --prometheus URL');
      if (file === undefined) throw new UsageError('backfill: missing the CSV file (vigil backfill FILE.csv) or --prometheus URL --match SELECTOR --since DURATION');
      await backfillCsv(file, opts, vigilUrl, extra, batch);
    });
}

function parseLabels(list: string[]): Record<string, string> {
  const extra: Record<string, string> = {};
  for (const l of list) {
    const i = l.indexOf('=');
    const name = l.slice(0, i);
    if (i <= 0 || !isValidLabelName(name)) throw new UsageError(`--label: expected name=value with a valid label name, got ${JSON.stringify(l)}`);
    extra[name] = l.slice(i + 1);
  }
  return extra;
}

/** --url, else server.listen of --config (a wildcard host becomes loopback), else the default. */
function vigilUrlOf(opts: BackfillOptions): string {
  if (opts.url !== undefined && opts.config !== undefined) throw new UsageError('--url and --config: give one of them (both name the Vigil server)');
  if (opts.url !== undefined) {
    checkHttpUrl(opts.url, '--url');
    return opts.url.replace(/\/+$/, '');
  }
  if (opts.config === undefined) return DEFAULT_URL;
  const config = resolveConfig(opts.config, process.env);
  const { host, port } = config.server;
  if (port === 0) throw new UsageError(`--config: ${opts.config} has server.listen port 0 (a random port); give the server's address with --url`);
  const h = host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${h.includes(':') ? `[${h}]` : h}:${port}`;
}

function checkHttpUrl(u: string, flag: string): void {
  let parsed: URL;
  try {
    parsed = new URL(u);
  } catch {
    throw new UsageError(`${flag}: expected an http(s) URL, got ${JSON.stringify(u)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UsageError(`${flag}: expected an http(s) URL, got ${JSON.stringify(u)}`);
}

/** A duration before `now` (7d, 1h30m) or a time (RFC 3339, unix seconds or milliseconds). */
function parseWhen(s: string, flag: string, now: number): number {
  if (/^\d+(y|w|d|h|m|s|ms)/.test(s)) {
    try {
      return now - parseDuration(s);
    } catch (e) {
      throw new UsageError(`${flag}: ${(e as Error).message}`);
    }
  }
  const t = parseTime(s);
  if (!Number.isFinite(t)) throw new UsageError(`${flag}: expected a duration (7d, 12h) or a time (RFC 3339 or unix seconds), got ${JSON.stringify(s)}`);
  return Math.round(t);
}

async function backfillPrometheus(opts: BackfillOptions, vigilUrl: string, extra: Record<string, string>, batch: number): Promise<void> {
  const promUrl = opts.prometheus!.replace(/\/+$/, '');
  checkHttpUrl(promUrl, '--prometheus');
  if (opts.match === undefined || opts.match.trim() === '') throw new UsageError(`--match: required with --prometheus, a series selector such as '{job="node"}'`);
  try {
    parseSelector(opts.match);
  } catch (e) {
    throw new UsageError(`--match: ${(e as Error).message}`);
  }
  if (opts.since === undefined) throw new UsageError('--since: required with --prometheus, how much history to copy (e.g. 7d) or a start time');
  let stepMs: number;
  try {
    stepMs = parseDuration(opts.step ?? '15s');
  } catch (e) {
    throw new UsageError(`--step: ${(e as Error).message}`);
  }
  if (stepMs <= 0) throw new UsageError('--step: must be longer than 0');
  const headers: Record<string, string> = {};
  for (const h of opts.header) {
    const i = h.indexOf(':');
    if (i <= 0) throw new UsageError(`--header: expected "Name: value", got ${JSON.stringify(h)}`);
    headers[h.slice(0, i).trim()] = h.slice(i + 1).trim();
  }
  const now = Date.now();
  const endMs = opts.until === undefined ? now : parseWhen(opts.until, '--until', now);
  const startMs = parseWhen(opts.since, '--since', endMs);
  if (startMs > endMs) throw new UsageError(`--since: ${new Date(startMs).toISOString()} is after --until ${new Date(endMs).toISOString()}`);

  const writer = new VigilWriter(vigilUrl, batch, extra);
  await writer.checkReachable();
  let lastPrint = 0;
  let lastPct = -1;
  try {
    const summary = await backfillFromPrometheus({
      prometheusUrl: promUrl,
      match: opts.match,
      startMs,
      endMs,
      stepMs,
      headers,
      sink: (series) => writer.write(series),
      onSeries: (s) =>
        process.stdout.write(
          `backfill: ${s.length} series match ${opts.match} in ${promUrl}, ${new Date(startMs).toISOString()} to ${new Date(endMs).toISOString()} every ${opts.step ?? '15s'}\n`,
        ),
      onProgress: (p) => {
        const pct = Math.floor(p.fraction * 100);
        const t = Date.now();
        if (p.fraction < 1 && (pct === lastPct || t - lastPrint < 1000)) return;
        lastPrint = t;
        lastPct = pct;
        process.stdout.write(`backfill: ${pct}% (${p.samples} samples, ${p.seriesDone}/${p.seriesTotal} series)\n`);
      },
    });
    if (summary.series === 0) {
      process.stdout.write(`backfill: no series match ${opts.match} in ${promUrl} between ${new Date(startMs).toISOString()} and ${new Date(endMs).toISOString()}; nothing to do\n`);
      return;
    }
    const retried = summary.retries ? `, ${summary.retries} Prometheus requests retried` : '';
    if (writer.refused > 0) {
      process.stderr.write(
        `vigil: backfill: Vigil refused ${writer.refused} of ${summary.samples} samples (${writer.refusedDetail()}): it already holds newer samples of those series, or they are older than its retention\n`,
      );
      process.stdout.write(`backfill: done, ${writer.accepted} samples in ${summary.series} series (${writer.refused} refused${retried})\n`);
      process.exitCode = 1;
      return;
    }
    process.stdout.write(`backfill: done, ${writer.accepted} samples in ${summary.series} series${retried}\n`);
  } catch (e) {
    if (e instanceof PrometheusApiError || e instanceof VigilWriteError) {
      process.stderr.write(`vigil: backfill: ${e.message}\n`);
      if (writer.accepted > 0) process.stderr.write(`vigil: backfill: ${writer.accepted} samples were written before the failure; running the same command again is safe\n`);
      process.exitCode = 1;
      return;
    }
    throw e;
  }
}

class VigilWriteError extends Error {}

/** Posts series to Vigil's JSON write API in requests of at most `batch` samples; retries transient failures. */
class VigilWriter {
  accepted = 0;
  refused = 0;
  private readonly rejected: Record<string, number> = {};

  constructor(
    private readonly url: string,
    private readonly batch: number,
    private readonly extra: Record<string, string>,
  ) {}

  async checkReachable(): Promise<void> {
    try {
      await fetch(`${this.url}/-/healthy`, { signal: AbortSignal.timeout(10_000) });
    } catch (e) {
      throw new UsageError(`--url: cannot reach Vigil at ${this.url}: ${((e as Error).cause as Error | undefined)?.message ?? (e as Error).message}`);
    }
  }

  refusedDetail(): string {
    return Object.entries(this.rejected)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ');
  }

  async write(series: BackfillSeries[]): Promise<void> {
    let req: Array<{ labels: Record<string, string>; samples: Array<[number, string]> }> = [];
    let n = 0;
    for (const s of series) {
      const labels = { ...s.labels, ...this.extra };
      for (let i = 0; i < s.samples.length; ) {
        const take = Math.min(this.batch - n, s.samples.length - i);
        req.push({ labels, samples: i === 0 && take === s.samples.length ? s.samples : s.samples.slice(i, i + take) });
        n += take;
        i += take;
        if (n >= this.batch) {
          await this.post(req);
          req = [];
          n = 0;
        }
      }
    }
    if (n > 0) await this.post(req);
  }

  private async post(series: Array<{ labels: Record<string, string>; samples: Array<[number, string]> }>, attempt = 0): Promise<void> {
    const body = JSON.stringify({ series });
    let res: Response;
    try {
      res = await fetch(`${this.url}/api/v1/samples`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(120_000) });
    } catch (e) {
      if (attempt < 3) return this.retry(series, attempt);
      throw new VigilWriteError(`cannot reach Vigil at ${this.url}: ${((e as Error).cause as Error | undefined)?.message ?? (e as Error).message}`);
    }
    if (res.ok) {
      await res.arrayBuffer();
      this.accepted += series.reduce((a, s) => a + s.samples.length, 0);
      return;
    }
    const answer = (await res.json().catch(() => ({}))) as { error?: string; code?: string; accepted?: number; rejected?: Record<string, number> };
    if ((answer.code === 'PARTIAL_WRITE' || answer.code === 'SERIES_LIMIT') && typeof answer.accepted === 'number') {
      this.accepted += answer.accepted;
      for (const [k, v] of Object.entries(answer.rejected ?? {})) {
        this.rejected[k] = (this.rejected[k] ?? 0) + v;
        this.refused += v;
      }
      return;
    }
    if ((res.status >= 500 || res.status === 429) && attempt < 3) return this.retry(series, attempt);
    throw new VigilWriteError(`Vigil at ${this.url} answered ${res.status} to a write: ${answer.error ?? res.statusText}`);
  }

  private async retry(series: Array<{ labels: Record<string, string>; samples: Array<[number, string]> }>, attempt: number): Promise<void> {
    await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
    return this.post(series, attempt + 1);
  }
}

async function backfillCsv(file: string, opts: BackfillOptions, vigilUrl: string, extra: Record<string, string>, batch: number): Promise<void> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const { header, rows } = parseCsv(text);
  const timeIdx = header.findIndex((h) => /^(timestamp|time|ts|date|datetime)$/i.test(h));
  if (timeIdx < 0) throw new UsageError(`${file}:1: no time column (expected one named timestamp, time, ts, date or datetime)`);
  const valueCols = header.map((_, c) => c).filter((c) => c !== timeIdx);
  if (valueCols.length === 0) throw new UsageError(`${file}:1: no value column`);
  if (opts.metric && valueCols.length > 1) throw new UsageError('--metric: only for a file with one value column (with several, each column name is its metric name)');
  const names = valueCols.map((c) => opts.metric ?? header[c]!.replace(/[^a-zA-Z0-9_:]/g, '_'));
  names.forEach((n) => {
    if (!isValidMetricName(n)) throw new UsageError(`${file}:1: ${JSON.stringify(n)} is not a valid metric name; use --metric`);
  });

  const times = new Float64Array(rows.length);
  rows.forEach((r, i) => {
    const t = parseTime(r[timeIdx] ?? '');
    if (!Number.isFinite(t)) throw new UsageError(`${file}:${i + 2}: cannot parse ${JSON.stringify(r[timeIdx])} as a time`);
    times[i] = Math.round(t);
  });

  const total = rows.length * valueCols.length;
  let sent = 0;
  const perRequest = Math.max(1, Math.floor(batch / valueCols.length));
  for (let start = 0; start < rows.length; start += perRequest) {
    const end = Math.min(rows.length, start + perRequest);
    const series = valueCols.map((c, k) => {
      const samples: Array<[number, number | string]> = [];
      for (let i = start; i < end; i++) {
        const cell = (rows[i]![c] ?? '').trim();
        if (cell === '') continue;
        const v = Number(cell);
        if (Number.isNaN(v) && !/^nan$/i.test(cell)) throw new UsageError(`${file}:${i + 2}: column "${header[c]}": ${JSON.stringify(cell)} is not a number`);
        samples.push([times[i]!, Number.isFinite(v) ? v : cell.toLowerCase() === 'nan' ? 'NaN' : v > 0 ? '+Inf' : '-Inf']);
      }
      return { labels: { ...extra, __name__: names[k]! }, samples };
    });
    const res = await fetch(`${vigilUrl}/api/v1/samples`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ series }),
    }).catch((e: Error) => {
      throw new UsageError(`cannot reach ${vigilUrl}: ${(e.cause as Error | undefined)?.message ?? e.message}`);
    });
    if (!res.ok) {
      const body = (await res.json().catch(() => ({}))) as { error?: string };
      throw new UsageError(`${file}: rows ${start + 2}-${end + 1}: Vigil answered ${res.status}: ${body.error ?? res.statusText}`);
    }
    sent += series.reduce((a, s) => a + s.samples.length, 0);
    process.stdout.write(`backfill: ${((end / rows.length) * 100).toFixed(0)}% (${sent}/${total} samples)\n`);
  }
  process.stdout.write(`backfill: done, ${sent} samples in ${valueCols.length} series\n`);
}
