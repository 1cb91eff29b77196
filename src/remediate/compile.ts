import { ConfigError, type ConfigIssue } from '../config/errors.js';
import { parseSelector, type CompiledMatcher } from '../core/matchers.js';
import type { AutomationRuleConfig, GuardDefaults, RemediationConfig, RunbookStepConfig } from '../config/sections/remediation.js';
import type { CompiledRunbook, CompiledStep } from './runbook-runner.js';
import type { ActionHandler } from './types.js';

/**
 * Turns the `remediation:` section into what the engine runs: each step's
 * action bound to its handler (the configuration already parsed its parameters
 * with that handler's schema), each rule's guards filled in from `defaults`,
 * and its alert selector parsed once.
 */

export interface CompiledRule extends AutomationRuleConfig {
  /** The alert trigger's selector, parsed once. */
  alertMatchers?: CompiledMatcher[];
  minConfidence: number;
  cooldown: number;
  rateLimit: GuardDefaults['rateLimit'];
  circuitBreaker: GuardDefaults['circuitBreaker'];
  blastRadius: GuardDefaults['blastRadius'];
  approval: boolean;
}

export interface CompiledRemediation {
  runbooks: Map<string, CompiledRunbook>;
  rules: CompiledRule[];
}

function compileSteps(steps: readonly RunbookStepConfig[], path: string, handlers: ReadonlyMap<string, ActionHandler>, defaults: GuardDefaults, issues: ConfigIssue[], file: string): CompiledStep[] {
  const out: CompiledStep[] = [];
  steps.forEach((s, j) => {
    // The parameters were parsed by the handler's schema with the configuration; here the handler is only looked up.
    const { type, params } = s.action;
    const handler = handlers.get(type);
    if (!handler) {
      issues.push({ file, line: 0, column: 0, path: `${path}.${j}.action.type`, message: `no handler for action type "${type}" (registered: ${[...handlers.keys()].join(', ')})` });
      return;
    }
    out.push({
      id: s.id ?? `${type}_${j + 1}`,
      handler,
      params,
      timeoutMs: s.timeout ?? defaults.stepTimeout,
      retries: s.retries,
      retryDelayMs: s.retryDelay,
      continueOnError: s.continueOnError,
    });
  });
  return out;
}

export function compileRemediation(config: RemediationConfig, handlers: ReadonlyMap<string, ActionHandler>, file = 'vigil.yaml'): CompiledRemediation {
  const issues: ConfigIssue[] = [];
  const runbooks = new Map<string, CompiledRunbook>();
  config.runbooks.forEach((b, i) => {
    const base = `remediation.runbooks.${i}`;
    runbooks.set(b.name, {
      name: b.name,
      description: b.description,
      steps: compileSteps(b.steps, `${base}.steps`, handlers, config.defaults, issues, file),
      rollback: compileSteps(b.rollback, `${base}.rollback`, handlers, config.defaults, issues, file),
      ...(b.verify && {
        verify: { query: b.verify.query, overMs: b.verify.over, fn: b.verify.fn, match: b.verify.match, op: b.verify.op, value: b.verify.value, withinMs: b.verify.within, everyMs: b.verify.every, delayMs: b.verify.delay },
      }),
    });
  });
  if (issues.length) throw new ConfigError(issues);
  const d = config.defaults;
  const rules = config.rules.map(
    (r): CompiledRule => ({
      ...r,
      ...(r.trigger.alert && { alertMatchers: parseSelector(r.trigger.alert.matchers) }),
      minConfidence: r.minConfidence ?? d.minConfidence,
      cooldown: r.cooldown ?? d.cooldown,
      rateLimit: r.rateLimit ?? d.rateLimit,
      circuitBreaker: r.circuitBreaker ?? d.circuitBreaker,
      blastRadius: r.blastRadius ?? d.blastRadius,
      approval: r.approval ?? d.approval,
    }),
  );
  return { runbooks, rules };
}
