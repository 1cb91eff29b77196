import type { FastifyInstance } from 'fastify';
import { VigilError, isSeverity } from '../../core/index.js';
import { INCIDENT_STATES, INCIDENT_TYPES, type IncidentManager, type IncidentState, isIncidentType } from '../../incidents/index.js';

/**
 * Incidents: list, show (timeline, root-cause ranking with evidence, similar
 * past incidents, classification), acknowledge, mitigate, resolve, merge,
 * split, and label the true root cause.
 */
export function incidentRoutes(app: FastifyInstance, incidents: IncidentManager): void {
  app.get<{ Querystring: { state?: string; limit?: string } }>('/api/v1/incidents', async (req) => {
    const { state, limit } = req.query;
    if (state !== undefined && !(INCIDENT_STATES as readonly string[]).includes(state)) throw bad('state', `expected one of ${INCIDENT_STATES.join(', ')}`);
    const n = limit === undefined ? 100 : Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > 10_000) throw bad('limit', 'expected an integer from 1 to 10000');
    const data = incidents.list({ ...(state && { state: state as IncidentState }), limit: n }).map((i) => ({
      id: i.id,
      state: i.state,
      severity: i.severity,
      title: i.title,
      services: i.services,
      openedAt: i.openedAt,
      updatedAt: i.updatedAt,
      alerts: i.members.filter((m) => m.kind === 'alert').length,
      anomalies: i.members.filter((m) => m.kind === 'anomaly').length,
      rootCause: i.label?.service ?? i.rootCauses[0]?.service ?? null,
      type: i.label?.type ?? i.classification?.type ?? null,
      ...(i.mergedInto && { mergedInto: i.mergedInto }),
    }));
    return { status: 'success', data };
  });

  app.get<{ Params: { id: string } }>('/api/v1/incidents/:id', async (req) => {
    const { incident, similar } = incidents.detail(req.params.id);
    return { status: 'success', data: { ...incident, similar } };
  });

  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>('/api/v1/incidents/:id/ack', async (req) => {
    const b = body(req.body);
    return { status: 'success', data: incidents.ack(req.params.id, str(b.by, 'by'), optStr(b.comment, 'comment')) };
  });

  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>('/api/v1/incidents/:id/mitigate', async (req) => {
    const b = body(req.body);
    return { status: 'success', data: incidents.mitigate(req.params.id, str(b.by, 'by'), optStr(b.note, 'note')) };
  });

  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>('/api/v1/incidents/:id/resolve', async (req) => {
    const b = body(req.body);
    return { status: 'success', data: incidents.resolve(req.params.id, str(b.by, 'by'), str(b.note, 'note')) };
  });

  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>('/api/v1/incidents/:id/merge', async (req) => {
    const b = body(req.body);
    return { status: 'success', data: incidents.merge(req.params.id, strList(b.incidents, 'incidents'), str(b.by, 'by')) };
  });

  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>('/api/v1/incidents/:id/split', async (req) => {
    const b = body(req.body);
    return { status: 'success', data: incidents.split(req.params.id, strList(b.members, 'members'), str(b.by, 'by')) };
  });

  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>('/api/v1/incidents/:id/root-cause', async (req) => {
    const b = body(req.body);
    const type = b.type;
    if (type !== undefined && !isIncidentType(type)) throw bad('type', `expected one of ${INCIDENT_TYPES.join(', ')}`);
    const severity = b.severity;
    if (severity !== undefined && !isSeverity(severity)) throw bad('severity', 'expected one of critical, high, medium, low, info');
    const metric = optStr(b.metric, 'metric');
    const note = optStr(b.note, 'note');
    const data = incidents.label(req.params.id, {
      service: str(b.service, 'service'),
      by: str(b.by, 'by'),
      ...(metric !== undefined && { metric }),
      ...(note !== undefined && { note }),
      ...(type !== undefined && { type }),
      ...(severity !== undefined && { severity }),
    });
    return { status: 'success', data };
  });
}

function body(b: unknown): Record<string, unknown> {
  if (b === null || typeof b !== 'object' || Array.isArray(b)) throw new VigilError('BAD_PARAM', 'body: expected a JSON object', 400);
  return b as Record<string, unknown>;
}

function str(v: unknown, field: string): string {
  if (typeof v !== 'string' || v.trim() === '') throw bad(field, 'a non-empty string is required');
  return v;
}

function optStr(v: unknown, field: string): string | undefined {
  return v === undefined ? undefined : str(v, field);
}

function strList(v: unknown, field: string): string[] {
  if (!Array.isArray(v) || v.length === 0 || v.some((x) => typeof x !== 'string' || x === '')) throw bad(field, 'a non-empty list of ids is required');
  return v as string[];
}

function bad(field: string, problem: string): VigilError {
  return new VigilError('BAD_PARAM', `${field}: ${problem}`, 400);
}
