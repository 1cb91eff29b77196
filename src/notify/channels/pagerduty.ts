import { createHash } from 'node:crypto';
import type { Severity } from '../../core/index.js';
import { postJson } from '../http.js';
import { iso, truncate } from '../render.js';
import { SecretScrubber, redactUrl, REDACTED } from '../secrets.js';
import type { DeliveryResult, Notification, NotificationChannel, NotificationKind } from '../types.js';

/**
 * PagerDuty Events API v2 (`POST /v2/enqueue`). The notification's dedupKey is
 * the `dedup_key`, so firing, acknowledged and resolved notifications of one
 * alert group act on one PagerDuty alert, and a repeated trigger (a retry, or a
 * re-send after a crash) is merged into it rather than opening a second one.
 * The notification id travels in `custom_details.vigil_notification_id`.
 */
export interface PagerDutyChannelOptions {
  name: string;
  /** The Events API v2 integration key (a secret). */
  routingKey: string;
  /** Default https://events.pagerduty.com/v2/enqueue (EU: https://events.eu.pagerduty.com/v2/enqueue). */
  url?: string;
  /** `payload.source` when the alerts carry no instance/host label. Default "vigil". */
  source?: string;
  /** `client` shown in PagerDuty. Default "Vigil". */
  client?: string;
  timeoutMs?: number;
  concurrency?: number;
}

export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';
export const PAGERDUTY_SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
export type PagerDutySeverity = (typeof PAGERDUTY_SEVERITIES)[number];

export const PAGERDUTY_SEVERITY: Readonly<Record<Severity, PagerDutySeverity>> = {
  critical: 'critical',
  high: 'error',
  medium: 'warning',
  low: 'warning',
  info: 'info',
};

const EVENT_ACTION: Readonly<Record<NotificationKind, 'trigger' | 'acknowledge' | 'resolve'>> = {
  firing: 'trigger',
  escalated: 'trigger',
  test: 'trigger',
  acknowledged: 'acknowledge',
  resolved: 'resolve',
};

const SUMMARY_MAX = 1024;
const DEDUP_MAX = 255;

export class PagerDutyChannel implements NotificationChannel {
  readonly type = 'pagerduty';
  readonly name: string;
  readonly timeoutMs?: number;
  readonly concurrency?: number;
  private readonly o: PagerDutyChannelOptions;
  private readonly scrubber: SecretScrubber;

  constructor(o: PagerDutyChannelOptions) {
    this.o = o;
    this.name = o.name;
    this.timeoutMs = o.timeoutMs;
    this.concurrency = o.concurrency;
    this.scrubber = new SecretScrubber([o.routingKey]);
  }

  send(n: Notification, signal: AbortSignal): Promise<DeliveryResult> {
    const body = JSON.stringify(pagerDutyEvent(n, this.o));
    return postJson({ channel: this.name, url: this.o.url ?? PAGERDUTY_EVENTS_URL, body, headers: {}, signal, scrubber: this.scrubber });
  }

  describe(): Record<string, unknown> {
    return { name: this.name, type: this.type, url: redactUrl(this.o.url ?? PAGERDUTY_EVENTS_URL, { keepPath: true }), routingKey: REDACTED };
  }
}

/** The Events API v2 body. Exported for tests and previews. */
export function pagerDutyEvent(n: Notification, o: Pick<PagerDutyChannelOptions, 'routingKey' | 'source' | 'client'>): Record<string, unknown> {
  const action = EVENT_ACTION[n.kind];
  const event: Record<string, unknown> = { routing_key: o.routingKey, event_action: action, dedup_key: pagerDutyDedupKey(n.dedupKey) };
  if (action !== 'trigger') return event; // acknowledge and resolve need only the key

  const first = n.alerts[0];
  const l = { ...first?.labels, ...n.labels };
  const payload: Record<string, unknown> = {
    summary: truncate(n.kind === 'test' ? `[TEST] ${n.title}` : n.title === n.summary ? n.title : `${n.title}: ${n.summary}`, SUMMARY_MAX),
    source: l.instance || l.host || l.service || o.source || 'vigil',
    severity: PAGERDUTY_SEVERITY[n.severity],
    timestamp: iso(n.alerts.length ? Math.min(...n.alerts.map((a) => a.startsAt)) : n.createdAt),
  };
  const component = l.component || l.job || l.__name__;
  const group = l.service;
  const cls = l.alertname || first?.source;
  if (component) payload.component = component;
  if (group) payload.group = group;
  if (cls) payload.class = cls;
  payload.custom_details = {
    vigil_notification_id: n.id,
    kind: n.kind,
    vigil_severity: n.severity,
    labels: n.labels,
    ...(n.annotations.description ? { description: n.annotations.description } : {}),
    ...(n.annotations.recommended_actions?.length ? { recommended_actions: n.annotations.recommended_actions } : {}),
    alerts: n.alerts.slice(0, 50).map((a) => ({ fingerprint: a.fingerprint, state: a.state, severity: a.severity, labels: a.labels, startsAt: iso(a.startsAt), ...(a.value !== undefined ? { value: a.value } : {}) })),
    ...(n.alerts.length > 50 ? { alerts_omitted: n.alerts.length - 50 } : {}),
  };
  event.payload = payload;
  const links: Array<{ href: string; text: string }> = [];
  if (n.links.vigil) links.push({ href: n.links.vigil, text: 'Open in Vigil' });
  if (n.links.ack) links.push({ href: n.links.ack, text: 'Acknowledge in Vigil' });
  if (n.annotations.runbook_url) links.push({ href: n.annotations.runbook_url, text: 'Runbook' });
  if (links.length) event.links = links;
  event.client = o.client ?? 'Vigil';
  if (n.links.vigil) event.client_url = n.links.vigil;
  return event;
}

/** dedup_key is at most 255 characters: longer keys are replaced by their SHA-256. */
export function pagerDutyDedupKey(key: string): string {
  return key.length <= DEDUP_MAX ? key : 'sha256:' + createHash('sha256').update(key).digest('hex');
}
