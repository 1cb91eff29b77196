import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { isVigilError } from '../../core/errors.js';
import type { Labels } from '../../core/labels.js';
import { AckLinkError, type AckLinks, type AckTargetKind, type VerifiedAckTarget } from '../ack-links.js';
import type { AlertingHandles } from './alerts.js';

/**
 * One-click acknowledgement from a notification (`links.ack` in Slack, email,
 * PagerDuty and webhook payloads).
 *
 * - `GET /ack/:token` only shows what the link acknowledges and a form: mail
 *   scanners and chat unfurlers fetch links, so a GET never changes anything.
 * - `POST /ack/:token` (the form; `by`, default "link", and an optional
 *   `comment`) acknowledges every firing alert of the group, and shows what it did.
 * - An invalid, tampered or expired token gets a 403 page.
 *
 * The alerts of a group are looked up in the dispatcher when the link is used.
 * Alerts from Vigil's rules are acknowledged; alerts that came in from
 * Alertmanager cannot be (acknowledge them where they came from) and are listed as such.
 */

interface AlertLine {
  fingerprint: string;
  labels: Labels;
  state: string;
  ackedBy?: string;
}

interface Outcome extends AlertLine {
  result: string;
}

const MAX_BY = 100;
const MAX_COMMENT = 1000;

export function ackRoutes(app: FastifyInstance, links: AckLinks, h: AlertingHandles): void {
  void app.register(async (scope) => {
    linkPageScope(scope, '/ack/:token', 'Acknowledgement failed', 'acknowledgement link failed');

    scope.get<{ Params: { token: string } }>('/ack/:token', async (req, reply) => {
      const target = verify(links, req.params.token, reply);
      if (!target) return reply;
      const alerts = lookup(h, target);
      const firing = alerts.filter((a) => a.state === 'firing');
      if (firing.length === 0) return page(reply, 200, 'Nothing to acknowledge', `<p>${esc(nothingLeft(target))}</p>`);
      const rows = alerts.map((a) => `<li>${describe(a)}${a.ackedBy ? ` <em>(acknowledged by ${esc(a.ackedBy)})</em>` : ''}</li>`).join('');
      const form = `<form method="post">
<p><label>Your name <input name="by" value="link" maxlength="${MAX_BY}"></label></p>
<p><label>Comment <input name="comment" maxlength="${MAX_COMMENT}" size="40"></label></p>
<p><button type="submit">Acknowledge ${firing.length === 1 ? 'this alert' : `these ${firing.length} alerts`}</button></p>
</form>`;
      return page(reply, 200, 'Acknowledge alerts?', `<ul>${rows}</ul>${form}<p class="muted">Link valid until ${esc(new Date(target.expiresAt).toISOString())}.</p>`);
    });

    scope.post<{ Params: { token: string }; Body: unknown }>('/ack/:token', async (req, reply) => {
      const target = verify(links, req.params.token, reply);
      if (!target) return reply;
      const form = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
      const by = (typeof form.by === 'string' ? form.by.trim() : '').slice(0, MAX_BY) || 'link';
      const commentRaw = typeof form.comment === 'string' ? form.comment.trim().slice(0, MAX_COMMENT) : '';
      const comment = commentRaw === '' ? undefined : commentRaw;
      const alerts = lookup(h, target).filter((a) => a.state === 'firing');
      if (alerts.length === 0) return page(reply, 200, 'Nothing to acknowledge', `<p>${esc(nothingLeft(target))}</p>`);
      const outcomes: Outcome[] = alerts.map((a) => ({ ...a, result: acknowledge(h, a, by, comment) }));
      const acked = outcomes.filter((o) => o.result === 'acknowledged').length;
      req.log.info({ by, kind: target.kind, acknowledged: acked, alerts: outcomes.length }, 'alerts acknowledged from a link');
      const rows = outcomes.map((o) => `<li>${describe(o)}: <strong>${esc(o.result)}</strong></li>`).join('');
      return page(reply, 200, acked > 0 ? `Acknowledged by ${by}` : 'Nothing acknowledged', `<ul>${rows}</ul>`);
    });
  });
}

function verify(links: AckLinks, token: string, reply: FastifyReply): VerifiedAckTarget | undefined {
  return verifyLink(links, token, reply, (kind) => kind !== 'execution', 'This is an approval link: open it under /approve/.');
}

/**
 * Pages a person reaches from a link (acknowledgement, approval): form bodies
 * parsed, and any error shown as an HTML page rather than JSON.
 */
export function linkPageScope(scope: FastifyInstance, route: string, failureTitle: string, logMessage: string): void {
  scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  scope.setErrorHandler((err: FastifyError, req, reply) => {
    const status = isVigilError(err) ? err.statusCode : (err.statusCode ?? 500);
    if (status >= 500) req.log.error({ err: err.message, route }, logMessage);
    return page(reply, status, failureTitle, `<p>${esc(status >= 500 ? 'Internal error.' : err.message)}</p>`);
  });
}

/** A signed link's target when it is valid and of an accepted kind; otherwise a 403 page is sent and undefined returned. */
export function verifyLink(links: AckLinks, token: string, reply: FastifyReply, accepts: (kind: AckTargetKind) => boolean, wrongKind: string): VerifiedAckTarget | undefined {
  try {
    const target = links.verify(token);
    if (!accepts(target.kind)) throw new AckLinkError('invalid', wrongKind);
    return target;
  } catch (e) {
    if (!(e instanceof AckLinkError)) throw e;
    void page(reply, 403, e.reason === 'expired' ? 'Link expired' : 'Invalid link', `<p>${esc(e.message)}</p>`);
    return undefined;
  }
}

/** The alerts a link points at, now: the group's (from the dispatcher), or one alert. */
function lookup(h: AlertingHandles, target: VerifiedAckTarget): AlertLine[] {
  const out = new Map<string, AlertLine>();
  const add = (fingerprint: string, labels: Labels, state: string) => {
    const rec = h.rules.tracker.get(fingerprint);
    const line: AlertLine = { fingerprint, labels, state: rec ? (rec.state === 'pending' ? 'firing' : rec.state) : state };
    if (rec?.ack) line.ackedBy = rec.ack.by;
    out.set(fingerprint, line);
  };
  if (target.kind === 'group') {
    for (const g of h.dispatcher.groups()) {
      if (g.groupKey !== target.key) continue;
      for (const v of g.alerts) add(v.alert.fingerprint, v.alert.labels, v.alert.state);
    }
  } else {
    const v = h.dispatcher.alerts().find((a) => a.alert.fingerprint === target.key);
    const rec = h.rules.tracker.get(target.key);
    if (v) add(v.alert.fingerprint, v.alert.labels, v.alert.state);
    else if (rec) add(rec.fingerprint, rec.labels, rec.state);
  }
  return [...out.values()].sort((a, b) => (a.fingerprint < b.fingerprint ? -1 : 1));
}

function acknowledge(h: AlertingHandles, a: AlertLine, by: string, comment: string | undefined): string {
  const rec = h.rules.tracker.get(a.fingerprint);
  if (!rec) return 'not from a Vigil rule: acknowledge it where it came from';
  if (rec.state === 'resolved') return 'already resolved';
  if (rec.ack) return `already acknowledged by ${rec.ack.by}`;
  try {
    h.rules.ack(a.fingerprint, by, comment);
    return 'acknowledged';
  } catch (e) {
    return `not acknowledged: ${(e as Error).message}`;
  }
}

function nothingLeft(target: VerifiedAckTarget): string {
  return target.kind === 'group' ? 'No alert of this group is firing any more: it has resolved.' : 'This alert is not firing any more: it has resolved.';
}

function describe(a: AlertLine): string {
  const { alertname, ...rest } = a.labels;
  const labels = Object.entries(rest)
    .map(([k, v]) => `${k}="${v}"`)
    .join(', ');
  return `<code>${esc(alertname ?? a.fingerprint)}</code> ${esc(labels ? `{${labels}}` : '')} <span class="muted">${esc(a.state)}</span>`;
}

export function page(reply: FastifyReply, status: number, title: string, body: string): FastifyReply {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .header('x-robots-tag', 'noindex')
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
    .send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>Vigil: ${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;line-height:1.5}.muted{color:#666}button{font-size:1rem;padding:.4rem 1rem}</style></head>
<body><h1>${esc(title)}</h1>
${body}
</body></html>
`);
}

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
