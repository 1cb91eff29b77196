import type { SignalKind } from './options.js';

// Order matters: the first pattern that matches names the kind.
const PATTERNS: ReadonlyArray<[SignalKind, RegExp]> = [
  ['availability', /availab|(^|_)up$|health|probe|unreachable|oom_?kill|restart/],
  ['errors', /error|fail|5xx|exception|timeout|reject|dropped|refused/],
  ['latency', /latenc|duration|response_time|_seconds_bucket|(^|_)p(50|90|95|99)(_|$)|rtt|(^|_)lag(_|$)|slow/],
  ['saturation', /cpu|mem|disk|saturat|util|queue_depth|backlog|evict|hit_ratio|miss|connections|pool|iowait|swap|inode|full|throttl|load\d/],
  ['traffic', /request|quer(y|ies)|per_sec|publish|consume|receive|transmit|rows|messages|packets|qps|rps|ops|throughput|rate|traffic|count|total/],
];

/** The metric type of a signal given only its name (Prometheus, OTLP and PetShop conventions). */
export function inferKind(metric: string): SignalKind {
  const m = metric.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
  for (const [kind, re] of PATTERNS) if (re.test(m)) return kind;
  return 'other';
}
