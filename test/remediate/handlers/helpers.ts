import type { ActionContext, ActionLogger, TemplateVars } from '../../../src/remediate/types.js';

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  obj: object;
  msg?: string;
}

/** An action context as the runner builds one; the log lines are kept for assertions. */
export function actionContext(o: { vars?: TemplateVars; env?: Record<string, string | undefined>; signal?: AbortSignal } = {}): ActionContext & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger: ActionLogger = {
    info: (obj, msg) => lines.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => lines.push({ level: 'warn', obj, msg }),
    error: (obj, msg) => lines.push({ level: 'error', obj, msg }),
  };
  return { vars: o.vars ?? {}, env: o.env ?? {}, signal: o.signal ?? AbortSignal.timeout(20_000), logger, lines };
}
