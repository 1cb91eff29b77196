import type { FastifyInstance } from 'fastify';
import { VigilError } from '../../core/errors.js';
import type { RuleEvaluator } from '../../alerting/rules/index.js';
import type { Dispatcher, SilenceStore } from '../../alerting/dispatch/index.js';
import { silenceToJSON } from '../../alerting/dispatch/index.js';
import { decodeAlert, decodeAlertmanagerWebhook } from '../../ingest/alertmanager-webhook.js';
import { alertPasses, parseAlertQuery, parseFilter, silencePasses } from './alertmanager-filters.js';

export interface AlertingHandles {
  rules: RuleEvaluator;
  dispatcher: Dispatcher;
  silences: SilenceStore;
}

const STATES = ['pending', 'firing', 'resolved'];

/**
 * Alerts, rules and silences. Vigil's own API under /api/v1; under /api/v2 the
 * Alertmanager-compatible subset (alerts, silences, status) so amtool, Grafana
 * and Prometheus's alert sender work against Vigil unchanged.
 */
export function alertRoutes(app: FastifyInstance, h: AlertingHandles, reload: () => number): void {
  app.get<{ Querystring: { state?: string; rule?: string } }>('/api/v1/alerts', async (req) => {
    const { state, rule } = req.query;
    if (state !== undefined && !STATES.includes(state)) throw new VigilError('BAD_PARAM', `state: expected one of ${STATES.join(', ')}`, 400);
    const alerts = h.rules.alerts({ rule, state: state as 'pending' | 'firing' | 'resolved' | undefined }).map((a) => ({ ...a, status: h.dispatcher.alertStatus(a.fingerprint) ?? null }));
    return { status: 'success', data: alerts };
  });

  app.post<{ Params: { fp: string }; Body: { by?: unknown; comment?: unknown } }>('/api/v1/alerts/:fp/ack', async (req) => {
    const by = requiredString(req.body?.by, 'by');
    const comment = req.body?.comment === undefined ? undefined : requiredString(req.body.comment, 'comment');
    return { status: 'success', data: h.rules.ack(req.params.fp, by, comment) };
  });

  app.post<{ Params: { fp: string }; Body: { by?: unknown; note?: unknown } }>('/api/v1/alerts/:fp/resolve', async (req) => {
    return { status: 'success', data: h.rules.resolve(req.params.fp, requiredString(req.body?.by, 'by'), requiredString(req.body?.note, 'note')) };
  });

  app.get('/api/v1/rules', async () => ({ status: 'success', data: h.rules.ruleHealth() }));

  // Alertmanager's webhook receiver: alerts from existing Prometheus rules join Vigil's.
  app.post('/api/v1/alerts/alertmanager', async (req, reply) => {
    const events = decodeAlertmanagerWebhook(req.body);
    h.dispatcher.receive(events);
    return reply.send({ status: 'success', accepted: events.length });
  });

  app.post('/-/reload', async (_req, reply) => {
    const n = reload();
    return reply.type('text/plain').send(`reloaded ${n} rules\n`);
  });

  // ---- Alertmanager API v2 ----
  app.get('/api/v2/status', async () => ({
    cluster: { status: 'disabled', peers: [] },
    versionInfo: { version: 'vigil', revision: '', branch: '', buildUser: '', buildDate: '', goVersion: '' },
    config: { original: '' },
    uptime: new Date(Date.now() - process.uptime() * 1000).toISOString(),
  }));

  app.get<{ Querystring: { filter?: string | string[] } }>('/api/v2/silences', async (req) => {
    const filter = parseFilter(req.query.filter);
    return h.silences.list().filter((s) => silencePasses(s, filter)).map(silenceToJSON);
  });

  app.get<{ Params: { id: string } }>('/api/v2/silence/:id', async (req) => {
    const s = h.silences.get(req.params.id);
    if (!s) throw new VigilError('SILENCE_NOT_FOUND', `silence ${req.params.id} not found`, 404);
    return silenceToJSON(s);
  });

  app.post<{ Body: Record<string, unknown> }>('/api/v2/silences', async (req) => {
    const b = req.body;
    if (b === null || typeof b !== 'object' || Array.isArray(b)) throw new VigilError('INVALID_SILENCE', 'body: expected a JSON object (postableSilence)', 400);
    const s = h.silences.set(b as unknown as Parameters<SilenceStore['set']>[0]);
    return { silenceID: s.id };
  });

  app.delete<{ Params: { id: string } }>('/api/v2/silence/:id', async (req, reply) => {
    h.silences.expire(req.params.id);
    return reply.send();
  });

  app.get<{ Querystring: Record<string, string | string[] | undefined> }>('/api/v2/alerts', async (req) => {
    const q = parseAlertQuery(req.query);
    return h.dispatcher
      .alerts()
      .filter((v) => alertPasses(v, q))
      .map((v) => ({
        labels: v.alert.labels,
        annotations: v.alert.annotations,
        startsAt: new Date(v.alert.startsAt).toISOString(),
        endsAt: new Date(v.alert.endsAt ?? 0).toISOString(),
        updatedAt: new Date().toISOString(),
        fingerprint: v.alert.fingerprint,
        generatorURL: v.alert.annotations.generator_url ?? '',
        receivers: v.receivers.map((name) => ({ name })),
        status: v.status,
      }));
  });

  // Prometheus (or anything speaking Alertmanager's API) can send alerts straight to Vigil.
  app.post('/api/v2/alerts', async (req, reply) => {
    if (!Array.isArray(req.body)) throw new VigilError('INVALID_ALERT', 'body: expected an array of alerts (postableAlerts)', 400);
    const events = (req.body as unknown[]).map((a, i) => decodeAlert(a, `[${i}]`, 'api'));
    h.dispatcher.receive(events);
    return reply.code(200).send();
  });
}

function requiredString(v: unknown, field: string): string {
  if (typeof v !== 'string' || v.trim() === '') throw new VigilError('BAD_PARAM', `${field}: a non-empty string is required`, 400);
  return v;
}
