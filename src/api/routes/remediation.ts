import type { FastifyInstance } from 'fastify';
import { VigilError } from '../../core/errors.js';
import { AUDIT_KINDS, type AuditKind, type AuditLog } from '../../remediate/audit-log.js';
import type { RemediationEngine } from '../../remediate/engine.js';
import { EXECUTION_STATES } from '../../remediate/execution.js';
import type { RemediationStore } from '../../remediate/remediation-store.js';

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
    if (state !== undefined && !(EXECUTION_STATES as readonly string[]).includes(state)) throw bad('state', `expected one of ${EXECUTION_STATES.join(', ')}`);
    const limit = intParam(req.query.limit, 'limit', 100, 1, 5000);
    return { status: 'success', data: h.engine.executions({ ...(state && { state }), ...(rule && { rule }), ...(incident && { incident }), limit }) };
  });

  app.get<{ Params: { id: string } }>('/api/v1/remediation/executions/:id', async (req) => {
    const e = h.engine.get(req.params.id);
    if (!e) throw new VigilError('NOT_FOUND', `no execution ${req.params.id}`, 404);
    return { status: 'success', data: { ...e, audit: h.audit.list({ execution: e.id }) } };
  });

  app.post<{ Params: { id: string }; Body: unknown }>('/api/v1/remediation/executions/:id/approve', async (req) => {
    const b = body(req.body);
    return { status: 'success', data: h.engine.approve(req.params.id, str(b.by, 'by'), optStr(b.comment, 'comment')) };
  });

  app.post<{ Params: { id: string }; Body: unknown }>('/api/v1/remediation/executions/:id/reject', async (req) => {
    const b = body(req.body);
    return { status: 'success', data: h.engine.reject(req.params.id, str(b.by, 'by'), optStr(b.comment, 'comment')) };
  });

  app.get('/api/v1/remediation/rules', async () => ({ status: 'success', data: h.engine.ruleStatus() }));

  app.get('/api/v1/remediation/kill-switch', async () => ({ status: 'success', data: { on: h.engine.killSwitchOn } }));

  app.post<{ Body: unknown }>('/api/v1/remediation/kill-switch', async (req) => {
    const b = body(req.body);
    if (typeof b.on !== 'boolean') throw bad('on', 'true or false is required');
    h.engine.setKillSwitch(b.on, str(b.by, 'by'), optStr(b.reason, 'reason') ?? '');
    return { status: 'success', data: { on: h.engine.killSwitchOn } };
  });

  app.get<{ Querystring: { rule?: string; execution?: string; incident?: string; kind?: string; after?: string; limit?: string } }>('/api/v1/remediation/audit', async (req) => {
    const { rule, execution, incident, kind } = req.query;
    if (kind !== undefined && !(AUDIT_KINDS as readonly string[]).includes(kind)) throw bad('kind', `expected one of ${AUDIT_KINDS.join(', ')}`);
    const after = req.query.after === undefined ? undefined : intParam(req.query.after, 'after', 0, 0, Number.MAX_SAFE_INTEGER);
    const limit = intParam(req.query.limit, 'limit', 1000, 1, 10_000);
    return { status: 'success', data: h.audit.list({ ...(rule && { rule }), ...(execution && { execution }), ...(incident && { incident }), ...(kind && { kind: kind as AuditKind }), ...(after !== undefined && { afterSeq: after }), limit }) };
  });

  app.get('/api/v1/remediation/audit/verify', async () => ({ status: 'success', data: h.audit.verify() }));

  app.get('/api/v1/remediation/proposals', async () => ({ status: 'success', data: h.state.proposals() }));
}

function intParam(v: string | undefined, field: string, dflt: number, min: number, max: number): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw bad(field, `expected an integer from ${min} to ${max}`);
  return n;
}

function body(b: unknown): Record<string, unknown> {
  if (b === null || typeof b !== 'object' || Array.isArray(b)) throw new VigilError('BAD_PARAM', 'body: expected a JSON object', 400);
  return b as Record<string, unknown>;
}

function str(v: unknown, field: string): string {
  if (typeof v !== 'string' || v.trim() === '') throw bad(field, 'a non-empty string is required');
  if (v.length > 200) throw bad(field, 'at most 200 characters');
  return v;
}

function optStr(v: unknown, field: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw bad(field, 'a string is expected');
  return v.slice(0, 2000);
}

function bad(field: string, problem: string): VigilError {
  return new VigilError('BAD_PARAM', `${field}: ${problem}`, 400);
}
