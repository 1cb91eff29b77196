import type { BuildContext } from './incident-builder.js';
import type { IncidentKind, IncidentSpec } from './incident-types.js';
import { M, METRICS, roleMetric } from './metrics.js';
import type { Rng } from './random.js';
import { HOUR, MINUTE } from './seasonality.js';
import type { ServiceNode, ServiceType } from './topology.js';

/**
 * Draws one plausible incident: which kind, where, how big and how long. The ranges are chosen
 * so that every incident is visible to a reasonable detector (a spike at least 2.5x, a shift
 * at least 30%), since the ground truth promises an anomaly is there to find.
 */

export const DEFAULT_KIND_WEIGHTS: Partial<Record<IncidentKind, number>> = {
  spike: 0.3,
  level_shift: 0.2,
  memory_leak: 0.15,
  disk_fill: 0.15,
  cascade: 0.2,
};

/** The longest a random incident can last, so lookups know how far back to search. */
export const MAX_RANDOM_SPAN = 7 * HOUR;

const LEAKY: Partial<Record<ServiceType, number>> = { api: 3, web: 2, etl: 2, queue: 1, cache: 1 };
const FILLING: Partial<Record<ServiceType, number>> = { database: 3, queue: 2, etl: 2, api: 1 };
const CASCADE_ROOT: Partial<Record<ServiceType, number>> = { database: 3, cache: 3, queue: 3, api: 2, web: 1 };

export function randomSpec(rng: Rng, ctx: BuildContext, startsAt: number, weights: Partial<Record<IncidentKind, number>>): IncidentSpec {
  const services = ctx.graph.topology.services;
  const kinds = Object.keys(weights) as IncidentKind[];
  let kind = rng.weighted(kinds, kinds.map((k) => weights[k] ?? 0));
  // Draw every candidate list whatever the kind, so the stream of draws has a fixed shape.
  const leakTarget = pickByType(rng, services, LEAKY);
  const fillTarget = pickByType(rng, services, FILLING);
  const withCallers = services.filter((_, i) => ctx.graph.callers[i]!.length > 0);
  const cascadeRoot = pickByType(rng, withCallers, CASCADE_ROOT);
  const anyService = rng.pick(services);
  const u = [rng.next(), rng.next(), rng.next(), rng.next(), rng.next()] as const;

  if (kind === 'cascade' && !cascadeRoot) kind = 'spike';
  if (kind === 'memory_leak' && !leakTarget) kind = 'spike';
  if (kind === 'disk_fill' && !fillTarget) kind = 'spike';

  switch (kind) {
    // Opted-in kinds reuse the draws above, so the stream keeps its shape.
    case 'bad_deploy':
      return { kind, service: anyService.name, metric: u[0] < 0.7 ? 'errors' : 'latency', startsAt, durationMs: Math.round(lerp(1, 4, u[1]) * 4) * 15 * MINUTE, magnitude: u[0] < 0.7 ? lerp(3, 8, u[2]) : lerp(0.8, 2, u[2]) };
    case 'traffic_surge':
      return { kind, service: anyService.name, startsAt, durationMs: Math.round(lerp(1, 4, u[1]) * 4) * 15 * MINUTE, magnitude: lerp(0.8, 2.5, u[2]) };
    case 'spike':
    case 'level_shift': {
      const svc = anyService;
      const host = svc.hosts[Math.floor(u[0] * svc.hosts.length)]!;
      const role = pickRole(u[1], kind);
      const metric = role === 'cpu' ? METRICS[M.cpu]! : roleMetric(svc.type, role);
      let magnitude: number;
      if (kind === 'spike') {
        magnitude = metric.effect === 'mul' ? lerp(1.5, 4, u[2]) : role === 'cpu' ? lerp(2.5, 4.5, u[2]) : lerp(2.5, 6, u[2]);
      } else if (metric.effect === 'add') {
        magnitude = lerp(1.5, 3, u[2]);
      } else if (role === 'throughput') {
        magnitude = u[3] < 0.7 ? -lerp(0.3, 0.6, u[2]) : lerp(0.4, 0.8, u[2]);
      } else {
        magnitude = lerp(0.5, 1.2, u[2]);
      }
      const durationMs = kind === 'spike' ? Math.round(lerp(1, 8, u[4])) * MINUTE : Math.round(lerp(1, 6, u[4]) * 4) * 15 * MINUTE;
      return { kind, service: svc.name, host, metric: metric.name, startsAt, durationMs, magnitude };
    }
    case 'memory_leak': {
      const svc = leakTarget!;
      const host = svc.hosts[Math.floor(u[0] * svc.hosts.length)]!;
      return { kind, service: svc.name, host, startsAt, durationMs: Math.round(lerp(1, 6, u[1]) * 4) * 15 * MINUTE };
    }
    case 'disk_fill': {
      const svc = fillTarget!;
      const host = svc.hosts[Math.floor(u[0] * svc.hosts.length)]!;
      const durationMs = Math.round(lerp(1, 4, u[1]) * 4) * 15 * MINUTE;
      return { kind, service: svc.name, host, startsAt, durationMs, holdMs: Math.round(lerp(10, 40, u[2])) * MINUTE };
    }
    case 'cascade': {
      const svc = cascadeRoot!;
      return {
        kind,
        service: svc.name,
        metric: u[0] < 0.75 ? 'latency' : 'errors',
        startsAt,
        durationMs: Math.round(lerp(10, 40, u[1])) * MINUTE,
        magnitude: lerp(3, 6, u[2]),
        hopLagMs: Math.round(lerp(30, 90, u[3])) * 1000,
      };
    }
  }
}

function pickRole(u: number, kind: 'spike' | 'level_shift'): 'latency' | 'errors' | 'throughput' | 'cpu' {
  const table = kind === 'spike' ? [0.4, 0.25, 0.15, 0.2] : [0.35, 0.2, 0.25, 0.2];
  const roles = ['latency', 'errors', 'throughput', 'cpu'] as const;
  let acc = 0;
  for (let i = 0; i < roles.length; i++) {
    acc += table[i]!;
    if (u < acc) return roles[i]!;
  }
  return 'cpu';
}

function pickByType(rng: Rng, services: readonly ServiceNode[], weights: Partial<Record<ServiceType, number>>): ServiceNode | undefined {
  const candidates = services.filter((s) => (weights[s.type] ?? 0) > 0);
  const u = rng.next();
  if (candidates.length === 0) return undefined;
  let total = 0;
  for (const s of candidates) total += weights[s.type]!;
  let r = u * total;
  for (const s of candidates) {
    r -= weights[s.type]!;
    if (r < 0) return s;
  }
  return candidates[candidates.length - 1];
}

function lerp(a: number, b: number, u: number): number {
  return a + (b - a) * u;
}
