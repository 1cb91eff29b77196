import type { FastifyInstance } from 'fastify';
import { VigilError } from '../../core/errors.js';
import { ConfigError } from '../../config/errors.js';
import type { SampleStore } from '../../store/types.js';
import { backtest, checkRuleSet, parseRuleFile, type BacktestOptions } from '../../alerting/rules/index.js';

/** Most evaluations one backtest may run (the request blocks the server while it runs). */
export const MAX_BACKTEST_EVALUATIONS = 100_000;

interface BacktestBody {
  /** The rule file's text (YAML with a `rules:` list). */
  rules?: unknown;
  /** Its name, for error messages. */
  file?: unknown;
  /** Unix ms. */
  start?: unknown;
  end?: unknown;
  stepMs?: unknown;
}

/**
 * `POST /api/v1/rules/backtest`: replays a rule file (sent as text) over the
 * history in this Vigil's store and answers the `BacktestReport`: per rule, how
 * many times it would have fired, when, and its evaluation errors. The rules are
 * not installed. This is how `vigil rules backtest` works against a running
 * Vigil, which holds the store's lock. A rule file with problems is answered 400
 * `INVALID_RULES` with one `file:line:column: path: problem` line per problem.
 */
export function ruleBacktestRoutes(app: FastifyInstance, store: SampleStore, opts: BacktestOptions = {}): void {
  app.post<{ Body: BacktestBody }>('/api/v1/rules/backtest', async (req) => {
    const b = req.body;
    if (b === null || typeof b !== 'object' || Array.isArray(b)) throw new VigilError('BAD_PARAM', 'body: expected a JSON object {rules, start, end, stepMs}', 400);
    if (typeof b.rules !== 'string' || b.rules.trim() === '') throw new VigilError('BAD_PARAM', 'rules: the rule file text is required', 400);
    const file = typeof b.file === 'string' && b.file !== '' ? b.file : 'rules.yaml';
    const start = time(b.start, 'start');
    const end = time(b.end, 'end');
    if (end < start) throw new VigilError('BAD_PARAM', 'end: must not be before start', 400);
    const stepMs = b.stepMs;
    if (typeof stepMs !== 'number' || !Number.isInteger(stepMs) || stepMs < 1000) throw new VigilError('BAD_PARAM', 'stepMs: an integer of at least 1000 is required', 400);
    const evaluations = Math.floor((end - start) / stepMs) + 1;
    if (evaluations > MAX_BACKTEST_EVALUATIONS)
      throw new VigilError('BAD_PARAM', `${evaluations} evaluations requested, at most ${MAX_BACKTEST_EVALUATIONS}: use a larger step or a shorter range`, 400);
    let rules;
    try {
      rules = parseRuleFile(b.rules, file);
      const issues = checkRuleSet([{ file, rules, prefix: 'rules', locate: () => ({ line: 0, column: 0 }) }]);
      if (issues.length > 0) throw new ConfigError(issues);
    } catch (e) {
      if (e instanceof ConfigError) throw new VigilError('INVALID_RULES', e.message, 400);
      throw e;
    }
    return { status: 'success', data: backtest(rules, store, start, end, stepMs, opts) };
  });
}

function time(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new VigilError('BAD_PARAM', `${field}: unix milliseconds required`, 400);
  return v;
}
