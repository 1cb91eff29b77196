// Alert ingestion part of bench:alerts: a running Vigil (a child process)
// holding 10,000 active alerts receives Alertmanager webhook payloads.
//
// - Throughput: clients re-send the active alerts, as Alertmanager re-sends the
//   firing alerts of every group at each group_interval, in payloads of 100;
//   accepted alerts per second over the run.
// - Latency, measured during that load: every 20 ms a probe alert of a new
//   group is posted; the time from sending it to its routed notification
//   arriving at the local webhook receiver, through the dispatcher and the
//   durable outbox. The route has group_wait 0s and the incident stage
//   notifyDelay 0s (the timing alone would otherwise be 30 s by design). Each
//   probe is about a service and host of its own, so it is a new incident: with
//   the default incident-level notifications (incidents.notifyPerIncident) its
//   notification is the incident's; with the incident stage off, its group's.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Agent, request } from 'node:http';
import { RecordingReceiver } from './alerts-receiver.js';

export interface IngestResult {
  alerts_ingested_per_sec: number;
  alert_p99_ms: number;
  alert_p50_ms: number;
  active_alerts: number;
  probes: number;
}

const ACTIVE = 10_000;
const GROUPS = 200;
const BATCH = 100;
const CLIENTS = 4;

function webhookPayload(alerts: Array<Record<string, string>>, startsAt: string): string {
  return JSON.stringify({
    version: '4',
    status: 'firing',
    receiver: 'vigil',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager.invalid',
    alerts: alerts.map((labels) => ({ status: 'firing', labels, annotations: { summary: `${labels.alertname} on ${labels.instance}` }, startsAt, endsAt: '0001-01-01T00:00:00Z' })),
  });
}

function post(agent: Agent, url: URL, body: string): Promise<number> {
  return new Promise((res, rej) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (r) => {
      r.resume();
      r.on('end', () => res(r.statusCode ?? 0));
    });
    req.on('error', rej);
    req.end(body);
  });
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! : NaN;
}

/** `incidents: false` turns the incident stage off (`incidents.enabled: false`), to show what it costs on this path. */
export async function runIngest(progress: (msg: string) => void, opts: { durationMs?: number; incidents?: boolean } = {}): Promise<IngestResult> {
  const durationMs = opts.durationMs ?? 10_000;
  const receiver = await RecordingReceiver.start(false);
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  receiver.onBody = (_path, body, at) => {
    for (const a of (body as { alerts?: Array<{ labels: Record<string, string> }> }).alerts ?? []) {
      const t = sentAt.get(a.labels.probe ?? '');
      if (t !== undefined) {
        latencies.push(at - t);
        sentAt.delete(a.labels.probe!);
      }
    }
  };
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-ingest-alerts-'));
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  writeFileSync(
    join(dir, 'vigil.yaml'),
    `server: { listen: 127.0.0.1:${port}, logLevel: warn }
storage: { dir: ${JSON.stringify(join(dir, 'data'))} }
incidents: ${opts.incidents === false ? '{ enabled: false }' : '{ notifyDelay: 0s }'}
notify:
  channels:
    - { name: hook, type: webhook, url: "${receiver.url}/hook" }
routing:
  route: { receiver: team, group_by: [alertname, service], group_wait: 0s }
  receivers: [{ name: team, channels: [hook] }]
`,
  );
  // BENCH_ALERTS_NODE_ARGS passes flags to Vigil's node (e.g. "--cpu-prof --cpu-prof-dir=/tmp/p").
  const nodeArgs = (process.env.BENCH_ALERTS_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, resolve('bin/vigil.js'), 'serve', '--config', join(dir, 'vigil.yaml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
  const base = `http://127.0.0.1:${port}`;
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS + 2 });
  try {
    for (let i = 0; ; i++) {
      if (child.exitCode !== null) throw new Error(`vigil exited with ${child.exitCode}: ${stderr}`);
      if (i > 300) throw new Error(`vigil did not become ready: ${stderr}`);
      const ok = await fetch(`${base}/-/ready`).then((r) => r.ok, () => false);
      if (ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const url = new URL(`${base}/api/v1/alerts/alertmanager`);
    const startsAt = new Date().toISOString();
    const active = Array.from({ length: ACTIVE }, (_, i) => ({ alertname: `Load${i % GROUPS}`, service: `svc-${i % 20}`, instance: `host-${Math.floor(i / GROUPS)}`, severity: 'medium' }));
    for (let i = 0; i < ACTIVE; i += BATCH) {
      const status = await post(agent, url, webhookPayload(active.slice(i, i + BATCH), startsAt));
      if (status !== 200) throw new Error(`loading alerts: HTTP ${status}`);
    }
    progress(`ingest: ${ACTIVE} active alerts loaded; re-sending them from ${CLIENTS} clients for ${durationMs / 1000} s with probes every 20 ms`);
    await new Promise((r) => setTimeout(r, 1000)); // their first notifications go out

    let accepted = 0;
    let running = true;
    const t0 = performance.now();
    const clients = Array.from({ length: CLIENTS }, async (_, c) => {
      for (let k = c; running; k += CLIENTS) {
        const i = (k * BATCH) % ACTIVE;
        const status = await post(agent, url, webhookPayload(active.slice(i, i + BATCH), startsAt));
        if (status !== 200) throw new Error(`re-sending alerts: HTTP ${status}`);
        accepted += BATCH;
      }
    });
    let probes = 0;
    const probing = (async () => {
      while (running) {
        const id = `p${probes++}`;
        const body = webhookPayload([{ alertname: 'Probe', service: `probe-${id}`, instance: `probe-host-${id}`, severity: 'high', probe: id }], new Date().toISOString());
        sentAt.set(id, performance.timeOrigin + performance.now());
        const status = await post(agent, url, body);
        if (status !== 200) throw new Error(`probe: HTTP ${status}`);
        accepted++;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await new Promise((r) => setTimeout(r, durationMs));
    running = false;
    await Promise.all([...clients, probing]);
    const elapsed = (performance.now() - t0) / 1000;
    const deadline = Date.now() + 10_000;
    while (sentAt.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const lost = sentAt.size;
    // A probe whose notification never arrived counts as the slowest possible.
    const sorted = [...latencies, ...Array<number>(lost).fill(Infinity)].sort((a, b) => a - b);
    return { alerts_ingested_per_sec: accepted / elapsed, alert_p99_ms: quantile(sorted, 0.99), alert_p50_ms: quantile(sorted, 0.5), active_alerts: ACTIVE, probes };
  } finally {
    agent.destroy();
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
