// bench:heal: seeded scenarios and the human response model.
//
// Each fleet (its own seed: topology, sizes, names) runs a warm-up, then a
// sequence of slots with one fault each, drawn at random: its kind, its target
// (a service or host of a plausible type), its start within the slot, its size
// and natural duration. Good deploys of the web and API services happen all
// along (the deploy log is not a fault marker). Nothing here depends on how
// Vigil will do.
import { Rng, subSeed, generateTopology, roleMetric, type IncidentSpec, type ServiceNode, type ServiceType, type Topology } from '../src/simulate/index.js';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

/** The kinds of fault; all but `unfixable` have a routine fix (restart, clean-up, rollback, scale). */
export const SCENARIO_KINDS = ['memory_leak', 'disk_fill', 'bad_deploy', 'traffic_surge', 'db_cascade', 'unfixable'] as const;
export type ScenarioKind = (typeof SCENARIO_KINDS)[number];

const KIND_WEIGHTS: Record<ScenarioKind, number> = { memory_leak: 0.18, disk_fill: 0.16, bad_deploy: 0.18, traffic_surge: 0.14, db_cascade: 0.14, unfixable: 0.2 };

/** Which hook a person applies to fix each kind (the human response model), and to what. */
export type HumanFix =
  | { hook: 'restart'; service: string; host?: string }
  | { hook: 'cleanDisk'; host: string }
  | { hook: 'rollback'; service: string }
  | { hook: 'scale'; service: string }
  | { hook: 'end' };

export interface Scenario {
  id: string;
  fleet: number;
  kind: ScenarioKind;
  /** A fault with a known, routine fix (the ones Vigil should automate). */
  routine: boolean;
  spec: IncidentSpec;
  slotStart: number;
  slotEnd: number;
  fix: HumanFix;
  /**
   * Human response, drawn per scenario (the same in both runs): from the page to the
   * acknowledgement, and from then to the fix applied. If Vigil never pages, users report the
   * fault `unpagedMs` after it starts hurting them (`userImpactAt`).
   */
  ackMs: number;
  fixMs: number;
  unpagedMs: number;
  /** When users start to notice: the OOM kill of a leak, a full disk, else the start. */
  userImpactAt: number;
}

export interface FleetPlan {
  index: number;
  seed: number;
  services: number;
  hostsPerService: number;
  topology: Topology;
  startTime: number;
  intervalMs: number;
  warmupMs: number;
  end: number;
  scenarios: Scenario[];
  /** Good deploys (no fault): the CD system's ordinary traffic. */
  deploys: Array<{ service: string; at: number }>;
}

export interface PlanOptions {
  seed: number;
  fleets: number;
  scenariosPerFleet: number;
  warmupMs: number;
  slotMs: number;
  intervalMs: number;
}

/**
 * Human response times, minutes: paged on-call acknowledges in 3-12 min (uniform), then
 * diagnoses and applies the fix: the ranges are those of a team that knows its runbooks
 * (restart a leaking process, free a disk, roll back a deploy, scale out, find the slow
 * database); faults with no routine fix take longest.
 */
export const HUMAN_ACK_MIN: [number, number] = [3, 12];
export const HUMAN_FIX_MIN: Record<ScenarioKind, [number, number]> = {
  memory_leak: [10, 25],
  disk_fill: [10, 25],
  bad_deploy: [15, 35],
  traffic_surge: [10, 25],
  db_cascade: [20, 45],
  unfixable: [30, 75],
};
/** No page: users notice and report 20-45 min after the fault starts hurting them. */
export const UNPAGED_MIN: [number, number] = [20, 45];

const LEAKY: ServiceType[] = ['api', 'web', 'etl', 'queue', 'cache'];
const FILLING: ServiceType[] = ['database', 'queue', 'etl', 'api'];
const DEPLOYED: ServiceType[] = ['web', 'api'];

export function planFleets(o: PlanOptions): FleetPlan[] {
  const plans: FleetPlan[] = [];
  for (let f = 0; f < o.fleets; f++) {
    const rng = new Rng(subSeed(o.seed, `heal-fleet:${f}`));
    const seed = rng.int(1, 1_000_000);
    const services = rng.int(6, 8);
    const hostsPerService = 2;
    const topology = generateTopology({ seed, services, hostsPerService });
    const startTime = Date.UTC(2024, 0, 1);
    const first = startTime + o.warmupMs;
    const scenarios: Scenario[] = [];
    for (let k = 0; k < o.scenariosPerFleet; k++) {
      const slotStart = first + k * o.slotMs;
      const kind = rng.weighted(SCENARIO_KINDS, SCENARIO_KINDS.map((x) => KIND_WEIGHTS[x]));
      const at = slotStart + Math.round(rng.uniform(5, 30)) * MINUTE;
      const id = `f${f}-s${k}-${kind}`;
      const { spec, fix } = drawFault(rng, topology, kind, at, id);
      const [a0, a1] = HUMAN_ACK_MIN;
      const [f0, f1] = HUMAN_FIX_MIN[kind];
      const [u0, u1] = UNPAGED_MIN;
      scenarios.push({
        id,
        fleet: f,
        kind,
        routine: kind !== 'unfixable',
        spec,
        slotStart,
        slotEnd: slotStart + o.slotMs,
        fix,
        ackMs: Math.round(rng.uniform(a0, a1) * MINUTE),
        fixMs: Math.round(rng.uniform(f0, f1) * MINUTE),
        unpagedMs: Math.round(rng.uniform(u0, u1) * MINUTE),
        userImpactAt: kind === 'memory_leak' || kind === 'disk_fill' ? at + spec.durationMs! : at,
      });
    }
    const end = first + o.scenariosPerFleet * o.slotMs;
    // Good deploys: each web/API service ships one to three times a day, at random.
    const deploys: Array<{ service: string; at: number }> = [];
    for (const s of topology.services.filter((x) => DEPLOYED.includes(x.type))) {
      for (let t = startTime + rng.uniform(1, 12) * HOUR; t < end; t += rng.uniform(8, 24) * HOUR) deploys.push({ service: s.name, at: Math.round(t / o.intervalMs) * o.intervalMs });
    }
    deploys.sort((a, b) => a.at - b.at);
    plans.push({ index: f, seed, services, hostsPerService, topology, startTime, intervalMs: o.intervalMs, warmupMs: o.warmupMs, end, scenarios, deploys });
  }
  return plans;
}

function drawFault(rng: Rng, topo: Topology, kind: ScenarioKind, startsAt: number, id: string): { spec: IncidentSpec; fix: HumanFix } {
  const ofType = (types: ServiceType[]) => topo.services.filter((s) => types.includes(s.type));
  const host = (s: ServiceNode) => rng.pick(s.hosts);
  switch (kind) {
    case 'memory_leak': {
      const s = rng.pick(ofType(LEAKY));
      const h = host(s);
      return { spec: { kind, id, service: s.name, host: h, startsAt, durationMs: Math.round(rng.uniform(1, 4) * 4) * 15 * MINUTE }, fix: { hook: 'restart', service: s.name, host: h } };
    }
    case 'disk_fill': {
      const s = rng.pick(ofType(FILLING));
      const h = host(s);
      return {
        spec: { kind, id, service: s.name, host: h, startsAt, durationMs: Math.round(rng.uniform(40, 120)) * MINUTE, holdMs: Math.round(rng.uniform(20, 45)) * MINUTE },
        fix: { hook: 'cleanDisk', host: h },
      };
    }
    case 'bad_deploy': {
      const s = rng.pick(ofType(DEPLOYED));
      const errors = rng.chance(0.7);
      return {
        spec: { kind, id, service: s.name, metric: errors ? 'errors' : 'latency', magnitude: errors ? rng.uniform(3, 8) : rng.uniform(0.8, 2), startsAt, durationMs: Math.round(rng.uniform(2, 4) * HOUR) },
        fix: { hook: 'rollback', service: s.name },
      };
    }
    case 'traffic_surge': {
      const s = rng.pick(ofType(DEPLOYED));
      return { spec: { kind, id, service: s.name, magnitude: rng.uniform(0.8, 2), startsAt, durationMs: Math.round(rng.uniform(1.5, 3) * HOUR) }, fix: { hook: 'scale', service: s.name } };
    }
    case 'db_cascade': {
      const s = rng.pick(ofType(['database']));
      return {
        spec: { kind: 'cascade', id, service: s.name, metric: 'latency', magnitude: rng.uniform(3, 6), startsAt, durationMs: Math.round(rng.uniform(60, 150)) * MINUTE, hopLagMs: Math.round(rng.uniform(30, 90)) * 1000 },
        fix: { hook: 'restart', service: s.name },
      };
    }
    case 'unfixable': {
      // Errors from a third party, or lost upstream traffic: nothing on the fleet fixes them.
      const s = rng.pick(topo.services);
      const h = host(s);
      const errors = rng.chance(0.6);
      const metricRole = errors ? 'errors' : 'throughput';
      const metric = metricName(s.type, metricRole);
      return {
        spec: { kind: 'level_shift', id, service: s.name, host: h, metric, magnitude: errors ? rng.uniform(2, 4) : -rng.uniform(0.4, 0.6), startsAt, durationMs: Math.round(rng.uniform(45, 120)) * MINUTE },
        fix: { hook: 'end' },
      };
    }
  }
}

function metricName(type: ServiceType, role: 'errors' | 'throughput'): string {
  return roleMetric(type, role).name;
}
