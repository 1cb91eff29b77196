import type { AlertEvent, Labels, Severity } from '../src/core/index.js';
import { detectOnset, type OnsetOptions, DEFAULT_ONSET_OPTIONS } from '../src/incidents/rca/onset.js';
import { FleetSimulator } from '../src/simulate/fleet-simulator.js';
import { buildGraph, type ServiceGraph as SimGraph } from '../src/simulate/graph.js';
import type { GroundTruthIncident, IncidentSpec } from '../src/simulate/incident-types.js';
import { metricByName, roleMetric } from '../src/simulate/metrics.js';
import { Rng, subSeed } from '../src/simulate/random.js';
import { MINUTE } from '../src/simulate/seasonality.js';
import { generateTopology, type ServiceNode as SimNode, type Topology } from '../src/simulate/topology.js';

/**
 * Root-cause scenarios on the fleet simulator: a generated fleet, one fault of a given kind
 * that cascades through the simulator's own propagation model, unrelated noise incidents,
 * the simulated series of every host, and alerts from detection on those series (every alert
 * tagged with the true incident it belongs to, or a false-positive id of its own).
 */

export const SCENARIO_KINDS = ['db_slowdown', 'cache_eviction_storm', 'bad_deploy', 'network_saturation', 'queue_disk_fill', 'etl_failure'] as const;
export type ScenarioKind = (typeof SCENARIO_KINDS)[number];

export interface ScenarioAlert {
  alert: AlertEvent;
  /**
   * True incident: the scenario's main incident id, a noise incident id, or for a detection that
   * no injected incident explains (the simulator's own variation: a nightly batch starting, say)
   * `fp:<scenario>/<service>`: one benign event per service.
   */
  incidentId: string;
  /** Anomaly strength of the detection, in [0, 1). */
  score: number;
}

export interface ScenarioSeries {
  labels: Labels;
  values: Float64Array;
}

export interface RcaScenario {
  id: string;
  kind: ScenarioKind;
  topology: Topology;
  /** The true root cause. */
  root: { service: string; metric: string; incidentId: string; startsAt: number };
  /** Ids of the unrelated noise incidents. */
  noiseIncidents: string[];
  alerts: ScenarioAlert[];
  /** Sample times and every series (only when asked for: they are large). */
  timestamps?: Float64Array;
  series?: ScenarioSeries[];
  /** Samples before this index are the baseline of detection. */
  baselineEnd: number;
}

export interface ScenarioOptions {
  count: number;
  seed: number;
  minServices: number;
  maxServices: number;
  /** Keep the series in the scenario (for writing them out). */
  keepSeries: boolean;
  onset: OnsetOptions;
}

export const DEFAULT_SCENARIO_OPTIONS: ScenarioOptions = {
  count: 240,
  seed: 20240601,
  minServices: 10,
  maxServices: 300,
  keepSeries: false,
  onset: DEFAULT_ONSET_OPTIONS,
};

const STEP_MS = 10_000;
const BEFORE_MS = 30 * MINUTE;
const AFTER_MS = 25 * MINUTE;
const BASELINE_MS = 15 * MINUTE;
const START = Date.UTC(2024, 0, 1);

/** Scenarios one by one (each holds its series only while it is being built, unless keepSeries). */
export function* rcaScenarios(opts: Partial<ScenarioOptions> = {}): Generator<RcaScenario> {
  const o = { ...DEFAULT_SCENARIO_OPTIONS, ...opts };
  for (let k = 0; k < o.count; k++) {
    const rng = new Rng(subSeed(o.seed, `scenario:${k}`));
    const kind = SCENARIO_KINDS[k % SCENARIO_KINDS.length];
    // Log-uniform size: as many small fleets as large ones.
    const services = Math.round(Math.exp(rng.uniform(Math.log(o.minServices), Math.log(o.maxServices))));
    yield buildScenario(`s${String(k).padStart(4, '0')}-${kind}`, kind, services, rng, o);
  }
}

function buildScenario(id: string, kind: ScenarioKind, size: number, rng: Rng, o: ScenarioOptions): RcaScenario {
  const topology = generateTopology({ seed: rng.nextU32(), services: size, hostsPerService: rng.int(1, 2) });
  // The fault starts somewhere in the first week, on the sample grid, at any time of day.
  const t0 = START + 3 * 3600_000 + Math.floor(rng.uniform(0, 6 * 24 * 3600_000) / STEP_MS) * STEP_MS;
  const plan = planFault(kind, topology, rng, t0);
  const graph = buildGraph(plan.topology);
  const noise = planNoise(plan, graph, rng, t0);
  const main = plan.specs.map((s, i) => ({ ...s, id: `${id}/main/${i}` }));
  const sim = new FleetSimulator({ seed: rng.nextU32(), topology: plan.topology, incidents: [...main, ...noise], counters: false, intervalMs: STEP_MS });
  const start = t0 - BEFORE_MS;
  const { timestamps, series } = sim.collect(start, t0 + AFTER_MS);
  const truths = sim.incidentsBetween(start, t0 + AFTER_MS);
  const baselineEnd = Math.round(BASELINE_MS / STEP_MS);
  const alerts = detectAlerts(id, timestamps, series, truths, baselineEnd, o.onset);
  const rootTruth = truths.find((t) => t.id === main[0].id)!;
  return {
    id,
    kind,
    topology: plan.topology,
    root: { service: plan.root.name, metric: rootTruth.rootMetric, incidentId: `${id}/main`, startsAt: rootTruth.startsAt },
    noiseIncidents: noise.map((n) => `${id}/${n.id!}`),
    alerts,
    ...(o.keepSeries ? { timestamps, series: series.map((s) => ({ labels: s.labels, values: s.values })) } : {}),
    baselineEnd,
  };
}

interface FaultPlan {
  topology: Topology;
  root: SimNode;
  specs: IncidentSpec[];
}

/** The fault of each kind, as simulator incident specs sharing one true incident. */
function planFault(kind: ScenarioKind, topology: Topology, rng: Rng, t0: number): FaultPlan {
  const callers = (s: SimNode) => topology.edges.filter((e) => e.to === s.name).map((e) => e.from);
  const deps = (s: SimNode) => topology.edges.filter((e) => e.from === s.name).map((e) => e.to);
  const ofType = (...types: string[]) => topology.services.filter((s) => types.includes(s.type) && callers(s).length > 0);
  const pick = (list: SimNode[]) => (list.length ? rng.pick(list) : rng.pick(topology.services.filter((s) => callers(s).length > 0)));
  const cascade = (root: SimNode, metric: 'latency' | 'errors', at: number, magnitude: number, hopLag = rng.uniform(30_000, 90_000)): IncidentSpec => ({
    kind: 'cascade',
    service: root.name,
    metric,
    startsAt: at,
    magnitude,
    durationMs: 30 * MINUTE,
    hopLagMs: hopLag,
    attenuation: rng.uniform(0.5, 0.8),
  });
  const shift = (service: string, metric: string, at: number, magnitude: number): IncidentSpec => ({
    kind: 'level_shift', service, metric, startsAt: at, magnitude, durationMs: 30 * MINUTE,
  });
  const nameOf = (n: string) => topology.services.find((s) => s.name === n)!;

  switch (kind) {
    case 'db_slowdown': {
      const root = pick(ofType('database'));
      return { topology, root, specs: [cascade(root, 'latency', t0, rng.uniform(2, 6))] };
    }
    case 'cache_eviction_storm': {
      // Hit ratio collapses; callers fall through to their database, which sees the extra load.
      const root = pick(ofType('cache'));
      const specs = [cascade(root, 'latency', t0, rng.uniform(1.5, 4)), shift(root.name, 'cache_hit_ratio', t0, -rng.uniform(3, 8))];
      const dbs = callers(root).flatMap((c) => deps(nameOf(c))).filter((d) => nameOf(d).type === 'database');
      if (dbs.length) specs.push(shift(rng.pick(dbs), 'db_queries_per_sec', t0 + rng.uniform(20_000, 90_000), rng.uniform(0.8, 2)));
      return { topology, root, specs };
    }
    case 'bad_deploy': {
      // A new version of a mid-tier API: errors (and often more CPU), sometimes a retry storm on its database.
      const apis = ofType('api');
      const tiers = apis.map((a) => a.tier);
      const mid = apis.filter((a) => a.tier > Math.min(...tiers) || tiers.every((t) => t === tiers[0]));
      const root = pick(mid.length ? mid : apis);
      const specs = [cascade(root, 'errors', t0, rng.uniform(3, 8))];
      if (rng.chance(0.5)) specs.push(shift(root.name, 'node_cpu_utilization', t0, rng.uniform(2, 4)));
      const db = deps(root).map(nameOf).find((d) => d.type === 'database');
      if (db && rng.chance(0.5)) specs.push(shift(db.name, 'db_queries_per_sec', t0 + rng.uniform(10_000, 60_000), rng.uniform(0.5, 1.5)));
      return { topology, root, specs };
    }
    case 'network_saturation': {
      // The NIC of a busy back end saturates: its traffic flattens at the line rate and every call to it slows.
      const root = pick(ofType('api', 'database', 'cache'));
      const specs = [shift(root.name, 'node_network_transmit_bytes_per_sec', t0, rng.uniform(1.5, 3)), cascade(root, 'latency', t0 + STEP_MS, rng.uniform(1.5, 4))];
      return { topology, root, specs };
    }
    case 'queue_disk_fill': {
      // The broker's disk fills, then publishes fail and producers (and the ETL consumers) error out.
      const root = pick(ofType('queue'));
      const fill = rng.uniform(6, 12) * MINUTE;
      const disk: IncidentSpec = { kind: 'disk_fill', service: root.name, startsAt: t0, durationMs: fill, holdMs: 30 * MINUTE };
      return { topology, root, specs: [disk, cascade(root, 'errors', t0 + fill, rng.uniform(3, 6))] };
    }
    case 'etl_failure': {
      // An ETL job stops producing; the services that read what it writes (declared data
      // dependencies) serve stale data and fail their freshness checks, and their callers follow.
      const root = rng.pick(topology.services.filter((s) => s.type === 'etl'));
      const withData = addDataConsumers(topology, root, rng);
      return { topology: withData, root, specs: [cascade(root, 'errors', t0, rng.uniform(3, 8), rng.uniform(60_000, 150_000))] };
    }
  }
}

/** Edges consumer -> etl for 1-4 APIs that use a database the ETL writes, never closing a cycle. */
function addDataConsumers(topology: Topology, etl: SimNode, rng: Rng): Topology {
  const reachable = new Set<string>([etl.name]);
  const stack = [etl.name];
  while (stack.length) {
    const s = stack.pop()!;
    for (const e of topology.edges) {
      if (e.from !== s || reachable.has(e.to)) continue;
      reachable.add(e.to);
      stack.push(e.to);
    }
  }
  const written = new Set(topology.edges.filter((e) => e.from === etl.name).map((e) => e.to));
  const apis = topology.services.filter((s) => s.type === 'api' && !reachable.has(s.name));
  const readers = apis.filter((a) => topology.edges.some((e) => e.from === a.name && written.has(e.to)));
  const chosen = rng.sample(readers.length ? readers : apis, rng.int(1, 4));
  const fallback = chosen.length ? chosen : topology.services.filter((s) => s.type === 'web').slice(0, 1);
  return { ...topology, edges: [...topology.edges, ...fallback.map((c) => ({ from: c.name, to: etl.name, weight: 0.01 }))] };
}

/** 1 + size/40 + 0..2 unrelated incidents (spikes and level shifts) within the window. */
function planNoise(plan: FaultPlan, graph: SimGraph, rng: Rng, t0: number): IncidentSpec[] {
  const n = graph.topology.services.length;
  const related = new Set<number>();
  const stack = [graph.index.get(plan.root.name)!];
  while (stack.length) {
    const s = stack.pop()!;
    if (related.has(s)) continue;
    related.add(s);
    for (const k of graph.callers[s]) stack.push(graph.edgeFrom[k]);
  }
  const unrelated = graph.topology.services.filter((_, i) => !related.has(i));
  if (unrelated.length === 0) return [];
  const count = 1 + Math.floor(n / 40) + rng.int(0, 2);
  const specs: IncidentSpec[] = [];
  for (let i = 0; i < count; i++) {
    const svc = rng.pick(unrelated);
    const metric = rng.pick([roleMetric(svc.type, 'latency').name, roleMetric(svc.type, 'errors').name, roleMetric(svc.type, 'throughput').name, 'node_cpu_utilization']);
    const spike = rng.chance(0.5);
    specs.push({
      id: `noise/${i}`,
      kind: spike ? 'spike' : 'level_shift',
      service: svc.name,
      metric,
      startsAt: t0 + rng.uniform(-12 * MINUTE, 15 * MINUTE),
      magnitude: metricByName(metric)!.effect === 'mul' ? rng.uniform(1, 4) : rng.uniform(3, 8),
      durationMs: spike ? rng.uniform(1, 4) * MINUTE : rng.uniform(10, 30) * MINUTE,
    });
  }
  return specs;
}

const SEVERITY_BY_SCORE: Array<[number, Severity]> = [[0.8, 'critical'], [0.6, 'high'], [0.4, 'medium'], [0, 'low']];

/** Runs onset detection on every series; each detection becomes a firing alert with its true incident. */
function detectAlerts(
  scenarioId: string,
  timestamps: Float64Array,
  series: Array<{ labels: Labels; values: Float64Array }>,
  truths: GroundTruthIncident[],
  baselineEnd: number,
  onset: OnsetOptions,
): ScenarioAlert[] {
  // Which incident moved which series, and from when.
  const moved = new Map<string, Array<{ id: string; at: number; end: number }>>();
  for (const t of truths) {
    const incident = t.id.includes('/main/') ? t.id.slice(0, t.id.indexOf('/main/') + 5) : `${scenarioId}/${t.id}`;
    for (const a of t.affected) {
      const key = `${a.metric}\u0000${a.instance}`;
      const list = moved.get(key) ?? [];
      list.push({ id: incident, at: a.startsAt, end: a.endsAt });
      moved.set(key, list);
    }
  }
  const out: ScenarioAlert[] = [];
  for (const s of series) {
    const hit = detectOnset(s.values, baselineEnd, onset);
    if (!hit) continue;
    const at = timestamps[hit.index];
    const metric = s.labels.__name__;
    const fingerprint = `${metric}{instance="${s.labels.instance}"}`;
    const causes = moved.get(`${metric}\u0000${s.labels.instance}`) ?? [];
    // The incident whose change to this series started closest before the detection; else the
    // service's own benign event.
    let incidentId = `fp:${scenarioId}/${s.labels.service}`;
    let best = Infinity;
    for (const c of causes) {
      const lag = at - c.at;
      if (lag >= -2 * STEP_MS && at <= c.end && lag < best) {
        best = lag;
        incidentId = c.id;
      }
    }
    const severity = SEVERITY_BY_SCORE.find(([min]) => hit.score >= min)![1];
    const alert: AlertEvent = {
      kind: 'alert',
      fingerprint: `${scenarioId}/${fingerprint}`,
      source: 'vigil',
      state: 'firing',
      severity,
      labels: { alertname: `${metric}_anomalous`, __name__: metric, service: s.labels.service, instance: s.labels.instance, job: s.labels.job, type: s.labels.type },
      annotations: { score: hit.score.toFixed(3), direction: hit.direction },
      startsAt: at,
      value: s.values[hit.index],
    };
    out.push({ alert, incidentId, score: hit.score });
  }
  return out.sort((a, b) => a.alert.startsAt - b.alert.startsAt);
}
