import type { Logger } from 'pino';
import { type AlertEvent, type Labels, type Severity, severityRank } from '../core/index.js';
import type { Dispatcher, GroupNotification, ReceiverSpec } from '../alerting/dispatch/index.js';
import { ReceiverChannels, buildNotification, commonLabels, type NotificationKind, type Outbox } from '../notify/index.js';
import type { Incident, IncidentManager, IncidentMember } from '../incidents/index.js';
import type { Pager } from './alert-delivery.js';
import type { IncidentSpread } from './incident-spread.js';

/**
 * Incident-level notifications (`incidents.notifyPerIncident`): one page per
 * incident instead of one per alert group. The incident is routed through the
 * alerting stage's routing tree as an alert would be, with labels
 * `alertname="incident"`, its severity, its likely root service as `service`
 * and the labels its alerts share, so the same receivers, channels and
 * escalation policies apply. It notifies once `notifyDelay` after opening
 * (when at least one of its alerts is firing and not silenced or inhibited),
 * once when acknowledged (which also stops the on-call escalation) and once
 * when resolved. In between, an update pages only when it is news to someone:
 * its severity rose enough to reach receivers it had not (`escalated`, to
 * those receivers only), or alerts fire on a service that is neither named in
 * its notifications nor a caller of one that is (a possible second cause; see
 * IncidentSpread). Alerts joining on callers of the services named (the
 * cascade the page announced) and severity rises within the same receivers
 * page no one: they show in Vigil and in the incident's next notification.
 * Outbox ids are deterministic per incident, kind and severity: a restart or
 * retry never pages twice.
 */
export class IncidentNotifier {
  private readonly receivers = new Map<string, ReceiverSpec>();
  private readonly channels: ReceiverChannels;

  constructor(
    private readonly opts: {
      manager: IncidentManager;
      dispatcher: Dispatcher;
      receivers: readonly ReceiverSpec[];
      outbox: Outbox | undefined;
      logger: Logger;
      vigilUrl: () => string;
      delayMs: number;
      /** Which newly alerting services are news (absent: none is, updates page only for new receivers). */
      spread?: IncidentSpread;
      pager?: Pager;
      now?: () => number;
    },
  ) {
    for (const r of opts.receivers) this.receivers.set(r.name, r);
    this.channels = new ReceiverChannels(opts.outbox, opts.logger);
    opts.manager.onChange((inc, change) => {
      if (change === 'resolved' && inc.notified && !inc.notified.resolved && !inc.mergedInto) this.send(inc, 'resolved');
      // Someone is on it: tell the channels once, and stop the on-call escalation.
      if (change === 'acknowledged' && inc.notified && !inc.notified.resolved && !inc.notified.acknowledged) this.send(inc, 'acknowledged');
    });
  }

  /**
   * Sends what is due; returns the ids of the incidents notified. `firstOnly`:
   * first notifications only (a new incident's delay is up), without looking
   * for updates to notified incidents, which the regular tick does.
   */
  tick(now = (this.opts.now ?? Date.now)(), opts: { firstOnly?: boolean } = {}): string[] {
    const sent: string[] = [];
    for (const inc of this.opts.manager.openIncidents()) {
      if (inc.state === 'mitigated' || (opts.firstOnly && inc.notified)) continue;
      if (!inc.notified) {
        if (now < inc.openedAt + this.opts.delayMs || this.activeAlerts(inc).length === 0) continue;
        this.send(inc, 'firing');
        sent.push(inc.id);
      } else if (!inc.notified.resolved && this.update(inc)) sent.push(inc.id);
    }
    return sent;
  }

  /** An already-notified incident: pages for what is news (see the class comment); true when something was sent. */
  private update(inc: Incident): boolean {
    const notified = inc.notified!;
    const raised = severityRank(inc.severity) > severityRank(notified.severity);
    // Cheap first: services with firing alerts that no notification named.
    const named = new Set(notified.services ?? []);
    const unnamed = new Set<string>();
    for (const m of inc.members) if (m.kind === 'alert' && m.state === 'firing' && m.service && !named.has(m.service)) unnamed.add(m.service);
    const candidates = unnamed.size > 0 && this.opts.spread && notified.services ? this.opts.spread.newCauses(unnamed, named) : [];
    if (!raised && candidates.length === 0) return false;
    const active = this.activeAlerts(inc);
    if (active.length === 0) return false;
    // A silenced or inhibited alert is no news.
    const paging = new Set(active.map((m) => m.service));
    const causes = candidates.filter((s) => paging.has(s));
    if (!raised && causes.length === 0) return false;
    if (causes.length > 0) {
      this.send(inc, 'firing', { note: `Now also alerting: ${causes.join(', ')}. `, idPart: `spread-${causes.join('+')}` });
      return true;
    }
    const before = this.receiversFor(inc, active, notified.severity);
    const added = [...this.receiversFor(inc, active, inc.severity)].filter((r) => !before.has(r));
    if (added.length > 0) {
      this.send(inc, 'escalated', { only: new Set(added) });
      return true;
    }
    // Same receivers: recorded, so the rise is not looked at again; they see it in Vigil and the next notification.
    this.opts.manager.markNotified(inc.id, { ...notified, severity: inc.severity });
    return false;
  }

  private receiversFor(inc: Incident, members: IncidentMember[], severity: Severity): Set<string> {
    const labels = { ...routingLabels(inc, members.map((m) => asAlert(m, false))), severity };
    return new Set(this.opts.dispatcher.route.match(labels).map((r) => r.options.receiver));
  }

  /** For deliverToOutbox: alert groups whose alerts all belong to incidents are left to the incident's notification. */
  ownedByIncidents(g: GroupNotification): boolean {
    return g.alerts.every((a) => this.opts.manager.incidentOfAlert(a.fingerprint) !== undefined || (a.state === 'resolved' && this.wasMember(a.fingerprint)));
  }

  private wasMember(fingerprint: string): boolean {
    return this.opts.manager.list({ limit: 50 }).some((i) => i.members.some((m) => m.kind === 'alert' && m.ref === fingerprint));
  }

  private activeAlerts(inc: Incident): IncidentMember[] {
    return inc.members.filter((m) => m.kind === 'alert' && m.state === 'firing' && this.opts.dispatcher.alertStatus(m.ref)?.state !== 'suppressed');
  }

  private send(inc: Incident, kind: NotificationKind, opts: { note?: string; idPart?: string; only?: ReadonlySet<string> } = {}): void {
    const members = kind === 'firing' || kind === 'escalated' ? this.activeAlerts(inc) : inc.members.filter((m) => m.kind === 'alert');
    if (members.length === 0) return;
    const alerts = members.map((m) => asAlert(m, kind === 'resolved'));
    const labels = routingLabels(inc, alerts);
    const link = `${this.opts.vigilUrl()}/api/v1/incidents/${encodeURIComponent(inc.id)}`;
    const top = inc.rootCauses[0];
    // How it was fixed last time, when a similar incident is on record.
    const similar = kind === 'resolved' ? undefined : this.opts.manager.detail(inc.id).similar[0];
    const ackNote = kind === 'acknowledged' && inc.ack ? `Acknowledged by ${inc.ack.by}${inc.ack.comment ? `: ${inc.ack.comment}` : ''}. ` : '';
    const summary = ackNote + (opts.note ?? '') + (similar ? `${inc.summary} Similar past incident: ${similar.title} (similarity ${similar.score.toFixed(2)})${similar.resolutionNote ? `, fixed by: ${similar.resolutionNote}` : ''}.` : inc.summary);
    const annotations = {
      description: summary,
      ...(top?.runbooks[0] && { runbook_url: top.runbooks[0] }),
      ...(top?.actions.length && { recommended_actions: top.actions }),
    };
    const at = (this.opts.now ?? Date.now)();
    const receivers = new Set(this.opts.dispatcher.route.match(labels).map((r) => r.options.receiver));
    for (const name of receivers) {
      if (opts.only && !opts.only.has(name)) continue;
      const receiver = this.receivers.get(name);
      if (!receiver) continue;
      if (kind === 'resolved' && receiver.sendResolved === false) continue;
      const template = { kind, dedupKey: pageKey(inc), severity: inc.severity, title: inc.title, summary, labels, annotations, alerts, links: { vigil: link } };
      if (this.opts.pager && receiver.escalationPolicy) {
        if (kind === 'resolved' || kind === 'acknowledged') this.opts.pager.resolve(pageKey(inc));
        else this.opts.pager.page(pageKey(inc), receiver.escalationPolicy, template);
      }
      if (receiver.channels.length === 0 && !receiver.escalationPolicy)
        this.opts.logger.info({ incident: inc.id, receiver: name, kind, severity: inc.severity, title: inc.title }, 'incident (log-only receiver)');
      // The incident's severity (raised by blast radius), not just its worst alert's.
      this.channels.enqueue(name, receiver.channels, (channel) => ({
        ...buildNotification({
          channel,
          kind,
          alerts,
          dedupKey: pageKey(inc),
          id: `${pageKey(inc)}:${kind}:${kind === 'resolved' || kind === 'acknowledged' ? 'once' : opts.idPart ?? inc.severity}:${channel}`,
          title: inc.title,
          summary,
          annotations,
          links: { vigil: link },
          now: at,
        }),
        severity: inc.severity,
      }));
    }
    const before = inc.notified;
    const services = new Set(before?.services ?? []);
    if (kind === 'firing' || kind === 'escalated') for (const m of members) if (m.service) services.add(m.service);
    this.opts.manager.markNotified(inc.id, {
      severity: inc.severity,
      at,
      services: [...services].sort(),
      ...((kind === 'resolved' || before?.resolved) && { resolved: true }),
      ...((kind === 'acknowledged' || before?.acknowledged) && { acknowledged: true }),
    });
  }
}

function pageKey(inc: Incident): string {
  return `incident:${inc.id}`;
}

function routingLabels(inc: Incident, alerts: AlertEvent[]): Labels {
  const service = inc.rootCauses[0]?.service ?? inc.services[0];
  return { ...commonLabels(alerts.map((a) => a.labels)), alertname: 'incident', severity: inc.severity, incident: inc.id, ...(service && { service }) };
}

function asAlert(m: IncidentMember, resolved: boolean): AlertEvent {
  return {
    kind: 'alert',
    fingerprint: m.ref,
    source: 'vigil',
    state: resolved || m.state === 'resolved' ? 'resolved' : 'firing',
    severity: m.severity as Severity,
    labels: m.labels,
    annotations: { summary: m.text },
    startsAt: m.t,
    ...(m.endedAt !== undefined && { endsAt: m.endedAt }),
  };
}
