import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A local HTTP endpoint that records the JSON bodies posted to it (Vigil's webhook channel), with the time they arrived. */
export class RecordingReceiver {
  readonly bodies: Array<{ path: string; body: unknown; at: number }> = [];
  /** Called for each request as it arrives (after recording). */
  onBody: ((path: string, body: unknown, at: number) => void) | undefined;
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(keep = true): Promise<RecordingReceiver> {
    const box: { self?: RecordingReceiver } = {};
    const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const at = performance.timeOrigin + performance.now();
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          body = undefined;
        }
        if (keep) box.self!.bodies.push({ path: req.url ?? '', body, at });
        box.self!.onBody?.(req.url ?? '', body, at);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    box.self = new RecordingReceiver(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return box.self;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}
