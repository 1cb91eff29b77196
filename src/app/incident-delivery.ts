import type { Logger } from 'pino';
import { type AlertEvent, type Labels, type Severity, severityRank } from '../core/index.js';
import type { Dispatcher, GroupNotification, ReceiverSpec } from '../alerting/dispatch/index.js';
import { buildNotification, commonLabels, type NotificationKind, type Outbox } from '../notify/index.js';
import type { Incident, IncidentManager, IncidentMember } from '../incidents/index.js';
import type { Pager } from './alert-delivery.js';

/**
 * Incident-level notifications (`incidents.notifyPerIncident`): one page per
 * incident instead of one per alert group. The incident is routed through the
 * alerting stage's routing tree as an alert would be, with labels
 * `alertname="incident"`, its severity, its likely root service as `service`
 * and the labels its alerts share, so the same receivers, channels and
 * escalation policies apply. It notifies once `notifyDelay` after opening
 * (when at least one of its alerts is firing and not silenced or inhibited),
 * again only when its severity rises (`escalated`), once when acknowledged
 * (which also stops the on-call escalation) and once when resolved.
 * Outbox ids are deterministic per incident, kind and severity: a restart or
 * retry never pages twice.
 */
export class IncidentNotifier {
  private readonly receivers = new Map<string, ReceiverSpec>();
  private readonly warned = new Set<string>();

  constructor(
    private readonly opts: {
      manager: IncidentManager;
      dispatcher: Dispatcher;
      receivers: readonly ReceiverSpec[];
      outbox: Outbox | undefined;
      logger: Logger;
      vigilUrl: () => string;
      delayMs: number;
      pager?: Pager;
      now?: () => number;
    },
  ) {
    for (const r of opts.receivers) this.receivers.set(r.name, r);
    opts.manager.onChange((inc, change) => {
      if (change === 'resolved' && inc.notified && !inc.notified.resolved && !inc.mergedInto) this.send(inc, 'resolved');
      // Someone is on it: tell the channels once, and stop the on-call escalation.
      if (change === 'acknowledged' && inc.notified && !inc.notified.resolved && !inc.notified.acknowledged) this.send(inc, 'acknowledged');
    });
  }

  /** Sends what is due; returns the ids of the incidents notified. */
  tick(now = (this.opts.now ?? Date.now)()): string[] {
    const sent: string[] = [];
    for (const inc of this.opts.manager.openIncidents()) {
      if (inc.state === 'mitigated') continue;
      const firing = this.activeAlerts(inc);
      if (firing.length === 0) continue;
      if (!inc.notified) {
        if (now < inc.openedAt + this.opts.delayMs) continue;
        this.send(inc, 'firing');
        sent.push(inc.id);
      } else if (!inc.notified.resolved && severityRank(inc.severity) > severityRank(inc.notified.severity)) {
        this.send(inc, 'escalated');
        sent.push(inc.id);
      }
    }
    return sent;
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

  private send(inc: Incident, kind: NotificationKind): void {
    const members = kind === 'firing' || kind === 'escalated' ? this.activeAlerts(inc) : inc.members.filter((m) => m.kind === 'alert');
    if (members.length === 0) return;
    const alerts = members.map((m) => asAlert(m, kind === 'resolved'));
    const labels = routingLabels(inc, alerts);
    const link = `${this.opts.vigilUrl()}/api/v1/incidents/${encodeURIComponent(inc.id)}`;
    const top = inc.rootCauses[0];
    // How it was fixed last time, when a similar incident is on record.
    const similar = kind === 'resolved' ? undefined : this.opts.manager.detail(inc.id).similar[0];
    const ackNote = kind === 'acknowledged' && inc.ack ? `Acknowledged by ${inc.ack.by}${inc.ack.comment ? `: ${inc.ack.comment}` : ''}. ` : '';
    const summary = ackNote + (similar ? `${inc.summary} Similar past incident: ${similar.title} (similarity ${similar.score.toFixed(2)})${similar.resolutionNote ? `, fixed by: ${similar.resolutionNote}` : ''}.` : inc.summary);
    const annotations = {
      description: summary,
      ...(top?.runbooks[0] && { runbook_url: top.runbooks[0] }),
      ...(top?.actions.length && { recommended_actions: top.actions }),
    };
    const at = (this.opts.now ?? Date.now)();
    const receivers = new Set(this.opts.dispatcher.route.match(labels).map((r) => r.options.receiver));
    for (const name of receivers) {
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
      for (const channel of receiver.channels) {
        if (!this.opts.outbox || !this.opts.outbox.channels().some((c) => String(c.name) === channel)) {
          if (!this.warned.has(channel)) this.opts.logger.warn({ receiver: name, channel }, 'receiver names a channel that is not in notify.channels; skipped');
          this.warned.add(channel);
          continue;
        }
        // The incident's severity (raised by blast radius), not just its worst alert's.
        this.opts.outbox.enqueue({
          ...buildNotification({
            channel,
            kind,
            alerts,
            dedupKey: pageKey(inc),
            id: `${pageKey(inc)}:${kind}:${kind === 'resolved' || kind === 'acknowledged' ? 'once' : inc.severity}:${channel}`,
            title: inc.title,
            summary,
            annotations,
            links: { vigil: link },
            now: at,
          }),
          severity: inc.severity,
        });
      }
    }
    const before = inc.notified;
    this.opts.manager.markNotified(inc.id, {
      severity: inc.severity,
      at,
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
