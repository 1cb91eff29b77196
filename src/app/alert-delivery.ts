import type { Logger } from 'pino';
import type { GroupNotification } from '../alerting/dispatch/index.js';
import { ReceiverChannels, buildNotification, type Outbox } from '../notify/index.js';

/** On-call paging for receivers that name an escalation policy (see src/oncall). */
export interface Pager {
  policyFor(receiver: string): string | undefined;
  page(key: string, policy: string, template: Omit<ReturnType<typeof buildNotification>, 'id' | 'channel' | 'createdAt'>): void;
  resolve(key: string): void;
}

/**
 * Hands each group notification of the dispatcher to the durable outbox, one
 * notification per channel of the receiver. Ids are deterministic
 * (`<group notification id>:<channel>`), so a flush retried after a failure
 * never enqueues twice. A receiver naming a channel that is not configured is
 * reported once and skipped, so one typo never blocks the other channels.
 */
export function deliverToOutbox(
  outbox: Outbox | undefined,
  logger: Logger,
  vigilUrl: () => string,
  /** A signed acknowledgement link for a group key (absent: no ack links). */
  ackUrl?: (groupKey: string) => string,
  pager?: Pager,
): (n: GroupNotification) => void {
  const receiverChannels = new ReceiverChannels(outbox, logger);
  return (g) => {
    const policy = pager?.policyFor(g.receiver);
    // Acknowledgements stop on-call pages where they are recorded (see vigil-app.ts), not here.
    if (pager && policy && !g.acknowledged) {
      // The escalation runner de-duplicates re-sends of an open page, and resolves it with the group.
      if (g.status === 'resolved') pager.resolve(g.groupKey);
      else {
        const { id: _id, channel: _channel, createdAt: _createdAt, ...template } = buildNotification({
          channel: '',
          kind: 'firing',
          alerts: g.alerts,
          dedupKey: g.groupKey,
          links: ackUrl ? { vigil: `${vigilUrl()}/api/v1/alerts`, ack: ackUrl(g.groupKey) } : { vigil: `${vigilUrl()}/api/v1/alerts` },
          now: g.at,
        });
        pager.page(g.groupKey, policy, template);
      }
    }
    if (g.channels.length === 0) {
      if (policy) return;
      logger.info({ receiver: g.receiver, group: g.groupLabels, status: g.status, alerts: g.alerts.length, severity: g.severity }, 'alert group (log-only receiver)');
      return;
    }
    // One link per group notification, for every channel: it acknowledges the group's alerts.
    const ack = ackUrl && g.status === 'firing' && !g.acknowledged ? ackUrl(g.groupKey) : undefined;
    const acked = g.acknowledged;
    const ackSummary = acked && `Acknowledged by ${acked.by}${acked.comment ? `: ${acked.comment}` : ''}`;
    receiverChannels.enqueue(g.receiver, g.channels, (channel) =>
      buildNotification({
        channel,
        kind: g.status === 'resolved' ? 'resolved' : acked ? 'acknowledged' : g.escalated ? 'escalated' : 'firing',
        alerts: g.alerts,
        ...(ackSummary ? { summary: ackSummary } : {}),
        dedupKey: g.groupKey,
        id: `${g.id}:${channel}`,
        links: ack ? { vigil: `${vigilUrl()}/api/v1/alerts`, ack } : { vigil: `${vigilUrl()}/api/v1/alerts` },
        now: g.at,
      }),
    );
  };
}
