// Phase 1 of bench:alerts: a simulated fleet through ingest and detection.
//
// The fleet simulator's incident scenarios (random incidents of every kind,
// ground truth kept) run through the real ingest pipeline and detection stage
// into a real store: `warmupDays` clean days first (detectors learn each
// series, its daily cycle included, as a Vigil that has watched the fleet for
// a few days), then the measured day with incidents. Simulated time: nothing
// waits on the wall clock.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { AnomalyEvent } from '../src/core/events.js';
import { SelfMetrics } from '../src/core/self-metrics.js';
import { parseConfig } from '../src/config/load.js';
import type { VigilConfig } from '../src/config/schema.js';
import { toStoreOptions } from '../src/config/sections/storage.js';
import { IngestPipeline } from '../src/ingest/pipeline.js';
import { DetectionStage } from '../src/detect/stage/index.js';
import { FleetSimulator, type GroundTruthIncident } from '../src/simulate/index.js';
import { SimulatorFeed } from '../src/app/simulator-feed.js';
import { openStore } from '../src/store/index.js';
import { serviceCatalogueYaml } from './alerts-catalogue.js';
import type { SampleStore } from '../src/store/types.js';

export const DAY = 86_400_000;

export interface FleetScenario {
  seed: number;
  services: number;
  hostsPerService: number;
  incidentsPerDay: number;
  warmupDays: number;
  /** Declare the fleet's services and dependencies under `services:` (the incident stage's dependency graph). */
  catalogue: boolean;
}

export interface SimulatedDay {
  config: VigilConfig;
  store: SampleStore;
  /** The measured day: [from, to). */
  from: number;
  to: number;
  incidents: GroundTruthIncident[];
  /** Anomaly events raised during the measured day (the raw signals). */
  signals: AnomalyEvent[];
  series: number;
  samples: number;
}

/**
 * `cacheDir`: keep the simulated day there (store, signals, ground truth) and reuse it on the next run with the same
 * scenario, for iterating on rules and incident settings, which do not change it. Clear it after changing the
 * simulator, ingest or detection. A reused day's store is reopened, its samples in sealed chunks rather than the head.
 */
export function simulateFleetDay(s: FleetScenario, progress: (msg: string) => void, cacheDir?: string): SimulatedDay {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-alerts-'));
  const sim = new FleetSimulator({ seed: s.seed, services: s.services, hostsPerService: s.hostsPerService, incidentRatePerDay: s.incidentsPerDay, warmupMs: s.warmupDays * DAY });
  // Vigil's defaults and the fleet's service catalogue, in a scratch data directory; the head holds the measured
  // day in memory, as a live Vigil's head holds the last hours, so the rules read it without decoding sealed chunks.
  const config = parseConfig(`storage: { dir: ${JSON.stringify(dir)}, headWindow: 30h }\n${s.catalogue ? serviceCatalogueYaml(sim.topology()) : ''}`, 'bench.yaml');
  const storeOptions = { ...toStoreOptions(config.storage, config.limits.maxSeries), checkpointIntervalMs: 0 };
  const cached = cacheDir && join(cacheDir, `${s.seed}-${s.services}x${s.hostsPerService}-${s.incidentsPerDay}-${s.warmupDays}`);
  if (cached && existsSync(join(cached, 'day.json'))) {
    progress(`reusing the simulated day in ${cached}`);
    cpSync(join(cached, 'store'), dir, { recursive: true });
    const saved = JSON.parse(readFileSync(join(cached, 'day.json'), 'utf8')) as Omit<SimulatedDay, 'config' | 'store'>;
    return { ...saved, config, store: openStore(storeOptions) };
  }
  const day = simulate(sim, s, config, openStore(storeOptions), progress);
  if (!cached) return day;
  day.store.close();
  mkdirSync(cached, { recursive: true });
  cpSync(dir, join(cached, 'store'), { recursive: true });
  const { config: _c, store: _s, ...saved } = day;
  writeFileSync(join(cached, 'day.json'), JSON.stringify(saved));
  return { ...day, store: openStore(storeOptions) };
}

function simulate(sim: FleetSimulator, s: FleetScenario, config: VigilConfig, store: SampleStore, progress: (msg: string) => void): SimulatedDay {
  const pipeline = new IngestPipeline(store, new SelfMetrics(), config.limits);
  const detection = new DetectionStage(store, config.detect, undefined, pino({ level: 'silent' }));
  detection.start(sim.startTime);
  const from = sim.startTime + s.warmupDays * DAY;
  const to = from + DAY;
  const signals: AnomalyEvent[] = [];
  detection.onAnomaly((e) => {
    if (e.t >= from) signals.push(e);
  });
  pipeline.onSamples((w) => detection.observe(w));
  const feed = new SimulatorFeed(sim, pipeline, 1);
  const step = 10 * 60_000;
  for (let t = sim.startTime; t < to; t += step) {
    while (feed.pumpUntil(Math.min(t + step, to) - 1) > 0);
    if ((t - sim.startTime) % (6 * 3_600_000) === 0) {
      store.checkpoint();
      progress(`simulated ${((t - sim.startTime) / DAY).toFixed(2)} of ${s.warmupDays + 1} days, ${signals.length} signals`);
    }
  }
  store.checkpoint();
  return { config, store, from, to, incidents: sim.groundTruth(to).filter((i) => i.startsAt >= from), signals, series: sim.seriesCount, samples: feed.samplesWritten };
}
