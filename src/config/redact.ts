/**
 * Secrets must never reach a log line or a terminal. `redactConfig` returns a
 * copy safe to print: values under secret-looking keys become "<redacted>",
 * and passwords inside URLs (`https://user:pass@host`) are masked wherever they are.
 */

export const SECRET_KEY_RE = /(secret|token|password|api_?key|webhook_?url|routing_?key)/i;
export const REDACTED = '<redacted>';

const URL_PASSWORD_RE = /^([a-z][a-z0-9+.-]*:\/\/[^/:@\s]*:)[^@/\s]+@/i;

export function redactConfig<T>(config: T): T {
  return redactValue(config, false) as T;
}

function redactValue(v: unknown, secret: boolean): unknown {
  // An empty secret is shown as it is, so "not configured" stays visible.
  if (secret && v !== null && v !== undefined && v !== '') return REDACTED;
  if (typeof v === 'string') return v.replace(URL_PASSWORD_RE, `$1${REDACTED}@`);
  if (Array.isArray(v)) return v.map((x) => redactValue(x, false));
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = redactValue(x, SECRET_KEY_RE.test(k));
    return out;
  }
  return v;
}

/** True when a config path passes through a secret-looking key, so messages must not echo its value. */
export function isSecretPath(path: readonly (string | number)[]): boolean {
  return path.some((seg) => typeof seg === 'string' && SECRET_KEY_RE.test(seg));
}
