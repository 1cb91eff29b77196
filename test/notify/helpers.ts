import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AlertEvent, Severity } from '../../src/core/index.js';

/** What a receiver got: exactly the bytes and headers on the wire. */
export interface Recorded {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
  json: unknown;
  at: number;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Answer after this long. */
  delayMs?: number;
  /** Never answer (until the receiver closes). */
  hang?: boolean;
}

export type Responder = (req: Recorded, index: number) => Reply;

/** A real HTTP receiver on 127.0.0.1:0 that records every request and answers as told. */
export class Receiver {
  readonly requests: Recorded[] = [];
  respond: Responder;
  private readonly server: Server;
  private readonly pending = new Set<ServerResponse>();
  url = '';

  private constructor(respond: Responder) {
    this.respond = respond;
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
        const rec: Recorded = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, raw, json, at: Date.now() };
        this.requests.push(rec);
        const reply = this.respond(rec, this.requests.length - 1);
        if (reply.hang) {
          this.pending.add(res);
          return;
        }
        const send = () => {
          this.pending.delete(res);
          if (res.destroyed) return;
          res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
          res.end(reply.body ?? '');
        };
        if (reply.delayMs) {
          this.pending.add(res);
          setTimeout(send, reply.delayMs);
        } else send();
      });
    });
  }

  static async start(respond: Responder = () => ({ status: 200, body: 'ok' })): Promise<Receiver> {
    const r = new Receiver(respond);
    await new Promise<void>((resolve) => r.server.listen(0, '127.0.0.1', resolve));
    r.url = `http://127.0.0.1:${(r.server.address() as AddressInfo).port}`;
    return r;
  }

  async waitFor(n: number, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.requests.length < n) {
      if (Date.now() > deadline) throw new Error(`receiver got ${this.requests.length} requests, expected ${n}`);
      await sleep(10);
    }
  }

  async close(): Promise<void> {
    for (const res of this.pending) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function tempDir(prefix = 'vigil-notify-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

let seq = 0;
export function alert(over: Partial<AlertEvent> & { labels?: Record<string, string>; severity?: Severity } = {}): AlertEvent {
  seq++;
  return {
    kind: 'alert',
    fingerprint: over.fingerprint ?? `fp-${seq}`,
    source: 'vigil',
    state: 'firing',
    severity: 'critical',
    labels: { alertname: 'HighErrorRate', service: 'checkout', instance: `host-${seq}:9100`, env: 'prod' },
    annotations: { summary: 'Checkout error rate above 5%', description: 'The 5xx ratio is 12% over the last 5 minutes.', runbook_url: 'https://runbooks.example.com/checkout-errors' },
    startsAt: 1_700_000_000_000,
    ...over,
  };
}

/** Splits a MIME message into its leaf parts, decoding quoted-printable and base64 bodies. */
export function mimeParts(raw: string): { headers: string; parts: Array<{ contentType: string; body: string }> } {
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  const body = rest.join('\r\n\r\n');
  const unfolded = head!.replace(/\r?\n[ \t]+/g, ' ');
  const parts: Array<{ contentType: string; body: string }> = [];
  const walk = (headers: string, content: string) => {
    const ct = /^content-type:\s*([^;\r\n]+)(.*)$/im.exec(headers);
    const type = ct?.[1]?.trim().toLowerCase() ?? 'text/plain';
    if (type.startsWith('multipart/')) {
      const boundary = /boundary="?([^";\r\n]+)"?/i.exec(ct![2]!)?.[1];
      if (!boundary) return;
      for (const chunk of content.split(`--${boundary}`).slice(1)) {
        if (chunk.startsWith('--')) break;
        const [h, ...b] = chunk.replace(/^\r?\n/, '').split(/\r?\n\r?\n/);
        walk(h!.replace(/\r?\n[ \t]+/g, ' '), b.join('\r\n\r\n'));
      }
      return;
    }
    const enc = /^content-transfer-encoding:\s*(\S+)/im.exec(headers)?.[1]?.toLowerCase();
    let text = content;
    if (enc === 'base64') text = Buffer.from(content.replace(/\s+/g, ''), 'base64').toString('utf8');
    else if (enc === 'quoted-printable')
      text = Buffer.from(
        content.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
        'latin1',
      ).toString('utf8');
    parts.push({ contentType: type, body: text });
  };
  walk(unfolded, body);
  return { headers: unfolded, parts };
}

/** The value of one header in an unfolded header block, with RFC 2047 words decoded. */
export function header(headers: string, name: string): string | undefined {
  const m = new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(headers);
  if (!m) return undefined;
  return m[1]!.replace(/=\?utf-8\?([bq])\?([^?]*)\?=\s*/gi, (_w, enc: string, text: string) =>
    enc.toLowerCase() === 'b'
      ? Buffer.from(text, 'base64').toString('utf8')
      : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'),
  ).trim();
}
