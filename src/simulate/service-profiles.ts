import type { ServiceType } from './topology.js';

/**
 * Typical behaviour of each kind of service, as ranges the seed draws from. The numbers are
 * what one sees on ordinary production dashboards: a web tier at a few hundred requests per
 * second with 150-300 ms p95, databases at single-digit milliseconds, caches near a millisecond.
 */
export interface ServiceProfile {
  /** Own peak load (requests, messages or rows per second) for services that originate work. */
  ownPeak: [number, number];
  /** Background load (health checks, replication, cron) for services that mostly serve others. */
  background: [number, number];
  /** CPU utilisation at the weekday peak, and at idle. */
  peakCpu: [number, number];
  idleCpu: [number, number];
  /** p95 of the service's own work, seconds, before queueing and downstream calls. */
  latency: [number, number];
  /** Fraction of downstream p95 that adds to this service's p95 (calls partly run in parallel). */
  downstreamShare: number;
  errorRatio: [number, number];
  /** Network bytes per unit of load, in and out. */
  bytesIn: number;
  bytesOut: number;
  /** Disk busy fraction at idle, and added at peak load. */
  ioIdle: number;
  ioPeak: number;
  /** Memory and disk in use as fractions of the host's, before load and growth. */
  memory: [number, number];
  disk: [number, number];
  /** Garbage-collected runtimes show a sawtooth in memory. */
  gcSawtooth: boolean;
}

export const PROFILES: Record<ServiceType, ServiceProfile> = {
  lb: {
    ownPeak: [600, 3000], background: [0, 0], peakCpu: [0.25, 0.45], idleCpu: [0.02, 0.04],
    latency: [0.002, 0.004], downstreamShare: 1, errorRatio: [0.0005, 0.0015],
    bytesIn: 2_500, bytesOut: 28_000, ioIdle: 0.005, ioPeak: 0.02, memory: [0.2, 0.3], disk: [0.15, 0.3], gcSawtooth: false,
  },
  web: {
    ownPeak: [200, 1500], background: [0, 0], peakCpu: [0.4, 0.65], idleCpu: [0.03, 0.07],
    latency: [0.08, 0.15], downstreamShare: 0.6, errorRatio: [0.001, 0.003],
    bytesIn: 2_000, bytesOut: 25_000, ioIdle: 0.01, ioPeak: 0.05, memory: [0.35, 0.5], disk: [0.2, 0.4], gcSawtooth: true,
  },
  api: {
    ownPeak: [100, 600], background: [2, 10], peakCpu: [0.35, 0.7], idleCpu: [0.03, 0.08],
    latency: [0.02, 0.06], downstreamShare: 0.5, errorRatio: [0.001, 0.004],
    bytesIn: 1_500, bytesOut: 4_000, ioIdle: 0.01, ioPeak: 0.06, memory: [0.35, 0.55], disk: [0.2, 0.45], gcSawtooth: true,
  },
  database: {
    ownPeak: [200, 800], background: [20, 60], peakCpu: [0.35, 0.6], idleCpu: [0.04, 0.08],
    latency: [0.004, 0.012], downstreamShare: 0, errorRatio: [0.0002, 0.0008],
    bytesIn: 600, bytesOut: 2_500, ioIdle: 0.05, ioPeak: 0.45, memory: [0.7, 0.8], disk: [0.3, 0.55], gcSawtooth: false,
  },
  cache: {
    ownPeak: [500, 2000], background: [30, 100], peakCpu: [0.15, 0.35], idleCpu: [0.02, 0.04],
    latency: [0.0008, 0.0015], downstreamShare: 0, errorRatio: [0.0001, 0.0004],
    bytesIn: 250, bytesOut: 1_200, ioIdle: 0.005, ioPeak: 0.02, memory: [0.6, 0.75], disk: [0.1, 0.25], gcSawtooth: false,
  },
  queue: {
    ownPeak: [100, 400], background: [40, 150], peakCpu: [0.2, 0.45], idleCpu: [0.03, 0.06],
    latency: [0.002, 0.006], downstreamShare: 0, errorRatio: [0.0001, 0.0005],
    bytesIn: 1_200, bytesOut: 1_300, ioIdle: 0.03, ioPeak: 0.3, memory: [0.4, 0.55], disk: [0.25, 0.45], gcSawtooth: true,
  },
  etl: {
    ownPeak: [800, 5000], background: [0, 0], peakCpu: [0.6, 0.85], idleCpu: [0.02, 0.05],
    latency: [0.05, 0.2], downstreamShare: 0.3, errorRatio: [0.002, 0.006],
    bytesIn: 400, bytesOut: 250, ioIdle: 0.02, ioPeak: 0.55, memory: [0.3, 0.45], disk: [0.25, 0.45], gcSawtooth: true,
  },
};

/** Services whose own demand drives the fleet; the rest get their load from callers. */
export function originatesLoad(type: ServiceType, hasCallers: boolean): 'traffic' | 'batch' | 'none' {
  if (type === 'etl') return 'batch';
  if (!hasCallers) return 'traffic';
  return 'none';
}
