import { type AlertEvent, type AnomalyEvent, type Labels, METRIC_NAME, type Severity } from '../core/index.js';
import type { IncidentMember, SymptomKind } from './model.js';

/**
 * Turning alert and anomaly events into incident members: which service an
 * event is about, what its metric measures, and how strong it is.
 */

/** Label names that name a service, most specific first (Prometheus, Kubernetes, OpenTelemetry conventions). */
const SERVICE_LABELS = ['service', 'service_name', 'app_kubernetes_io_name', 'k8s_app', 'app', 'job'] as const;

/** The service an event is about, from its labels. */
export function serviceOf(labels: Labels): string | undefined {
  for (const k of SERVICE_LABELS) {
    const v = labels[k];
    if (v) return v;
  }
  return undefined;
}

// Order matters: the first pattern that matches names the symptom.
const SYMPTOM_PATTERNS: ReadonlyArray<[SymptomKind, RegExp]> = [
  ['availability', /(^|_)(up|down|availability|available|health|probe|unreachable|absent|oom_?kill)/],
  ['errors', /(error|fail|5xx|exception|reject|timeout|drop)/],
  ['latency', /(latency|duration|response_time|_seconds(_bucket)?$|lag$|slow|p9\d)/],
  ['saturation', /(cpu|memory|mem_|heap|disk|filesystem|fs_|inode|swap|connection|pool|saturat|utili[sz]ation|queue_depth|backlog|evict|load\d|throttl|full)/],
  ['traffic', /(request|traffic|rps|qps|throughput|rate|bytes_(received|sent)|receive|transmit|packets|messages|rows)/],
];

/** What a metric or alert name measures. */
export function symptomOf(name: string): SymptomKind {
  const n = name.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
  for (const [kind, re] of SYMPTOM_PATTERNS) if (re.test(n)) return kind;
  return 'other';
}

const SEVERITY_SCORE: Record<Severity, number> = { critical: 1, high: 0.8, medium: 0.6, low: 0.4, info: 0.2 };

/** An alert as a member: strength from its severity; onset when its condition became true. */
export function memberFromAlert(e: AlertEvent): IncidentMember {
  const metric = e.labels.alertname ?? e.rule ?? e.labels[METRIC_NAME] ?? e.source;
  const service = serviceOf(e.labels);
  const symptomSource = [metric, e.labels[METRIC_NAME] ?? '', e.annotations.summary ?? '', e.annotations.title ?? ''].join(' ');
  const title = e.annotations.title ?? e.annotations.summary ?? metric;
  return {
    id: `alert:${e.fingerprint}`,
    kind: 'alert',
    ref: e.fingerprint,
    ...(service !== undefined && { service }),
    metric,
    symptom: symptomOf(symptomSource),
    labels: e.labels,
    severity: e.severity,
    score: SEVERITY_SCORE[e.severity],
    t: e.activeAt ?? e.startsAt,
    state: e.state === 'resolved' || e.state === 'inactive' ? 'resolved' : 'firing',
    ...(e.endsAt !== undefined && (e.state === 'resolved' || e.state === 'inactive') && { endedAt: e.endsAt }),
    text: `alert ${metric}${service ? ` on ${service}` : ''} (${e.severity}): ${title}`,
  };
}

/** An anomaly event as a member: strength is its calibrated score. */
export function memberFromAnomaly(e: AnomalyEvent): IncidentMember {
  const metric = e.labels[METRIC_NAME] ?? e.labels.source_metric ?? 'anomaly';
  const service = serviceOf(e.labels);
  const x = e.explanation;
  return {
    id: `anomaly:${e.id}`,
    kind: 'anomaly',
    ref: e.id,
    ...(service !== undefined && { service }),
    metric,
    symptom: symptomOf(metric),
    labels: e.labels,
    severity: e.severity,
    score: Math.max(0, Math.min(1, e.score)),
    t: e.t,
    state: 'firing',
    direction: x.direction,
    text: `anomaly in ${metric}${service ? ` on ${service}` : ''}: ${round(e.value)} ${x.direction === 'none' ? 'vs' : x.direction} expected ${round(x.expected)} (${x.component}, score ${e.score.toFixed(2)})`,
  };
}

function round(v: number): string {
  return Number.isFinite(v) ? String(Math.round(v * 1000) / 1000) : String(v);
}
