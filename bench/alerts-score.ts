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

/** What a day's figures are made of, so several days add up to figures of their own (see alerts-days.ts). */
export interface DayTally {
  alertsFired: number;
  pages: number;
  falsePositives: number;
  incidents: number;
  missed: number;
  /** Incident start to first notification, seconds, one per incident notified. */
  delays: number[];
}

export function scoreDay(incidents: readonly GroundTruthIncident[], run: AlertingRun): DayScore & { tally: DayTally } {
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
  const tally: DayTally = { alertsFired: run.alertsFired, pages: list.length, falsePositives, incidents: incidents.length, missed, delays };
  return {
    alerts_fired: run.alertsFired,
    notifications_sent: list.length,
    resolved_notifications: resolved.size,
    messages_delivered: run.messages.length,
    ...figures(tally),
    incidents: incidents.length,
    incidents_missed: missed,
    tally,
  };
}

/** The ratios of one day or of several days' tallies added up (pages over alerts of all days, not a mean of ratios). */
export function figures(t: DayTally): Pick<DayScore, 'noise_reduction' | 'false_positive_rate' | 'median_time_to_notify_s'> {
  return {
    noise_reduction: t.alertsFired === 0 ? 0 : 1 - t.pages / t.alertsFired,
    false_positive_rate: t.pages === 0 ? 0 : t.falsePositives / t.pages,
    median_time_to_notify_s: median(t.delays),
  };
}

export function addTallies(days: readonly DayTally[]): DayTally {
  const sum = (f: (d: DayTally) => number) => days.reduce((a, d) => a + f(d), 0);
  return {
    alertsFired: sum((d) => d.alertsFired),
    pages: sum((d) => d.pages),
    falsePositives: sum((d) => d.falsePositives),
    incidents: sum((d) => d.incidents),
    missed: sum((d) => d.missed),
    delays: days.flatMap((d) => d.delays),
  };
}

function median(values: readonly number[]): number {
  const v = [...values].sort((a, b) => a - b);
  const n = v.length;
  return n === 0 ? NaN : n % 2 ? v[(n - 1) / 2]! : (v[n / 2 - 1]! + v[n / 2]!) / 2;
}
