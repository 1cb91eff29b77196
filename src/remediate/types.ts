import type { z } from 'zod';

/**
 * The remediation stage's contract. An action handler is an adapter (HTTP
 * call, allow-listed command, Kubernetes, Airflow, scaling webhook, notify)
 * behind one small interface; handlers are registered in one place
 * (`handlers/index.ts`) and the runbook runner only sees this interface.
 */

/**
 * What templates in an action's parameters can refer to: `{{ incident.id }}`,
 * `{{ service }}`, `{{ labels.namespace }}`, `{{ steps.scale.changed.previousReplicas }}`.
 * Plain JSON data; a path that does not exist is an error when rendered (an
 * action never runs against an empty name).
 */
export type TemplateVars = Readonly<Record<string, unknown>>;

export interface ActionLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface ActionContext {
  /** Values the action's templated parameters are rendered with. */
  vars: TemplateVars;
  /**
   * Aborted on timeout and by the global kill switch: a handler stops what it
   * is doing (kills its child, aborts its request) and returns a failure.
   */
  signal: AbortSignal;
  /** Environment the handler reads named secrets from (tokens, passwords): never logged, never in results. */
  env: Readonly<Record<string, string | undefined>>;
  logger: ActionLogger;
}

export interface ActionResult {
  ok: boolean;
  /** Captured output or response, secrets scrubbed, bounded in size. */
  output: string;
  /**
   * What the action changed, for the audit log and for rollback steps
   * (`{{ steps.<id>.changed.previousReplicas }}`), e.g. `{ previousReplicas: 3, replicas: 5 }`.
   */
  changed?: Record<string, unknown>;
}

/**
 * One kind of action. `P` is the action's parameters as written in a runbook
 * step (validated by `schema` when the configuration loads; string fields may
 * hold templates, rendered by the handler with `renderTemplate`).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a registry holds handlers of every parameter type
export interface ActionHandler<P = any> {
  /** The `type:` a runbook step names, e.g. `http`, `command`, `kubernetes`. */
  readonly type: string;
  /** Validates a step's parameters (everything but `type`), as zod does for config sections. */
  readonly schema: z.ZodType<P>;
  /**
   * What the action would touch, for per-target rate limits and blast-radius
   * limits: stable strings such as `kubernetes:deployment/shop/checkout` or
   * `command:/usr/bin/systemctl restart nginx`. Rendered from the vars.
   */
  targets(params: P, vars: TemplateVars): string[];
  /** One line saying what it would do (dry-run and the audit log). Secrets never appear. */
  describe(params: P, vars: TemplateVars): string;
  /** Does it. Never throws for an expected failure (non-2xx, non-zero exit): returns ok=false with the reason. */
  run(params: P, ctx: ActionContext): Promise<ActionResult>;
}
