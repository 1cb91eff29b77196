import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** The Debian/Ubuntu binaries CI installs (apt: prometheus, prometheus-node-exporter, prometheus-alertmanager). */
export const PROMETHEUS = '/usr/bin/prometheus';
export const NODE_EXPORTER = '/usr/bin/prometheus-node-exporter';
export const ALERTMANAGER = '/usr/bin/prometheus-alertmanager';

/** A skip reason for node:test when one of `bins` is missing, else false. */
export function skipUnless(...bins: string[]): string | false {
  const missing = bins.filter((b) => !existsSync(b));
  return missing.length ? `not installed: ${missing.join(', ')}` : false;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Polls `fn` every 500 ms until it returns something other than undefined. */
export async function waitFor<T>(what: string, timeoutMs: number, fn: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** Child processes started by a test; killAll() SIGKILLs them and waits for their exit. */
export class Procs {
  readonly list: ChildProcess[] = [];

  add(p: ChildProcess): ChildProcess {
    this.list.push(p);
    return p;
  }

  /** SIGKILL: on SIGTERM Prometheus spends up to a minute trying to flush its remote-write queue. */
  async killAll(): Promise<void> {
    await Promise.all(
      this.list.map(
        (p) => new Promise<void>((resolve) => (p.exitCode !== null || p.signalCode !== null ? resolve() : (p.once('exit', () => resolve()), p.kill('SIGKILL')))),
      ),
    );
  }
}

/** Starts node-exporter on a free loopback port; returns its host:port. */
export async function startNodeExporter(procs: Procs): Promise<string> {
  const port = await freePort();
  procs.add(spawn(NODE_EXPORTER, [`--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' }));
  return `127.0.0.1:${port}`;
}

/**
 * Starts Prometheus with `config` (prometheus.yml text) written to `dir`, its TSDB in
 * `dir/tsdb`, on a free loopback port; returns its base URL once it answers /-/ready.
 * `files` are written to `dir` first (rule files).
 */
export async function startPrometheus(procs: Procs, dir: string, config: string, files: Record<string, string> = {}): Promise<string> {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  writeFileSync(join(dir, 'prometheus.yml'), config);
  const port = await freePort();
  let err = '';
  const p = procs.add(
    spawn(PROMETHEUS, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${port}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    }),
  );
  p.stderr!.setEncoding('utf8');
  p.stderr!.on('data', (d: string) => (err = (err + d).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  await waitFor('Prometheus to be ready', 30_000, async () => {
    if (p.exitCode !== null) throw new Error(`prometheus exited with ${p.exitCode}: ${err}`);
    return (await fetch(`${url}/-/ready`)).ok ? true : undefined;
  }).catch((e: Error) => {
    throw new Error(`${e.message}\n${err}`);
  });
  return url;
}

/** `/api/v1/query` (instant) data, or throws with Prometheus's error. */
export async function promQuery<T = unknown>(prom: string, query: string, params: Record<string, string> = {}): Promise<T> {
  return promApi<T>(prom, '/api/v1/query', { query, ...params });
}

export async function promApi<T = unknown>(prom: string, path: string, params: Record<string, string>): Promise<T> {
  const res = await fetch(`${prom}${path}?${new URLSearchParams(params)}`);
  const body = (await res.json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new Error(`${path}: ${body.error}`);
  return body.data;
}
