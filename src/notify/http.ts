import { type DeliveryResult, delivered, failed, retry } from './types.js';
import type { SecretScrubber } from './secrets.js';

/**
 * One HTTP POST and the classification every HTTP channel shares:
 * 2xx delivered; 408, 429 and 5xx retryable (honouring Retry-After);
 * any other status permanent. Network errors and timeouts are retryable.
 * Redirects are not followed (a redirect would re-send the body, and its
 * secrets, somewhere the configuration did not name).
 */
export interface PostOptions {
  channel: string;
  url: string;
  body: string;
  headers: Record<string, string>;
  signal: AbortSignal;
  scrubber: SecretScrubber;
  /** Status codes that count as delivered (default: any 2xx). */
  accept?: (status: number) => boolean;
}

const MAX_ERROR_BODY = 300;

export async function postJson(o: PostOptions): Promise<DeliveryResult> {
  let res: Response;
  try {
    res = await fetch(o.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Vigil-Notify/1', ...o.headers },
      body: o.body,
      signal: o.signal,
      redirect: 'manual',
    });
  } catch (e) {
    return retry(`${o.channel}: ${describeFetchError(e, o.signal, o.scrubber)}`);
  }
  let text = '';
  try {
    text = await res.text();
  } catch (e) {
    if (o.signal.aborted) return retry(`${o.channel}: ${describeFetchError(e, o.signal, o.scrubber)}`);
  }
  return classifyStatus(o.channel, res.status, res.headers.get('retry-after'), text, o.scrubber, o.accept);
}

export function classifyStatus(
  channel: string,
  status: number,
  retryAfter: string | null,
  body: string,
  scrubber: SecretScrubber,
  accept: (status: number) => boolean = (s) => s >= 200 && s < 300,
): DeliveryResult {
  if (accept(status)) return delivered(`HTTP ${status}`);
  const snippet = oneLine(scrubber.scrub(body)).slice(0, MAX_ERROR_BODY);
  const msg = `${channel}: receiver answered HTTP ${status}${snippet ? `: ${snippet}` : ''}`;
  if (status === 408 || status === 429 || status >= 500) return retry(msg, parseRetryAfter(retryAfter));
  if (status >= 300 && status < 400) return failed(`${channel}: receiver answered with a redirect (HTTP ${status}), which is not followed; configure the final URL`);
  return failed(msg);
}

/** Retry-After is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(v: string | null | undefined, now = Date.now()): number | undefined {
  if (!v) return undefined;
  const t = v.trim();
  if (/^\d+$/.test(t)) return Number(t) * 1000;
  const at = Date.parse(t);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

function describeFetchError(e: unknown, signal: AbortSignal, scrubber: SecretScrubber): string {
  if (signal.aborted) {
    const reason = signal.reason as { name?: string } | undefined;
    return reason?.name === 'TimeoutError' ? 'timed out' : 'aborted';
  }
  // undici wraps the socket error: "fetch failed" with cause { code: 'ECONNREFUSED', ... }.
  const err = e as { message?: string; cause?: { code?: string; message?: string } };
  const cause = err.cause;
  const text = cause?.code ? `${cause.code}${cause.message ? ` (${cause.message})` : ''}` : cause?.message ?? err.message ?? String(e);
  return `request failed: ${oneLine(scrubber.scrub(text))}`;
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
