import { z } from 'zod';
import { count, duration, section } from '../config/fields.js';
import { OUTBOX_DEFAULTS } from './outbox.js';
import { RESERVED_HEADERS } from './channels/webhook.js';
import type { SlackChannelOptions } from './channels/slack.js';
import type { PagerDutyChannelOptions } from './channels/pagerduty.js';
import type { EmailChannelOptions } from './channels/email.js';
import type { WebhookChannelOptions } from './channels/webhook.js';
import type { AlertmanagerChannelOptions } from './channels/alertmanager.js';

/**
 * The `notify:` section of vigil.yaml (not yet part of the main schema):
 *
 *   notify:
 *     outbox: { concurrency: 4, timeout: 10s, retryBase: 1s, retryCap: 5m, maxAttempts: 10, maxAge: 24h }
 *     channels:
 *       - { name: ops-slack, type: slack, webhookUrl: "${SLACK_WEBHOOK_URL}" }
 *       - { name: oncall, type: pagerduty, routingKey: "${PD_ROUTING_KEY}" }
 *
 * Secrets go in through `${VAR}`; the keys that hold them (webhookUrl,
 * routingKey, password, secret) are the ones config redaction already hides.
 */

const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const HEADER_NAME_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// `ops@example.com` or `Vigil <ops@example.com>`.
const ADDRESS_RE = /^(?:[^<>@\r\n]*<\s*[^@\s<>]+@[^@\s<>]+\s*>|[^@\s<>]+@[^@\s<>]+)$/;

const httpUrl = () =>
  z.string().refine((s) => {
    try {
      const u = new URL(s);
      return u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'expected an http:// or https:// URL');

const address = () => z.string().regex(ADDRESS_RE, 'expected an e-mail address (ops@example.com or "Name <ops@example.com>")');
const addressList = () => z.preprocess((v) => (typeof v === 'string' ? [v] : v), z.array(address()));

const headers = () =>
  z.record(z.string(), z.string()).superRefine((h, ctx) => {
    for (const name of Object.keys(h)) {
      if (!HEADER_NAME_RE.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: 'invalid HTTP header name' });
      else if ((RESERVED_HEADERS as readonly string[]).includes(name.toLowerCase())) ctx.addIssue({ code: 'custom', path: [name], message: 'this header is set by Vigil' });
    }
  });

const common = {
  name: z.string().regex(NAME_RE, 'must start with a letter or digit and contain only letters, digits, ".", "_" and "-"'),
  // Per-channel overrides of the outbox defaults.
  timeout: duration({ min: 1 }).optional(),
  concurrency: count(1, 256).optional(),
};

const slackSchema = z.strictObject({ type: z.literal('slack'), ...common, webhookUrl: httpUrl() });

const pagerDutySchema = z.strictObject({
  type: z.literal('pagerduty'),
  ...common,
  routingKey: z.string().min(1),
  url: httpUrl().optional(),
  source: z.string().min(1).optional(),
  client: z.string().min(1).optional(),
});

const emailSchema = z.strictObject({
  type: z.literal('email'),
  ...common,
  smtp: z.strictObject({
    host: z.string().min(1),
    port: count(1, 65_535).optional(),
    secure: z.boolean().optional(),
    requireTls: z.boolean().optional(),
    auth: z.strictObject({ user: z.string().min(1), password: z.string() }).optional(),
    tlsInsecure: z.boolean().optional(),
  }),
  from: address(),
  to: addressList().pipe(z.array(z.string()).min(1, 'at least one recipient is required')),
  cc: addressList().optional(),
  subjectPrefix: z.string().optional(),
});

const webhookSchema = z.strictObject({
  type: z.literal('webhook'),
  ...common,
  url: httpUrl(),
  secret: z.string().min(16, 'use at least 16 characters').optional(),
  headers: headers().optional(),
});

const alertmanagerSchema = z.strictObject({
  type: z.literal('alertmanager'),
  ...common,
  url: httpUrl(),
  headers: headers().optional(),
  firingEndsAfter: duration({ min: 1000 }).optional(),
});

export const CHANNEL_TYPES = ['slack', 'pagerduty', 'email', 'webhook', 'alertmanager'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

export const channelSchema = z
  .discriminatedUnion('type', [slackSchema, pagerDutySchema, emailSchema, webhookSchema, alertmanagerSchema], {
    error: (iss) => (iss.code === 'invalid_union' ? `type must be one of ${CHANNEL_TYPES.join(', ')}` : undefined),
  })
  .transform((c): ChannelConfig => {
    const { timeout, ...rest } = c;
    const out = { ...rest, ...(timeout !== undefined ? { timeoutMs: timeout } : {}) };
    if (out.type === 'alertmanager') {
      const { firingEndsAfter, ...am } = out;
      return { ...am, ...(firingEndsAfter !== undefined ? { firingEndsAfterMs: firingEndsAfter } : {}) };
    }
    return out as ChannelConfig;
  });

/** One channel as the registry takes it: the adapter's options plus its type. */
export type ChannelConfig =
  | ({ type: 'slack' } & SlackChannelOptions)
  | ({ type: 'pagerduty' } & PagerDutyChannelOptions)
  | ({ type: 'email' } & EmailChannelOptions)
  | ({ type: 'webhook' } & WebhookChannelOptions)
  | ({ type: 'alertmanager' } & AlertmanagerChannelOptions);

export const notifySchema = section({
  outbox: section({
    // Default (applied by the caller): <storage.dir>/notify.
    dir: z.string().min(1).optional(),
    concurrency: count(1, 256).default(OUTBOX_DEFAULTS.concurrency),
    timeout: duration({ min: 1 }).prefault('10s'),
    retryBase: duration({ min: 1 }).prefault('1s'),
    retryCap: duration({ min: 1 }).prefault('5m'),
    maxAttempts: count(1).default(OUTBOX_DEFAULTS.maxAttempts),
    maxAge: duration({ min: 1 }).prefault('24h'),
    maxRetryAfter: duration({ min: 1 }).prefault('1h'),
    retention: duration({ min: 1 }).prefault('7d'),
  }),
  channels: z.preprocess((v) => v ?? [], z.array(channelSchema)),
})
  .superRefine((s, ctx) => {
    const names = new Set<string>();
    s.channels.forEach((c, i) => {
      if (names.has(c.name)) ctx.addIssue({ code: 'custom', path: ['channels', i, 'name'], message: `duplicate channel name "${c.name}"` });
      names.add(c.name);
    });
    if (s.outbox.retryCap < s.outbox.retryBase) ctx.addIssue({ code: 'custom', path: ['outbox', 'retryCap'], message: 'retryCap must not be smaller than retryBase' });
  })
  .transform((s) => ({
    outbox: {
      dir: s.outbox.dir,
      concurrency: s.outbox.concurrency,
      timeoutMs: s.outbox.timeout,
      retryBaseMs: s.outbox.retryBase,
      retryCapMs: s.outbox.retryCap,
      maxAttempts: s.outbox.maxAttempts,
      maxAgeMs: s.outbox.maxAge,
      maxRetryAfterMs: s.outbox.maxRetryAfter,
      retentionMs: s.outbox.retention,
    },
    channels: s.channels,
  }));

export type NotifyConfig = z.output<typeof notifySchema>;
