import { z } from 'zod';
import { SecretScrubber } from '../../notify/secrets.js';
import { renderDeep, renderTemplate } from '../template.js';
import type { ActionContext, ActionHandler, ActionResult, TemplateVars } from '../types.js';
import { deadline } from './abort.js';
import { envName, readEnvSecret, timeoutField } from './fields.js';
import { checkHttpUrl, httpCall, statusExpected, urlWithoutQuery } from './http-call.js';
import { OUTPUT_LIMIT, boundedText, errorMessage, failed, oneLine, succeeded } from './output.js';

/**
 * `type: http` — one HTTP request, e.g. a service's own "flush cache" or
 * "restart worker" endpoint:
 *
 *   - type: http
 *     method: POST
 *     url: "https://{{ labels.instance }}/admin/restart?reason={{ incident.id | urlquery }}"
 *     headersFromEnv: { Authorization: CHECKOUT_ADMIN_TOKEN }
 *     body: { incident: "{{ incident.id }}" }
 *     expectStatus: [200, 202]
 *
 * Header values from the environment and configured header values are secrets:
 * scrubbed from the output and never described.
 */

const HEADER_NAME_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const headerName = () => z.string().regex(HEADER_NAME_RE, 'invalid HTTP header name');
const status = () => z.number().int().min(100).max(599);

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

export const httpActionSchema = z.strictObject({
  method: z.preprocess((v) => (typeof v === 'string' ? v.toUpperCase() : v), z.enum(HTTP_METHODS)).default('POST'),
  url: z.string().min(1),
  headers: z.record(headerName(), z.string()).optional(),
  /** Header name → name of the environment variable holding its value (`Authorization: API_TOKEN`). */
  headersFromEnv: z.record(headerName(), envName()).optional(),
  /** A string is sent as it is; an object or array is sent as JSON. Strings inside are templates. */
  body: z.union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())]).optional(),
  timeout: timeoutField(),
  /** Status codes that count as success (default: any 2xx). */
  expectStatus: z.union([status(), z.array(status()).min(1)]).optional(),
});

export type HttpActionParams = z.output<typeof httpActionSchema>;

const DEFAULT_TIMEOUT_MS = 30_000;

export function httpActionHandler(deps: { fetch?: typeof fetch } = {}): ActionHandler<HttpActionParams> {
  return {
    type: 'http',
    schema: httpActionSchema,
    targets: (p, vars) => [`http:${p.method} ${urlWithoutQuery(renderTemplate(p.url, vars))}`],
    describe: (p, vars) => `${p.method} ${urlWithoutQuery(renderTemplate(p.url, vars))}${p.body !== undefined ? ' with a body' : ''}`,
    run: (p, ctx) => runHttp(p, ctx, deps.fetch ?? fetch),
  };
}

async function runHttp(p: HttpActionParams, ctx: ActionContext, fetchFn: typeof fetch): Promise<ActionResult> {
  const secrets: string[] = [];
  let request: { url: string; headers: Record<string, string>; body?: string };
  try {
    request = buildRequest(p, ctx.vars, ctx.env, secrets);
  } catch (e) {
    return failed(`http: ${new SecretScrubber(secrets).scrub(errorMessage(e))}`);
  }
  const scrubber = new SecretScrubber(secrets);
  const shown = `${p.method} ${urlWithoutQuery(request.url)}`;
  const timeoutMs = p.timeout ?? DEFAULT_TIMEOUT_MS;
  const answer = await httpCall({ method: p.method, ...request, deadline: deadline(ctx.signal, timeoutMs), fetch: fetchFn }, scrubber);
  if (!answer.ok) return failed(`http: ${shown}: ${answer.reason}`);
  const head = `HTTP ${answer.status}${answer.statusText ? ` ${answer.statusText}` : ''}`;
  const body = boundedText(scrubber.scrub(answer.body), OUTPUT_LIMIT, answer.droppedBytes, answer.moreUnknown);
  if (!statusExpected(answer.status, p.expectStatus)) {
    const expected = p.expectStatus === undefined ? '2xx' : [p.expectStatus].flat().join(', ');
    return failed(`http: ${shown} answered ${head} (expected ${expected})${body ? `: ${oneLine(body).slice(0, 1000)}` : ''}`, { status: answer.status });
  }
  return succeeded(`${head}${body ? `\n${body}` : ''}`, { status: answer.status });
}

// Configured headers with these names hold credentials even when written inline.
const CREDENTIAL_HEADER_RE = /(authorization|cookie|token|secret|key|password|signature)/i;

/** `Bearer abc` is scrubbed whole and as `abc`, so a server echoing the token alone does not leak it. */
function credentialParts(value: string): string[] {
  const bare = value.replace(/^(bearer|basic|token)\s+/i, '');
  return bare === value ? [value] : [value, bare];
}

/** Renders URL, headers and body; collects every secret value for the scrubber. */
function buildRequest(
  p: HttpActionParams,
  vars: TemplateVars,
  env: ActionContext['env'],
  secrets: string[],
): { url: string; headers: Record<string, string>; body?: string } {
  const url = checkHttpUrl(renderTemplate(p.url, vars));
  const u = new URL(url);
  // The query and any password in the URL may be credentials.
  if (u.search.length > 1) secrets.push(u.search.slice(1));
  if (u.password) secrets.push(decodeURIComponent(u.password));
  const headers: Record<string, string> = { 'user-agent': 'Vigil-Remediate/1' };
  for (const [name, value] of Object.entries(p.headers ?? {})) {
    const rendered = renderTemplate(value, vars);
    headers[name.toLowerCase()] = rendered;
    if (CREDENTIAL_HEADER_RE.test(name)) secrets.push(...credentialParts(rendered));
  }
  for (const [name, variable] of Object.entries(p.headersFromEnv ?? {})) {
    const value = readEnvSecret(env, variable, `header ${name}`);
    headers[name.toLowerCase()] = value;
    secrets.push(...credentialParts(value));
  }
  if (p.body === undefined) return { url, headers };
  if (typeof p.body === 'string') return { url, headers, body: renderTemplate(p.body, vars) };
  headers['content-type'] ??= 'application/json';
  return { url, headers, body: JSON.stringify(renderDeep(p.body, vars)) };
}
