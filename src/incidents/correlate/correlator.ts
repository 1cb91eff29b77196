import type { Labels } from '../../core/index.js';
import type { ServiceGraph } from '../topology/service-graph.js';
import type { SignalKind } from '../rca/options.js';
import { CoOccurrence } from './co-occurrence.js';
import { kindOf, travelsToCallers } from './event-kind.js';
import { NeighbourhoodCache } from './neighbourhood.js';
import { hostOf } from './host.js';
import { StillAlerting } from './still-alerting.js';

export { hostOf };

/**
 * Alert and anomaly correlation: an event joins the open incident it is most
 * related to, provided it is close in time, else it opens a new one.
 *
 * "Related" is one of, strongest first:
 * - the same service, or the same host (`instance`, `node`, `pod`, `host`);
 * - the event's service depends on a service of the incident within
 *   `maxHops` (a fault travels from a dependency to its callers), and both
 *   show a symptom that travels so: slowness, errors, unavailability. A
 *   caller's CPU, disk or traffic is its own (load travels the other way),
 *   and a dependency that is only busy explains no caller's slowness;
 * - the event's service, or a dependency of it, is a plausible common cause:
 *   at least two services of the incident (and half of a larger one) depend on
 *   it. A late-alerting root cause joins; an unrelated dependency of a single
 *   member does not. A one-service incident takes dependencies within 2 hops
 *   and direct co-callers of its dependencies. Fellow callers of a common
 *   cause join by symptoms only, as above. Causes precede their effects,
 *   so this holds only within `causeLagMs` of the incident's first event;
 * - learned co-occurrence of the two services in past incidents.
 *
 * "Close in time" is an onset at most `windowMs` after the incident's latest
 * member (or before its first). Past that, an event still joins on a host (or,
 * without a host, a service) where one of the incident's alerts is still
 * firing (see StillAlerting), as the weakest relation, so that anything
 * related within the window wins. Weak events (anomalies below the opening
 * severity) never open an incident on their own: they wait `windowMs` for a
 * related incident to open, and join it, since the earliest anomaly is often
 * the root cause's.
 *
 * The correlator holds only what correlation needs (ids, services, hosts and
 * times of open incidents); the lifecycle lives in the incident manager.
 */

export interface CorrelatableEvent {
  /** Unique id (e.g. `alert:<fingerprint>`). */
  id: string;
  /** Onset, unix ms. */
  t: number;
  service?: string;
  labels?: Labels;
  /** Strong events may open an incident; weak ones only join. Default true. */
  canOpen?: boolean;
  /** What the event measures; inferred from the metric or alert name in `labels` when absent. */
  kind?: SignalKind;
}

export interface CorrelationOptions {
  windowMs: number;
  maxHops: number;
  /** Relatedness needed to join, in (0, 1]. */
  minRelatedness: number;
  /** A common cause (or its co-caller) joins only if it starts at most this long after the incident's first event. */
  causeLagMs: number;
  coOccurrence?: CoOccurrence;
}

/** Relatedness of an event on a host where an incident still alerts, past the window: below every in-window relation. */
const STILL_ALERTING = 0.55;

export const DEFAULT_CORRELATION: CorrelationOptions = { windowMs: 10 * 60_000, maxHops: 3, minRelatedness: 0.5, causeLagMs: 5 * 60_000 };

export interface Relation {
  score: number;
  /** Why, for the timeline: "calls orders-db (1 hop)". */
  reason: string;
}

/** What the correlator keeps of an open incident. */
export interface CorrelationView {
  id: string;
  services: Set<string>;
  /** Services with an event that reaches their callers (slowness, errors, unavailability): see travelsToCallers. */
  symptomatic: Set<string>;
  hosts: Set<string>;
  firstAt: number;
  lastAt: number;
  /** Hosts (or services) where its alerts fire; kept by the incident manager. */
  alerting: StillAlerting;
}

export interface Placement {
  incidentId: string;
  opened: boolean;
  reason: string;
  /** Weak events that were waiting and join this incident with the event. */
  pulled: Array<{ event: CorrelatableEvent; reason: string }>;
}


export class IncidentCorrelator {
  readonly opts: CorrelationOptions;
  private readonly views = new Map<string, CorrelationView>();
  private readonly near: NeighbourhoodCache;
  private pending: CorrelatableEvent[] = [];
  private readonly explained = new WeakMap<CorrelationView, { size: number; graph: unknown; counts: Map<string, number> }>();

  constructor(
    private readonly graph: () => ServiceGraph | undefined,
    opts: Partial<CorrelationOptions> = {},
    private readonly newId: (e: CorrelatableEvent) => string = (e) => e.id,
  ) {
    this.opts = { ...DEFAULT_CORRELATION, ...opts };
    this.near = new NeighbourhoodCache(this.opts.maxHops);
  }

  /** Places an event: joins the most related open incident, opens one, or (weak events) waits. */
  place(e: CorrelatableEvent): Placement | undefined {
    this.expirePending(e.t);
    const best = this.bestMatch(e);
    if (best) {
      this.addTo(best.view, e);
      return { incidentId: best.view.id, opened: false, reason: best.relation.reason, pulled: this.pull(best.view) };
    }
    if (e.canOpen === false) {
      this.pending.push(e);
      return undefined;
    }
    const view: CorrelationView = { id: this.newId(e), services: new Set(), symptomatic: new Set(), hosts: new Set(), firstAt: e.t, lastAt: e.t, alerting: new StillAlerting() };
    this.addTo(view, e);
    this.views.set(view.id, view);
    return { incidentId: view.id, opened: true, reason: 'opened', pulled: this.pull(view) };
  }

  /** How related an event is to an open incident (undefined: not related, or out of the window). */
  relate(e: CorrelatableEvent, view: CorrelationView): Relation | undefined {
    if (e.t < view.firstAt - this.opts.windowMs) return undefined;
    if (e.t > view.lastAt + this.opts.windowMs)
      return view.alerting.burning(e.labels, e.service) ? { score: STILL_ALERTING, reason: `same ${hostOf(e.labels) ?? `service ${e.service}`}, still alerting` } : undefined;
    let best: Relation | undefined;
    const consider = (score: number, reason: string) => {
      if (!best || score > best.score) best = { score, reason };
    };
    const host = hostOf(e.labels);
    if (e.service && view.services.has(e.service)) consider(1, `same service ${e.service}`);
    if (host && view.hosts.has(host)) consider(0.9, `same host ${host}`);
    if (e.service && (!best || best.score < 1)) {
      const graph = this.graph();
      const n = this.near.of(graph, e.service);
      const co = this.opts.coOccurrence;
      // A dependency's fault reaches its callers as slowness, errors, unavailability; not as their own CPU,
      // disk or traffic, which say nothing about a dependency (load travels the other way, to dependencies).
      const symptom = travelsToCallers(kindOf(e));
      for (const s of view.services) {
        // A fault travels from a dependency to its callers: a caller's symptom is the effect of a symptomatic dependency.
        const down = symptom && view.symptomatic.has(s) ? n.dependencies.get(s) : undefined;
        if (down !== undefined) consider(0.9 - 0.1 * (down - 1), `depends on ${s} (${hops(down)})`);
        if (co) {
          const c = co.confidence(e.service, s);
          if (c > 0) consider(0.5 + 0.4 * c, `often together with ${s} (learned)`);
        }
      }
      // A dependency (or a co-caller of a dependency) belongs only if it could be the common cause of most
      // of the incident: a late-alerting root cause does, an unrelated dependency of one member does not.
      // A cause shows up before its effects: a "cause" alerting long after the incident began is more likely unrelated.
      if ((!best || best.score < 0.8) && e.t <= view.firstAt + this.opts.causeLagMs) {
        const explains = this.explainCounts(graph, view);
        // At least two services (half of a larger incident) must share the cause; a one-service incident
        // takes its direct dependencies only.
        const need = Math.max(2, Math.ceil(view.services.size / 2));
        const self = explains.get(e.service) ?? 0;
        if (self >= need) consider(0.8, `${self} of ${view.services.size} services depend on it`);
        else if (view.services.size === 1) {
          const only = [...view.services][0];
          const h = n.dependents.get(only);
          if (h !== undefined && h <= 2) consider(0.8, `${only} depends on it (${hops(h)})`);
          // A co-caller is a fellow victim of a shared dependency only by a symptom that dependency causes.
          const via = symptom && view.symptomatic.has(only) ? n.siblings.get(only) : undefined;
          if (via !== undefined) consider(0.6, `calls ${via}, as ${only} does`);
        }
        // A fellow caller of a common cause is its victim only by a symptom that cause produces.
        if (symptom) {
          for (const [x, h] of n.dependencies) {
            const k = explains.get(x) ?? 0;
            if (k >= need) consider(0.7 - 0.05 * (h - 1), `calls ${x}, on which ${k} of ${view.services.size} services depend`);
          }
        }
      }
    }
    return best && best.score >= this.opts.minRelatedness ? best : undefined;
  }

  /** Starts tracking an incident (e.g. loaded from the store at start-up, or created by a split). */
  track(view: CorrelationView): void {
    this.views.set(view.id, view);
  }

  /** Stops correlating into an incident (resolved, or merged away). */
  untrack(id: string): void {
    this.views.delete(id);
  }

  /** Stops tracking incidents that no event at or after `t` can join (their window has passed). */
  expireBefore(t: number): string[] {
    const gone: string[] = [];
    for (const v of this.views.values()) if (v.lastAt + this.opts.windowMs < t && !v.alerting.any) gone.push(v.id);
    for (const id of gone) this.views.delete(id);
    return gone;
  }

  view(id: string): CorrelationView | undefined {
    return this.views.get(id);
  }

  openViews(): IterableIterator<CorrelationView> {
    return this.views.values();
  }

  /** Weak events still waiting for an incident. */
  get waiting(): number {
    return this.pending.length;
  }

  /** For each service, how many of the incident's services it is (or they depend on it within maxHops). */
  private explainCounts(graph: ServiceGraph | undefined, view: CorrelationView): Map<string, number> {
    const cached = this.explained.get(view);
    if (cached && cached.size === view.services.size && cached.graph === graph?.csr()) return cached.counts;
    const counts = new Map<string, number>();
    for (const s of view.services) {
      counts.set(s, (counts.get(s) ?? 0) + 1);
      for (const x of this.near.of(graph, s).dependencies.keys()) counts.set(x, (counts.get(x) ?? 0) + 1);
    }
    this.explained.set(view, { size: view.services.size, graph: graph?.csr(), counts });
    return counts;
  }

  private bestMatch(e: CorrelatableEvent): { view: CorrelationView; relation: Relation } | undefined {
    let best: { view: CorrelationView; relation: Relation } | undefined;
    for (const view of this.views.values()) {
      const r = this.relate(e, view);
      if (!r) continue;
      if (!best || r.score > best.relation.score || (r.score === best.relation.score && view.lastAt > best.view.lastAt)) best = { view, relation: r };
    }
    return best;
  }

  /**
   * Joining past the window (still alerting) keeps the window where it was: the fire on that host is old,
   * and what relates to the incident by dependency or service must still be close to its onsets.
   */
  private addTo(view: CorrelationView, e: CorrelatableEvent): void {
    const late = e.t > view.lastAt + this.opts.windowMs;
    if (e.service) view.services.add(e.service);
    if (e.service && travelsToCallers(kindOf(e))) view.symptomatic.add(e.service);
    const host = hostOf(e.labels);
    if (host) view.hosts.add(host);
    view.firstAt = Math.min(view.firstAt, e.t);
    if (!late) view.lastAt = Math.max(view.lastAt, e.t);
  }

  /** Waiting weak events related to this incident join it (repeated: one may relate through another). */
  private pull(view: CorrelationView): Array<{ event: CorrelatableEvent; reason: string }> {
    const out: Array<{ event: CorrelatableEvent; reason: string }> = [];
    for (let changed = true; changed && this.pending.length > 0; ) {
      changed = false;
      const keep: CorrelatableEvent[] = [];
      for (const p of this.pending) {
        const r = this.relate(p, view);
        if (r) {
          this.addTo(view, p);
          out.push({ event: p, reason: r.reason });
          changed = true;
        } else keep.push(p);
      }
      this.pending = keep;
    }
    return out;
  }

  private expirePending(now: number): void {
    if (this.pending.length === 0) return;
    const horizon = now - this.opts.windowMs;
    if (this.pending[0].t >= horizon && this.pending.length < 10_000) return;
    this.pending = this.pending.filter((p) => p.t >= horizon).slice(-10_000);
  }
}

function hops(n: number): string {
  return n === 1 ? '1 hop' : `${n} hops`;
}
