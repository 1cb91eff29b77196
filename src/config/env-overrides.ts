import type { Env } from './env-substitute.js';

/**
 * Environment variables that override single settings, applied after the file
 * is read and before it is validated, so a container or a systemd unit can
 * change the address or data directory without editing vigil.yaml. An empty
 * variable counts as unset. Later stages add their secrets here.
 */
export const ENV_OVERRIDES: readonly { env: string; path: readonly string[]; description: string }[] = [
  { env: 'VIGIL_LISTEN', path: ['server', 'listen'], description: 'HTTP listen address, host:port' },
  { env: 'VIGIL_STORAGE_DIR', path: ['storage', 'dir'], description: 'data directory' },
  { env: 'VIGIL_LOG_LEVEL', path: ['server', 'logLevel'], description: 'log level (fatal, error, warn, info, debug, trace, silent)' },
];

/**
 * Writes the set overrides into the raw (unvalidated) config and returns which
 * dotted paths came from which variable, so a bad value is blamed on the variable.
 */
export function applyEnvOverrides(raw: Record<string, unknown>, env: Env): Map<string, string> {
  const applied = new Map<string, string>();
  for (const o of ENV_OVERRIDES) {
    const value = env[o.env];
    if (value === undefined || value === '') continue;
    if (setIn(raw, o.path, value)) applied.set(o.path.join('.'), o.env);
  }
  return applied;
}

/** Sets a nested value, creating missing sections; false when the file has a non-mapping in the way. */
function setIn(raw: Record<string, unknown>, path: readonly string[], value: string): boolean {
  let obj = raw;
  for (const seg of path.slice(0, -1)) {
    const next = obj[seg];
    if (next === undefined || next === null) obj = obj[seg] = {};
    else if (isPlainObject(next)) obj = next;
    else return false; // leave the wrong type for validation to report where it is written
  }
  obj[path[path.length - 1]!] = value;
  return true;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
