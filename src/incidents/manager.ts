import { type AlertEvent, type AnomalyEvent, type IncidentEvent, type Severity, VigilError, hashString64, severityRank } from '../core/index.js';
import { CoOccurrence, type CorrelatableEvent, type CorrelationView, IncidentCorrelator, StillAlerting, hostOf, travelsToCallers } from './correlate/index.js';
import { IncidentClassifier } from './classify/index.js';
import { incidentSeverity, incidentSummary, incidentTitle } from './describe.js';
import type { IncidentStore } from './incident-store.js';
import { memberFromAlert, memberFromAnomaly } from './members.js';
import type { Incident, IncidentMember, IncidentState, IncidentType, RootCauseLabel, SimilarIncident, TimelineEntry, TimelineKind } from './model.js';
import { MemberRanker } from './rank-members.js';
import { SimilarIncidents } from './similar/index.js';
import type { ServiceGraph } from './topology/service-graph.js';

/**
 * The incident stage: alert and anomaly events in, incidents out. Correlation
 * decides which incident an event joins; the manager keeps each incident's
 * members, timeline, severity, title and summary, root-cause ranking and
 * classification current, runs the lifecycle (open → acknowledged →
 * mitigated → resolved) and persists every change.
 *
 * Automatic transitions (in `tick`): an incident whose alerts have all
 * resolved (or, with anomalies only, that has been quiet for the correlation
 * window) is mitigated; a mitigated incident quiet for `resolveAfterMs` is
 * resolved. A new member re-opens a mitigated incident.
 */

const DEFER_ABOVE = 50;

export interface IncidentSettings {
  windowMs: number;
  maxHops: number;
  /** Anomaly events of this severity or above may open an incident; below it they only join one. */
  anomalyOpenSeverity: Severity | 'none';
  /** This many affected services or more raise the severity one step. */
  blastRadiusServices: number;
  resolveAfterMs: number;
  /** Labelled incidents needed before the classifier's forests replace its rules. */
  minTrainingIncidents: number;
  similarLimit: number;
}

export const DEFAULT_INCIDENT_SETTINGS: IncidentSettings = {
  windowMs: 10 * 60_000,
  maxHops: 3,
  anomalyOpenSeverity: 'high',
  blastRadiusServices: 3,
  resolveAfterMs: 30 * 60_000,
  minTrainingIncidents: 20,
  similarLimit: 5,
};

export interface IncidentManagerOptions {
  store: IncidentStore;
  graph?: () => ServiceGraph | undefined;
  settings?: Partial<IncidentSettings>;
  now?: () => number;
  logger?: { error(obj: object, msg?: string): void };
}

export type IncidentChange = 'opened' | 'updated' | 'acknowledged' | 'mitigated' | 'resolved';
export type IncidentListener = (inc: Incident, change: IncidentChange) => void;

export interface IncidentDetail {
  incident: Incident;
  similar: SimilarIncident[];
}

export class IncidentManager {
  readonly settings: IncidentSettings;
  private readonly store: IncidentStore;
  private readonly graph: () => ServiceGraph | undefined;
  private readonly now: () => number;
  private readonly logger: IncidentManagerOptions['logger'];
  private readonly correlator: IncidentCorrelator;
  private readonly coOccurrence = new CoOccurrence();
  private readonly classifier: IncidentClassifier;
  private readonly ranker = new MemberRanker();
  /** Incidents not yet resolved, by id. */
  private readonly open = new Map<string, Incident>();
  /** Member id -> open incident id. */
  private readonly memberOf = new Map<string, string>();
  /** Alerts still firing when their incident was resolved: member id -> onset of that episode. */
  private readonly closedAlerts = new Map<string, number>();
  /** Weak events waiting in the correlator, by id. */
  private readonly waiting = new Map<string, IncidentMember>();
  private readonly listeners: IncidentListener[] = [];
  private priors = new Map<string, number>();
  private similarIndex: SimilarIncidents | undefined;
  private timer: NodeJS.Timeout | undefined;
  private seq = 0;
  /** Large incidents with members not yet ranked and saved (see refreshOrDefer). */
  private readonly stale = new Set<string>();

  constructor(opts: IncidentManagerOptions) {
    this.settings = { ...DEFAULT_INCIDENT_SETTINGS, ...opts.settings };
    this.store = opts.store;
    this.graph = opts.graph ?? (() => undefined);
    this.now = opts.now ?? Date.now;
    this.logger = opts.logger;
    this.classifier = new IncidentClassifier(this.settings.minTrainingIncidents);
    this.correlator = new IncidentCorrelator(this.graph, { windowMs: this.settings.windowMs, maxHops: this.settings.maxHops, coOccurrence: this.coOccurrence }, (e) => this.newId(e));
    for (const inc of this.store.list({ notState: 'resolved' })) {
      this.open.set(inc.id, inc);
      for (const m of inc.members) this.memberOf.set(m.id, inc.id);
      this.correlator.track(viewOf(inc));
    }
    for (const inc of this.store.list({ state: 'resolved' })) if (!inc.mergedInto) this.coOccurrence.learn(inc.services);
    for (const inc of this.store.list({ state: 'resolved', limit: 200 }))
      for (const m of inc.members) if (m.kind === 'alert' && m.state === 'firing' && !this.memberOf.has(m.id)) this.closedAlerts.set(m.id, Math.max(m.t, this.closedAlerts.get(m.id) ?? -Infinity));
    this.relearn();
  }

  onChange(l: IncidentListener): () => void {
    this.listeners.push(l);
    return () => this.listeners.splice(this.listeners.indexOf(l) >>> 0, 1);
  }

  // ---- events in ----

  observeAlert(e: AlertEvent): void {
    if (e.kind !== 'alert' || e.state === 'pending') return;
    const m = memberFromAlert(e);
    const known = this.memberOf.get(m.id);
    if (known) return this.updateAlert(this.open.get(known)!, m, e);
    // An alert of an incident resolved while it still fired stays with that incident until it ends.
    const closedAt = this.closedAlerts.get(m.id);
    if (closedAt !== undefined) {
      if (m.state === 'resolved' || m.t > closedAt) this.closedAlerts.delete(m.id);
      if (m.t <= closedAt) return;
    }
    if (m.state === 'resolved') return;
    this.place(m, true);
  }

  observeAnomaly(e: AnomalyEvent): void {
    const m = memberFromAnomaly(e);
    if (this.memberOf.has(m.id) || this.waiting.has(m.id)) return;
    const open = this.settings.anomalyOpenSeverity;
    this.place(m, open !== 'none' && severityRank(e.severity) >= severityRank(open));
  }

  private place(m: IncidentMember, canOpen: boolean): void {
    const ev: CorrelatableEvent = { id: m.id, t: m.t, labels: m.labels, canOpen, kind: m.symptom, ...(m.service !== undefined && { service: m.service }) };
    const p = this.correlator.place(ev);
    this.pruneWaiting(m.t);
    if (!p) {
      this.waiting.set(m.id, m);
      return;
    }
    const now = this.now();
    let inc = this.open.get(p.incidentId);
    const opened = !inc;
    if (!inc) {
      inc = { id: p.incidentId, state: 'open', severity: m.severity, title: '', summary: '', services: [], openedAt: now, updatedAt: now, lastEventAt: m.t, members: [], timeline: [], rootCauses: [] };
      this.open.set(inc.id, inc);
      inc.timeline.push({ t: now, kind: 'opened', text: `opened by ${m.text}`, memberId: m.id });
    }
    this.addMember(inc, m, opened ? undefined : p.reason, now);
    for (const { event, reason } of p.pulled) {
      const w = this.waiting.get(event.id);
      if (!w) continue;
      this.waiting.delete(event.id);
      this.addMember(inc, w, reason, now);
    }
    if (inc.state === 'mitigated') this.setState(inc, inc.ack ? 'acknowledged' : 'open', now, 'new activity');
    this.refreshOrDefer(inc, opened ? 'opened' : 'updated', now);
  }

  /**
   * Re-ranking and saving a large incident on every new member would make an
   * alert storm quadratic: past DEFER_ABOVE members they happen at most once
   * per tick (and before any read of the incident).
   */
  private refreshOrDefer(inc: Incident, change: IncidentChange, now: number): void {
    if (change === 'opened' || inc.members.length <= DEFER_ABOVE) {
      this.stale.delete(inc.id);
      this.refresh(inc, now);
      this.commit(inc, change);
    } else this.stale.add(inc.id);
  }

  private flushStale(id?: string): void {
    for (const s of id === undefined ? [...this.stale] : this.stale.has(id) ? [id] : []) {
      this.stale.delete(s);
      const inc = this.open.get(s);
      if (!inc) continue;
      this.refresh(inc, this.now());
      this.commit(inc, 'updated');
    }
  }

  private addMember(inc: Incident, m: IncidentMember, reason: string | undefined, now: number): void {
    inc.members.push(m);
    this.memberOf.set(m.id, inc.id);
    if (m.kind === 'alert' && m.state === 'firing') this.correlator.view(inc.id)?.alerting.fired(m.labels, m.service);
    if (m.service && !inc.services.includes(m.service)) inc.services.push(m.service);
    inc.lastEventAt = Math.max(inc.lastEventAt, m.t);
    inc.timeline.push({ t: now, kind: 'joined', text: reason ? `${m.text} — ${reason}` : m.text, memberId: m.id });
  }

  private updateAlert(inc: Incident, m: IncidentMember, e: AlertEvent): void {
    const cur = inc.members.find((x) => x.id === m.id);
    if (!cur) return;
    const now = this.now();
    if (m.state === 'resolved' && cur.state === 'firing') {
      cur.state = 'resolved';
      cur.endedAt = e.endsAt ?? now;
      this.correlator.view(inc.id)?.alerting.ended(cur.labels, cur.service);
      inc.timeline.push({ t: now, kind: 'member_resolved', text: `resolved: ${cur.metric}${cur.service ? ` on ${cur.service}` : ''}`, memberId: cur.id });
    } else if (m.state === 'firing' && cur.state === 'resolved') {
      cur.state = 'firing';
      delete cur.endedAt;
      this.correlator.view(inc.id)?.alerting.fired(cur.labels, cur.service);
      inc.timeline.push({ t: now, kind: 'joined', text: `fired again: ${m.text}`, memberId: cur.id });
      if (inc.state === 'mitigated') this.setState(inc, inc.ack ? 'acknowledged' : 'open', now, 'an alert fired again');
    } else if (m.severity !== cur.severity) {
      cur.severity = m.severity;
      cur.score = m.score;
    } else return;
    this.refreshOrDefer(inc, 'updated', now);
  }

  // ---- lifecycle ----

  /** Automatic transitions; returns the incidents that changed. Called every second by `start()`. */
  tick(now = this.now()): Incident[] {
    this.flushStale();
    // An alert that never reported its end is forgotten after a week.
    for (const [id, t] of this.closedAlerts) if (t < now - 7 * 86_400_000) this.closedAlerts.delete(id);
    const changed: Incident[] = [];
    for (const inc of [...this.open.values()]) {
      const alerts = inc.members.filter((m) => m.kind === 'alert');
      const quiet = now - inc.lastEventAt >= this.settings.windowMs;
      if (inc.state === 'open' || inc.state === 'acknowledged') {
        const allResolved = alerts.length > 0 ? alerts.every((m) => m.state === 'resolved') : quiet;
        if (allResolved) {
          this.setState(inc, 'mitigated', now, alerts.length ? 'every alert resolved' : 'no new anomalies');
          this.commit(inc, 'mitigated');
          changed.push(inc);
        }
      } else if (inc.state === 'mitigated' && now - Math.max(inc.mitigatedAt ?? now, inc.lastEventAt) >= this.settings.resolveAfterMs) {
        this.finish(inc, { by: 'vigil', at: now, note: `resolved automatically: quiet for ${Math.round(this.settings.resolveAfterMs / 60_000)} min after mitigation` });
        changed.push(inc);
      }
    }
    return changed;
  }

  start(intervalMs = 1000): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      try {
        this.tick();
      } catch (err) {
        this.logger?.error({ err }, 'incident lifecycle tick failed');
      }
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  // ---- reads ----

  /** Newest first; open ones from memory, the rest from the store. */
  list(filter: { state?: IncidentState; limit?: number } = {}): Incident[] {
    this.flushStale();
    return this.store.list(filter);
  }

  get(id: string): Incident | undefined {
    this.flushStale(id);
    return this.open.get(id) ?? this.store.get(id);
  }

  /** An incident with the most similar resolved incidents. */
  detail(id: string): IncidentDetail {
    const incident = this.required(id);
    this.similarIndex ??= new SimilarIncidents(this.store.list({ state: 'resolved' }).filter((i) => !i.mergedInto));
    return { incident, similar: this.similarIndex.search(incident, this.settings.similarLimit) };
  }

  /** The service dependency graph the stage correlates and ranks on (as of now). */
  serviceGraph(): ServiceGraph | undefined {
    return this.graph();
  }

  /** The open incident an alert belongs to (by fingerprint). */
  incidentOfAlert(fingerprint: string): Incident | undefined {
    const id = this.memberOf.get(`alert:${fingerprint}`);
    return id ? this.open.get(id) : undefined;
  }

  openIncidents(): Incident[] {
    this.flushStale();
    return [...this.open.values()];
  }

  // ---- actions ----

  ack(id: string, by: string, comment?: string): Incident {
    const inc = this.openRequired(id);
    const now = this.now();
    inc.ack = { by, at: now, ...(comment !== undefined && { comment }) };
    if (inc.state === 'open') this.setState(inc, 'acknowledged', now, comment ? `by ${by}: ${comment}` : `by ${by}`, by);
    else inc.timeline.push({ t: now, kind: 'note', text: `acknowledged by ${by}${comment ? `: ${comment}` : ''}`, by });
    this.commit(inc, 'acknowledged');
    return inc;
  }

  mitigate(id: string, by: string, note?: string): Incident {
    const inc = this.openRequired(id);
    if (inc.state === 'mitigated') return inc;
    this.setState(inc, 'mitigated', this.now(), note ? `by ${by}: ${note}` : `by ${by}`, by);
    this.commit(inc, 'mitigated');
    return inc;
  }

  resolve(id: string, by: string, note: string): Incident {
    const inc = this.openRequired(id);
    this.finish(inc, { by, at: this.now(), note });
    return inc;
  }

  /** A line from another stage in the timeline (remediation actions), without a state change or a listener call. */
  addTimeline(id: string, kind: TimelineKind, text: string, by?: string): void {
    const inc = this.get(id);
    if (!inc) return;
    const now = this.now();
    inc.timeline.push({ t: now, kind, text, ...(by && { by }) });
    inc.updatedAt = now;
    this.store.save(inc);
  }

  /** Moves every member of `others` into `id`; each of them is closed, pointing at `id`. */
  merge(id: string, others: readonly string[], by: string): Incident {
    const target = this.openRequired(id);
    if (others.length === 0) throw new VigilError('BAD_PARAM', 'incidents: at least one incident id to merge is required', 400);
    const sources = [...new Set(others)].map((o) => {
      if (o === id) throw new VigilError('BAD_PARAM', `incidents: cannot merge incident ${id} into itself`, 400);
      return this.openRequired(o);
    });
    const now = this.now();
    for (const src of sources) {
      for (const m of src.members) {
        if (target.members.some((x) => x.id === m.id)) continue;
        target.members.push(m);
        this.memberOf.set(m.id, target.id);
        if (m.service && !target.services.includes(m.service)) target.services.push(m.service);
        target.lastEventAt = Math.max(target.lastEventAt, m.t);
      }
      target.openedAt = Math.min(target.openedAt, src.openedAt);
      target.timeline.push({ t: now, kind: 'merged', text: `merged ${src.id} (${src.members.length} members: ${src.title}) by ${by}`, by });
      src.mergedInto = target.id;
      src.timeline.push({ t: now, kind: 'merged', text: `merged into ${target.id} by ${by}`, by });
      this.correlator.untrack(src.id);
      this.open.delete(src.id);
      src.members.forEach((m) => this.memberOf.set(m.id, target.id));
      src.state = 'resolved';
      src.resolution = { by, at: now, note: `merged into ${target.id}` };
      src.updatedAt = now;
      this.store.save(src);
      this.emit(src, 'resolved');
    }
    this.correlator.track(viewOf(target));
    this.refresh(target, now);
    this.commit(target, 'updated');
    return target;
  }

  /** Moves the given members of `id` into a new incident, which is returned. */
  split(id: string, memberIds: readonly string[], by: string): Incident {
    const src = this.openRequired(id);
    const ids = new Set(memberIds);
    if (ids.size === 0) throw new VigilError('BAD_PARAM', 'members: at least one member id to move is required', 400);
    for (const m of ids) if (!src.members.some((x) => x.id === m)) throw new VigilError('BAD_PARAM', `members: ${m} is not a member of incident ${id}`, 400);
    if (ids.size === src.members.length) throw new VigilError('BAD_PARAM', 'members: cannot move every member (the incident would be empty)', 400);
    const now = this.now();
    const moved = src.members.filter((m) => ids.has(m.id));
    src.members = src.members.filter((m) => !ids.has(m.id));
    src.services = servicesOf(src.members);
    src.lastEventAt = Math.max(...src.members.map((m) => m.t));
    const first = [...moved].sort((a, b) => a.t - b.t)[0];
    const inc: Incident = {
      id: this.newId({ id: first.id, t: first.t }),
      state: 'open',
      severity: first.severity,
      title: '',
      summary: '',
      services: servicesOf(moved),
      openedAt: now,
      updatedAt: now,
      lastEventAt: Math.max(...moved.map((m) => m.t)),
      members: moved,
      timeline: [{ t: now, kind: 'split', text: `split from ${src.id} by ${by} (${moved.length} members)`, by }],
      rootCauses: [],
    };
    src.timeline.push({ t: now, kind: 'split', text: `${moved.length} members moved to ${inc.id} by ${by}`, by });
    this.open.set(inc.id, inc);
    for (const m of moved) this.memberOf.set(m.id, inc.id);
    this.correlator.track(viewOf(src));
    this.correlator.track(viewOf(inc));
    this.refresh(src, now);
    this.refresh(inc, now);
    this.commit(src, 'updated');
    this.commit(inc, 'opened');
    return inc;
  }

  /** Records the true root cause (and optionally type and severity): it feeds ranking priors and classifier training. */
  label(id: string, label: Omit<RootCauseLabel, 'at'>): Incident {
    const inc = this.required(id);
    const now = this.now();
    inc.label = { ...label, at: now };
    inc.timeline.push({ t: now, kind: 'root_cause', text: `root cause labelled ${label.service}${label.metric ? ` (${label.metric})` : ''}${label.type ? `, type ${label.type}` : ''} by ${label.by}`, by: label.by });
    inc.updatedAt = now;
    this.store.save(inc);
    this.relearn();
    this.similarIndex = undefined;
    if (this.open.has(id)) this.refresh(inc, now);
    this.store.save(inc);
    this.emit(inc, 'updated');
    return inc;
  }

  /** Records that an incident-level notification went out (persisted, so a restart does not page again). */
  markNotified(id: string, notified: NonNullable<Incident['notified']>): void {
    const inc = this.get(id);
    if (!inc) return;
    inc.notified = notified;
    this.store.save(inc);
  }

  close(): void {
    this.stop();
  }

  // ---- internals ----

  private finish(inc: Incident, resolution: NonNullable<Incident['resolution']>): void {
    inc.resolution = resolution;
    this.setState(inc, 'resolved', resolution.at, `by ${resolution.by}: ${resolution.note}`, resolution.by);
    this.correlator.untrack(inc.id);
    this.open.delete(inc.id);
    for (const m of inc.members) {
      if (this.memberOf.get(m.id) !== inc.id) continue;
      this.memberOf.delete(m.id);
      if (m.kind === 'alert' && m.state === 'firing') this.closedAlerts.set(m.id, m.t);
    }
    this.coOccurrence.learn(inc.services);
    this.similarIndex = undefined;
    this.commit(inc, 'resolved');
  }

  private setState(inc: Incident, state: IncidentState, now: number, why: string, by?: string): void {
    if (inc.state === state) return;
    inc.timeline.push({ t: now, kind: 'state', text: `${inc.state} → ${state}: ${why}`, ...(by !== undefined && { by }) });
    inc.state = state;
    if (state === 'mitigated') inc.mitigatedAt = now;
  }

  /** Re-ranks, re-classifies and re-describes after a change of members. */
  private refresh(inc: Incident, now: number): void {
    const graph = this.graph();
    try {
      inc.rootCauses = this.ranker.rank(graph, inc.members, this.priors);
    } catch (err) {
      this.logger?.error({ err, incident: inc.id }, 'root-cause ranking failed');
    }
    const before = inc.severity;
    inc.severity = incidentSeverity(inc.members, inc.services, graph, { services: this.settings.blastRadiusServices });
    if (severityRank(inc.severity) > severityRank(before) && inc.members.length > 1)
      inc.timeline.push({ t: now, kind: 'severity', text: `severity ${before} → ${inc.severity} (${inc.services.length} services affected)` });
    inc.classification = this.classifier.classify(inc, graph);
    inc.title = incidentTitle(inc);
    inc.summary = incidentSummary(inc);
  }

  private commit(inc: Incident, change: IncidentChange): void {
    inc.updatedAt = this.now();
    this.store.save(inc);
    this.emit(inc, change);
  }

  private emit(inc: Incident, change: IncidentChange): void {
    for (const l of this.listeners) {
      try {
        l(inc, change);
      } catch (err) {
        this.logger?.error({ err }, 'incident listener failed');
      }
    }
  }

  /** Priors (share of labelled root causes per service) and classifier training from labelled incidents. */
  private relearn(): void {
    const labelled = this.store.list({ labelled: true });
    const counts = new Map<string, number>();
    for (const i of labelled) counts.set(i.label!.service, (counts.get(i.label!.service) ?? 0) + 1);
    this.priors = new Map([...counts].map(([s, n]) => [s, n / labelled.length]));
    this.classifier.train(labelled, this.graph());
  }

  private pruneWaiting(now: number): void {
    if (this.waiting.size < 1000) return;
    for (const [id, m] of this.waiting) if (m.t < now - this.settings.windowMs) this.waiting.delete(id);
  }

  private required(id: string): Incident {
    const inc = this.get(id);
    if (!inc) throw new VigilError('INCIDENT_NOT_FOUND', `incident ${id} not found`, 404);
    return inc;
  }

  private openRequired(id: string): Incident {
    this.flushStale(id);
    const inc = this.open.get(id);
    if (inc) return inc;
    const stored = this.store.get(id);
    if (!stored) throw new VigilError('INCIDENT_NOT_FOUND', `incident ${id} not found`, 404);
    throw new VigilError('INCIDENT_CLOSED', `incident ${id} is resolved${stored.mergedInto ? ` (merged into ${stored.mergedInto})` : ''}`, 409);
  }

  private newId(e: { id: string; t: number }): string {
    return `inc-${Math.floor(e.t / 1000).toString(36)}-${hashString64(`${e.id}#${this.seq++}`).slice(0, 6)}`;
  }
}

function servicesOf(members: readonly IncidentMember[]): string[] {
  const out: string[] = [];
  for (const m of [...members].sort((a, b) => a.t - b.t)) if (m.service && !out.includes(m.service)) out.push(m.service);
  return out;
}

function viewOf(inc: Incident): CorrelationView {
  const hosts = new Set<string>();
  const symptomatic = new Set<string>();
  const alerting = new StillAlerting();
  for (const m of inc.members) {
    const h = hostOf(m.labels);
    if (h) hosts.add(h);
    if (m.service && travelsToCallers(m.symptom)) symptomatic.add(m.service);
    if (m.kind === 'alert' && m.state === 'firing') alerting.fired(m.labels, m.service);
  }
  const ts = inc.members.map((m) => m.t);
  return { id: inc.id, services: new Set(inc.services), symptomatic, hosts, firstAt: Math.min(...ts), lastAt: Math.max(...ts), alerting };
}

/** The pipeline's incident event (src/core/events.ts). */
export function toIncidentEvent(inc: Incident): IncidentEvent {
  return {
    kind: 'incident',
    id: inc.id,
    state: inc.state,
    severity: inc.severity,
    title: inc.title,
    services: [...inc.services],
    openedAt: inc.openedAt,
    updatedAt: inc.updatedAt,
    memberFingerprints: inc.members.filter((m) => m.kind === 'alert').map((m) => m.ref),
  };
}

export type { IncidentType, TimelineEntry };
