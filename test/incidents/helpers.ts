import type { AlertEvent, AnomalyEvent, Severity } from '../../src/core/index.js';
import { ServiceGraph } from '../../src/incidents/topology/service-graph.js';

/**
 *   web -> api -> orders-db           checkout -> payments -> payments-db
 *           \-> cache                 etl-nightly -> warehouse
 */
export function shopGraph(): ServiceGraph {
  const g = new ServiceGraph();
  const services = [
    ['web', 'web', 'high'],
    ['api', 'application', 'high'],
    ['orders-db', 'database', 'critical'],
    ['cache', 'cache', 'medium'],
    ['checkout', 'application', 'medium'],
    ['payments', 'application', 'medium'],
    ['payments-db', 'database', 'medium'],
    ['etl-nightly', 'etl', 'low'],
    ['warehouse', 'database', 'low'],
  ] as const;
  for (const [name, type, criticality] of services) g.addService({ name, type, criticality, runbooks: [`https://runbooks.example/${name}`] });
  const dep = (from: string, to: string) => g.addEdge({ from, to, weight: 1, source: 'declared', confidence: 1 });
  dep('web', 'api');
  dep('api', 'orders-db');
  dep('api', 'cache');
  dep('checkout', 'payments');
  dep('payments', 'payments-db');
  dep('etl-nightly', 'warehouse');
  return g;
}

export const MIN = 60_000;
export const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);

export function alert(name: string, service: string, minute: number, opts: { severity?: Severity; state?: 'firing' | 'resolved'; instance?: string } = {}): AlertEvent {
  const labels: Record<string, string> = { alertname: name, service, ...(opts.instance && { instance: opts.instance }) };
  return {
    kind: 'alert',
    fingerprint: `${name}-${service}`,
    source: 'test',
    state: opts.state ?? 'firing',
    severity: opts.severity ?? 'medium',
    labels,
    annotations: { title: `${name} on ${service}` },
    startsAt: T0 + minute * MIN,
    activeAt: T0 + minute * MIN,
    ...(opts.state === 'resolved' && { endsAt: T0 + (minute + 1) * MIN }),
  };
}

export function anomaly(metric: string, service: string, minute: number, score = 0.3, direction: 'above' | 'below' = 'above'): AnomalyEvent {
  return {
    kind: 'anomaly',
    id: `${metric}-${service}-${minute}`,
    seriesHash: `${metric}-${service}`,
    labels: { __name__: metric, service },
    t: T0 + minute * MIN,
    value: 10,
    score,
    severity: score >= 0.5 ? 'high' : score >= 0.2 ? 'medium' : 'low',
    explanation: { expected: 1, lower: 0, upper: 2, component: 'robust', direction },
  };
}

/** A settable clock. */
export function clock(start = T0): { now: () => number; set(t: number): void; advance(ms: number): void } {
  let t = start;
  return { now: () => t, set: (v) => void (t = v), advance: (ms) => void (t += ms) };
}
