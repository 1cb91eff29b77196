import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseCsv, parseTime } from '../detect/index.js';
import { isValidLabelName, isValidMetricName } from '../core/labels.js';
import { UsageError } from './exit.js';

interface BackfillOptions {
  url: string;
  metric?: string;
  label: string[];
  batch: string;
}

/**
 * `vigil backfill FILE.csv --url URL`: loads history into a running Vigil through
 * its write API, oldest first, so its detectors learn each series' normal
 * behaviour (and seasonality) before live data arrives. Run it before live
 * ingestion of the same series starts: the store takes each series in time order.
 */
export function registerBackfill(program: Command): void {
  program
    .command('backfill')
    .description('load history from a CSV into a running Vigil so its detectors start warm')
    .argument('<file>', 'CSV with a header row: a time column and one or more value columns')
    .option('--url <url>', 'the Vigil server', 'http://127.0.0.1:9470')
    .option('--metric <name>', 'metric name for a single value column (default: the column name)')
    .option('--label <name=value>', 'label added to every series (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--batch <n>', 'samples per request', '10000')
    .action(async (file: string, opts: BackfillOptions) => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        throw new UsageError(`${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      const extra: Record<string, string> = {};
      for (const l of opts.label) {
        const i = l.indexOf('=');
        const name = l.slice(0, i);
        if (i <= 0 || !isValidLabelName(name)) throw new UsageError(`--label: expected name=value with a valid label name, got ${JSON.stringify(l)}`);
        extra[name] = l.slice(i + 1);
      }
      const batch = Number(opts.batch);
      if (!Number.isInteger(batch) || batch < 1) throw new UsageError(`--batch: expected a positive integer, got ${JSON.stringify(opts.batch)}`);

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
        const res = await fetch(`${opts.url.replace(/\/$/, '')}/api/v1/samples`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ series }),
        }).catch((e: Error) => {
          throw new UsageError(`cannot reach ${opts.url}: ${(e.cause as Error | undefined)?.message ?? e.message}`);
        });
        if (!res.ok) {
          const body = (await res.json().catch(() => ({}))) as { error?: string };
          throw new UsageError(`${file}: rows ${start + 2}-${end + 1}: Vigil answered ${res.status}: ${body.error ?? res.statusText}`);
        }
        sent += series.reduce((a, s) => a + s.samples.length, 0);
        process.stdout.write(`backfill: ${((end / rows.length) * 100).toFixed(0)}% (${sent}/${total} samples)\n`);
      }
      process.stdout.write(`backfill: done, ${sent} samples in ${valueCols.length} series\n`);
    });
}
