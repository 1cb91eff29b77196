/** A signal that fires after a timeout or with an outer signal, whichever comes first. */
export interface TimeoutSignal {
  readonly signal: AbortSignal;
  /** Undoes the timer and the link to the outer signal once the work is done (optional: the timer never holds the process). */
  release(): void;
}

/**
 * Fires with a `TimeoutError` DOMException after `timeoutMs`, or with the outer signal's reason
 * when it fires first. Not `AbortSignal.any([outer, AbortSignal.timeout(ms)])`: on Node 20 and 22
 * the timeout inside such a composite can be garbage-collected before it fires
 * (nodejs/node#57736), and a request whose connection stalls then never ends.
 */
export function timeoutSignal(timeoutMs: number, outer?: AbortSignal): TimeoutSignal {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(new DOMException(`timed out after ${timeoutMs} ms`, 'TimeoutError')), timeoutMs);
  timer.unref();
  const onOuter = () => ctl.abort(outer!.reason);
  if (outer?.aborted) onOuter();
  else outer?.addEventListener('abort', onOuter, { once: true });
  return {
    signal: ctl.signal,
    release() {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuter);
    },
  };
}
