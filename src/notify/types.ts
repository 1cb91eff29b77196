import type { AlertEvent, Labels, Severity } from '../core/index.js';

/**
 * The notification model: one message about one alert group, for one channel.
 * Plain data (JSON-serialisable): it is stored as-is in the outbox before any
 * send attempt, and re-read after a restart.
 */

export const NOTIFICATION_KINDS = ['firing', 'resolved', 'acknowledged', 'escalated', 'test'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export interface NotificationAnnotations {
  description?: string;
  runbook_url?: string;
  /** Steps a responder can take, in order. */
  recommended_actions?: string[];
}

export interface NotificationLinks {
  /** Vigil's page for the alert or incident. */
  vigil?: string;
  /** A signed link that acknowledges the alert group in one click. */
  ack?: string;
}

export interface Notification {
  /** Idempotency key: one per (message, channel). Retries and re-sends after a crash carry the same id. */
  id: string;
  /** Name of the channel (as configured) that delivers it. */
  channel: string;
  kind: NotificationKind;
  /** Stable per alert group (e.g. the group fingerprint): firing, acknowledged and resolved share it. */
  dedupKey: string;
  severity: Severity;
  title: string;
  summary: string;
  /** Labels common to every alert of the group. */
  labels: Labels;
  annotations: NotificationAnnotations;
  /** The alerts of the group. */
  alerts: AlertEvent[];
  links: NotificationLinks;
  /** Unix ms. */
  createdAt: number;
}

/**
 * The outcome of one send attempt.
 * - `delivered`: the receiver accepted it.
 * - `retry`: a transient failure (network, timeout, 408, 429, 5xx); `retryAfterMs` when the receiver said when.
 * - `failed`: a permanent failure (4xx other than 408/429, invalid configuration); never retried.
 * `error` names the channel and the problem, never a URL, key or password.
 */
export type DeliveryResult =
  | { status: 'delivered'; detail?: string }
  | { status: 'retry'; error: string; retryAfterMs?: number }
  | { status: 'failed'; error: string };

export interface NotificationChannel {
  /** Unique name, as configured (`ops-slack`). */
  readonly name: string;
  /** Adapter type (`slack`, `pagerduty`, `email`, `webhook`, `alertmanager`). */
  readonly type: string;
  /** Concurrent sends for this channel (the outbox default when unset). */
  readonly concurrency?: number;
  /** Per-attempt timeout in ms (the outbox default when unset). */
  readonly timeoutMs?: number;
  /** Sends once. Must not throw: every failure is a DeliveryResult. Stops when `signal` aborts. */
  send(n: Notification, signal: AbortSignal): Promise<DeliveryResult>;
  /** A description safe to log or show in the API: secrets replaced by `<redacted>`. */
  describe(): Record<string, unknown>;
  /** Releases connections (SMTP transports). */
  close?(): void | Promise<void>;
}

/** The subset of pino's API the notify stage logs through. */
export type LogFn = (obj: object, msg?: string) => void;
export interface NotifyLogger {
  debug?: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}

export const delivered = (detail?: string): DeliveryResult => (detail === undefined ? { status: 'delivered' } : { status: 'delivered', detail });
export const retry = (error: string, retryAfterMs?: number): DeliveryResult =>
  retryAfterMs === undefined ? { status: 'retry', error } : { status: 'retry', error, retryAfterMs };
export const failed = (error: string): DeliveryResult => ({ status: 'failed', error });
