import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import { parseDuration } from '../config/duration.js';
import { isVigilError } from '../core/errors.js';
import { toStoreOptions } from '../config/sections/storage.js';
import { openStore } from '../store/index.js';
import { backtest, loadRules, type BacktestReport } from '../alerting/rules/index.js';
import { resolveConfig } from './serve.js';
import { UsageError } from './exit.js';
import { ApiFailure, addUrlOption, api, handled, isoTime, serverUrl, span, table } from './api-client.js';

/**
 * `vigil rules backtest FILE --since 24h [--step 1m]`: how often the rules of
 * FILE would have fired over stored history.
 *
 * By default it asks the running Vigil (`--url`, `$VIGIL_URL`) with
 * `POST /api/v1/rules/backtest`: a running Vigil holds its store's lock, and the
 * rules are replayed over its data without being installed. With `--config` or
 * `--data-dir` it opens the store itself instead, which only works while no
 * Vigil is running on that directory.
 */

interface BacktestCliOptions {
  url?: string;
  since: string;
  until?: string;
  step: string;
  config?: string;
  dataDir?: string;
  json?: boolean;
}

export function registerRules(program: Command): void {
  const rules = program.command('rules').description('alert rules');
  addUrlOption(
    rules
      .command('backtest')
      .description('replay a rule file over stored history: per rule, how many times it would have fired, when, and for how long')
      .argument('<file>', 'rule file (YAML with a rules: list)')
      .option('--since <duration>', 'how far back to start, e.g. 24h, 7d', '24h')
      .option('--until <duration>', 'how far back to end (default: now)')
      .option('--step <duration>', 'time between evaluations', '1m')
      .option('-c, --config <file>', 'open the store of this configuration directly (no Vigil may be running on it)')
      .option('--data-dir <dir>', 'open this data directory directly (no Vigil may be running on it)')
      .option('--json', 'print the report as JSON'),
  ).action(
    handled(async (file: string, opts: BacktestCliOptions) => {
      const sinceMs = durationFlag(opts.since, '--since');
      const untilMs = opts.until === undefined ? 0 : durationFlag(opts.until, '--until');
      const stepMs = durationFlag(opts.step, '--step');
      if (stepMs < 1000) throw new UsageError('--step: must be at least 1s');
      if (sinceMs <= untilMs) throw new UsageError('--since: must be further back than --until');
      if (opts.url !== undefined && (opts.config !== undefined || opts.dataDir !== undefined)) throw new UsageError('--url and --config/--data-dir exclude each other');
      // Problems in the file are reported here, with file:line:column (exit 2), before anything is asked of the server.
      const path = resolve(file);
      const ruleSet = loadRules({ ruleFiles: [path] });
      if (ruleSet.length === 0) throw new UsageError(`${file}: no rules in the file`);
      const now = Date.now();
      const end = now - untilMs;
      const start = now - sinceMs;
      let report: BacktestReport;
      if (opts.config !== undefined || opts.dataDir !== undefined) {
        const config = resolveConfig({ config: opts.config, dataDir: opts.dataDir });
        let store;
        try {
          store = openStore({ ...toStoreOptions(config.storage, config.limits.maxSeries), checkpointIntervalMs: 0 });
        } catch (e) {
          if (isVigilError(e) && e.code === 'STORE_LOCKED') throw new ApiFailure(`${e.message}: a Vigil is running on it; backtest through it instead (leave out --config/--data-dir, set --url)`);
          throw e;
        }
        try {
          report = backtest(ruleSet, store, start, end, stepMs, { keepResolvedMs: config.ruleEvaluation.keepResolvedMs, flapping: config.ruleEvaluation.flapping });
        } finally {
          store.close();
        }
      } else {
        const base = serverUrl(opts.url);
        const text = readFileSync(path, 'utf8');
        const res = await api<{ data: BacktestReport }>(base, '/api/v1/rules/backtest', { method: 'POST', body: { rules: text, file: basename(file), start, end, stepMs }, timeoutMs: 600_000 });
        report = res.data;
      }
      process.stdout.write(opts.json ? JSON.stringify(report, null, 2) + '\n' : formatBacktest(report));
    }),
  );
}

function durationFlag(v: string, flag: string): number {
  try {
    return parseDuration(v);
  } catch (e) {
    throw new UsageError(`${flag}: ${(e as Error).message}`);
  }
}

/** Per rule: firings, first and last firing, total time firing (alerts still firing count until the end), errors. */
export function formatBacktest(r: BacktestReport): string {
  const head = `${r.rules.length} rule${r.rules.length === 1 ? '' : 's'} from ${isoTime(r.start)} to ${isoTime(r.end)}, every ${span(r.stepMs)} (${r.evaluations} evaluations)\n\n`;
  const rows = r.rules.map((x) => {
    const starts = x.alerts.map((a) => a.at);
    const firing = x.alerts.reduce((sum, a) => sum + ((a.resolvedAt ?? r.end) - a.at), 0);
    return [
      x.rule,
      x.type,
      String(x.firings),
      starts.length ? isoTime(Math.min(...starts)) : '-',
      starts.length ? isoTime(Math.max(...starts)) : '-',
      x.firings ? span(firing) : '-',
      String(x.errors),
    ];
  });
  let out = head + table(['RULE', 'TYPE', 'FIRINGS', 'FIRST FIRING', 'LAST FIRING', 'FIRING FOR', 'ERRORS'], rows);
  for (const x of r.rules) if (x.firstError) out += `\n${x.rule}: ${x.errors} failed evaluation${x.errors === 1 ? '' : 's'}, first: ${x.firstError}\n`;
  return out;
}
