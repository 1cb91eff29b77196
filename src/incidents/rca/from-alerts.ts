import type { Labels } from '../../core/labels.js';
import type { RcaSignal } from './rank.js';
import { inferKind } from './signal-kind.js';

/** What the ranking needs of an alert or anomaly event; AlertEvent and stored alerts both fit. */
export interface AlertLike {
  labels: Labels;
  startsAt: number;
  activeAt?: number;
  severity?: string;
  /** Anomaly strength in [0, 1] when the source knows it (an anomaly score). */
  score?: number;
  annotations?: Readonly<Record<string, string>>;
}

const SEVERITY_SCORE: Record<string, number> = { critical: 1, high: 0.8, medium: 0.6, low: 0.4, info: 0.2 };
const SERVICE_LABELS = ['service', 'service_name', 'service.name', 'app_kubernetes_io_name', 'app.kubernetes.io/name', 'k8s_app', 'app', 'job'];
const METRIC_LABELS = ['__name__', 'metric', 'alertname'];

/** One signal per alert: service from the usual labels, metric from the metric or alert name. */
export function signalsFromAlerts(alerts: readonly AlertLike[]): RcaSignal[] {
  const out: RcaSignal[] = [];
  for (const a of alerts) {
    const service = firstLabel(a.labels, SERVICE_LABELS);
    if (!service) continue;
    const metric = firstLabel(a.labels, METRIC_LABELS) ?? 'alert';
    const annotated = Number(a.annotations?.score);
    const score = a.score ?? (Number.isFinite(annotated) ? annotated : (SEVERITY_SCORE[a.severity ?? ''] ?? 0.6));
    out.push({ service, metric, onsetMs: a.activeAt ?? a.startsAt, score, kind: inferKind(metric), labels: { ...a.labels } });
  }
  return out;
}

function firstLabel(labels: Labels, keys: readonly string[]): string | undefined {
  for (const k of keys) if (labels[k]) return labels[k];
  return undefined;
}
