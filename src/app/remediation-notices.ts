import type { AlertEvent, Labels } from '../core/index.js';
import type { Dispatcher, ReceiverSpec } from '../alerting/dispatch/index.js';
import { ReceiverChannels, buildNotification, type NotifyLogger, type Outbox } from '../notify/index.js';
import type { RemediationNotice } from '../remediate/index.js';

export interface RemediationNoticeDeps {
  dispatcher: Dispatcher;
  receivers: readonly ReceiverSpec[];
  outbox: Outbox | undefined;
  logger: NotifyLogger;
  vigilUrl: () => string;
}

/**
 * Sends the remediation engine's notices (approval requests, outcomes, notify
 * steps): routed like alerts (labels `alertname="remediation"`, `severity`,
 * `execution`) to the routing tree's receivers, through the outbox. A notify
 * step that names a channel goes to that channel only.
 */
export function remediationNotifier(d: RemediationNoticeDeps): (n: RemediationNotice) => void {
  const receivers = new Map(d.receivers.map((r) => [r.name, r]));
  const channels = new ReceiverChannels(d.outbox, d.logger);
  return (n) => {
    const labels: Labels = { alertname: 'remediation', severity: n.severity, ...(n.execution && { execution: n.execution }) };
    const alert: AlertEvent = { kind: 'alert', fingerprint: `remediation:${n.execution ?? n.title}`, source: 'vigil', state: 'firing', severity: n.severity, labels, annotations: { summary: n.title, description: n.text }, startsAt: Date.now() };
    const link = n.execution ? `${d.vigilUrl()}/api/v1/remediation/executions/${encodeURIComponent(n.execution)}` : `${d.vigilUrl()}/api/v1/remediation/executions`;
    const text = n.links ? `${n.text}\nApprove: ${n.links.approve}\nReject: ${n.links.reject}` : n.text;
    const targets: Array<{ name?: string; channels: readonly string[] } | undefined> = n.channel
      ? [{ channels: [n.channel] }]
      : d.dispatcher.route.match(labels).map((route) => receivers.get(route.options.receiver));
    for (const receiver of targets) {
      channels.enqueue(receiver?.name, receiver?.channels ?? [], (channel) => ({
        ...buildNotification({ channel, kind: 'firing', alerts: [alert], dedupKey: `remediation:${n.execution ?? n.title}`, id: `remediation:${n.execution ?? ''}:${n.title}:${channel}`, title: n.title, summary: text, links: { vigil: link }, now: Date.now() }),
        severity: n.severity,
      }));
      if (!receiver?.channels.length) d.logger.info({ title: n.title, severity: n.severity }, 'remediation notice (log-only receiver)');
    }
  };
}
