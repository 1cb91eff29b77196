import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { resolveConfig } from '../config/load.js';
import { parseDuration } from '../config/duration.js';
import { parseListen } from '../config/listen.js';
import { createLogger } from '../api/logger.js';
import { startVigil } from '../app/vigil-app.js';
import { SimulatorFeed } from '../app/simulator-feed.js';
import { FleetSimulator } from '../simulate/index.js';
import { LiveView } from './live-view.js';
import { formatLabels } from '../core/labels.js';
import { UsageError, onShutdownSignal } from './exit.js';

interface DemoOptions {
  duration?: string;
  dir?: string;
  keep?: boolean;
  listen: string;
  speed: string;
  seed: string;
  services: string;
  hostsPerService: string;
  incidentsPerDay: string;
  backfill: string;
  view: boolean;
}

/**
 * `vigil demo`: a simulated fleet flows through the real pipeline into the
 * embedded store, the HTTP API is up, and a live view shows what is happening.
 */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run Vigil on a simulated fleet: embedded store, HTTP API and a live terminal view')
    .option('--duration <d>', 'stop after this long, e.g. 30s, 5m (default: until Ctrl-C)')
    .option('--dir <dir>', 'data directory (default: a temporary one, removed at exit)')
    .option('--keep', 'keep the temporary data directory at exit')
    .option('--listen <host:port>', 'HTTP listen address (port 0 picks a free one)', '127.0.0.1:9470')
    .option('--speed <x>', 'simulated seconds per real second', '120')
    .option('--seed <n>', 'simulator seed: same seed, same fleet and incidents', '1')
    .option('--services <n>', 'services in the simulated fleet', '12')
    .option('--hosts-per-service <n>', 'replicas per service', '3')
    .option('--incidents-per-day <n>', 'mean injected incidents per simulated day', '96')
    .option('--backfill <d>', 'simulated history to load before going live, e.g. 6h', '1h')
    .option('--no-view', 'print a status line every few seconds instead of the live screen')
    .action(async (opts: DemoOptions) => {
      const speed = positive(opts.speed, '--speed');
      const durationMs = opts.duration ? duration(opts.duration, '--duration') : undefined;
      const backfillMs = duration(opts.backfill, '--backfill');
      const temp = !opts.dir;
      const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'vigil-demo-'));

      const config = resolveConfig(undefined, process.env);
      const listen = parseListen(opts.listen);
      config.server = { ...config.server, listen: listen.listen, host: listen.host, port: listen.port };
      config.storage = { ...config.storage, dir };
      // The simulated clock runs ahead of the wall clock once the backfill has caught up.
      config.limits = { ...config.limits, maxFutureSkewMs: 0 };
      // The live view owns the terminal; logs go to a file in the data directory.
      const logger = createLogger(config.server.logLevel, (await import('node:fs')).createWriteStream(join(dir, 'vigil.log'), { flags: 'a' }));
      const app = await startVigil(config, logger);

      const intervalMs = 10_000;
      const now = Date.now();
      const startTime = Math.floor((now - backfillMs) / intervalMs) * intervalMs;
      const sim = new FleetSimulator({
        seed: Number(opts.seed),
        services: positive(opts.services, '--services'),
        hostsPerService: positive(opts.hostsPerService, '--hosts-per-service'),
        startTime,
        intervalMs,
        incidentRatePerDay: Number(opts.incidentsPerDay),
        warmupMs: 10 * 60_000,
      });
      const out = process.stdout;
      out.write(`vigil demo: ${sim.seriesCount} series from ${sim.topology().services.length} services, data in ${dir}, API at ${app.url}\n`);

      // Backfill: the recent past at full speed, so the store and the API have history at once.
      const live = new SimulatorFeed(sim, app.pipeline, speed);
      let shown = -1;
      while (live.pumpUntil(now) > 0) {
        const pct = Math.floor(((live.simulatedTime - startTime) / Math.max(1, now - startTime)) * 10) * 10;
        if (pct !== shown) out.write(`backfill: ${pct}% (${live.samplesWritten} samples)\n`);
        shown = pct;
      }
      if (backfillMs > 0) out.write(`backfill: done (${live.samplesWritten} samples)\n`);
      live.start();

      const view = new LiveView(out, opts.view && out.isTTY);
      let lastSamples = live.samplesWritten;
      let lastAt = Date.now();
      let rate = 0;
      const render = () => {
        const t = Date.now();
        rate = ((live.samplesWritten - lastSamples) * 1000) / Math.max(1, t - lastAt);
        lastSamples = live.samplesWritten;
        lastAt = t;
        const st = app.store.stats();
        const simT = live.simulatedTime;
        const active = sim.activeIncidents(simT);
        const recent = sim.groundTruth(simT).filter((i) => i.endsAt < simT);
        view.render({
          url: app.url,
          dir,
          simTime: simT,
          speed,
          samplesPerSec: rate,
          totalSamples: st.samplesAppended,
          series: st.series,
          diskBytes: st.diskBytes,
          headBytes: st.headBytes,
          activeIncidents: active.map((i) => ({ id: i.id, kind: i.kind, root: i.rootService, startsAt: i.startsAt })),
          recentIncidents: recent.map((i) => ({ id: i.id, kind: i.kind, root: i.rootService, startsAt: i.startsAt, endsAt: i.endsAt })),
          anomalyCount: app.detection ? Object.values(app.detection.counters.events).reduce((a, b) => a + b, 0) : 0,
          recentAnomalies: (app.detection?.recentEvents(10) ?? []).map((e) => ({
            t: e.t,
            series: formatLabels(e.labels),
            component: e.explanation.component,
            direction: e.explanation.direction,
            score: e.score,
            severity: e.severity,
          })),
        });
      };
      const viewTimer = setInterval(render, 1000);

      let stopped = false;
      const stop = async () => {
        if (stopped) return;
        stopped = true;
        clearInterval(viewTimer);
        live.stop();
        render();
        const st = app.store.stats();
        await app.close();
        out.write(`vigil demo: stopped after ${st.samplesAppended} samples in ${st.series} series; ${sim.groundTruth(live.simulatedTime).length} incidents injected\n`);
        if (temp && !opts.keep) rmSync(dir, { recursive: true, force: true });
        else out.write(`vigil demo: data kept in ${dir}\n`);
      };
      onShutdownSignal(stop);
      if (durationMs !== undefined) setTimeout(() => void stop().then(() => process.exit(0)), durationMs);
    });
}

function duration(v: string, flag: string): number {
  try {
    return parseDuration(v);
  } catch (e) {
    throw new UsageError(`${flag}: ${(e as Error).message}`);
  }
}

function positive(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag}: expected a positive number, got ${JSON.stringify(v)}`);
  return n;
}
