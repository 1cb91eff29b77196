import type { FastifyInstance } from 'fastify';
import { VigilError } from '../../core/errors.js';
import { AUDIT_KINDS, type AuditKind, type AuditLog } from '../../remediate/audit-log.js';
import type { RemediationEngine } from '../../remediate/engine.js';
import { EXECUTION_STATES } from '../../remediate/execution.js';
import type { RemediationStore } from '../../remediate/remediation-store.js';
import { badParam, integerParam, jsonBody, requiredString } from '../params.js';

/**
 * Self-healing: executions (list, show, approve, reject), rules with their
 * learned success counts and breaker state, the kill switch, the audit log
 * (read and verify; there is no route that edits it) and rule proposals.
 */
export interface RemediationHandles {
  engine: RemediationEngine;
  audit: AuditLog;
  state: RemediationStore;
}

export function remediationRoutes(app: FastifyInstance, h: RemediationHandles): void {
  app.get<{ Querystring: { state?: string; rule?: string; incident?: string; limit?: string } }>('/api/v1/remediation/executions', async (req) => {
    const { state, rule, incident } = req.query;
    if (state !== undefined && !(EXECUTION_STATES as readonly string[]).includes(state)) throw badParam('state', `expected one of ${EXECUTION_STATES.join(', ')}`);
    const limit = integerParam(req.query.limit, 'limit', 100, 1, 5000);
    return { status: 'success', data: h.engine.executions({ ...(state && { state }), ...(rule && { rule }), ...(incident && { incident }), limit }) };
  });

  app.get<{ Params: { id: string } }>('/api/v1/remediation/executions/:id', async (req) => {
    const e = h.engine.get(req.params.id);
    if (!e) throw new VigilError('NOT_FOUND', `no execution ${req.params.id}`, 404);
    return { status: 'success', data: { ...e, audit: h.audit.list({ execution: e.id }) } };
  });

  app.post<{ Params: { id: string }; Body: unknown }>('/api/v1/remediation/executions/:id/approve', async (req) => {
    const b = jsonBody(req.body);
    return { status: 'success', data: h.engine.approve(req.params.id, str(b.by, 'by'), optStr(b.comment, 'comment')) };
  });

  app.post<{ Params: { id: string }; Body: unknown }>('/api/v1/remediation/executions/:id/reject', async (req) => {
    const b = jsonBody(req.body);
    return { status: 'success', data: h.engine.reject(req.params.id, str(b.by, 'by'), optStr(b.comment, 'comment')) };
  });

  app.get('/api/v1/remediation/rules', async () => ({ status: 'success', data: h.engine.ruleStatus() }));

  app.get('/api/v1/remediation/kill-switch', async () => ({ status: 'success', data: { on: h.engine.killSwitchOn } }));

  app.post<{ Body: unknown }>('/api/v1/remediation/kill-switch', async (req) => {
    const b = jsonBody(req.body);
    if (typeof b.on !== 'boolean') throw badParam('on', 'true or false is required');
    h.engine.setKillSwitch(b.on, str(b.by, 'by'), optStr(b.reason, 'reason') ?? '');
    return { status: 'success', data: { on: h.engine.killSwitchOn } };
  });

  app.get<{ Querystring: { rule?: string; execution?: string; incident?: string; kind?: string; after?: string; limit?: string } }>('/api/v1/remediation/audit', async (req) => {
    const { rule, execution, incident, kind } = req.query;
    if (kind !== undefined && !(AUDIT_KINDS as readonly string[]).includes(kind)) throw badParam('kind', `expected one of ${AUDIT_KINDS.join(', ')}`);
    const after = req.query.after === undefined ? undefined : integerParam(req.query.after, 'after', 0, 0, Number.MAX_SAFE_INTEGER);
    const limit = integerParam(req.query.limit, 'limit', 1000, 1, 10_000);
    return { status: 'success', data: h.audit.list({ ...(rule && { rule }), ...(execution && { execution }), ...(incident && { incident }), ...(kind && { kind: kind as AuditKind }), ...(after !== undefined && { afterSeq: after }), limit }) };
  });

  app.get('/api/v1/remediation/audit/verify', async () => ({ status: 'success', data: h.audit.verify() }));

  app.get('/api/v1/remediation/proposals', async () => ({ status: 'success', data: h.state.proposals() }));
}


/** Names (who decides, who turns the kill switch) are short. */
const str = (v: unknown, field: string) => requiredString(v, field, 200);

function optStr(v: unknown, field: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw badParam(field, 'a string is expected');
  return v.slice(0, 2000);
}

