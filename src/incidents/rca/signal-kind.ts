import type { SignalKind } from './options.js';

/** The metric type of a signal given only its name (Prometheus, OTLP and PetShop conventions). */
export function inferKind(metric: string): SignalKind {
  const m = metric.toLowerCase();
  if (/latenc|duration|response_time|_seconds_bucket|p50|p9[059]|p99|rtt/.test(m)) return 'latency';
  if (/error|fail|5xx|exception|timeout|reject|drop/.test(m)) return 'errors';
  if (/availab|^up$|_up$|health/.test(m)) return 'availability';
  if (/cpu|mem|disk|saturat|util|queue_depth|lag|backlog|evict|connections|pool|iowait|swap|bytes_used|full/.test(m)) return 'saturation';
  if (/request|throughput|rate|qps|rps|traffic|count|total/.test(m)) return 'traffic';
  return 'other';
}
