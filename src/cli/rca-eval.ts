import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { evaluateCases } from '../incidents/rca/evaluate.js';
import { UsageError } from './exit.js';

interface RcaEvalOptions {
  from: string;
  json?: string;
  misses: string;
}

/**
 * `vigil rca-eval DIR`: ranks root causes for every stored case folder under DIR (layout in the
 * README, "Topology and root cause") and reports RCAEval's AC@1, AC@3 and Avg@5.
 */
export function registerRcaEval(program: Command): void {
  program
    .command('rca-eval')
    .description('rank root causes for stored cases (one folder each: graph.json, root_cause.json, alerts.json and/or series/*.csv) and score AC@k')
    .argument('<dir>', 'a case folder, or a folder of case folders')
    .option('--from <source>', 'signals from: auto (alerts.json if present, else series), alerts, series', 'auto')
    .option('--json <file>', 'write the figures and every case\'s ranking to this JSON file')
    .option('--misses <n>', 'cases ranked wrong at top-1 to print', '10')
    .action((dir: string, opts: RcaEvalOptions) => {
      if (!['auto', 'alerts', 'series'].includes(opts.from)) throw new UsageError(`--from: expected auto, alerts or series, got ${JSON.stringify(opts.from)}`);
      let result;
      try {
        result = evaluateCases(dir, { from: opts.from as 'auto' });
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      const { cases, errors } = result;
      if (cases.length === 0 && errors.length === 0) throw new UsageError(`${dir}: no case folders (a case folder holds graph.json and root_cause.json)`);
      const out = process.stdout;
      const f = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '-');
      out.write(`${dir}: ${cases.length} cases scored${errors.length ? `, ${errors.length} unreadable` : ''}\n`);
      out.write(`AC@1 ${f(result.acAt1)}  AC@3 ${f(result.acAt3)}  AC@5 ${f(result.acAt5)}  Avg@5 ${f(result.avgAt5)}\n`);
      const misses = cases.filter((c) => c.position !== 1);
      for (const c of misses.slice(0, Math.max(0, Number(opts.misses) || 0))) {
        out.write(`  miss ${c.dir}: truth ${c.truth} ${c.position ? `at #${c.position}` : 'not ranked'}; ranked ${c.ranking.slice(0, 3).join(', ') || '(nothing: no signals)'}\n`);
      }
      for (const e of errors) process.stderr.write(`vigil: ${e.error}\n`);
      if (opts.json) writeFileSync(opts.json, JSON.stringify({ ac_at_1: result.acAt1, ac_at_3: result.acAt3, ac_at_5: result.acAt5, avg_at_5: result.avgAt5, cases, errors }, null, 2) + '\n');
      if (errors.length) process.exitCode = 1;
    });
}
