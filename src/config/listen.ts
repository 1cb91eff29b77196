/**
 * Listen addresses as `host:port`: `127.0.0.1:9470`, `0.0.0.0:9470`,
 * `[::1]:9470`, or `:9470` for every interface (as in Go and Prometheus).
 * Port 0 asks the OS for a free port, which tests use.
 */
export interface ListenAddress {
  /** As written, for messages. */
  listen: string;
  host: string;
  port: number;
}

const HINT = 'expected host:port, e.g. 127.0.0.1:9470, [::1]:9470 or :9470';

export function parseListen(s: string): ListenAddress {
  const m = /^(?:\[([0-9a-fA-F:.%\w]+)\]|([^\s:[\]]*)):(\d{1,5})$/.exec(s.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new RangeError(`invalid listen address ${JSON.stringify(s)} (${HINT})`);
  const host = m[1] ?? (m[2] || '0.0.0.0');
  return { listen: s.trim(), host, port };
}
