// bench:heal: the fleet control API, standing for the operator's infrastructure.
//
// A local HTTP server (127.0.0.1, ephemeral port) in front of the fleet
// simulator's remediation hooks, so what acts on the fleet is Vigil's real
// `http` action handler over real HTTP:
//
//   POST /services/{service}/restart     { "host"?: "host-03" }  every replica, rolling (or one host)
//   POST /hosts/{host}/restart                                    the service on that host
//   POST /services/{service}/rollback                             to the previous version
//   POST /services/{service}/scale       { "replicas": n } | { "delta": n } | { "factor": x }
//   POST /hosts/{host}/disk/cleanup                               free disk space (logs, temp files)
//   GET  /services/{service}                                      { replicas, hosts }
//
// Each call applies at the bench's current simulated time and is recorded.
// Answers say what was done, as an orchestrator would, never whether it
// helped (that is for Vigil's verification to find out from the metrics).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FleetSimulator, RemediationResult, ScaleChange } from '../src/simulate/index.js';

export interface ControlCall {
  at: number;
  method: string;
  path: string;
  body: unknown;
  status: number;
  /** The hook's outcome (ground truth, kept for scoring only: never sent to the caller). */
  result?: RemediationResult;
  action?: string;
  service?: string;
  host?: string;
}

export class FleetControl {
  readonly calls: ControlCall[] = [];
  /** Requests received and not yet answered. */
  inFlight = 0;
  private server: Server | undefined;
  private base = '';

  constructor(
    private sim: FleetSimulator,
    /** The bench's simulated clock. */
    private readonly now: () => number,
    private readonly by = 'vigil',
  ) {}

  /** Points the API at another fleet (the next scenario). */
  use(sim: FleetSimulator): void {
    this.sim = sim;
  }

  get url(): string {
    return this.base;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.base;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.inFlight++;
    try {
      await this.serve(req, res);
    } finally {
      this.inFlight--;
    }
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    const call: ControlCall = { at: this.now(), method: req.method ?? 'GET', path, body: undefined, status: 200 };
    let answer: unknown;
    try {
      const body = text.trim() ? (JSON.parse(text) as Record<string, unknown>) : {};
      call.body = body;
      answer = this.route(call, body);
    } catch (e) {
      call.status = (e as { status?: number }).status ?? 400;
      answer = { error: (e as Error).message };
    }
    this.calls.push(call);
    res.writeHead(call.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer));
  }

  private route(call: ControlCall, body: Record<string, unknown>): unknown {
    const parts = call.path.split('/').filter(Boolean);
    const at = call.at;
    const topo = this.sim.topology();
    const service = (name: string) => {
      const s = topo.services.find((x) => x.name === name);
      if (!s) throw httpError(404, `no service "${name}"`);
      return s;
    };
    const hostOf = (name: string) => {
      const h = topo.hosts.find((x) => x.name === name);
      if (!h) throw httpError(404, `no host "${name}"`);
      return h;
    };
    const act = (action: string, svc: string, host: string | undefined, run: () => RemediationResult) => {
      call.action = action;
      call.service = svc;
      if (host !== undefined) call.host = host;
      call.result = run();
      return { status: 'done', action, service: svc, ...(host !== undefined && { host }), at: new Date(at).toISOString() };
    };
    if (call.method === 'GET' && parts[0] === 'services' && parts.length === 2) {
      const s = service(parts[1]!);
      return { service: s.name, type: s.type, replicas: this.sim.replicas(s.name), hosts: s.hosts };
    }
    if (call.method !== 'POST') throw httpError(405, 'method not allowed');
    if (parts[0] === 'services' && parts.length === 3) {
      const s = service(parts[1]!);
      switch (parts[2]) {
        case 'restart': {
          const host = typeof body.host === 'string' && body.host ? body.host : undefined;
          if (host !== undefined && !s.hosts.includes(host)) throw httpError(404, `host "${host}" does not run ${s.name}`);
          return act('restart', s.name, host, () => this.sim.restart({ service: s.name, ...(host !== undefined && { host }) }, at, this.by));
        }
        case 'rollback':
          return act('rollback', s.name, undefined, () => this.sim.rollback(s.name, at, this.by));
        case 'scale': {
          const change: ScaleChange = {};
          for (const k of ['replicas', 'delta', 'factor'] as const) {
            const v = body[k];
            if (v !== undefined) {
              const n = typeof v === 'string' ? Number(v) : v;
              if (typeof n !== 'number' || !Number.isFinite(n)) throw httpError(400, `${k} must be a number`);
              change[k] = n;
            }
          }
          if (Object.keys(change).length !== 1) throw httpError(400, 'give exactly one of replicas, delta, factor');
          const previousReplicas = this.sim.replicas(s.name);
          const out = act('scale', s.name, undefined, () => this.sim.scale(s.name, change, at, this.by));
          return { ...out, previousReplicas, replicas: this.sim.replicas(s.name) };
        }
      }
    }
    if (parts[0] === 'hosts' && parts.length >= 3) {
      const h = hostOf(parts[1]!);
      if (parts[2] === 'restart' && parts.length === 3) return act('restart', h.service, h.name, () => this.sim.restart({ service: h.service, host: h.name }, at, this.by));
      if (parts[2] === 'disk' && parts[3] === 'cleanup' && parts.length === 4) return act('clean_disk', h.service, h.name, () => this.sim.cleanDisk(h.name, at, this.by));
    }
    throw httpError(404, `no route ${call.method} ${call.path}`);
  }
}

function httpError(status: number, message: string): Error {
  return Object.assign(new Error(message), { status });
}
