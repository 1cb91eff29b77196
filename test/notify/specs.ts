import { z } from 'zod';

/**
 * The receivers' public contracts, written down as schemas and checked against
 * what Vigil actually put on the wire.
 */

const plainText = (max: number) => z.strictObject({ type: z.literal('plain_text'), text: z.string().min(1).max(max), emoji: z.boolean().optional() });
const mrkdwn = (max: number) => z.strictObject({ type: z.literal('mrkdwn'), text: z.string().min(1).max(max), verbatim: z.boolean().optional() });
const textObject = (max: number) => z.union([plainText(max), mrkdwn(max)]);

// api.slack.com/reference/block-kit/blocks and /block-elements#button
const button = z.strictObject({
  type: z.literal('button'),
  text: plainText(75),
  action_id: z.string().max(255).optional(),
  url: z.url().max(3000).optional(),
  value: z.string().max(2000).optional(),
  style: z.enum(['primary', 'danger']).optional(),
});
const slackBlock = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('header'), text: plainText(150), block_id: z.string().max(255).optional() }),
  z
    .strictObject({ type: z.literal('section'), text: textObject(3000).optional(), fields: z.array(textObject(2000)).min(1).max(10).optional(), block_id: z.string().max(255).optional() })
    .refine((s) => s.text || s.fields, 'a section needs text or fields'),
  z.strictObject({ type: z.literal('context'), elements: z.array(textObject(3000)).min(1).max(10), block_id: z.string().max(255).optional() }),
  z.strictObject({ type: z.literal('actions'), elements: z.array(button).min(1).max(25), block_id: z.string().max(255).optional() }),
  z.strictObject({ type: z.literal('divider') }),
]);
export const slackMessageSpec = z.strictObject({
  text: z.string().min(1),
  blocks: z.array(slackBlock).min(1).max(50),
  attachments: z.array(z.strictObject({ color: z.string().regex(/^#[0-9a-f]{6}$/i), fallback: z.string().optional(), blocks: z.array(slackBlock).optional(), text: z.string().optional() })).optional(),
});

// developer.pagerduty.com Events API v2: send an alert event.
const pdLink = z.strictObject({ href: z.url(), text: z.string().optional() });
export const pagerDutyTriggerSpec = z.strictObject({
  routing_key: z.string().length(32).or(z.string().min(1)),
  event_action: z.literal('trigger'),
  dedup_key: z.string().min(1).max(255),
  payload: z.strictObject({
    summary: z.string().min(1).max(1024),
    source: z.string().min(1),
    severity: z.enum(['critical', 'error', 'warning', 'info']),
    timestamp: z.iso.datetime({ offset: true }).optional(),
    component: z.string().optional(),
    group: z.string().optional(),
    class: z.string().optional(),
    custom_details: z.record(z.string(), z.unknown()).optional(),
  }),
  images: z.array(z.strictObject({ src: z.url(), href: z.url().optional(), alt: z.string().optional() })).optional(),
  links: z.array(pdLink).optional(),
  client: z.string().optional(),
  client_url: z.url().optional(),
});
export const pagerDutyFollowUpSpec = z.strictObject({
  routing_key: z.string().min(1),
  event_action: z.enum(['acknowledge', 'resolve']),
  dedup_key: z.string().min(1).max(255),
});

// github.com/prometheus/alertmanager api/v2/openapi.yaml: postableAlerts.
const labelSet = z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/), z.string());
export const alertmanagerSpec = z
  .array(
    z.strictObject({
      labels: labelSet.refine((l) => Object.keys(l).length > 0 && typeof l.alertname === 'string', 'labels need alertname'),
      annotations: z.record(z.string(), z.string()).optional(),
      startsAt: z.iso.datetime({ offset: true }).optional(),
      endsAt: z.iso.datetime({ offset: true }).optional(),
      generatorURL: z.url().optional(),
    }),
  )
  .min(1);

// Vigil's own webhook, version 1 (documented in src/notify/channels/webhook.ts).
export const vigilWebhookSpec = z.strictObject({
  version: z.literal('1'),
  id: z.string().min(1),
  channel: z.string(),
  kind: z.enum(['firing', 'resolved', 'acknowledged', 'escalated', 'test']),
  status: z.enum(['firing', 'resolved', 'acknowledged']),
  dedupKey: z.string().min(1),
  severity: z.enum(['critical', 'high', 'medium', 'low', 'info']),
  title: z.string(),
  summary: z.string(),
  labels: z.record(z.string(), z.string()),
  annotations: z.strictObject({ description: z.string().optional(), runbook_url: z.string().optional(), recommended_actions: z.array(z.string()).optional() }),
  alerts: z.array(
    z.strictObject({
      fingerprint: z.string(),
      source: z.string(),
      state: z.enum(['inactive', 'pending', 'firing', 'resolved']),
      severity: z.string(),
      labels: z.record(z.string(), z.string()),
      annotations: z.record(z.string(), z.string()),
      startsAt: z.iso.datetime(),
      endsAt: z.iso.datetime().nullable(),
      value: z.number().optional(),
      acknowledged: z.strictObject({ by: z.string().min(1), at: z.iso.datetime().nullable(), comment: z.string().optional() }).optional(),
    }),
  ),
  links: z.strictObject({ vigil: z.string().optional(), ack: z.string().optional() }),
  createdAt: z.iso.datetime(),
});

export function check<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new Error(`${what} does not match the spec:\n${z.prettifyError(r.error)}\n${JSON.stringify(value, null, 2).slice(0, 3000)}`);
  return r.data;
}
