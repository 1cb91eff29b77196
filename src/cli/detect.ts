import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parseCsv, scoreTable, tableScoreToCsv, TableError } from '../detect/index.js';
import { UsageError } from './exit.js';

interface DetectOptions {
  out?: string;
  threshold?: string;
  univariate?: boolean;
  top: string;
}

/**
 * `vigil detect FILE.csv`: the same default detection as the live pipeline, on
 * exported data. One timestamp column and one or more value columns.
 */
export function registerDetect(program: Command): void {
  program
    .command('detect')
    .description('score a CSV (a timestamp column and one or more value columns) with the default detectors')
    .argument('<file>', 'CSV file with a header row')
    .option('-o, --out <file>', 'write every row with its score, flag and explanation to this CSV')
    .option('--threshold <x>', 'flag rows whose score is at or above this (0..1; default: the detectors\' default)')
    .option('--univariate', 'score each value column on its own only (no isolation forest across columns)')
    .option('--top <n>', 'flagged rows to print', '20')
    .action((file: string, opts: DetectOptions) => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (e) {
        throw new UsageError(`${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      const threshold = opts.threshold === undefined ? undefined : Number(opts.threshold);
      if (threshold !== undefined && !(threshold > 0 && threshold < 1)) throw new UsageError(`--threshold: expected a number between 0 and 1, got ${JSON.stringify(opts.threshold)}`);
      const csv = parseCsv(text);
      let result;
      try {
        result = scoreTable(csv, { threshold, multivariate: opts.univariate ? false : undefined });
      } catch (e) {
        if (e instanceof TableError) throw new UsageError(`${file}:${e.line}: ${e.message}`);
        throw new UsageError(`${file}: ${(e as Error).message}`);
      }
      const flagged: number[] = [];
      for (let i = 0; i < result.anomalies.length; i++) if (result.anomalies[i]) flagged.push(i);
      const out = process.stdout;
      out.write(
        `${file}: ${csv.rows.length} rows, ${result.mode} (${result.valueColumns.join(', ')}), time column ${result.timeColumn ?? '(none: rows one minute apart)'}\n` +
          `${flagged.length} rows flagged at threshold ${result.threshold}\n`,
      );
      const top = Math.max(0, Number(opts.top) || 0);
      for (const i of flagged.slice(0, top)) {
        const e = result.explanations[i]!;
        const when = result.timeColumn ? new Date(result.timestamps[i]!).toISOString() : `row ${i + 1}`;
        out.write(
          `  line ${i + 2}  ${when}  score ${result.scores[i]!.toFixed(3)}  ${e.column} ${e.direction} expected ${fmt(e.expected)} [${fmt(e.lower)}, ${fmt(e.upper)}] (${e.component})\n`,
        );
      }
      if (flagged.length > top) out.write(`  ... ${flagged.length - top} more (use --out for every row)\n`);
      if (opts.out) {
        writeFileSync(opts.out, tableScoreToCsv(csv, result));
        out.write(`scores written to ${opts.out}\n`);
      }
    });
}

function fmt(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(5))) : '-';
}
