import type { FastifyInstance, FastifyReply } from 'fastify';
import type { RemediationEngine } from '../../remediate/engine.js';
import type { AckLinks } from '../ack-links.js';
import { esc, linkPageScope, page, verifyLink } from './ack.js';

/**
 * Signed approval links in remediation notifications (Slack, email):
 * `GET /approve/:token` shows what would run and two buttons (a GET never
 * decides anything, since mail scanners and chat unfurlers fetch links);
 * `POST /approve/:token` with `decision=approve|reject`, `by` and `comment`
 * decides. The token is signed like an acknowledgement link and expires with
 * the approval request.
 */
export function approvalRoutes(app: FastifyInstance, links: AckLinks, engine: RemediationEngine): void {
  void app.register(async (scope) => {
    linkPageScope(scope, '/approve/:token', 'Approval failed', 'approval link failed');
    const target = (token: string, reply: FastifyReply) => verifyLink(links, token, reply, (kind) => kind === 'execution', 'This is not an approval link.');

    scope.get<{ Params: { token: string } }>('/approve/:token', async (req, reply) => {
      const t = target(req.params.token, reply);
      if (!t) return reply;
      const ex = engine.get(t.key);
      if (!ex) return page(reply, 404, 'Unknown execution', `<p>No execution ${esc(t.key)}.</p>`);
      if (ex.state !== 'pending_approval') return page(reply, 200, 'Already decided', `<p>${esc(ex.rule)} is ${esc(ex.state)}: ${esc(ex.reason)}</p>`);
      const plan = (ex.plan ?? []).map((p) => `<li><code>${esc(p)}</code></li>`).join('');
      const form = (decision: string, label: string) =>
        `<form method="post"><input type="hidden" name="decision" value="${decision}"><p><label>Your name <input name="by" maxlength="100" required></label> <label>Comment <input name="comment" maxlength="1000" size="30"></label> <button type="submit">${label}</button></p></form>`;
      return page(
        reply,
        200,
        `Approve ${ex.rule}?`,
        `<p>${esc(ex.trigger.text)}</p><p>Runbook <strong>${esc(ex.runbook)}</strong> would run:</p><ul>${plan}</ul><p>Confidence ${ex.confidence.value.toFixed(2)}.</p>${form('approve', 'Approve and run')}${form('reject', 'Reject')}<p class="muted">Request expires ${esc(new Date(t.expiresAt).toISOString())}.</p>`,
      );
    });

    scope.post<{ Params: { token: string }; Body: unknown }>('/approve/:token', async (req, reply) => {
      const t = target(req.params.token, reply);
      if (!t) return reply;
      const form = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
      const by = (typeof form.by === 'string' ? form.by.trim() : '').slice(0, 100);
      if (!by) return page(reply, 400, 'Name required', '<p>Say who decides: the audit log records it.</p>');
      const comment = typeof form.comment === 'string' && form.comment.trim() ? form.comment.trim().slice(0, 1000) : undefined;
      if (form.decision !== 'approve' && form.decision !== 'reject') return page(reply, 400, 'Decision required', '<p>decision: approve or reject.</p>');
      const ex = form.decision === 'approve' ? engine.approve(t.key, `${by} (link)`, comment) : engine.reject(t.key, `${by} (link)`, comment);
      req.log.info({ execution: ex.id, rule: ex.rule, decision: form.decision, by }, 'remediation decided from a link');
      return page(reply, 200, form.decision === 'approve' ? `Approved by ${by}` : `Rejected by ${by}`, `<p>${esc(ex.rule)}: ${esc(ex.state)}.</p>`);
    });
  });
}
