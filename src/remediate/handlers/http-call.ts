import type { SecretScrubber } from '../../notify/secrets.js';
import type { Deadline } from './abort.js';
import { OUTPUT_LIMIT, oneLine } from './output.js';

/**
 * One HTTP request for the HTTP-speaking handlers (http, airflow, scale_webhook).
 * Redirects are not followed (a redirect would re-send credentials somewhere
 * the runbook did not name). The response body is read up to twice the output
 * limit and the rest discarded, so a huge answer costs neither memory nor time.
 */
export interface HttpCall {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  deadline: Deadline;
  fetch: typeof fetch;
}

export type HttpAnswer =
  | {
      ok: true;
      status: number;
      statusText: string;
      headers: Headers;
      body: string;
      /** Bytes of the body not kept; when `moreUnknown`, the download stopped early and there may be more. */
      droppedBytes: number;
      moreUnknown: boolean;
    }
  | { ok: false; reason: string };

const READ_LIMIT = OUTPUT_LIMIT * 2;

export async function httpCall(c: HttpCall, scrubber: SecretScrubber): Promise<HttpAnswer> {
  const { signal } = c.deadline;
  if (signal.aborted) return { ok: false, reason: c.deadline.reason() };
  let res: Response;
  try {
    res = await c.fetch(c.url, { method: c.method, headers: c.headers, body: c.body, signal, redirect: 'manual' });
  } catch (e) {
    return { ok: false, reason: signal.aborted ? c.deadline.reason() : `request failed: ${fetchErrorText(e, scrubber)}` };
  }
  try {
    const { text, kept, dropped, stopped } = await readBounded(res, READ_LIMIT);
    // Content-Length makes the count exact when the download was stopped (unless it counts compressed bytes).
    const length = res.headers.get('content-encoding') ? NaN : Number(res.headers.get('content-length') ?? NaN);
    const known = stopped && Number.isInteger(length) && length >= kept;
    const droppedBytes = known ? length - kept : dropped;
    return { ok: true, status: res.status, statusText: res.statusText, headers: res.headers, body: text, droppedBytes, moreUnknown: stopped && !known };
  } catch (e) {
    return { ok: false, reason: signal.aborted ? c.deadline.reason() : `reading the response failed: ${fetchErrorText(e, scrubber)}` };
  }
}

async function readBounded(res: Response, limit: number): Promise<{ text: string; kept: number; dropped: number; stopped: boolean }> {
  if (!res.body) return { text: '', kept: 0, dropped: 0, stopped: false };
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let kept = 0;
  let dropped = 0;
  let stopped = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const room = limit - kept;
    if (room > 0) {
      const part = value.byteLength > room ? value.subarray(0, room) : value;
      chunks.push(part);
      kept += part.byteLength;
    }
    dropped += value.byteLength - Math.min(value.byteLength, Math.max(room, 0));
    if (kept >= limit) {
      // Enough kept: stop downloading instead of counting the rest.
      await reader.cancel().catch(() => undefined);
      stopped = true;
      break;
    }
  }
  return { text: Buffer.concat(chunks).toString('utf8'), kept, dropped, stopped };
}

/** undici wraps socket errors: "fetch failed" with cause { code: 'ECONNREFUSED' }. */
function fetchErrorText(e: unknown, scrubber: SecretScrubber): string {
  const err = e as { message?: string; cause?: { code?: string; message?: string } };
  const cause = err.cause;
  const text = cause?.code ? `${cause.code}${cause.message ? ` (${cause.message})` : ''}` : cause?.message ?? err.message ?? String(e);
  return oneLine(scrubber.scrub(text));
}

/** A 2xx by default; otherwise the listed codes. */
export function statusExpected(status: number, expect: number | number[] | undefined): boolean {
  if (expect === undefined) return status >= 200 && status < 300;
  return Array.isArray(expect) ? expect.includes(status) : status === expect;
}

/** `https://host/path` — no query (it may carry tokens) and no credentials. */
export function urlWithoutQuery(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return url.split(/[?#]/)[0] ?? url;
  }
}

/** Checks a rendered URL before it is used: absolute, http or https. */
export function checkHttpUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new RangeError(`not a URL: ${JSON.stringify(urlWithoutQuery(url).slice(0, 200))}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new RangeError(`expected an http:// or https:// URL, got ${u.protocol}`);
  return url;
}
