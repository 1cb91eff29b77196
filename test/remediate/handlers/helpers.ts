import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ActionContext, ActionLogger, TemplateVars } from '../../../src/remediate/types.js';

/** What a test server got, exactly as it arrived. */
export interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
  json: unknown;
}

export interface Answer {
  status?: number;
  json?: unknown;
  body?: string;
  headers?: Record<string, string>;
  /** Never answer (until the server closes). */
  hang?: boolean;
  /** Send the body chunked, without Content-Length. */
  chunked?: boolean;
}

/** A real HTTP server on 127.0.0.1:0 that records requests and answers through `route`. */
export class TestServer {
  readonly requests: Received[] = [];
  url = '';
  private readonly server: Server;
  private readonly hanging = new Set<ServerResponse>();

  private constructor(public route: (req: Received) => Answer) {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(raw);
        } catch {
          json = undefined;
        }
        const rec: Received = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, raw, json };
        this.requests.push(rec);
        const a = this.route(rec);
        if (a.hang) {
          this.hanging.add(res);
          return;
        }
        const body = a.json !== undefined ? JSON.stringify(a.json) : (a.body ?? '');
        const length = a.chunked ? {} : { 'content-length': String(Buffer.byteLength(body)) };
        res.writeHead(a.status ?? 200, { 'content-type': a.json !== undefined ? 'application/json' : 'text/plain', ...length, ...a.headers });
        res.end(body);
      });
    });
  }

  static async start(route: (req: Received) => Answer = () => ({ status: 200, body: 'ok' })): Promise<TestServer> {
    const s = new TestServer(route);
    await new Promise<void>((resolve) => s.server.listen(0, '127.0.0.1', resolve));
    s.url = `http://127.0.0.1:${(s.server.address() as AddressInfo).port}`;
    return s;
  }

  last(): Received {
    const r = this.requests.at(-1);
    if (!r) throw new Error('no request received');
    return r;
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

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
