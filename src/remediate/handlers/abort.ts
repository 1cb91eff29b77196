import { timeoutSignal } from '../../core/timeout-signal.js';

/**
 * Every handler stops on one signal: the runner's (step timeout, kill switch)
 * combined with the handler's own `timeout` parameter. The two are told apart
 * in the result, so the audit log says which one ended the action.
 */
export interface Deadline {
  signal: AbortSignal;
  /** Why the action stopped, once `signal` has fired: `aborted: <reason>` or `timed out after 5000 ms`. */
  reason(): string;
}

export function deadline(outer: AbortSignal, timeoutMs: number | undefined): Deadline {
  // timeoutSignal, not AbortSignal.any over AbortSignal.timeout (see there); its timer never holds the process.
  const signal = timeoutMs === undefined ? outer : timeoutSignal(timeoutMs, outer).signal;
  return {
    signal,
    reason: () => (outer.aborted ? `aborted: ${abortReasonText(outer.reason)}` : `timed out after ${timeoutMs} ms`),
  };
}

export function abortReasonText(reason: unknown): string {
  if (reason instanceof Error) return reason.name === 'TimeoutError' ? 'timed out' : reason.message || reason.name;
  if (typeof reason === 'string' && reason) return reason;
  return 'aborted';
}
