import { VigilError } from '../core/errors.js';
import type { AlertEvent } from '../core/events.js';
import { parseSeverity } from '../core/severity.js';
import { alertFingerprint } from '../alerting/rules/alert-state.js';

/**
 * Alertmanager's webhook payload, version 4 (what a `webhook_configs` receiver
 * posts), turned into Vigil alert events. The fingerprint is computed the way
 * Vigil's own rules compute theirs (alertname plus the full label set), so the
 * same alert arriving from Vigil's rules and from Alertmanager is one alert.
 */
export function decodeAlertmanagerWebhook(body: unknown): AlertEvent[] {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw bad('body', 'expected a JSON object (Alertmanager webhook payload)');
  const b = body as { version?: unknown; alerts?: unknown };
  if (b.version !== undefined && b.version !== '4') throw bad('version', `unsupported webhook payload version ${JSON.stringify(b.version)} (expected "4")`);
  if (!Array.isArray(b.alerts)) throw bad('alerts', 'expected an array');
  return b.alerts.map((a, i) => decodeAlert(a, `alerts[${i}]`));
}

/** One alert in Alertmanager's shape (webhook or API v2 postableAlert). */
export function decodeAlert(a: unknown, where: string, source = 'alertmanager'): AlertEvent {
  if (a === null || typeof a !== 'object') throw bad(where, 'expected an object');
  const x = a as { status?: unknown; labels?: unknown; annotations?: unknown; startsAt?: unknown; endsAt?: unknown; generatorURL?: unknown };
  const labels = stringMap(x.labels, `${where}.labels`);
  if (!labels.alertname) throw bad(`${where}.labels.alertname`, 'is required');
  const annotations = x.annotations === undefined ? {} : stringMap(x.annotations, `${where}.annotations`);
  const startsAt = time(x.startsAt, `${where}.startsAt`) ?? Date.now();
  const endsAt = time(x.endsAt, `${where}.endsAt`);
  // Alertmanager sends a zero time ("0001-01-01T00:00:00Z") for "no end"; a past end means resolved.
  const resolved = x.status === 'resolved' || (endsAt !== undefined && endsAt > 0 && endsAt <= Date.now());
  const severity = parseSeverity(labels.severity ?? '') ?? 'medium';
  const e: AlertEvent = {
    kind: 'alert',
    fingerprint: alertFingerprint(labels.alertname, labels),
    source,
    state: resolved ? 'resolved' : 'firing',
    severity,
    labels,
    annotations: typeof x.generatorURL === 'string' ? { ...annotations, generator_url: x.generatorURL } : annotations,
    startsAt,
  };
  if (resolved) e.endsAt = endsAt && endsAt > 0 ? endsAt : Date.now();
  return e;
}

function stringMap(v: unknown, where: string): Record<string, string> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw bad(where, 'expected an object of strings');
  const out: Record<string, string> = {};
  for (const [k, s] of Object.entries(v)) {
    if (typeof s !== 'string') throw bad(`${where}.${k}`, 'expected a string');
    out[k] = s;
  }
  return out;
}

function time(v: unknown, where: string): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw bad(where, 'expected an RFC 3339 time string');
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw bad(where, `cannot parse ${JSON.stringify(v)} as an RFC 3339 time`);
  return t;
}

function bad(where: string, problem: string): VigilError {
  return new VigilError('INVALID_ALERT', `${where}: ${problem}`, 400);
}
