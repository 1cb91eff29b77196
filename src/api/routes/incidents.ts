import type { FastifyInstance } from 'fastify';
import { isSeverity } from '../../core/index.js';
import { INCIDENT_STATES, INCIDENT_TYPES, type IncidentManager, type IncidentState, isIncidentType } from '../../incidents/index.js';
import { badParam, integerParam, jsonBody, requiredString } from '../params.js';

/**
 * Incidents: list, show (timeline, root-cause ranking with evidence, similar
 * past incidents, classification), acknowledge, mitigate, resolve, merge,
 * split, and label the true root cause.
 */
export function incidentRoutes(app: FastifyInstance, incidents: IncidentManager): void {
  app.get<{ Querystring: { state?: string; limit?: string } }>('/api/v1/incidents', async (req) => {
    const { state, limit } = req.query;
    if (state !== undefined && !(INCIDENT_STATES as readonly string[]).includes(state)) throw badParam('state', `expected one of ${INCIDENT_STATES.join(', ')}`);
    const n = integerParam(limit, 'limit', 100, 1, 10_000);
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
    const b = jsonBody(req.body);
    return { status: 'success', data: incidents.ack(req.params.id, str(b.by, 'by'), optStr(b.comment, 'comment')) };
  });

  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>('/api/v1/incidents/:id/mitigate', async (req) => {
    const b = jsonBody(req.body);
    return { status: 'success', data: incidents.mitigate(req.params.id, str(b.by, 'by'), optStr(b.note, 'note')) };
  });

  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>('/api/v1/incidents/:id/resolve', async (req) => {
    const b = jsonBody(req.body);
    return { status: 'success', data: incidents.resolve(req.params.id, str(b.by, 'by'), str(b.note, 'note')) };
  });

  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>('/api/v1/incidents/:id/merge', async (req) => {
    const b = jsonBody(req.body);
    return { status: 'success', data: incidents.merge(req.params.id, strList(b.incidents, 'incidents'), str(b.by, 'by')) };
  });

  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>('/api/v1/incidents/:id/split', async (req) => {
    const b = jsonBody(req.body);
    return { status: 'success', data: incidents.split(req.params.id, strList(b.members, 'members'), str(b.by, 'by')) };
  });

  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>('/api/v1/incidents/:id/root-cause', async (req) => {
    const b = jsonBody(req.body);
    const type = b.type;
    if (type !== undefined && !isIncidentType(type)) throw badParam('type', `expected one of ${INCIDENT_TYPES.join(', ')}`);
    const severity = b.severity;
    if (severity !== undefined && !isSeverity(severity)) throw badParam('severity', 'expected one of critical, high, medium, low, info');
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

const str = (v: unknown, field: string) => requiredString(v, field);

function optStr(v: unknown, field: string): string | undefined {
  return v === undefined ? undefined : str(v, field);
}

function strList(v: unknown, field: string): string[] {
  if (!Array.isArray(v) || v.length === 0 || v.some((x) => typeof x !== 'string' || x === '')) throw badParam(field, 'a non-empty list of ids is required');
  return v as string[];
}

