import type { Labels } from '../../core/labels.js';
import type { DependencyEdge, ServiceNode } from './service-graph.js';
import { inferServiceType, typeFromLabel } from './service-type.js';

/**
 * Services and calls discovered from series labels: the service a series belongs to
 * (Prometheus job/service, Kubernetes recommended labels, OTLP resource attributes), and calls
 * named by peer labels (OpenTelemetry peer.service / server.address, Istio source and
 * destination workloads, client/caller labels).
 */

/** Most specific first. `job` last: it often names the exporter rather than the service. */
export const SERVICE_LABELS = [
  'service', 'service_name', 'service.name', 'app_kubernetes_io_name', 'app.kubernetes.io/name', 'k8s_app', 'app', 'job',
] as const;
/** Label naming the service a series' service calls. */
const CALLEE_LABELS = [
  'peer_service', 'peer.service', 'destination_service', 'destination_service_name', 'destination_workload', 'destination_app',
  'upstream', 'upstream_service', 'target_service', 'dependency', 'server_address', 'server.address', 'net_peer_name', 'net.peer.name',
] as const;
/** Label naming the service that calls the series' service (or, with a callee label, the caller). */
const CALLER_LABELS = ['source_workload', 'source_service', 'source_app', 'client', 'client_service', 'caller'] as const;
const TYPE_LABELS = ['service_type', 'type', 'tier', 'component'] as const;
/** Jobs that are exporters or Vigil itself, not services. */
const NOT_SERVICES = new Set(['node', 'node_exporter', 'prometheus', 'vigil', 'blackbox', 'pushgateway', 'kubelet', 'cadvisor', 'kube-state-metrics']);

export interface DiscoveredTopology {
  services: ServiceNode[];
  edges: DependencyEdge[];
}

export function serviceFromLabels(labels: Labels): string | undefined {
  for (const k of SERVICE_LABELS) {
    const v = labels[k];
    if (v && !(k === 'job' && NOT_SERVICES.has(v))) return v;
  }
  return undefined;
}

export function discoverFromLabels(labelSets: Iterable<Labels>): DiscoveredTopology {
  const types = new Map<string, string>();
  const calls = new Map<string, { from: string; to: string; seen: number }>();
  const see = (name: string, type: string | undefined) => {
    const known = types.get(name);
    if (type && type !== 'unknown' && (!known || known === 'unknown')) types.set(name, type);
    else if (!known) types.set(name, type ?? 'unknown');
  };
  const call = (from: string, to: string) => {
    if (from === to) return;
    const key = `${from}\u0000${to}`;
    const c = calls.get(key);
    if (c) c.seen++;
    else calls.set(key, { from, to, seen: 1 });
  };
  for (const labels of labelSets) {
    const metric = labels.__name__;
    const callee = first(labels, CALLEE_LABELS);
    const caller = first(labels, CALLER_LABELS);
    const own = serviceFromLabels(labels);
    if (own) see(own, typeFromLabel(first(labels, TYPE_LABELS)) ?? inferServiceType(own, metric));
    // Istio-style series carry both ends; a series with only a caller label is the callee's.
    const from = caller && callee ? caller : caller ? caller : own;
    const to = caller && callee ? callee : caller ? own : callee;
    if (from && to) {
      see(from, inferServiceType(from));
      see(to, systemType(labels) ?? inferServiceType(to));
      call(from, to);
    }
  }
  const services = [...types].map(([name, type]) => ({ name, type, criticality: 'medium' as const }));
  // More series naming a call make it more certain; one stray label is weak evidence.
  const edges = [...calls.values()].map((c) => ({ from: c.from, to: c.to, weight: 1, source: 'discovered' as const, confidence: Math.min(1, 0.6 + 0.1 * c.seen) }));
  return { services, edges };
}

/** OpenTelemetry's db.system / messaging.system on a client span metric say what the peer is. */
function systemType(labels: Labels): string | undefined {
  if (labels.db_system || labels['db.system']) return 'database';
  if (labels.messaging_system || labels['messaging.system']) return 'queue';
  return undefined;
}

function first(labels: Labels, keys: readonly string[]): string | undefined {
  for (const k of keys) if (labels[k]) return labels[k];
  return undefined;
}
