// Scoring of bench:alerts against the simulator's ground truth.
import type { GroundTruthIncident } from '../src/simulate/index.js';
import type { AlertingRun, ReceivedNotification } from './alerts-pipeline.js';

/** A notification counts for an incident when it names a service or host the incident touched, from shortly before it starts until a while after it ends. */
export const ATTRIBUTION = { beforeMs: 2 * 60_000, afterMs: 15 * 60_000 } as const;

export interface DayScore {
  alerts_fired: number;
  /** Notifications (pages) sent: firing and escalated, counted once however many channels and receivers carried them. */
  notifications_sent: number;
  /** Resolved messages, counted the same way (not in the ratios). */
  resolved_notifications: number;
  /** Messages delivered to the receiver, all kinds, one per channel. */
  messages_delivered: number;
  noise_reduction: number;
  incidents: number;
  incidents_missed: number;
  false_positive_rate: number;
  median_time_to_notify_s: number;
}

/**
 * One notification, however many channels and receivers carried it: the same
 * alerts, in the same state, at the same time (a PagerDuty page and the Slack
 * message of the same alerts are one notification to the person on call).
 */
function notificationKey(m: ReceivedNotification): string {
  const alerts = m.alerts.map((a) => `${a.state}:${Object.entries(a.labels).sort().map(([k, v]) => `${k}=${v}`).join(',')}`).sort();
  return `${m.kind === 'resolved' ? 'resolved' : 'firing'}@${m.createdAt}/${alerts.join('|')}`;
}

export function attributable(m: ReceivedNotification, inc: GroundTruthIncident): boolean {
  if (m.createdAt < inc.startsAt - ATTRIBUTION.beforeMs || m.createdAt > inc.endsAt + ATTRIBUTION.afterMs) return false;
  return m.alerts.some(
    (a) => a.state === 'firing' && inc.affected.some((s) => (a.labels.instance !== undefined ? a.labels.instance === s.instance : a.labels.service === s.service)),
  );
}

export function scoreDay(incidents: readonly GroundTruthIncident[], run: AlertingRun): DayScore {
  const pages = new Map<string, ReceivedNotification>();
  const resolved = new Set<string>();
  for (const m of run.messages) {
    const id = notificationKey(m);
    if (m.kind === 'resolved') resolved.add(id);
    else if (m.kind === 'firing' || m.kind === 'escalated') pages.set(id, m);
  }
  const list = [...pages.values()];
  let falsePositives = 0;
  for (const m of list) if (!incidents.some((inc) => attributable(m, inc))) falsePositives++;
  const delays: number[] = [];
  let missed = 0;
  for (const inc of incidents) {
    const first = list.filter((m) => attributable(m, inc)).reduce((t, m) => Math.min(t, m.createdAt), Infinity);
    if (first === Infinity) missed++;
    else delays.push(Math.max(0, first - inc.startsAt) / 1000);
  }
  delays.sort((a, b) => a - b);
  const median = delays.length === 0 ? NaN : delays.length % 2 ? delays[(delays.length - 1) / 2]! : (delays[delays.length / 2 - 1]! + delays[delays.length / 2]!) / 2;
  return {
    alerts_fired: run.alertsFired,
    notifications_sent: list.length,
    resolved_notifications: resolved.size,
    messages_delivered: run.messages.length,
    noise_reduction: run.alertsFired === 0 ? 0 : 1 - list.length / run.alertsFired,
    incidents: incidents.length,
    incidents_missed: missed,
    false_positive_rate: list.length === 0 ? 0 : falsePositives / list.length,
    median_time_to_notify_s: median,
  };
}
