import type { Command } from 'commander';
import { formatDuration } from '../config/duration.js';
import { EXIT_FAILURE, UsageError } from './exit.js';

/**
 * The CLI's client for a running Vigil's HTTP API (`vigil alerts`, `vigil
 * silence`, `vigil rules backtest`): `--url`, else `$VIGIL_URL`, else
 * http://127.0.0.1:9470. A server error is printed with its message, an
 * unreachable server with the address tried; both exit 1.
 */

export const DEFAULT_URL = 'http://127.0.0.1:9470';

/** A failure talking to the server: printed as `vigil: message`, exit 1. */
export class ApiFailure extends Error {}

export function addUrlOption(cmd: Command): Command {
  return cmd.option('--url <url>', `the Vigil server (default: $VIGIL_URL, else ${DEFAULT_URL})`);
}

export function serverUrl(opt: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const raw = opt ?? (env.VIGIL_URL ? env.VIGIL_URL : DEFAULT_URL);
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new UsageError(`--url: not a URL: ${JSON.stringify(raw)} (expected e.g. ${DEFAULT_URL})`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError(`--url: expected an http:// or https:// URL, got ${JSON.stringify(raw)}`);
  return raw.replace(/\/+$/, '');
}

export interface ApiRequest {
  method?: 'GET' | 'POST' | 'DELETE';
  body?: unknown;
  timeoutMs?: number;
}

/** Calls the API; resolves with the parsed JSON body (undefined when empty) of a 2xx answer, else throws ApiFailure. */
export async function api<T = unknown>(base: string, path: string, req: ApiRequest = {}): Promise<T> {
  const method = req.method ?? 'GET';
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, {
      method,
      headers: req.body === undefined ? {} : { 'content-type': 'application/json' },
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
      signal: AbortSignal.timeout(req.timeoutMs ?? 30_000),
    });
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    const why = err.name === 'TimeoutError' ? 'no answer in time' : (err.cause?.code ?? err.cause?.message ?? err.message);
    throw new ApiFailure(`cannot reach Vigil at ${base} (${why}); is it running? Set --url or VIGIL_URL`);
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const msg = (json as { error?: unknown } | undefined)?.error;
    if (res.status === 404 && typeof msg !== 'string') throw new ApiFailure(`${method} ${path}: not found (HTTP 404): is ${base} a Vigil server of this version?`);
    throw new ApiFailure(`${typeof msg === 'string' ? msg : text.slice(0, 500) || res.statusText} (HTTP ${res.status})`);
  }
  return json as T;
}

/** Runs an action; an ApiFailure is printed and sets exit code 1 (anything else goes to the fatal handler). */
export function handled<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (e) {
      if (!(e instanceof ApiFailure)) throw e;
      process.stderr.write(`vigil: ${e.message}\n`);
      process.exitCode = EXIT_FAILURE;
    }
  };
}

/** A plain text table: columns padded to their widest cell, the last left ragged. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** `{k="v", ...}` without the given names. */
export function formatLabels(labels: Readonly<Record<string, string>>, omit: readonly string[] = []): string {
  const parts = Object.entries(labels)
    .filter(([k]) => !omit.includes(k))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return parts.length ? `{${parts.join(', ')}}` : '';
}

/** Time ago, rounded to seconds (`1h5m ago`). */
export function ago(t: number, now = Date.now()): string {
  const ms = Math.max(0, Math.round((now - t) / 1000) * 1000);
  return ms === 0 ? 'now' : `${formatDuration(ms)} ago`;
}

/** A duration rounded to seconds (`0s` for 0). */
export function span(ms: number): string {
  const r = Math.max(0, Math.round(ms / 1000) * 1000);
  return r === 0 ? '0s' : formatDuration(r);
}

/** RFC 3339 in UTC, to the second. */
export function isoTime(t: number): string {
  return new Date(Math.floor(t / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
