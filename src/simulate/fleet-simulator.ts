import type { Labels } from '../core/labels.js';
import { CounterIntegrator } from './counters.js';
import { applyEffects, applyIncidents } from './effects.js';
import { buildGraph, normalizeTopology, type ServiceGraph, type TopologyInput } from './graph.js';
import type { BuildContext } from './incident-builder.js';
import { IncidentSchedule } from './incident-schedule.js';
import type { GroundTruthIncident, IncidentKind, IncidentSpec } from './incident-types.js';
import { DEFAULT_KIND_WEIGHTS } from './random-incidents.js';
import { FleetRemediation, type DeployRecord, type RemediationRecord, type RemediationResult, type RemediationTarget, type ScaleChange } from './remediation.js';
import { seedFrom, type Seed } from './random.js';
import { HOUR } from './seasonality.js';
import { SeriesCatalog } from './series-catalog.js';
import { SeriesModel } from './series-model.js';
import { generateTopology, type Topology } from './topology.js';

export interface FleetSimulatorOptions {
  /** Same seed and options, same fleet and same numbers. Default 1. */
  seed?: Seed;
  /** Size of a generated fleet (ignored when `topology` is given): default 6 services. */
  services?: number;
  /** Replicas per service, default 2 (so the default fleet has 12 hosts). */
  hostsPerService?: number;
  /** Total hosts instead of `hostsPerService`. */
  hosts?: number;
  /** Load balancers in front of the web tier; default on from 20 services. */
  loadBalancers?: boolean;
  /** A fleet written by hand instead of a generated one. */
  topology?: TopologyInput;
  /** Origin of trends, counters and the random schedule, ms. Default 2024-01-01T00:00:00Z (a Monday). */
  startTime?: number;
  /** Sample spacing, ms. Default 10 000. */
  intervalMs?: number;
  /** Time zone of the fleet's users, for business hours and the nightly batch. Default 0 (UTC). */
  utcOffsetHours?: number;
  /** 'random' (default): drawn from the seed; an array: exactly these; 'none': nothing injected. */
  incidents?: 'random' | 'none' | IncidentSpec[];
  /** Mean random incidents per day: default 3 when `incidents` is 'random', else 0 (set it to add random ones to a list). */
  incidentRatePerDay?: number;
  /** Relative frequency of each kind in the random schedule. */
  incidentKinds?: Partial<Record<IncidentKind, number>>;
  /** No random incident starts in the first `warmupMs` after startTime. Default 2 h. */
  warmupMs?: number;
  /** Include the `*_total` counters. Default true. */
  counters?: boolean;
}

export interface Tick {
  t: number;
  /** Aligned with seriesList(). The array is reused by the next call: copy what you keep. */
  values: Float64Array;
}

export interface CollectedSeries {
  index: number;
  labels: Labels;
  values: Float64Array;
}

export const DEFAULT_START_TIME = Date.UTC(2024, 0, 1);

/**
 * A simulated production fleet: a service dependency graph, the metrics of every host, and
 * incidents with ground truth. Every value is a function of (options, t), so the output is the
 * same however the caller walks through time (step by step, by jumps, or backwards).
 *
 *   const sim = new FleetSimulator({ seed: 42 });
 *   const labels = sim.seriesList();              // one Labels per series
 *   for (const { t, values } of sim.generate(start, end)) {
 *     // values[i] is the sample of labels[i] at t
 *   }
 *   sim.groundTruth();                             // what was injected, where and when
 */
export class FleetSimulator {
  readonly seed: number;
  readonly startTime: number;
  readonly intervalMs: number;
  private readonly graph: ServiceGraph;
  private readonly catalog: SeriesCatalog;
  private readonly model: SeriesModel;
  private readonly schedule: IncidentSchedule;
  private readonly counters: CounterIntegrator;
  private readonly buffer: Float64Array;
  private readonly lower: (i: number) => number;
  private readonly upper: (i: number) => number;
  private readonly remediation: FleetRemediation;
  private cursor: number;
  private latest = -Infinity;

  constructor(opts: FleetSimulatorOptions = {}) {
    this.seed = seedFrom(opts.seed ?? 1);
    this.startTime = opts.startTime ?? DEFAULT_START_TIME;
    this.intervalMs = opts.intervalMs ?? 10_000;
    if (!(this.intervalMs > 0)) throw new RangeError('intervalMs must be positive');
    const topology = opts.topology
      ? normalizeTopology(opts.topology)
      : generateTopology({ seed: this.seed, services: opts.services, hostsPerService: opts.hostsPerService, hosts: opts.hosts, loadBalancers: opts.loadBalancers });
    this.graph = buildGraph(topology);
    this.catalog = new SeriesCatalog(topology, { counters: opts.counters ?? true });
    this.model = new SeriesModel(this.graph, this.catalog, {
      seed: this.seed,
      startTime: this.startTime,
      intervalMs: this.intervalMs,
      utcOffsetHours: opts.utcOffsetHours ?? 0,
    });
    this.lower = (i) => this.model.lower(i);
    this.upper = (i) => this.model.upper(i);

    const ctx: BuildContext = { graph: this.graph, catalog: this.catalog, seed: this.seed, snap: (t) => this.snap(t) };
    const mode = opts.incidents ?? 'random';
    this.schedule = new IncidentSchedule(ctx, {
      startTime: this.startTime,
      ratePerDay: opts.incidentRatePerDay ?? (mode === 'random' ? 3 : 0),
      warmupMs: opts.warmupMs ?? 2 * HOUR,
      kindWeights: { ...DEFAULT_KIND_WEIGHTS, ...opts.incidentKinds },
    });
    if (Array.isArray(mode)) for (const spec of mode) this.schedule.add(spec);
    this.remediation = new FleetRemediation(ctx, this.schedule);

    this.counters = new CounterIntegrator(this.catalog, this.startTime, this.intervalMs, (t, out, only) => this.gauges(t, out, only));
    this.buffer = new Float64Array(this.catalog.size);
    this.cursor = this.startTime;
  }

  /** The fleet as plain data (services, hosts, dependency edges). Treat it as read-only. */
  topology(): Topology {
    return this.graph.topology;
  }

  /** Labels of every series, in the order of the values a tick produces. */
  seriesList(): readonly Labels[] {
    return this.catalog.labels;
  }

  get seriesCount(): number {
    return this.catalog.size;
  }

  /** Position of a series in seriesList(), or -1. */
  seriesIndex(metric: string, instance: string): number {
    return this.catalog.find(metric, instance);
  }

  /** Snaps a time down onto the sample grid (startTime + k * intervalMs). */
  alignTime(t: number): number {
    return this.startTime + Math.floor((t - this.startTime) / this.intervalMs) * this.intervalMs;
  }

  /**
   * Values of every series at t, written into `out` (default: an internal buffer reused by the
   * next call). No allocation per sample. Off-grid times are fine; counters then interpolate.
   */
  tick(t: number, out: Float64Array = this.buffer): Float64Array {
    if (out.length < this.catalog.size) throw new RangeError(`output buffer holds ${out.length} values, need ${this.catalog.size}`);
    this.gauges(t, out);
    this.counters.fill(t, out);
    if (t > this.latest) this.latest = t;
    return out;
  }

  /** The next sample after the previous step() (the first is at startTime). */
  step(): Tick {
    const t = this.cursor;
    this.cursor += this.intervalMs;
    return { t, values: this.tick(t) };
  }

  /** One sample of every series at t, as objects (allocates: for small fleets and examples). */
  samplesAt(t: number): Array<{ labels: Labels; value: number }> {
    const values = this.tick(t);
    return this.catalog.labels.map((labels, i) => ({ labels, value: values[i]! }));
  }

  /** Ticks on the grid from start (rounded up onto it) while t < end. The values array is reused. */
  *generate(start: number = this.startTime, end: number = start + 24 * HOUR, stepMs: number = this.intervalMs): Generator<Tick> {
    if (!(stepMs > 0)) throw new RangeError('stepMs must be positive');
    let t = this.alignTime(start);
    if (t < start) t += this.intervalMs;
    for (; t < end; t += stepMs) yield { t, values: this.tick(t) };
  }

  /**
   * Whole series over [start, end), one array per selected series, for backfills, tests and
   * exports. Memory is series x samples x 8 bytes: select what you need on large fleets.
   */
  collect(
    start: number,
    end: number,
    opts: { select?: (labels: Labels, index: number) => boolean; stepMs?: number } = {},
  ): { timestamps: Float64Array; series: CollectedSeries[] } {
    const picked: number[] = [];
    this.catalog.labels.forEach((l, i) => {
      if (!opts.select || opts.select(l, i)) picked.push(i);
    });
    const stepMs = opts.stepMs ?? this.intervalMs;
    let first = this.alignTime(start);
    if (first < start) first += this.intervalMs;
    const count = Math.max(0, Math.ceil((end - first) / stepMs));
    const timestamps = new Float64Array(count);
    const series = picked.map((index) => ({ index, labels: this.catalog.labels[index]!, values: new Float64Array(count) }));
    let k = 0;
    for (const { t, values } of this.generate(start, end, stepMs)) {
      timestamps[k] = t;
      for (let j = 0; j < series.length; j++) series[j]!.values[k] = values[series[j]!.index]!;
      k++;
    }
    return { timestamps, series };
  }

  /** Incidents that started at or before `until` (default: the latest time generated so far). */
  groundTruth(until?: number): GroundTruthIncident[] {
    const t = until ?? (this.latest > -Infinity ? this.latest : this.startTime);
    return this.schedule.between(-Infinity, t + 1).filter((i) => i.startsAt <= t);
  }

  /** Incidents overlapping [start, end). */
  incidentsBetween(start: number, end: number): GroundTruthIncident[] {
    return this.schedule.between(start, end);
  }

  /** Incidents in progress at t. */
  activeIncidents(t: number): GroundTruthIncident[] {
    return this.schedule.active(t).map((i) => i.truth);
  }

  /**
   * Adds an incident (for example from the demo's "break something" button). If it starts in
   * the past, values already generated for that time would now differ: determinism holds for
   * the same options plus the same injections.
   */
  inject(spec: IncidentSpec): GroundTruthIncident {
    const truth = this.schedule.add(spec);
    this.counters.reset();
    return truth;
  }

  // ---- remediation hooks: what an operator can do to the fleet (see remediation.ts) ----

  /**
   * Restarts a host, or every replica of a service one after the other (30 s apart), from `at`.
   * Ends a memory leak on a restarted host, a stuck or slow process (a level shift of latency or
   * CPU) on one, and a cascade whose root service is restarted. Each restarted process fails or
   * sheds requests for 20 s, then runs cold for a minute, whether or not the restart helped.
   */
  restart(target: RemediationTarget, at: number, by = 'operator'): RemediationResult {
    return this.act(at, () => this.remediation.restart(target, at, by));
  }

  /** Rolls a service back to its previous version (rolling, 30 s per replica): ends a bad deploy of it. */
  rollback(service: string, at: number, by = 'operator'): RemediationResult {
    return this.act(at, () => this.remediation.rollback(service, at, by));
  }

  /**
   * Sets a service's replicas (new ones serve after a minute): relieves a traffic surge on it in
   * proportion, and ends it once the load per replica is back within the service's headroom.
   */
  scale(service: string, change: ScaleChange, at: number, by = 'operator'): RemediationResult {
    return this.act(at, () => this.remediation.scale(service, change, at, by));
  }

  /** Frees disk space on a host: ends a disk filling up (or full) there. */
  cleanDisk(host: string, at: number, by = 'operator'): RemediationResult {
    return this.act(at, () => this.remediation.cleanDisk(host, at, by));
  }

  /** Ends an incident's fault at `at` (a fix the other hooks do not model), recorded as `by`. */
  endIncident(id: string, at: number, by = 'operator'): RemediationResult {
    return this.act(at, () => this.remediation.endIncident(id, at, by));
  }

  /** Records a deploy of a service that changes nothing (a good one), for the deploy log. */
  recordDeploy(service: string, at: number): void {
    this.remediation.recordDeploy(service, at);
  }

  /** Deploys in [start, end): bad deploys (incidents), recorded good ones and rollbacks, in order. */
  deploysBetween(start: number, end: number): DeployRecord[] {
    const out = this.remediation.deploys().filter((d) => d.at >= start && d.at < end);
    for (const i of this.schedule.between(start, end)) if (i.kind === 'bad_deploy' && i.startsAt >= start && i.startsAt < end) out.push({ service: i.rootService, at: i.startsAt, kind: 'deploy' });
    return out.sort((a, b) => a.at - b.at);
  }

  /** Every hook call so far, in order, with its outcome. */
  remediations(): RemediationRecord[] {
    return this.remediation.records();
  }

  /** Replicas a service runs now (its hosts, unless scaled). */
  replicas(service: string): number {
    return this.remediation.replicaCount(service);
  }

  /** When an incident's fault ends (or ended): when it was remediated, else its natural end. */
  faultEnd(id: string): number | undefined {
    return this.remediation.faultEnd(id);
  }

  private act(at: number, run: () => RemediationResult): RemediationResult {
    if (!Number.isFinite(at)) throw new RangeError('at must be a time in ms');
    const r = run();
    // Rates at or after `at` may have changed: counters computed past it are recomputed.
    if (at <= this.latest) this.counters.reset();
    return r;
  }

  private gauges(t: number, out: Float64Array, only?: Int32Array): void {
    this.model.evaluate(t, out, only);
    applyIncidents(this.schedule.active(t), t, out, this.lower, this.upper);
    if (this.remediation.effects.length > 0) applyEffects(this.remediation.effects, t, out, this.lower, this.upper);
  }

  private snap(t: number): number {
    return this.startTime + Math.round((t - this.startTime) / this.intervalMs) * this.intervalMs;
  }
}
