import { createHmac, timingSafeEqual } from 'node:crypto';
import { postJson } from '../http.js';
import { iso } from '../render.js';
import { SecretScrubber, redactHeaders, redactUrl, REDACTED } from '../secrets.js';
import type { DeliveryResult, Notification, NotificationChannel } from '../types.js';

/**
 * Generic webhook: POSTs the notification as versioned JSON.
 *
 * Signing (when a secret is configured):
 *   X-Vigil-Timestamp: <unix seconds>
 *   X-Vigil-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>
 * The receiver recomputes the HMAC over the timestamp header, a ".", and the raw
 * body bytes exactly as received, compares in constant time, and refuses a
 * timestamp more than 5 minutes from its clock (replay protection).
 * `verifyWebhookSignature` below does all of this.
 *
 * Idempotency: `X-Vigil-Delivery-Id` is the notification id, identical on every
 * retry and on a re-send after a crash; receivers should drop ids they have seen.
 */
export interface WebhookChannelOptions {
  name: string;
  url: string;
  /** HMAC-SHA256 key; without it requests are not signed. */
  secret?: string;
  /** Extra headers (e.g. Authorization). Values are treated as secrets. */
  headers?: Record<string, string>;
  timeoutMs?: number;
  concurrency?: number;
}

export const WEBHOOK_VERSION = '1';
export const SIGNATURE_HEADER = 'x-vigil-signature';
export const TIMESTAMP_HEADER = 'x-vigil-timestamp';
export const DELIVERY_ID_HEADER = 'x-vigil-delivery-id';
export const EVENT_HEADER = 'x-vigil-event';
/** Headers Vigil sets itself, which configured headers may not override. */
export const RESERVED_HEADERS = ['content-type', 'user-agent', SIGNATURE_HEADER, TIMESTAMP_HEADER, DELIVERY_ID_HEADER, EVENT_HEADER] as const;

export class WebhookChannel implements NotificationChannel {
  readonly type = 'webhook';
  readonly name: string;
  readonly timeoutMs?: number;
  readonly concurrency?: number;
  private readonly o: WebhookChannelOptions;
  private readonly scrubber: SecretScrubber;

  constructor(o: WebhookChannelOptions) {
    for (const h of Object.keys(o.headers ?? {}))
      if ((RESERVED_HEADERS as readonly string[]).includes(h.toLowerCase())) throw new RangeError(`${o.name}: header ${h} is set by Vigil and cannot be configured`);
    this.o = o;
    this.name = o.name;
    this.timeoutMs = o.timeoutMs;
    this.concurrency = o.concurrency;
    this.scrubber = new SecretScrubber([o.url, o.secret, ...Object.values(o.headers ?? {})]);
  }

  send(n: Notification, signal: AbortSignal, now = Date.now()): Promise<DeliveryResult> {
    const body = JSON.stringify(webhookBody(n));
    const headers: Record<string, string> = { ...this.o.headers, [DELIVERY_ID_HEADER]: n.id, [EVENT_HEADER]: n.kind };
    if (this.o.secret) {
      const ts = String(Math.floor(now / 1000));
      headers[TIMESTAMP_HEADER] = ts;
      headers[SIGNATURE_HEADER] = signWebhook(this.o.secret, ts, body);
    }
    return postJson({ channel: this.name, url: this.o.url, body, headers, signal, scrubber: this.scrubber });
  }

  describe(): Record<string, unknown> {
    return {
      name: this.name,
      type: this.type,
      url: redactUrl(this.o.url),
      signed: Boolean(this.o.secret),
      ...(this.o.secret ? { secret: REDACTED } : {}),
      ...(this.o.headers ? { headers: redactHeaders(this.o.headers) } : {}),
    };
  }
}

/** Version 1 of the webhook body: the notification with times as RFC 3339. */
export function webhookBody(n: Notification): Record<string, unknown> {
  return {
    version: WEBHOOK_VERSION,
    id: n.id,
    channel: n.channel,
    kind: n.kind,
    // The group's status after this notification: what a receiver updates its record to.
    status: n.kind === 'resolved' ? 'resolved' : n.kind === 'acknowledged' ? 'acknowledged' : 'firing',
    dedupKey: n.dedupKey,
    severity: n.severity,
    title: n.title,
    summary: n.summary,
    labels: n.labels,
    annotations: n.annotations,
    alerts: n.alerts.map((a) => ({
      fingerprint: a.fingerprint,
      source: a.source,
      state: a.state,
      severity: a.severity,
      labels: a.labels,
      annotations: a.annotations,
      startsAt: iso(a.startsAt),
      endsAt: a.endsAt === undefined ? null : iso(a.endsAt),
      ...(a.ackedBy !== undefined ? { acknowledged: { by: a.ackedBy, at: a.ackedAt === undefined ? null : iso(a.ackedAt), ...(a.ackComment !== undefined ? { comment: a.ackComment } : {}) } } : {}),
      ...(a.value !== undefined && Number.isFinite(a.value) ? { value: a.value } : {}),
    })),
    links: n.links,
    createdAt: iso(n.createdAt),
  };
}

/** `sha256=<hex>` of HMAC-SHA256(secret, `${timestamp}.${body}`). */
export function signWebhook(secret: string, timestamp: string, rawBody: string | Buffer): string {
  return 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
}

/**
 * For receivers: true when the signature matches the raw body and the timestamp
 * is within `toleranceSec` (default 300) of `now`.
 */
export function verifyWebhookSignature(
  secret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  rawBody: string | Buffer,
  opts: { toleranceSec?: number; now?: number } = {},
): boolean {
  const { timestamp, signature } = headers;
  if (!timestamp || !signature || !/^\d+$/.test(timestamp)) return false;
  const age = Math.abs((opts.now ?? Date.now()) / 1000 - Number(timestamp));
  if (age > (opts.toleranceSec ?? 300)) return false;
  const expected = Buffer.from(signWebhook(secret, timestamp, rawBody));
  const got = Buffer.from(signature);
  return got.length === expected.length && timingSafeEqual(got, expected);
}
