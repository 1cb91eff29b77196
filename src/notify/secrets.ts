import { REDACTED } from '../config/redact.js';

/**
 * Keeps a channel's secrets (webhook URLs, routing keys, passwords, HMAC keys)
 * out of every error message, log line and API answer. Each adapter builds one
 * from its secrets and passes all text it did not write itself through `scrub`.
 */
export class SecretScrubber {
  private readonly secrets: string[];

  constructor(secrets: ReadonlyArray<string | undefined>) {
    const all = new Set<string>();
    for (const s of secrets) {
      if (!s || s.length < 4) continue;
      all.add(s);
      // A URL's secret part is usually its path or query: scrub those on their own too.
      const u = tryUrl(s);
      if (u) {
        if (u.pathname.length > 1) all.add(u.pathname);
        if (u.search.length > 1) all.add(u.search);
        if (u.password) all.add(u.password);
        try {
          const decoded = decodeURIComponent(u.pathname);
          if (decoded !== u.pathname && decoded.length > 1) all.add(decoded);
        } catch {
          // not decodable: the raw form is scrubbed already
        }
      }
    }
    // Longest first, so a URL is replaced whole before its path is.
    this.secrets = [...all].sort((a, b) => b.length - a.length);
  }

  scrub(text: string): string {
    let out = text;
    for (const s of this.secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
    return out;
  }
}

function tryUrl(s: string): URL | undefined {
  try {
    return new URL(s);
  } catch {
    return undefined;
  }
}

/**
 * A URL safe to show: scheme, host and port only (`https://hooks.slack.com/<redacted>`).
 * Credentials, path and query can all carry secrets.
 */
export function redactUrl(url: string | undefined, opts: { keepPath?: boolean } = {}): string | undefined {
  if (url === undefined || url === '') return url;
  const u = tryUrl(url);
  if (!u) return REDACTED;
  const path = opts.keepPath ? u.pathname : u.pathname.length > 1 || u.search ? `/${REDACTED}` : '';
  return `${u.protocol}//${u.host}${path}`;
}

/** Header names shown, values hidden (they are usually credentials). */
export function redactHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(headers)) out[k] = REDACTED;
  return out;
}

export { REDACTED };
