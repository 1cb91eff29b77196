import { z } from 'zod';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, signWebhook } from '../../notify/channels/webhook.js';
import { SecretScrubber } from '../../notify/secrets.js';
import { lookupPath, renderTemplate } from '../template.js';
import type { ActionContext, ActionHandler, ActionResult } from '../types.js';
import { deadline } from './abort.js';
import { envName, intOrTemplate, readEnvSecret, renderInt, timeoutField } from './fields.js';
import { checkHttpUrl, httpCall, statusExpected, urlWithoutQuery } from './http-call.js';
import { OUTPUT_LIMIT, boundedText, errorMessage, failed, oneLine, succeeded } from './output.js';

/**
 * `type: scale_webhook` — asks a cloud autoscaling group to change size through
 * a webhook the operator runs (an AWS Lambda, a GCP Cloud Function, ...):
 *
 *   - { type: scale_webhook, url: https://scaler.example.com/hook, group: web-asg, delta: 2,
 *       reason: "latency SLO burn ({{ incident.id }})", secretEnv: SCALER_HMAC_KEY }
 *
 * The body is `{ group, desired?, delta?, reason, incident }`, signed as Vigil's
 * notification webhooks are: X-Vigil-Timestamp and X-Vigil-Signature =
 * sha256=HMAC-SHA256(secret, "<timestamp>.<raw body>"), so a receiver can use
 * `verifyWebhookSignature`.
 */
export const scaleWebhookActionSchema = z
  .strictObject({
    url: z.string().min(1),
    group: z.string().min(1),
    /** The size to set. */
    desired: intOrTemplate().optional(),
    /** Instances to add (or remove, when negative). */
    delta: intOrTemplate().optional(),
    reason: z.string().min(1).default('Vigil remediation'),
    /** Environment variable holding the HMAC key; without it the request is not signed. */
    secretEnv: envName().optional(),
    timeout: timeoutField(),
  })
  .refine((p) => (p.desired === undefined) !== (p.delta === undefined), 'give exactly one of desired and delta');

export type ScaleWebhookActionParams = z.output<typeof scaleWebhookActionSchema>;

const DEFAULT_TIMEOUT_MS = 30_000;

export function scaleWebhookActionHandler(deps: { fetch?: typeof fetch } = {}): ActionHandler<ScaleWebhookActionParams> {
  return {
    type: 'scale_webhook',
    schema: scaleWebhookActionSchema,
    targets: (p, vars) => [`scale:${renderTemplate(p.group, vars)}`],
    describe: (p, vars) => {
      const size = p.desired !== undefined ? `to ${renderTemplate(String(p.desired), vars)}` : `by ${renderTemplate(String(p.delta), vars)}`;
      return `scale group ${renderTemplate(p.group, vars)} ${size} through ${urlWithoutQuery(renderTemplate(p.url, vars))}`;
    },
    run: (p, ctx) => runScaleWebhook(p, ctx, deps.fetch ?? fetch),
  };
}

async function runScaleWebhook(p: ScaleWebhookActionParams, ctx: ActionContext, fetchFn: typeof fetch): Promise<ActionResult> {
  const secrets: string[] = [];
  let url: string;
  let body: { group: string; desired?: number; delta?: number; reason: string; incident: unknown };
  let secret: string | undefined;
  try {
    url = checkHttpUrl(renderTemplate(p.url, ctx.vars));
    const search = new URL(url).search;
    if (search.length > 1) secrets.push(search.slice(1));
    body = {
      group: renderTemplate(p.group, ctx.vars),
      ...(p.desired !== undefined ? { desired: renderInt(p.desired, ctx.vars, 'desired') } : { delta: renderInt(p.delta!, ctx.vars, 'delta') }),
      reason: renderTemplate(p.reason, ctx.vars),
      incident: lookupPath(ctx.vars, 'incident.id') ?? null,
    };
    if (p.secretEnv) secrets.push((secret = readEnvSecret(ctx.env, p.secretEnv, 'the webhook signing key')));
  } catch (e) {
    return failed(`scale_webhook: ${new SecretScrubber(secrets).scrub(errorMessage(e))}`);
  }
  const scrubber = new SecretScrubber(secrets);
  const raw = JSON.stringify(body);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'Vigil-Remediate/1', 'x-vigil-event': 'remediation.scale' };
  if (secret) {
    const ts = String(Math.floor(Date.now() / 1000));
    headers[TIMESTAMP_HEADER] = ts;
    headers[SIGNATURE_HEADER] = signWebhook(secret, ts, raw);
  }
  const answer = await httpCall({ method: 'POST', url, headers, body: raw, deadline: deadline(ctx.signal, p.timeout ?? DEFAULT_TIMEOUT_MS), fetch: fetchFn }, scrubber);
  const size = body.desired !== undefined ? `to ${body.desired}` : `by ${body.delta}`;
  if (!answer.ok) return failed(`scale_webhook: scale ${body.group} ${size}: ${answer.reason}`);
  const reply = boundedText(scrubber.scrub(answer.body), OUTPUT_LIMIT, answer.droppedBytes, answer.moreUnknown);
  const changed = { group: body.group, ...(body.desired !== undefined ? { desired: body.desired } : { delta: body.delta }), status: answer.status };
  if (!statusExpected(answer.status, undefined))
    return failed(`scale_webhook: scale ${body.group} ${size}: receiver answered HTTP ${answer.status}${reply ? `: ${oneLine(reply).slice(0, 300)}` : ''}`, changed);
  return succeeded(`asked to scale ${body.group} ${size} (HTTP ${answer.status})${reply ? `\n${reply}` : ''}`, changed);
}
