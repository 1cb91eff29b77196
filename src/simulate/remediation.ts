import { VigilError } from '../core/errors.js';
import { effectEnd } from './effects.js';
import type { BuildContext } from './incident-builder.js';
import type { IncidentSchedule } from './incident-schedule.js';
import type { AffectedSeries, Effect, Incident } from './incident-types.js';
import { M, METRICS, metricByName, roleMetric } from './metrics.js';
import { MINUTE } from './seasonality.js';
import type { ServiceNode } from './topology.js';

/**
 * Remediation hooks: what an operator (or Vigil) can do to the simulated fleet, and how that
 * changes its future. Each hook acts from a time `at`: the faults it fixes end there (their
 * effects wear off from their level at `at`, as when a fault ends naturally), the ground truth
 * records when and by what (`remediatedAt`, `remediatedBy`), and the action's own side effects
 * (a restart's brief unavailability) are added to the fleet's metrics whether or not it helped.
 *
 * What fixes what:
 * - restart (a host, or every replica of a service, one after the other): a memory leak on a
 *   restarted host (memory back to baseline, the OOM kill never comes); a stuck or slow process
 *   (a level shift of latency or CPU on a restarted host); a cascade whose root service is
 *   restarted (its callers recover after the same lags the fault took to reach them).
 * - rollback (a service): a bad deploy of that service.
 * - scale (a service's replicas): a traffic surge on it, in proportion to the added capacity;
 *   it ends when the load per replica is back within the service's headroom.
 * - cleanDisk (a host): a disk filling up or full on that host.
 * - endIncident: any incident (a fix no hook models: a person's, or a fault's own end).
 * Anything else is not effective (`effective: false`): the action still happens, with its
 * side effects (a wrong restart still costs a blip).
 */

export interface RemediationTarget {
  service: string;
  /** One host of the service; absent: every replica, one after the other. */
  host?: string;
}

export interface ScaleChange {
  /** The new number of replicas. */
  replicas?: number;
  /** Replicas to add (negative: remove). */
  delta?: number;
  /** Multiply the replicas by this (rounded up). */
  factor?: number;
}

export type RemediationAction = 'restart' | 'rollback' | 'scale' | 'clean_disk' | 'end_incident';

export interface RemediationResult {
  action: RemediationAction;
  at: number;
  /** True when the action ended (or, for scaling, relieved) at least one fault in progress. */
  effective: boolean;
  /** Ids of the incidents it ended or relieved. */
  incidents: string[];
  /** One line saying what happened. */
  note: string;
}

export interface RemediationRecord extends RemediationResult {
  service?: string;
  host?: string;
  by: string;
}

export interface DeployRecord {
  service: string;
  at: number;
  kind: 'deploy' | 'rollback';
}

/** A restarting process: requests to it fail or are shed while it drains and starts, then it runs cold. */
const RESTART_DOWN_MS = 20_000;
/** A rolling restart or rollback moves to the next replica after this long. */
export const ROLLING_STEP_MS = 30_000;
/** New replicas take this long to serve traffic. */
export const SCALE_UP_MS = MINUTE;
/** Load per replica (relative to normal) a service absorbs without saturating. */
const HEADROOM = 1.2;
/** A surge counts as over when its saturation is down to this share of its peak. */
const RELIEVED = 0.1;

export class FleetRemediation {
  /** Side effects of actions (restart blips), not part of any incident. */
  readonly effects: Effect[] = [];
  private readonly log: RemediationRecord[] = [];
  private readonly deployLog: DeployRecord[] = [];
  private readonly replicas = new Map<string, number>();

  constructor(
    private readonly ctx: BuildContext,
    private readonly schedule: IncidentSchedule,
  ) {}

  records(): RemediationRecord[] {
    return this.log.slice();
  }

  deploys(): DeployRecord[] {
    return this.deployLog.slice();
  }

  recordDeploy(service: string, at: number): void {
    this.service(service);
    this.deployLog.push({ service, at, kind: 'deploy' });
  }

  replicaCount(service: string): number {
    return this.replicas.get(service) ?? this.service(service).hosts.length;
  }

  restart(target: RemediationTarget, at: number, by: string): RemediationResult {
    const svc = this.service(target.service);
    if (target.host !== undefined && !svc.hosts.includes(target.host)) throw bad(`host "${target.host}" does not run ${svc.name}`);
    const hosts = target.host !== undefined ? [target.host] : svc.hosts;
    const when = new Map(hosts.map((h, k) => [h, at + k * ROLLING_STEP_MS]));
    const done = at + (hosts.length - 1) * ROLLING_STEP_MS;
    for (const [h, s] of when) this.restartBlip(svc, h, s);
    const fixed: string[] = [];
    for (const inc of this.live(at)) {
      const t = inc.truth;
      if (t.rootService !== svc.name) continue;
      if (t.kind === 'memory_leak' || (t.kind === 'level_shift' && restartable(t.rootMetric))) {
        const s = t.rootHost !== undefined ? when.get(t.rootHost) : undefined;
        if (s === undefined || s >= inc.faultEndsAt) continue;
        this.cut(inc, s, 10_000, 'restart', by);
        fixed.push(t.id);
      } else if (t.kind === 'cascade') {
        // The root's replicas must all be restarted: the whole service, or the one faulty host.
        const all = t.rootHost === undefined ? svc.hosts : [t.rootHost];
        if (!all.every((h) => when.has(h))) continue;
        const end = Math.max(...all.map((h) => when.get(h)!));
        if (end >= inc.faultEndsAt) continue;
        this.cut(inc, end, MINUTE, 'restart', by);
        fixed.push(t.id);
      }
    }
    const what = target.host !== undefined ? `${target.host} (${svc.name})` : `${svc.name} (${hosts.length} replica${hosts.length === 1 ? '' : 's'}, rolling, done +${(done - at) / 1000}s)`;
    return this.record({ action: 'restart', at, effective: fixed.length > 0, incidents: fixed, note: `restarted ${what}` }, by, svc.name, target.host);
  }

  rollback(service: string, at: number, by: string): RemediationResult {
    const svc = this.service(service);
    const done = at + svc.hosts.length * ROLLING_STEP_MS;
    this.deployLog.push({ service, at, kind: 'rollback' });
    const fixed: string[] = [];
    for (const inc of this.live(at)) {
      if (inc.truth.kind !== 'bad_deploy' || inc.truth.rootService !== svc.name || done >= inc.faultEndsAt) continue;
      this.cut(inc, done, 30_000, 'rollback', by);
      fixed.push(inc.truth.id);
    }
    return this.record({ action: 'rollback', at, effective: fixed.length > 0, incidents: fixed, note: `rolled back ${svc.name} to its previous version (done +${(done - at) / 1000}s)` }, by, svc.name);
  }

  scale(service: string, change: ScaleChange, at: number, by: string): RemediationResult {
    const svc = this.service(service);
    const before = this.replicaCount(service);
    let after = before;
    if (change.replicas !== undefined) after = change.replicas;
    else if (change.delta !== undefined) after = before + change.delta;
    else if (change.factor !== undefined) after = Math.ceil(before * change.factor);
    if (!Number.isFinite(after)) throw bad('scale needs replicas, delta or factor');
    after = Math.max(1, Math.round(after));
    this.replicas.set(service, after);
    const helped: string[] = [];
    const from = at + SCALE_UP_MS;
    for (const inc of this.live(at)) {
      if (inc.truth.kind !== 'traffic_surge' || inc.truth.rootService !== svc.name || from >= inc.faultEndsAt) continue;
      const m = inc.truth.magnitude;
      const normal = inc.replicas ?? svc.hosts.length;
      const current = inc.effects.filter((e) => e.tag !== undefined && e.cutAt === undefined);
      // The surge's effects are written for the replicas serving it so far (its start: the normal ones).
      const oldExcess = excessShare(m, normal, inc.serving ?? normal);
      inc.serving = after;
      const load = ((1 + m) * normal) / after;
      const excess = excessShare(m, normal, after);
      if (excess >= oldExcess) continue;
      helped.push(inc.truth.id);
      if (excess <= RELIEVED) {
        this.cut(inc, from, SCALE_UP_MS, 'scale', by);
        continue;
      }
      // Capacity arrives over SCALE_UP_MS: the old levels fade as the new ones build up.
      for (const e of current) {
        e.cutAt = from;
        e.cutDecayMs = SCALE_UP_MS;
        const amount = e.tag === 'load' ? (e.base! * (load - 1)) / m : e.base! * excess;
        const next: Effect = { series: e.series, op: e.op, amount, startsAt: from, rampMs: SCALE_UP_MS, endsAt: e.endsAt, decayMs: e.decayMs, hop: 0, tag: e.tag!, base: e.base! };
        inc.effects.push(next);
        inc.truth.affected.push(this.affectedOf(next, svc));
      }
      this.settle(inc);
    }
    return this.record(
      { action: 'scale', at, effective: helped.length > 0, incidents: helped, note: `scaled ${svc.name} from ${before} to ${after} replicas` },
      by,
      svc.name,
    );
  }

  cleanDisk(host: string, at: number, by: string): RemediationResult {
    const hi = this.ctx.catalog.hostIndexOf(host);
    if (hi < 0) throw bad(`unknown host "${host}"`);
    const service = this.ctx.graph.topology.hosts[hi]!.service;
    const fixed: string[] = [];
    for (const inc of this.live(at)) {
      if (inc.truth.kind !== 'disk_fill' || inc.truth.rootHost !== host) continue;
      this.cut(inc, at, MINUTE, 'clean_disk', by);
      fixed.push(inc.truth.id);
    }
    return this.record({ action: 'clean_disk', at, effective: fixed.length > 0, incidents: fixed, note: `freed disk space on ${host}` }, by, service, host);
  }

  endIncident(id: string, at: number, by: string): RemediationResult {
    const inc = this.schedule.find(id);
    if (!inc) throw bad(`unknown incident "${id}"`);
    const live = inc.truth.startsAt <= at && at < inc.faultEndsAt && inc.truth.remediatedAt === undefined;
    if (live) this.cut(inc, at, MINUTE, 'end_incident', by);
    return this.record({ action: 'end_incident', at, effective: live, incidents: live ? [id] : [], note: `ended ${id}` }, by, inc.truth.rootService, inc.truth.rootHost);
  }

  /** When an incident's fault ends if nothing more is done (its natural end, or the remediation's). */
  faultEnd(id: string): number | undefined {
    const inc = this.schedule.find(id);
    if (!inc) return undefined;
    return inc.truth.remediatedAt ?? inc.faultEndsAt;
  }

  /** Incidents whose fault is in progress at t and not yet remediated. */
  private live(t: number): Incident[] {
    return this.schedule.active(t).filter((i) => i.truth.startsAt <= t && t < i.faultEndsAt && i.truth.remediatedAt === undefined);
  }

  /**
   * Ends an incident's fault at `at`: every effect falls from its level then over `decayMs` (or
   * its own decay if longer); effects not yet started never start. A cascade's callers recover
   * after the same lag the fault took to reach them.
   */
  private cut(inc: Incident, at: number, decayMs: number, action: RemediationAction, by: string): void {
    const t = inc.truth;
    for (const e of inc.effects) {
      const lag = t.kind === 'cascade' ? e.startsAt - t.startsAt : 0;
      const cutAt = at + lag;
      if (e.cutAt !== undefined && e.cutAt <= cutAt) continue;
      e.cutAt = cutAt;
      e.cutDecayMs = Math.max(decayMs, t.kind === 'cascade' ? e.decayMs : 0);
    }
    if (t.naturalEndsAt === undefined) t.naturalEndsAt = t.endsAt;
    t.remediatedAt = at;
    t.remediatedBy = by;
    t.remediatedWith = action;
    inc.faultEndsAt = Math.min(inc.faultEndsAt, at);
    this.settle(inc);
  }

  /** Recomputes when each affected series (and the incident) is back to normal. */
  private settle(inc: Incident): void {
    const t = inc.truth;
    if (t.naturalEndsAt === undefined) t.naturalEndsAt = t.endsAt;
    const kept: AffectedSeries[] = [];
    for (const a of t.affected) {
      const series = this.ctx.catalog.find(a.metric, a.instance);
      let end = -Infinity;
      for (const e of inc.effects) if (e.series === series && e.startsAt === a.startsAt && e.hop === a.hop) end = Math.max(end, effectEnd(e));
      if (end === -Infinity) end = a.endsAt;
      if (end <= a.startsAt) continue;
      a.endsAt = end;
      kept.push(a);
    }
    t.affected = kept.sort((a, b) => a.startsAt - b.startsAt || a.hop - b.hop);
    t.endsAt = kept.length ? Math.max(...kept.map((a) => a.endsAt)) : (t.remediatedAt ?? t.startsAt);
    this.schedule.patch(inc);
  }

  private affectedOf(e: Effect, svc: ServiceNode): AffectedSeries {
    const labels = this.ctx.catalog.labels[e.series]!;
    return { labels, metric: labels.__name__!, service: svc.name, instance: labels.instance!, startsAt: e.startsAt, endsAt: effectEnd(e), hop: e.hop };
  }

  private restartBlip(svc: ServiceNode, host: string, s: number): void {
    const add = (metric: number, op: Effect['op'], amount: number, from: number, holdMs: number, decayMs: number) => {
      const series = this.ctx.catalog.find(METRICS[metric]!.name, host);
      if (series >= 0) this.effects.push({ series, op, amount, startsAt: from, rampMs: 0, endsAt: from + holdMs, decayMs, hop: 0 });
    };
    const errors = roleMetric(svc.type, 'errors');
    const throughput = roleMetric(svc.type, 'throughput');
    const latency = roleMetric(svc.type, 'latency');
    add(errors.id, 'add', 0.15, s, RESTART_DOWN_MS, 10_000);
    add(throughput.id, 'mul', -0.6, s, RESTART_DOWN_MS, 10_000);
    // Cold start: caches empty, JIT warming up.
    add(latency.id, 'mul', 0.5, s + RESTART_DOWN_MS, MINUTE, 30_000);
    add(M.cpu, 'add', 0.2, s + RESTART_DOWN_MS, MINUTE, 30_000);
  }

  private record(r: RemediationResult, by: string, service?: string, host?: string): RemediationResult {
    const rec: RemediationRecord = { ...r, by };
    if (service !== undefined) rec.service = service;
    if (host !== undefined) rec.host = host;
    this.log.push(rec);
    return r;
  }

  private service(name: string): ServiceNode {
    const i = this.ctx.graph.index.get(name);
    if (i === undefined) throw bad(`unknown service "${name}"`);
    return this.ctx.graph.topology.services[i]!;
  }
}

/** A stuck or runaway process shows as a lasting shift of latency or CPU; a restart clears it. */
function restartable(metric: string): boolean {
  const m = metricByName(metric);
  return m !== undefined && (m.role === 'latency' || m.id === M.cpu);
}

/** The surge's saturation with `replicas` serving it, as a share of its saturation on `normal` replicas. */
function excessShare(m: number, normal: number, replicas: number): number {
  const peak = 1 + m - HEADROOM;
  if (peak <= 0) return 0;
  return Math.max(0, ((1 + m) * normal) / replicas - HEADROOM) / peak;
}

function bad(message: string): VigilError {
  return new VigilError('BAD_REMEDIATION', message);
}
