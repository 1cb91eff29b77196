import { type AlertEvent, type Labels, type Severity, VigilError, hashString64, labelsKey, maxSeverity, severityRank } from '../../core/index.js';
import { Escalator, type EscalationState, newEscalationState, raiseSeverity } from './escalation.js';
import { Inhibitor, type InhibitionSource } from './inhibit.js';
import { type ReceiverSpec, type Route, type RouteOptions, type RoutingConfig, buildRouteTree, defaultRoutingConfig, groupKeyOf } from './route.js';

/**
 * The dispatcher: Alertmanager's aggregation groups and notification timing
 * (dispatch/dispatch.go and the dedup stage of notify/notify.go), with
 * silences, inhibition and escalation in front of each notification.
 *
 * - An alert is routed by its labels; per route it joins the aggregation group
 *   of its group_by labels.
 * - A new group waits `group_wait` before its first notification (at once when
 *   the alert already started more than group_wait ago, as Alertmanager).
 *   Afterwards the group is evaluated every `group_interval`: it notifies when
 *   an alert is new, resolved or escalated since the last notification of that
 *   group, or when `repeat_interval` has passed since it (so a repeat goes out at
 *   the first group_interval tick after repeat_interval, as in Alertmanager).
 * - Resolved alerts are dropped from the group after the evaluation that
 *   reported them; a group with no alerts left is removed.
 * - Silenced and inhibited alerts are left out of notifications but stay
 *   visible through `alerts()` with `silencedBy` / `inhibitedBy`.
 * - Alerts are identified by their `fingerprint`: the same alert from two
 *   sources (a Vigil rule and Alertmanager's webhook) is one alert; the latest
 *   update wins and the earliest start is kept.
 *
 * Time comes from the `now` option and nothing happens on its own: `tick(now)`
 * evaluates escalations and flushes the groups that are due. In production,
 * `start()` runs a timer that calls `tick()` every second.
 */

export interface DispatchedAlert extends AlertEvent {
  state: 'firing' | 'resolved';
  /** Present once the alert has escalated: `severity` is then the raised one. */
  escalation?: { level: number; originalSeverity: Severity; addedReceivers: string[] };
}

/** One message about one aggregation group, for one receiver. */
export interface GroupNotification {
  /** Deterministic id of this notification (group key and time): use `${id}:${channel}` as the outbox id. */
  id: string;
  receiver: string;
  /** The receiver's channel names; empty = log only. */
  channels: string[];
  /** Stable hash of route, receiver and group labels: the same for every notification of this group. */
  groupKey: string;
  routeId: string;
  groupLabels: Labels;
  commonLabels: Labels;
  commonAnnotations: Readonly<Record<string, string>>;
  /** Firing and resolved alerts, ordered by labels. */
  alerts: DispatchedAlert[];
  status: 'firing' | 'resolved';
  /** The most severe firing alert's severity (of all alerts when none fires). */
  severity: Severity;
  /** True when an alert escalated since this group last notified (map to the outbox's `escalated` kind). */
  escalated: boolean;
  /**
   * Present on an acknowledgement update: every alert the group last notified as
   * firing has been acknowledged (the latest acknowledgement; map to the outbox's
   * `acknowledged` kind). Sent at once, to the channels that notified the group.
   */
  acknowledged?: { by: string; at: number; comment?: string };
  /** Unix ms of the evaluation that produced it. */
  at: number;
}

/** Alertmanager's alert status (API v2). */
export interface AlertStatus {
  state: 'active' | 'suppressed';
  silencedBy: string[];
  inhibitedBy: string[];
}

export interface AlertView {
  alert: DispatchedAlert;
  status: AlertStatus;
  /** Receivers of the groups the alert is in. */
  receivers: string[];
}

export interface GroupView {
  groupKey: string;
  routeId: string;
  receiver: string;
  groupLabels: Labels;
  alerts: AlertView[];
  nextEvaluationAt: number;
}

/** What the dispatcher asks of silences (SilenceStore provides it). */
export interface SilenceLookup {
  silencedBy(labels: Labels, now: number): string[];
}

export interface DispatcherLogger {
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface DispatcherOptions {
  /** Default: `defaultRoutingConfig()` (the severity table). */
  config?: RoutingConfig;
  /**
   * Receives each notification. Must hand it over synchronously (e.g. the
   * outbox's durable enqueue); if it throws, the group is evaluated again at
   * its next group_interval, as Alertmanager retries a failed flush.
   */
  notify: (n: GroupNotification) => void;
  silences?: SilenceLookup;
  /** The rules stage's acknowledgements; acknowledged alerts do not escalate. */
  isAcknowledged?: (fingerprint: string) => boolean;
  /** Clock, unix ms. Default Date.now. */
  now?: () => number;
  logger?: DispatcherLogger;
  /** How long a notification log entry outlives its group (Alertmanager's nflog retention, 120h). */
  notificationLogRetentionMs?: number;
}

interface AlertRecord {
  fingerprint: string;
  /** labelsKey of the labels (the same for a fingerprint), for ordering alerts as Alertmanager does. */
  sortKey: string;
  event: AlertEvent;
  escalation: EscalationState;
  /** The first route the alert matched: escalation receivers group like it. */
  baseRoute: Route;
  groups: Set<Group>;
}

interface Group {
  key: string;
  routeId: string;
  receiver: ReceiverSpec;
  options: RouteOptions;
  labels: Labels;
  alerts: Map<string, AlertRecord>;
  nextFlushAt: number;
  hasFlushed: boolean;
}

interface LogEntry {
  at: number;
  firing: Map<string, { severity: Severity; level: number }>;
  resolved: Set<string>;
  /** Every alert notified as firing has been acknowledged and the update was sent: no repeats until something changes. */
  acked?: boolean;
}

export class Dispatcher {
  readonly route: Route;
  private readonly receivers = new Map<string, ReceiverSpec>();
  private readonly inhibitor: Inhibitor;
  private readonly escalator: Escalator;
  private readonly notifyFn: (n: GroupNotification) => void;
  private readonly silences: SilenceLookup | undefined;
  private readonly now: () => number;
  private readonly logger: DispatcherLogger | undefined;
  private readonly logRetentionMs: number;
  private readonly records = new Map<string, AlertRecord>();
  private readonly groupsByKey = new Map<string, Group>();
  private readonly nflog = new Map<string, LogEntry>();
  private timer: NodeJS.Timeout | undefined;
  private intervalMs = 1000;
  /** A one-shot timer for a group due before the next regular tick (e.g. group_wait 0s), and when it fires. */
  private soon: NodeJS.Timeout | undefined;
  private soonAt = Infinity;
  private readonly alertListeners: Array<(a: DispatchedAlert) => void> = [];

  constructor(opts: DispatcherOptions) {
    const config = opts.config ?? defaultRoutingConfig();
    for (const r of config.receivers) {
      if (this.receivers.has(r.name)) throw new VigilError('INVALID_ROUTING', `receiver "${r.name}" is defined twice`);
      this.receivers.set(r.name, r);
    }
    this.route = buildRouteTree(config);
    config.escalations.forEach((e, i) => {
      for (const name of e.addReceivers)
        if (!this.receivers.has(name)) throw new VigilError('INVALID_ROUTING', `undefined receiver "${name}" used in escalations[${i}]`);
    });
    this.inhibitor = new Inhibitor(config.inhibitRules);
    this.escalator = new Escalator(config.escalations, opts.isAcknowledged);
    this.notifyFn = opts.notify;
    this.silences = opts.silences;
    this.now = opts.now ?? Date.now;
    this.logger = opts.logger;
    this.logRetentionMs = opts.notificationLogRetentionMs ?? 120 * 3_600_000;
  }

  /**
   * Takes alert events (from Vigil's rules or Alertmanager's webhook). Firing
   * and resolved events count; pending ones are not routed (they have not
   * fired), and `inactive` ends a known alert like `resolved`.
   */
  receive(events: AlertEvent | readonly AlertEvent[]): void {
    const now = this.now();
    for (const e of Array.isArray(events) ? (events as readonly AlertEvent[]) : [events as AlertEvent]) this.receiveOne(e, now);
  }

  private receiveOne(e: AlertEvent, now: number): void {
    if (e.kind !== 'alert' || e.state === 'pending') return;
    const prev = this.records.get(e.fingerprint);
    const resolved = e.state === 'resolved' || e.state === 'inactive';
    if (resolved && !prev) return; // never notified here: nothing to resolve
    // Vigil's normalised severity is the `severity` label routing, silences and inhibition see.
    const labels: Labels = { ...e.labels, severity: e.severity };
    const event: AlertEvent = { ...e, labels, state: resolved ? 'resolved' : 'firing', endsAt: resolved ? e.endsAt ?? now : e.endsAt };
    let rec = prev;
    const prevEnded = prev ? this.isResolved(prev, now) && (prev.event.endsAt ?? now) <= event.startsAt : false;
    const newlyAcked = prev !== undefined && !prevEnded && !resolved && e.ackedBy !== undefined && prev.event.ackedBy === undefined;
    // Before the record takes the update: what a listener of changes (onAlert) would not know yet.
    const was = prev?.event;
    const changed = !was || prevEnded || was.state !== event.state || was.severity !== event.severity || (was.ackedBy === undefined) !== (event.ackedBy === undefined);
    if (rec && !prevEnded) {
      // The same alert again (re-sent, or from another source): the latest update wins, the earliest start is kept.
      event.startsAt = Math.min(rec.event.startsAt, event.startsAt);
      if (resolved && this.isResolved(rec, now) && rec.event.endsAt !== undefined) event.endsAt = Math.max(rec.event.endsAt, event.endsAt!);
      rec.event = event;
    } else if (rec) {
      // Fired again after it had ended: a new episode (escalation starts over).
      rec.event = event;
      rec.escalation = newEscalationState();
    }
    const routes = this.route.match(labels);
    if (!rec) {
      rec = { fingerprint: e.fingerprint, sortKey: labelsKey(labels), event, escalation: newEscalationState(), baseRoute: routes[0]!, groups: new Set() };
      this.records.set(e.fingerprint, rec);
    }
    for (const r of routes) this.insert(this.groupFor(r.id, r.options, r.options.receiver, r.groupLabels(labels), now), rec, now);
    for (const name of rec.escalation.addedReceivers) this.insertEscalated(rec, name, now);
    if (newlyAcked) this.notifyAcknowledged(rec, now);
    if (changed) this.emitAlert(rec, now);
  }

  /**
   * Calls `l` with an alert each time one is new, changes state or severity,
   * fires again, is acknowledged, or is forgotten (resolved and reported; the
   * view is then resolved). A re-send that changes nothing is not reported, so
   * a consumer (the incident stage) pays for changes, not for the alerts held.
   */
  onAlert(l: (a: DispatchedAlert) => void): () => void {
    this.alertListeners.push(l);
    return () => this.alertListeners.splice(this.alertListeners.indexOf(l) >>> 0, 1);
  }

  private emitAlert(rec: AlertRecord, now: number): void {
    if (this.alertListeners.length === 0) return;
    const a = this.view(rec, now);
    for (const l of this.alertListeners) {
      try {
        l(a);
      } catch (err) {
        this.logger?.error({ err, fingerprint: rec.fingerprint }, 'alert listener failed');
      }
    }
  }

  /**
   * An alert was acknowledged: each group that notified it as firing, and whose
   * notified alerts are now all acknowledged, sends an acknowledgement update
   * at once (PagerDuty acknowledges the incident of the group's dedup key, Slack
   * and webhooks get a follow-up), and stops repeating.
   */
  private notifyAcknowledged(rec: AlertRecord, now: number): void {
    for (const g of rec.groups) {
      const entry = this.nflog.get(g.key);
      if (!entry || entry.acked || !entry.firing.has(rec.fingerprint)) continue;
      const notified: AlertRecord[] = [];
      for (const fp of entry.firing.keys()) {
        const r = g.alerts.get(fp);
        if (r && !this.isResolved(r, now)) notified.push(r);
      }
      if (!notified.every((r) => r.event.ackedBy !== undefined)) continue;
      const latest = notified.reduce((a, b) => ((b.event.ackedAt ?? 0) > (a.event.ackedAt ?? 0) ? b : a));
      const n: GroupNotification = {
        ...this.build(g, notified, entry, now),
        id: hashString64(`${g.key}@${now}/acknowledged`),
        escalated: false,
        acknowledged: { by: latest.event.ackedBy!, at: latest.event.ackedAt ?? now, ...(latest.event.ackComment !== undefined ? { comment: latest.event.ackComment } : {}) },
      };
      try {
        this.notifyFn(n);
        entry.acked = true;
      } catch (err) {
        this.logger?.error({ err, receiver: g.receiver.name, groupKey: g.key }, 'acknowledgement hand-over failed');
      }
    }
  }

  /**
   * Evaluates escalations and flushes every group that is due at `now`.
   * Deterministic: tests call it with the times they want.
   */
  tick(now = this.now()): GroupNotification[] {
    const sent: GroupNotification[] = [];
    if (this.escalator.rules.length > 0)
      for (const rec of this.records.values()) {
        if (this.isResolved(rec, now)) continue;
        const applied = this.escalator.evaluate(rec.event, rec.escalation, now);
        for (const i of applied) for (const name of this.escalator.rules[i]!.addReceivers) this.insertEscalated(rec, name, now);
        if (applied.length > 0) this.emitAlert(rec, now);
      }
    const firing = this.firingSources(now);
    const due = [...this.groupsByKey.values()].filter((g) => g.nextFlushAt <= now).sort((a, b) => a.nextFlushAt - b.nextFlushAt || (a.key < b.key ? -1 : 1));
    for (const g of due) {
      const n = this.flush(g, now, firing);
      if (n) sent.push(n);
      let next = g.nextFlushAt + g.options.groupIntervalMs;
      if (next <= now) next = now + g.options.groupIntervalMs;
      g.nextFlushAt = next;
      if (g.alerts.size === 0) this.removeGroup(g);
    }
    for (const [key, entry] of this.nflog) if (!this.groupsByKey.has(key) && entry.at < now - this.logRetentionMs) this.nflog.delete(key);
    return sent;
  }

  /** The earliest time at which `tick` has something to do (a group flush or an escalation), or undefined. */
  nextTickAt(): number | undefined {
    let next: number | undefined;
    const consider = (t: number | undefined) => {
      if (t !== undefined && (next === undefined || t < next)) next = t;
    };
    for (const g of this.groupsByKey.values()) consider(g.nextFlushAt);
    const now = this.now();
    for (const rec of this.records.values()) if (!this.isResolved(rec, now)) consider(this.escalator.nextDue(rec.event, rec.escalation, now));
    return next;
  }

  /**
   * Production: calls `tick()` every `intervalMs` (default 1 s) on an unref'd
   * timer, and sooner when a group falls due before that (a group_wait of 0s
   * flushes as soon as its alert is received, as Alertmanager's per-group timers do).
   */
  start(intervalMs = 1000): void {
    if (this.timer) return;
    this.intervalMs = intervalMs;
    this.timer = setInterval(() => this.safeTick(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.soon) clearTimeout(this.soon);
    this.timer = undefined;
    this.soon = undefined;
    this.soonAt = Infinity;
  }

  private safeTick(): void {
    try {
      this.tick();
    } catch (err) {
      this.logger?.error({ err }, 'alert dispatch failed');
    }
  }

  /** Once started: makes sure a tick runs at `at` when the regular timer would be late for it. */
  private tickBy(at: number, now: number): void {
    if (!this.timer || at >= this.soonAt || at - now >= this.intervalMs) return;
    if (this.soon) clearTimeout(this.soon);
    this.soonAt = at;
    this.soon = setTimeout(() => {
      this.soon = undefined;
      this.soonAt = Infinity;
      this.safeTick();
    }, Math.max(0, at - now));
    this.soon.unref();
  }

  /** Every alert the dispatcher holds, with Alertmanager's status (for `/api/v2/alerts`). */
  alerts(now = this.now()): AlertView[] {
    const firing = this.firingSources(now);
    return [...this.records.values()]
      .sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0))
      .map((rec) => ({ alert: this.view(rec, now), status: this.status(rec, now, firing), receivers: [...new Set([...rec.groups].map((g) => g.receiver.name))].sort() }));
  }

  /** Status of one alert by fingerprint (undefined when unknown). */
  alertStatus(fingerprint: string, now = this.now()): AlertStatus | undefined {
    const rec = this.records.get(fingerprint);
    return rec ? this.status(rec, now, this.firingSources(now)) : undefined;
  }

  /** Whether an alert is held and firing or resolved at `now`, without building its view (undefined when not held). */
  alertState(fingerprint: string, now = this.now()): 'firing' | 'resolved' | undefined {
    const rec = this.records.get(fingerprint);
    return rec ? (this.isResolved(rec, now) ? 'resolved' : 'firing') : undefined;
  }

  /** The aggregation groups (for `/api/v2/alerts/groups`). */
  groups(now = this.now()): GroupView[] {
    const firing = this.firingSources(now);
    return [...this.groupsByKey.values()].map((g) => ({
      groupKey: g.key,
      routeId: g.routeId,
      receiver: g.receiver.name,
      groupLabels: g.labels,
      nextEvaluationAt: g.nextFlushAt,
      alerts: [...g.alerts.values()].map((rec) => ({ alert: this.view(rec, now), status: this.status(rec, now, firing), receivers: [g.receiver.name] })),
    }));
  }

  private insertEscalated(rec: AlertRecord, receiver: string, now: number): void {
    const base = rec.baseRoute;
    const routeId = `${base.id}/escalation/${receiver}`;
    this.insert(this.groupFor(routeId, { ...base.options, receiver }, receiver, base.groupLabels(rec.event.labels), now), rec, now);
  }

  private groupFor(routeId: string, options: RouteOptions, receiver: string, labels: Labels, now: number): Group {
    const key = groupKeyOf(routeId, receiver, labels);
    let g = this.groupsByKey.get(key);
    if (!g) {
      g = { key, routeId, receiver: this.receivers.get(receiver)!, options, labels, alerts: new Map(), nextFlushAt: now + options.groupWaitMs, hasFlushed: false };
      this.groupsByKey.set(key, g);
    }
    return g;
  }

  private insert(g: Group, rec: AlertRecord, now: number): void {
    g.alerts.set(rec.fingerprint, rec);
    rec.groups.add(g);
    // As Alertmanager: an alert that started more than group_wait ago is not held back by group_wait.
    if (!g.hasFlushed && rec.event.startsAt + g.options.groupWaitMs < now) g.nextFlushAt = Math.min(g.nextFlushAt, now);
    if (!g.hasFlushed) this.tickBy(g.nextFlushAt, now);
  }

  private removeGroup(g: Group): void {
    this.groupsByKey.delete(g.key);
    const entry = this.nflog.get(g.key);
    if (entry && entry.firing.size === 0) this.nflog.delete(g.key);
  }

  private flush(g: Group, now: number, firingSources: InhibitionSource[]): GroupNotification | undefined {
    g.hasFlushed = true;
    const all = [...g.alerts.values()];
    if (all.length === 0) return undefined;
    const resolvedNow = all.filter((r) => this.isResolved(r, now));
    const unmuted = all.filter((r) => this.status(r, now, firingSources).state === 'active');
    const firing = unmuted.filter((r) => !this.isResolved(r, now));
    const resolved = unmuted.filter((r) => this.isResolved(r, now));
    const entry = this.nflog.get(g.key);
    let notification: GroupNotification | undefined;
    if (firing.length + resolved.length > 0 && this.needsUpdate(entry, firing, resolved, g, now)) {
      const sendable = g.receiver.sendResolved === false ? firing : [...firing, ...resolved];
      if (sendable.length > 0) {
        notification = this.build(g, sendable, entry, now);
        try {
          this.notifyFn(notification);
        } catch (err) {
          this.logger?.error({ err, receiver: g.receiver.name, groupKey: g.key }, 'notification hand-over failed; retrying at the next group_interval');
          return undefined;
        }
      }
      this.nflog.set(g.key, {
        at: now,
        firing: new Map(firing.map((r) => [r.fingerprint, { severity: this.severityOf(r), level: r.escalation.applied.size }])),
        resolved: new Set(resolved.map((r) => r.fingerprint)),
        // Still acknowledged when no alert joined since the acknowledgement.
        acked: entry?.acked === true && firing.every((r) => entry.firing.has(r.fingerprint)),
      });
    }
    // Resolved alerts have been reported (or were muted): drop them from the group, and forget alerts in no group.
    for (const r of resolvedNow) {
      g.alerts.delete(r.fingerprint);
      r.groups.delete(g);
      if (r.groups.size === 0 && this.records.get(r.fingerprint) === r) {
        this.records.delete(r.fingerprint);
        this.emitAlert(r, now);
      }
    }
    return notification;
  }

  /** Alertmanager's DedupStage.needsUpdate, plus: an alert whose severity rose (escalation) is a change. */
  private needsUpdate(entry: LogEntry | undefined, firing: AlertRecord[], resolved: AlertRecord[], g: Group, now: number): boolean {
    if (!entry) return firing.length > 0;
    for (const r of firing) {
      const was = entry.firing.get(r.fingerprint);
      if (!was || severityRank(this.severityOf(r)) > severityRank(was.severity)) return true;
    }
    if (firing.length === 0) return entry.firing.size > 0;
    if (g.receiver.sendResolved !== false && resolved.some((r) => !entry.resolved.has(r.fingerprint))) return true;
    // An acknowledged group is not repeated: someone is on it.
    return !entry.acked && entry.at < now - g.options.repeatIntervalMs;
  }

  private build(g: Group, recs: AlertRecord[], entry: LogEntry | undefined, now: number): GroupNotification {
    const alerts = [...recs].sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0)).map((r) => this.view(r, now));
    const firing = alerts.filter((a) => a.state === 'firing');
    const severity = (firing.length > 0 ? firing : alerts).map((a) => a.severity).reduce((a, b) => maxSeverity(a, b));
    const escalated = recs.some((r) => !this.isResolved(r, now) && r.escalation.applied.size > (entry?.firing.get(r.fingerprint)?.level ?? 0));
    return {
      id: hashString64(`${g.key}@${now}`),
      receiver: g.receiver.name,
      channels: [...g.receiver.channels],
      groupKey: g.key,
      routeId: g.routeId,
      groupLabels: g.labels,
      commonLabels: common(alerts.map((a) => a.labels)),
      commonAnnotations: common(alerts.map((a) => a.annotations)),
      alerts,
      status: firing.length > 0 ? 'firing' : 'resolved',
      severity,
      escalated,
      at: now,
    };
  }

  private view(rec: AlertRecord, now: number): DispatchedAlert {
    const resolved = this.isResolved(rec, now);
    const e = rec.event;
    const a: DispatchedAlert = { ...e, state: resolved ? 'resolved' : 'firing', severity: this.severityOf(rec) };
    if (resolved) a.endsAt = e.endsAt ?? now;
    else delete a.endsAt;
    if (rec.escalation.applied.size > 0)
      a.escalation = { level: rec.escalation.applied.size, originalSeverity: e.severity, addedReceivers: [...rec.escalation.addedReceivers].sort() };
    return a;
  }

  private severityOf(rec: AlertRecord): Severity {
    return raiseSeverity(rec.event.severity, rec.escalation.steps);
  }

  private status(rec: AlertRecord, now: number, firing: InhibitionSource[]): AlertStatus {
    const silencedBy = this.silences ? this.silences.silencedBy(rec.event.labels, now) : [];
    const inhibitedBy = this.inhibitor.inhibitedBy(rec.event.labels, firing, rec.fingerprint);
    return { state: silencedBy.length + inhibitedBy.length > 0 ? 'suppressed' : 'active', silencedBy, inhibitedBy };
  }

  /** The alerts that may inhibit others (none needed without inhibition rules: the list is skipped, it costs a pass over every alert). */
  private firingSources(now: number): InhibitionSource[] {
    const out: InhibitionSource[] = [];
    if (!this.inhibitor.hasRules) return out;
    for (const rec of this.records.values()) if (!this.isResolved(rec, now)) out.push({ fingerprint: rec.fingerprint, labels: rec.event.labels });
    return out;
  }

  private isResolved(rec: AlertRecord, now: number): boolean {
    return rec.event.state === 'resolved' || (rec.event.endsAt !== undefined && rec.event.endsAt <= now);
  }
}

/** Entries with the same value in every set (Alertmanager's CommonLabels / CommonAnnotations). */
function common(sets: ReadonlyArray<Readonly<Record<string, string>>>): Record<string, string> {
  const out: Record<string, string> = {};
  if (sets.length === 0) return out;
  for (const [k, v] of Object.entries(sets[0]!)) if (v !== '' && sets.every((s) => s[k] === v)) out[k] = v;
  return out;
}
