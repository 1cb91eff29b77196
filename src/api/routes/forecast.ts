import type { FastifyInstance } from 'fastify';
import { VigilError } from '../../core/errors.js';
import { parseSelector } from '../../core/matchers.js';
import { parseDuration } from '../../config/duration.js';
import type { ForecastStage } from '../../forecast/stage/forecast-stage.js';
import { parseTimeParam } from '../params.js';

/**
 * Forecasting read API:
 * - `GET /api/v1/forecast?series=SELECTOR&horizon=48h[&window=&step=&model=auto|linear|lstm]`:
 *   history on the forecast's grid, the forecast with its interval, the model;
 * - `GET /api/v1/capacity[?risk=&name=&refresh=true]`: capacity risks, highest first;
 * - `GET /api/v1/scaling[?action=&name=&refresh=true]`, `GET /api/v1/scaling/events?since=`;
 * - `GET /api/v1/rightsizing[?oversized=true]`;
 * - `GET /api/v1/forecast/models`: LSTM models and training progress.
 * Times are unix seconds, as in the rest of the API.
 */
interface ForecastQuery {
  series?: string;
  horizon?: string;
  window?: string;
  step?: string;
  model?: string;
}

const MAX_HORIZON_MS = 366 * 86_400_000;

export function forecastRoutes(app: FastifyInstance, stage: ForecastStage | undefined): void {
  const need = (): ForecastStage => {
    if (!stage) throw new VigilError('FORECAST_DISABLED', 'forecasting is disabled (forecast.enabled: false)', 404);
    return stage;
  };

  app.get<{ Querystring: ForecastQuery }>('/api/v1/forecast', async (req) => {
    const s = need();
    const q = req.query;
    if (q.series === undefined || q.series === '') throw bad('series', 'a series selector is required, e.g. series=node_load1{instance="web-1"}');
    const matchers = one('series', q.series, parseSelector);
    const horizonMs = durationParam('horizon', q.horizon ?? '1h');
    if (horizonMs > MAX_HORIZON_MS) throw bad('horizon', 'must be at most 366d');
    const windowMs = q.window === undefined ? undefined : durationParam('window', q.window);
    const stepMs = q.step === undefined ? undefined : durationParam('step', q.step);
    if (stepMs !== undefined && horizonMs / stepMs > 10_000) throw bad('step', `too small for the horizon (more than 10000 points)`);
    if (q.model !== undefined && q.model !== 'auto' && q.model !== 'linear' && q.model !== 'lstm') throw bad('model', 'expected auto, linear or lstm');
    let views;
    try {
      views = await s.forecastSeries(matchers, { horizonMs, windowMs, stepMs, model: q.model as 'auto' | 'linear' | 'lstm' | undefined });
    } catch (e) {
      if (e instanceof RangeError) throw new VigilError('FORECAST_UNAVAILABLE', `series: ${e.message}`, 422);
      throw e;
    }
    return {
      status: 'success',
      data: views.map((v) => ({
        labels: v.labels,
        model: v.model,
        level: v.level,
        step: v.stepMs / 1000,
        season: v.season,
        history: v.history.map(([t, y]) => [t / 1000, y]),
        forecast: v.forecast.map(([t, m, lo, hi]) => ({ t: t / 1000, mean: m, lower: lo, upper: hi })),
      })),
    };
  });

  app.get('/api/v1/forecast/models', async () => ({ status: 'success', data: need().lstmStatus() }));

  app.get<{ Querystring: { risk?: string; name?: string; refresh?: string } }>('/api/v1/capacity', async (req) => {
    const s = need();
    const { risk, name } = req.query;
    if (risk !== undefined && !['high', 'medium', 'low'].includes(risk)) throw bad('risk', 'expected high, medium or low');
    if (flag('refresh', req.query.refresh)) await s.refresh();
    const rows = s.capacityRisks().filter((r) => (risk === undefined || r.risk === risk) && (name === undefined || r.name === name));
    return {
      status: 'success',
      data: rows.map((r) => ({
        ...r,
        at: sec(r.at),
        earliestAt: sec(r.earliestAt),
        latestAt: sec(r.latestAt),
        evaluatedAt: sec(r.evaluatedAt),
        horizon: r.horizonMs / 1000,
        step: r.stepMs / 1000,
        horizonMs: undefined,
        stepMs: undefined,
      })),
    };
  });

  app.get<{ Querystring: { action?: string; name?: string; refresh?: string } }>('/api/v1/scaling', async (req) => {
    const s = need();
    const { action, name } = req.query;
    if (action !== undefined && !['SCALE_SOON', 'SCALE_DOWN', 'HOLD'].includes(action)) throw bad('action', 'expected SCALE_SOON, SCALE_DOWN or HOLD');
    if (flag('refresh', req.query.refresh)) await s.refresh();
    const rows = s.scalingRecommendations().filter((r) => (action === undefined || r.action === action) && (name === undefined || r.name === name));
    return {
      status: 'success',
      data: rows.map((r) => ({ ...r, peakAt: sec(r.peakAt), evaluatedAt: sec(r.evaluatedAt), horizon: r.horizonMs / 1000, horizonMs: undefined })),
    };
  });

  app.get<{ Querystring: { since?: string } }>('/api/v1/scaling/events', async (req) => {
    const since = parseTimeParam(req.query.since, 'since', 0);
    return { status: 'success', data: need().recentEvents(since).map((e) => ({ ...e, t: sec(e.t), peakAt: sec(e.peakAt) })) };
  });

  app.get<{ Querystring: { oversized?: string; name?: string; refresh?: string } }>('/api/v1/rightsizing', async (req) => {
    const s = need();
    const only = flag('oversized', req.query.oversized);
    if (flag('refresh', req.query.refresh)) await s.refresh();
    const rows = s.rightsizing().filter((r) => (!only || r.oversized) && (req.query.name === undefined || r.name === req.query.name));
    return { status: 'success', data: rows.map((r) => ({ ...r, evaluatedAt: sec(r.evaluatedAt), window: r.windowMs / 1000, windowMs: undefined })) };
  });
}

function sec(t: number | null): number | null {
  return t === null ? null : t / 1000;
}

function bad(name: string, problem: string): VigilError {
  return new VigilError('BAD_PARAM', `${name}: ${problem}`, 400);
}

function one<T>(name: string, v: unknown, parse: (s: string) => T): T {
  if (typeof v !== 'string') throw bad(name, 'expected a single value');
  try {
    return parse(v);
  } catch (e) {
    throw bad(name, (e as Error).message);
  }
}

function durationParam(name: string, v: unknown): number {
  const ms = one(name, v, parseDuration);
  if (!(ms > 0)) throw bad(name, 'must be greater than 0');
  return ms;
}

function flag(name: string, v: unknown): boolean {
  if (v === undefined || v === '' || v === 'false' || v === '0') return false;
  if (v === 'true' || v === '1') return true;
  throw bad(name, 'expected true or false');
}
