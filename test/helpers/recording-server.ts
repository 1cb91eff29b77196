import { createServer as createHttpServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

/** One request as it arrived: exactly the bytes and headers on the wire. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  json: unknown;
  /** When it arrived (Unix ms), for asserting retry delays. */
  at: number;
}

/** How the server answers one request. */
export interface ScriptedReply {
  /** Default 200. */
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Sent as the body, with content-type application/json (otherwise text/plain). */
  json?: unknown;
  /** Answer after this long. */
  delayMs?: number;
  /** Never answer (until the server closes). */
  hang?: boolean;
  /** Send the body chunked, without Content-Length. */
  chunked?: boolean;
}

/** `index` counts the requests so far, from 0: a script for retries (500, 500, then 202). */
export type Responder = (req: RecordedRequest, index: number) => ScriptedReply;

/**
 * A real HTTP (or HTTPS) server on 127.0.0.1:0 that records every request and
 * answers as `respond` says; tests may swap `respond` between steps. It plays
 * notification receivers, the APIs remediation actions call, and (with routing
 * on top) a Kubernetes API server.
 */
export class RecordingServer {
  readonly requests: RecordedRequest[] = [];
  url = '';
  private readonly server: Server;
  /** Responses held back (hanging or delayed): ended when the server closes. */
  private readonly pending = new Set<ServerResponse>();

  private constructor(
    public respond: Responder,
    tls: { cert: string; key: string } | undefined,
  ) {
    const listener = (req: IncomingMessage, res: ServerResponse) => this.handle(req, res);
    this.server = tls ? createHttpsServer(tls, listener) : createHttpServer(listener);
  }

  static async start(respond: Responder = () => ({ body: 'ok' }), opts: { tls?: { cert: string; key: string } } = {}): Promise<RecordingServer> {
    const s = new RecordingServer(respond, opts.tls);
    await new Promise<void>((resolve) => s.server.listen(0, '127.0.0.1', resolve));
    s.url = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${(s.server.address() as AddressInfo).port}`;
    return s;
  }

  last(): RecordedRequest {
    const r = this.requests.at(-1);
    if (!r) throw new Error('no request received');
    return r;
  }

  /** Resolves once `n` requests have arrived. */
  async waitFor(n: number, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.requests.length < n) {
      if (Date.now() > deadline) throw new Error(`server got ${this.requests.length} requests, expected ${n}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async close(): Promise<void> {
    for (const res of this.pending) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
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
      const rec: RecordedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, raw, json, at: Date.now() };
      this.requests.push(rec);
      const reply = this.respond(rec, this.requests.length - 1);
      if (reply.hang) {
        this.pending.add(res);
        return;
      }
      if (reply.delayMs) {
        this.pending.add(res);
        setTimeout(() => this.send(res, reply), reply.delayMs);
      } else this.send(res, reply);
    });
  }

  private send(res: ServerResponse, reply: ScriptedReply): void {
    this.pending.delete(res);
    if (res.destroyed) return;
    const body = reply.json !== undefined ? JSON.stringify(reply.json) : (reply.body ?? '');
    const length = reply.chunked ? {} : { 'content-length': String(Buffer.byteLength(body)) };
    res.writeHead(reply.status ?? 200, { 'content-type': reply.json !== undefined ? 'application/json' : 'text/plain', ...length, ...reply.headers });
    res.end(body);
  }
}
