import { randomUUID } from 'node:crypto';
import { type AlertEvent, type Labels, type Severity, hashString64, maxSeverity } from '../core/index.js';
import type { Notification, NotificationAnnotations, NotificationKind, NotificationLinks } from './types.js';

export interface BuildNotificationInput {
  channel: string;
  kind: NotificationKind;
  /** The alert group (at least one alert). */
  alerts: AlertEvent[];
  /** Default: a hash of the sorted alert fingerprints (stable for the same group). */
  dedupKey?: string;
  /** Default: a random UUID. Pass a deterministic one to make enqueueing idempotent. */
  id?: string;
  title?: string;
  summary?: string;
  annotations?: NotificationAnnotations;
  links?: NotificationLinks;
  /** Unix ms; default now. */
  now?: number;
}

/**
 * Builds a notification from an alert group, filling what the caller leaves out
 * the way Alertmanager does: the most severe alert's severity, the labels every
 * alert shares, and title, description and runbook from the alerts' annotations.
 */
export function buildNotification(input: BuildNotificationInput): Notification {
  const alerts = input.alerts;
  if (alerts.length === 0) throw new RangeError('a notification needs at least one alert');
  const severity = alerts.map((a) => a.severity).reduce((a: Severity, b: Severity) => maxSeverity(a, b));
  const labels = commonLabels(alerts.map((a) => a.labels));
  const first = alerts.find((a) => a.severity === severity) ?? alerts[0]!;
  const firing = alerts.filter((a) => a.state !== 'resolved').length;
  const name = labels.alertname ?? first.labels.alertname ?? first.labels.__name__ ?? first.source;
  const service = labels.service;
  const title = input.title ?? first.annotations.summary ?? first.annotations.title ?? `${name}${service ? ` on ${service}` : ''}`;
  const summary =
    input.summary ??
    (alerts.length === 1
      ? first.annotations.description ?? title
      : `${alerts.length} alerts (${firing} firing, ${alerts.length - firing} resolved)${service ? ` for ${service}` : ''}: ${name}`);
  const annotations: NotificationAnnotations = { ...input.annotations };
  annotations.description ??= first.annotations.description;
  annotations.runbook_url ??= first.annotations.runbook_url ?? first.annotations.runbook;
  if (!annotations.recommended_actions && first.annotations.recommended_actions)
    annotations.recommended_actions = first.annotations.recommended_actions.split('\n').map((s) => s.trim()).filter(Boolean);
  for (const k of Object.keys(annotations) as Array<keyof NotificationAnnotations>) if (annotations[k] === undefined) delete annotations[k];
  return {
    id: input.id ?? randomUUID(),
    channel: input.channel,
    kind: input.kind,
    dedupKey: input.dedupKey ?? groupKey(alerts),
    severity,
    title,
    summary,
    labels,
    annotations,
    alerts,
    links: { ...input.links },
    createdAt: input.now ?? Date.now(),
  };
}

/** A stable key for a set of alerts: the hash of their sorted fingerprints. */
export function groupKey(alerts: readonly AlertEvent[]): string {
  return hashString64(alerts.map((a) => a.fingerprint).sort().join('\n'));
}

/** Labels with the same value in every set (Alertmanager's CommonLabels). */
export function commonLabels(sets: readonly Labels[]): Labels {
  if (sets.length === 0) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(sets[0]!)) if (v !== '' && sets.every((s) => s[k] === v)) out[k] = v;
  return out;
}
