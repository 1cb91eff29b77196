import { postJson } from '../http.js';
import { iso } from '../render.js';
import { SecretScrubber, redactHeaders, redactUrl } from '../secrets.js';
import type { DeliveryResult, Notification, NotificationChannel } from '../types.js';

/**
 * Alertmanager API v2 (`POST <url>/api/v2/alerts`), so teams can keep
 * Alertmanager as their router. Each alert of the group becomes one
 * Alertmanager alert: its labels (plus `alertname` and `severity` when absent),
 * its annotations (plus the notification's summary, description and runbook),
 * `startsAt`, and `generatorURL` (the Vigil link).
 *
 * Resolved alerts are sent with `endsAt` at or before the send time, which
 * Alertmanager reads as resolved. Firing alerts are sent without `endsAt` unless
 * `firingEndsAfterMs` is set: Alertmanager then resolves them by itself after its
 * `resolve_timeout` (default 5m) unless they are sent again, so the alerting stage
 * should repeat firing notifications more often than that (as Prometheus does).
 * Repeats are harmless: Alertmanager deduplicates by label set.
 */
export interface AlertmanagerChannelOptions {
  name: string;
  /** Base URL, e.g. http://alertmanager:9093 (a path prefix is kept). */
  url: string;
  /** Extra headers, e.g. Authorization for a proxy. Values are treated as secrets. */
  headers?: Record<string, string>;
  /** When set, firing alerts carry endsAt = send time + this. */
  firingEndsAfterMs?: number;
  timeoutMs?: number;
  concurrency?: number;
}

export class AlertmanagerChannel implements NotificationChannel {
  readonly type = 'alertmanager';
  readonly name: string;
  readonly timeoutMs?: number;
  readonly concurrency?: number;
  private readonly o: AlertmanagerChannelOptions;
  private readonly endpoint: string;
  private readonly scrubber: SecretScrubber;

  constructor(o: AlertmanagerChannelOptions) {
    this.o = o;
    this.name = o.name;
    this.timeoutMs = o.timeoutMs;
    this.concurrency = o.concurrency;
    this.endpoint = o.url.replace(/\/+$/, '') + '/api/v2/alerts';
    this.scrubber = new SecretScrubber([o.url, ...Object.values(o.headers ?? {})]);
  }

  send(n: Notification, signal: AbortSignal, now = Date.now()): Promise<DeliveryResult> {
    const body = JSON.stringify(alertmanagerAlerts(n, now, this.o.firingEndsAfterMs));
    return postJson({ channel: this.name, url: this.endpoint, body, headers: { ...this.o.headers }, signal, scrubber: this.scrubber });
  }

  describe(): Record<string, unknown> {
    return { name: this.name, type: this.type, url: redactUrl(this.o.url, { keepPath: true }), ...(this.o.headers ? { headers: redactHeaders(this.o.headers) } : {}) };
  }
}

export interface AlertmanagerAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt?: string;
  generatorURL?: string;
}

const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** The postAlerts body. Exported for tests and previews. */
export function alertmanagerAlerts(n: Notification, now: number, firingEndsAfterMs?: number): AlertmanagerAlert[] {
  return n.alerts.map((a) => {
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(a.labels)) if (v !== '' && LABEL_NAME_RE.test(k) && k !== '__name__') labels[k] = v;
    labels.alertname ??= a.labels.alertname || a.labels.__name__ || a.source;
    labels.severity ??= a.severity;
    if (n.kind === 'test') labels.vigil_test = 'true';
    const annotations: Record<string, string> = {};
    for (const [k, v] of Object.entries(a.annotations)) if (v !== '') annotations[k] = v;
    annotations.summary ??= n.title;
    if (n.annotations.description) annotations.description ??= n.annotations.description;
    if (n.annotations.runbook_url) annotations.runbook_url ??= n.annotations.runbook_url;
    if (n.links.ack) annotations.vigil_ack_url ??= n.links.ack;
    annotations.vigil_notification_id = n.id;
    annotations.vigil_dedup_key = n.dedupKey;
    const out: AlertmanagerAlert = { labels, annotations, startsAt: iso(Math.min(a.startsAt, now)) };
    const resolved = n.kind === 'resolved' || a.state === 'resolved';
    if (resolved) out.endsAt = iso(Math.max(Math.min(a.endsAt ?? now, now), a.startsAt));
    else if (firingEndsAfterMs !== undefined) out.endsAt = iso(now + firingEndsAfterMs);
    if (n.links.vigil) out.generatorURL = n.links.vigil;
    return out;
  });
}
