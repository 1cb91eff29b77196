import { VigilError } from '../core/errors.js';
import { propagate } from './cascade.js';
import { effectEnd } from './effects.js';
import type { ServiceGraph } from './graph.js';
import type { AffectedSeries, Effect, GroundTruthIncident, Incident, IncidentSpec, PropagationStep } from './incident-types.js';
import { ALL_INCIDENT_KINDS } from './incident-types.js';
import { M, METRICS, metricByName, roleMetric, type MetricDef } from './metrics.js';
import { Rng, subSeed } from './random.js';
import { MINUTE, HOUR } from './seasonality.js';
import type { SeriesCatalog } from './series-catalog.js';
import type { ServiceNode } from './topology.js';

/** What a spec needs to be resolved against: the fleet, its series, and the sample grid. */
export interface BuildContext {
  graph: ServiceGraph;
  catalog: SeriesCatalog;
  seed: number;
  /** Snaps a time onto the sample grid. */
  snap: (t: number) => number;
}

export const DEFAULT_DURATION: Record<IncidentSpec['kind'], number> = {
  spike: 3 * MINUTE,
  level_shift: 2 * HOUR,
  memory_leak: 2 * HOUR,
  disk_fill: 2 * HOUR,
  cascade: 20 * MINUTE,
  bad_deploy: 2 * HOUR,
  traffic_surge: HOUR,
};

/** bad_deploy: how long the rollout of a new version takes across the replicas. */
export const ROLLOUT_MS = 2 * MINUTE;
/** traffic_surge: how long the load takes to build up (and to fade). */
const SURGE_RAMP_MS = 5 * MINUTE;

/** Default size, by how the metric reacts: multiplicative factor minus one, or additive steps. */
const DEFAULT_MAGNITUDE = {
  spike: { mul: 3, add: 4 },
  level_shift: { mul: 0.6, add: 2 },
  cascade: { mul: 4, add: 4 },
  bad_deploy: { errors: 4, latency: 1 },
  traffic_surge: 1.5,
} as const;

/** Memory at which the kernel's OOM killer steps in, as a fraction of the host's. */
const OOM_AT = 0.97;
const RESTART_MS = 45_000;

export function buildIncident(spec: IncidentSpec, id: string, random: boolean, ctx: BuildContext): Incident {
  if (!(ALL_INCIDENT_KINDS as readonly string[]).includes(spec.kind)) throw bad(`unknown incident kind "${spec.kind}"`);
  const si = ctx.graph.index.get(spec.service);
  if (si === undefined) throw bad(`unknown service "${spec.service}"`);
  const svc = ctx.graph.topology.services[si]!;
  if (spec.host !== undefined && !svc.hosts.includes(spec.host)) throw bad(`host "${spec.host}" does not run ${svc.name}`);
  if (!Number.isFinite(spec.startsAt)) throw bad('startsAt must be a time in ms');
  const duration = spec.durationMs ?? DEFAULT_DURATION[spec.kind];
  if (!(duration > 0)) throw bad('durationMs must be positive');
  const b = new Builder(ctx, svc, spec.host ?? svc.hosts[0]!, ctx.snap(spec.startsAt));
  switch (spec.kind) {
    case 'spike':
    case 'level_shift':
      return b.step(spec, id, random, duration);
    case 'memory_leak':
      return b.memoryLeak(spec, id, random, duration);
    case 'disk_fill':
      return b.diskFill(spec, id, random, duration);
    case 'cascade':
      return b.cascade(spec, id, random, duration, si);
    case 'bad_deploy':
      return b.badDeploy(spec, id, random, duration);
    case 'traffic_surge':
      return b.trafficSurge(spec, id, random, duration);
  }
}

class Builder {
  readonly effects: Effect[] = [];
  readonly affected: AffectedSeries[] = [];

  constructor(
    private readonly ctx: BuildContext,
    private readonly svc: ServiceNode,
    private readonly host: string,
    private readonly start: number,
  ) {}

  /** Spikes and level shifts: one series jumps at once, holds, and jumps back. */
  step(spec: IncidentSpec, id: string, random: boolean, duration: number): Incident {
    const metric = spec.metric ? this.metricNamed(spec.metric) : roleMetric(this.svc.type, 'latency');
    const magnitude = spec.magnitude ?? DEFAULT_MAGNITUDE[spec.kind as 'spike' | 'level_shift'][metric.effect];
    this.change(this.host, metric, metric.effect, scaled(metric, magnitude), this.start, 0, this.start + duration, 0, 0);
    const what = spec.kind === 'spike' ? 'spike' : 'level shift';
    return this.done(spec, id, random, metric.name, magnitude, `${what} of ${describe(metric, magnitude)} in ${metric.name} on ${this.host} (${this.svc.name})`, this.host, this.start + duration);
  }

  /** Memory climbs in a straight line to the OOM killer, then the process restarts from its baseline. */
  memoryLeak(spec: IncidentSpec, id: string, random: boolean, duration: number): Incident {
    const oom = this.start + duration;
    const mem = METRICS[M.memUsed]!;
    const total = this.hostSpec().memoryBytes;
    this.change(this.host, mem, 'toward', OOM_AT * total, this.start, duration, oom, 0, 0);
    // The restart: requests to this replica fail or are shed for a while, and the cold process burns CPU.
    this.change(this.host, roleMetric(this.svc.type, 'errors'), 'add', 0.5, oom, 0, oom + RESTART_MS, 15_000, 0);
    this.change(this.host, roleMetric(this.svc.type, 'throughput'), 'mul', -0.8, oom, 0, oom + RESTART_MS, 15_000, 0);
    this.change(this.host, METRICS[M.cpu]!, 'add', 0.25, oom, 0, oom + 2 * MINUTE, MINUTE, 0);
    const desc = `memory leak on ${this.host} (${this.svc.name}): ${fmtMinutes(duration)} to OOM kill and restart`;
    return this.done(spec, id, random, mem.name, OOM_AT, desc, this.host, oom);
  }

  /** Disk usage climbs steadily to 100%, writes fail while it is full, then a cleanup frees it. */
  diskFill(spec: IncidentSpec, id: string, random: boolean, duration: number): Incident {
    const full = this.start + duration;
    const hold = spec.holdMs ?? 20 * MINUTE;
    const disk = METRICS[M.diskUsed]!;
    this.change(this.host, disk, 'toward', this.hostSpec().diskBytes, this.start, duration, full + hold, 0, 0);
    this.change(this.host, METRICS[M.diskIo]!, 'add', 0.15, this.start, 0, full, 0, 0);
    this.change(this.host, roleMetric(this.svc.type, 'errors'), 'add', 0.15, full, 0, full + hold, 0, 0);
    const desc = `disk filling on ${this.host} (${this.svc.name}): full after ${fmtMinutes(duration)}, cleaned up ${fmtMinutes(hold)} later`;
    return this.done(spec, id, random, disk.name, 1, desc, this.host, full + hold);
  }

  /**
   * A fault at the root (latency or errors) reaches its callers hop by hop, later and weaker:
   * their latency rises (they wait on it) and so do their errors (timeouts, failed upstream requests).
   */
  cascade(spec: IncidentSpec, id: string, random: boolean, duration: number, root: number): Incident {
    const signal = spec.metric === undefined || spec.metric === 'latency' ? 'latency' : spec.metric === 'errors' ? 'errors' : this.metricNamed(spec.metric).role;
    if (signal !== 'latency' && signal !== 'errors') throw bad(`a cascade starts from latency or errors, not ${spec.metric}`);
    const magnitude = spec.magnitude ?? DEFAULT_MAGNITUDE.cascade.mul;
    const rng = new Rng(subSeed(this.ctx.seed, `cascade:${id}`));
    const reach = propagate(this.ctx.graph, root, rng, {
      hopLagMs: spec.hopLagMs ?? 60_000,
      attenuation: spec.attenuation ?? 0.6,
      maxHops: spec.maxHops ?? 6,
      minStrength: 0.05,
    });
    const services = this.ctx.graph.topology.services;
    const propagation: PropagationStep[] = [];
    const end = this.start + duration;
    for (const r of reach) {
      const node = services[r.service]!;
      const m = magnitude * r.strength;
      const at = this.start + r.delayMs;
      // The root breaks at once; callers degrade over a few scrapes as timeouts accumulate.
      const ramp = r.hop === 0 ? 0 : 20_000;
      const hosts = r.hop === 0 && spec.host !== undefined ? [spec.host] : node.hosts;
      const latency = roleMetric(node.type, 'latency');
      const errors = roleMetric(node.type, 'errors');
      for (const h of hosts) {
        const latFactor = signal === 'latency' ? m : 0.25 * m;
        const errSteps = signal === 'latency' ? 0.5 * m : m;
        this.change(h, latency, 'mul', latFactor, at, ramp, end + r.delayMs, MINUTE, r.hop, node);
        this.change(h, errors, 'add', errSteps * errors.addScale, at, ramp, end + r.delayMs, MINUTE, r.hop, node);
        if (r.hop === 0) this.rootExtras(h, node, m, at, end);
      }
      const step: PropagationStep = { service: node.name, hop: r.hop, startsAt: at, strength: round3(r.strength) };
      if (r.via >= 0) step.via = services[r.via]!.name;
      propagation.push(step);
    }
    const rootMetric = roleMetric(this.svc.type, signal).name;
    const reached = propagation.length - 1;
    const desc = `${signal} fault in ${this.svc.name} cascading to ${reached} dependent service${reached === 1 ? '' : 's'}`;
    const inc = this.done(spec, id, random, rootMetric, magnitude, desc, spec.host, end);
    inc.truth.propagation = propagation;
    return inc;
  }

  /**
   * A new version rolls out to every replica over ROLLOUT_MS and is bad: errors (or latency) rise
   * and stay up until it is rolled back (or fixed forward at the end of `durationMs`).
   */
  badDeploy(spec: IncidentSpec, id: string, random: boolean, duration: number): Incident {
    const signal = spec.metric === undefined || spec.metric === 'errors' ? 'errors' : spec.metric === 'latency' ? 'latency' : undefined;
    if (!signal) throw bad(`a bad deploy shows in latency or errors, not ${spec.metric}`);
    const magnitude = spec.magnitude ?? DEFAULT_MAGNITUDE.bad_deploy[signal];
    const end = this.start + duration;
    const latency = roleMetric(this.svc.type, 'latency');
    const errors = roleMetric(this.svc.type, 'errors');
    const hosts = this.svc.hosts;
    hosts.forEach((h, k) => {
      // Replica k runs the new version from its turn in the rollout.
      const at = this.start + Math.round((k * ROLLOUT_MS) / hosts.length);
      const errSteps = signal === 'errors' ? magnitude : 0.5 * magnitude;
      const latFactor = signal === 'latency' ? magnitude : 0.1 * magnitude;
      this.change(h, errors, 'add', errSteps * errors.addScale, at, 0, end, MINUTE, 0);
      this.change(h, latency, 'mul', latFactor, at, 0, end, MINUTE, 0);
    });
    const desc = `bad deploy of ${this.svc.name}: ${signal} up (${signal === 'errors' ? `+${round3(magnitude * errors.addScale)}` : `x${round3(1 + magnitude)}`}) on every replica until rolled back`;
    return this.done(spec, id, random, (signal === 'errors' ? errors : latency).name, magnitude, desc, undefined, end);
  }

  /**
   * Load on every replica rises to (1 + magnitude) times normal: requests, network and CPU follow
   * the load, latency and shed requests follow the excess over capacity.
   */
  trafficSurge(spec: IncidentSpec, id: string, random: boolean, duration: number): Incident {
    const m = spec.magnitude ?? DEFAULT_MAGNITUDE.traffic_surge;
    if (!(m > 0)) throw bad('a traffic surge needs a positive magnitude');
    const end = this.start + duration;
    const load: Array<[MetricDef, number]> = [
      [roleMetric(this.svc.type, 'throughput'), m],
      [METRICS[M.netRx]!, 0.8 * m],
      [METRICS[M.netTx]!, 0.8 * m],
    ];
    const saturation: Array<[MetricDef, Effect['op'], number]> = [
      [METRICS[M.cpu]!, 'add', Math.min(0.6, 0.25 * m)],
      [roleMetric(this.svc.type, 'latency'), 'mul', 1.2 * m],
      [roleMetric(this.svc.type, 'errors'), 'add', 1.5 * m * roleMetric(this.svc.type, 'errors').addScale],
    ];
    for (const h of this.svc.hosts) {
      for (const [metric, amount] of load) this.change(h, metric, 'mul', amount, this.start, SURGE_RAMP_MS, end, SURGE_RAMP_MS, 0, this.svc, 'load');
      for (const [metric, op, amount] of saturation) this.change(h, metric, op, amount, this.start, SURGE_RAMP_MS, end, SURGE_RAMP_MS, 0, this.svc, 'saturation');
    }
    const desc = `traffic surge on ${this.svc.name}: x${round3(1 + m)} load on its ${this.svc.hosts.length} replicas for ${fmtMinutes(duration)}`;
    const inc = this.done(spec, id, random, roleMetric(this.svc.type, 'throughput').name, m, desc, undefined, end);
    inc.replicas = this.svc.hosts.length;
    return inc;
  }

  /** What else a failing store shows: connection pile-up, backlog, cache misses. */
  private rootExtras(h: string, node: ServiceNode, m: number, at: number, end: number): void {
    if (node.type === 'database') this.change(h, METRICS[M.dbConnections]!, 'mul', 0.5 * m, at, 0, end, MINUTE, 0, node);
    if (node.type === 'queue') this.change(h, METRICS[M.queueDepth]!, 'mul', m, at, 0, end, MINUTE, 0, node);
    if (node.type === 'cache') this.change(h, METRICS[M.cacheHit]!, 'add', -m * 0.05, at, 0, end, MINUTE, 0, node);
  }

  private change(
    host: string,
    metric: MetricDef,
    op: Effect['op'],
    amount: number,
    startsAt: number,
    rampMs: number,
    endsAt: number,
    decayMs: number,
    hop: number,
    node: ServiceNode = this.svc,
    tag?: Effect['tag'],
  ): void {
    const series = this.ctx.catalog.find(metric.name, host);
    if (series < 0) throw bad(`${host} has no series ${metric.name}`);
    const e: Effect = { series, op, amount, startsAt, rampMs, endsAt, decayMs, hop };
    if (tag) {
      e.tag = tag;
      e.base = amount;
    }
    this.effects.push(e);
    this.affected.push({
      labels: this.ctx.catalog.labels[series]!,
      metric: metric.name,
      service: node.name,
      instance: host,
      startsAt,
      endsAt: effectEnd(e),
      hop,
    });
  }

  private done(
    spec: IncidentSpec,
    id: string,
    random: boolean,
    rootMetric: string,
    magnitude: number,
    description: string,
    rootHost: string | undefined,
    faultEndsAt: number,
  ): Incident {
    const truth: GroundTruthIncident = {
      id,
      kind: spec.kind,
      rootService: this.svc.name,
      rootMetric,
      startsAt: this.start,
      endsAt: Math.max(...this.affected.map((a) => a.endsAt)),
      magnitude,
      description,
      affected: this.affected.slice().sort((a, b) => a.startsAt - b.startsAt || a.hop - b.hop),
      random,
    };
    if (rootHost !== undefined) truth.rootHost = rootHost;
    return { truth, effects: this.effects, faultEndsAt };
  }

  private metricNamed(name: string): MetricDef {
    const m = metricByName(name);
    if (!m || !m.types.includes(this.svc.type) || m.kind === 'counter' || m.role === 'capacity') {
      throw bad(`metric "${name}" cannot be disturbed on a ${this.svc.type} service`);
    }
    return m;
  }

  private hostSpec() {
    return this.ctx.graph.topology.hosts[this.ctx.catalog.hostIndexOf(this.host)]!;
  }
}

/** The effect amount: a factor minus one for multiplicative metrics (never below -95%), steps for additive ones. */
function scaled(metric: MetricDef, magnitude: number): number {
  return metric.effect === 'mul' ? Math.max(-0.95, magnitude) : magnitude * metric.addScale;
}

function describe(metric: MetricDef, magnitude: number): string {
  if (metric.effect === 'mul') return `x${round3(1 + Math.max(-0.95, magnitude))}`;
  const d = magnitude * metric.addScale;
  return `${d >= 0 ? '+' : ''}${round3(d)}`;
}

function fmtMinutes(ms: number): string {
  return ms >= HOUR ? `${round3(ms / HOUR)} h` : `${round3(ms / MINUTE)} min`;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function bad(message: string): VigilError {
  return new VigilError('BAD_INCIDENT', message);
}
