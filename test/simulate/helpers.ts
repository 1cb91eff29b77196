import { FleetSimulator, type FleetSimulatorOptions, type IncidentSpec } from '../../src/simulate/index.js';

export const HOUR = 3_600_000;
export const MINUTE = 60_000;

/**
 * A simulator with the given incidents and its twin without any. Noise is a function of
 * (seed, series, time), so the twins differ exactly by the injected effects: dividing one
 * by the other isolates an incident from the daily cycle and the noise.
 */
export function twins(incidents: IncidentSpec[], opts: FleetSimulatorOptions = {}): { sim: FleetSimulator; clean: FleetSimulator } {
  return {
    sim: new FleetSimulator({ seed: 11, ...opts, incidents }),
    clean: new FleetSimulator({ seed: 11, ...opts, incidents: 'none' }),
  };
}

/** Value of one series at t. */
export function valueAt(sim: FleetSimulator, metric: string, instance: string, t: number): number {
  const i = sim.seriesIndex(metric, instance);
  if (i < 0) throw new Error(`no series ${metric} on ${instance}`);
  return sim.tick(t)[i]!;
}

/** Times on the sample grid in [start, end). */
export function gridTimes(sim: FleetSimulator, start: number, end: number): number[] {
  const out: number[] = [];
  for (let t = sim.alignTime(start); t < end; t += sim.intervalMs) if (t >= start) out.push(t);
  return out;
}
