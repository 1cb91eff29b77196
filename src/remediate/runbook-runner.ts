import type { SampleStore } from '../store/types.js';
import type { Clock } from './clock.js';
import { evaluateCondition, type MetricCondition } from './metric-condition.js';
import { abortReasonText, deadline } from './handlers/abort.js';
import { boundedText } from './handlers/output.js';
import type { ActionHandler, ActionLogger, ActionResult, TemplateVars } from './types.js';

/**
 * Runs one runbook: its steps in order (each with a timeout and retries), then
 * its verification (a metric condition that must hold within a time limit),
 * and its rollback steps when verification fails or a step fails after an
 * earlier one changed something. Step results feed later templates as
 * `{{ steps.<id>.changed.<key> }}`. An abort (kill switch) stops at once:
 * the running action is aborted and nothing else runs, rollback included,
 * since a person has taken over.
 */

export interface CompiledStep {
  id: string;
  handler: ActionHandler;
  params: unknown;
  timeoutMs: number;
  retries: number;
  retryDelayMs: number;
  continueOnError: boolean;
}

export interface CompiledVerification extends MetricCondition {
  withinMs: number;
  everyMs: number;
  delayMs: number;
}

export interface CompiledRunbook {
  name: string;
  description: string;
  steps: CompiledStep[];
  verify?: CompiledVerification;
  rollback: CompiledStep[];
}

export interface StepOutcome {
  id: string;
  type: string;
  description: string;
  ok: boolean;
  output: string;
  changed?: Record<string, unknown>;
  attempts: number;
  startedAt: number;
  endedAt: number;
}

export interface VerificationOutcome {
  holds: boolean;
  checks: number;
  reason: string;
}

export type RunbookResult = 'succeeded' | 'failed' | 'rolled_back' | 'aborted';

export interface RunbookOutcome {
  result: RunbookResult;
  reason: string;
  steps: StepOutcome[];
  verification?: VerificationOutcome;
  rollback?: StepOutcome[];
}

export interface RunbookRunContext {
  vars: TemplateVars;
  signal: AbortSignal;
  clock: Clock;
  env: Readonly<Record<string, string | undefined>>;
  logger: ActionLogger;
  store?: SampleStore;
  /** Called as things happen, for the audit log. */
  record(kind: 'step' | 'verification' | 'rollback', text: string, data: Record<string, unknown>): void;
}

const MAX_OUTPUT = 4096;

async function runStep(step: CompiledStep, vars: TemplateVars, ctx: RunbookRunContext): Promise<StepOutcome> {
  const startedAt = ctx.clock.now();
  let description: string;
  try {
    description = step.handler.describe(step.params, vars);
  } catch (e) {
    return { id: step.id, type: step.handler.type, description: step.id, ok: false, output: (e as Error).message, attempts: 0, startedAt, endedAt: startedAt };
  }
  let result: ActionResult = { ok: false, output: 'not run' };
  let attempts = 0;
  for (let attempt = 0; attempt <= step.retries; attempt++) {
    if (ctx.signal.aborted) return { id: step.id, type: step.handler.type, description, ok: false, output: `aborted: ${abortReasonText(ctx.signal.reason)}`, attempts, startedAt, endedAt: ctx.clock.now() };
    if (attempt > 0) {
      try {
        await ctx.clock.sleep(step.retryDelayMs * 2 ** (attempt - 1), ctx.signal);
      } catch {
        continue;
      }
    }
    attempts++;
    const stop = deadline(ctx.signal, step.timeoutMs);
    try {
      result = await step.handler.run(step.params, { vars, signal: stop.signal, env: ctx.env, logger: ctx.logger });
    } catch (e) {
      // Handlers return expected failures; a throw is a bug or a template error: a failure all the same.
      result = { ok: false, output: (e as Error).message };
    }
    if (!result.ok && stop.signal.aborted && !ctx.signal.aborted) result = { ...result, output: `${stop.reason()}: ${result.output}` };
    if (result.ok || ctx.signal.aborted) break;
  }
  const output = boundedText(result.output, MAX_OUTPUT);
  return { id: step.id, type: step.handler.type, description, ok: result.ok, output, ...(result.changed && { changed: result.changed }), attempts, startedAt, endedAt: ctx.clock.now() };
}

/** `failed`: the first failed step; `stopped`: it failed without `continueOnError`, so the steps after it did not run. */
async function runSteps(steps: readonly CompiledStep[], ctx: RunbookRunContext, kind: 'step' | 'rollback', results: Record<string, unknown>): Promise<{ outcomes: StepOutcome[]; failed?: StepOutcome; stopped: boolean }> {
  const outcomes: StepOutcome[] = [];
  let failed: StepOutcome | undefined;
  for (const step of steps) {
    if (ctx.signal.aborted) break;
    const vars = { ...ctx.vars, steps: results };
    const o = await runStep(step, vars, ctx);
    outcomes.push(o);
    results[step.id] = { ok: o.ok, output: o.output, changed: o.changed ?? {} };
    ctx.record(kind, `${kind === 'rollback' ? 'rollback ' : ''}step ${step.id} (${o.description}): ${o.ok ? 'ok' : 'failed'}${o.attempts > 1 ? ` after ${o.attempts} attempts` : ''}`, { step: step.id, type: o.type, ok: o.ok, output: o.output, changed: o.changed, attempts: o.attempts });
    if (o.ok) continue;
    failed ??= o;
    if (!step.continueOnError) return { outcomes, failed, stopped: true };
  }
  return { outcomes, failed, stopped: false };
}

async function verify(v: CompiledVerification, ctx: RunbookRunContext): Promise<VerificationOutcome> {
  if (!ctx.store) return { holds: false, checks: 0, reason: 'no sample store to verify against' };
  const deadline = ctx.clock.now() + v.delayMs + v.withinMs;
  let checks = 0;
  let reason: string;
  try {
    if (v.delayMs > 0) await ctx.clock.sleep(v.delayMs, ctx.signal);
    for (;;) {
      checks++;
      let r;
      try {
        r = evaluateCondition(ctx.store, v, ctx.vars, ctx.clock.now());
      } catch (e) {
        return { holds: false, checks, reason: (e as Error).message };
      }
      reason = r.reason;
      if (r.holds) return { holds: true, checks, reason };
      const left = deadline - ctx.clock.now();
      if (left <= 0) break;
      await ctx.clock.sleep(Math.min(v.everyMs, left), ctx.signal);
    }
  } catch {
    return { holds: false, checks, reason: `aborted: ${abortReasonText(ctx.signal.reason)}` };
  }
  return { holds: false, checks, reason: `did not hold within ${Math.round(v.withinMs / 1000)} s: ${reason}` };
}

export async function runRunbook(book: CompiledRunbook, ctx: RunbookRunContext): Promise<RunbookOutcome> {
  const results: Record<string, unknown> = {};
  const { outcomes: steps, failed, stopped } = await runSteps(book.steps, ctx, 'step', results);
  if (ctx.signal.aborted) return { result: 'aborted', reason: `aborted: ${abortReasonText(ctx.signal.reason)}`, steps };
  let verification: VerificationOutcome | undefined;
  let reason: string;
  if (stopped) {
    reason = `step ${failed!.id} failed: ${failed!.output.split('\n')[0]}`;
  } else if (book.verify) {
    verification = await verify(book.verify, { ...ctx, vars: { ...ctx.vars, steps: results } });
    ctx.record('verification', `verification ${verification.holds ? 'passed' : 'failed'}: ${verification.reason}`, { holds: verification.holds, checks: verification.checks });
    if (ctx.signal.aborted) return { result: 'aborted', reason: verification.reason, steps, verification };
    if (verification.holds) return { result: failed ? 'failed' : 'succeeded', reason: failed ? `step ${failed.id} failed (continued): verification passed` : `verification passed: ${verification.reason}`, steps, verification };
    reason = `verification failed: ${verification.reason}`;
  } else {
    if (!failed) return { result: 'succeeded', reason: 'all steps succeeded (no verification configured)', steps };
    reason = `step ${failed.id} failed: ${failed.output.split('\n')[0]}`;
  }
  // Roll back only what changed: a first step that failed changed nothing.
  const changedSomething = steps.some((s) => s.ok);
  if (book.rollback.length === 0 || !changedSomething) return { result: 'failed', reason, steps, ...(verification && { verification }) };
  const { outcomes: rollback, failed: rollbackFailed } = await runSteps(book.rollback, ctx, 'rollback', results);
  return {
    result: 'rolled_back',
    reason: `${reason}; rollback ${rollbackFailed ? `failed at ${rollbackFailed.id}` : 'done'}`,
    steps,
    ...(verification && { verification }),
    rollback,
  };
}
