import type { SignalKind } from './options.js';

/**
 * What an on-call engineer should check first, by the type of the suspected service; the
 * metric type that looked worst adds a specific first step.
 */
const BY_TYPE: Record<string, string[]> = {
  database: [
    'Check slow-query log and currently running queries (pg_stat_activity / SHOW PROCESSLIST); kill runaway queries',
    'Check connection pool usage and max_connections; look for lock waits and deadlocks',
    'Check replication lag, disk I/O latency and free disk space',
    'Review recent schema migrations or index changes; consider failing over to a replica',
  ],
  cache: [
    'Check hit ratio and eviction rate; a drop in hit ratio sends load to the backing store',
    'Check memory usage against maxmemory and the eviction policy; look for hot or oversized keys',
    'Check client connection count and command latency; consider scaling out or warming the cache',
  ],
  queue: [
    'Check queue depth and consumer lag; scale consumers if they fall behind',
    'Check broker disk usage and retention; free space or extend the volume before writes are refused',
    'Look for poison messages and dead-letter queue growth',
  ],
  network: [
    'Check link utilisation, packet loss and retransmits on the affected path',
    'Check load balancer / ingress health checks and backend pool state',
    'Check DNS resolution times and recent firewall, security group or routing changes',
  ],
  lb: [
    'Check backend health checks and the number of healthy targets',
    'Check connection and request limits, TLS handshake errors and surge queue length',
    'Review recent listener or routing rule changes',
  ],
  application: [
    'Check recent deployments and configuration changes; roll back if the anomaly started with one',
    'Check error logs and traces for the first failing endpoint',
    'Check CPU, memory (leaks, GC pauses) and thread/connection pool saturation; restart or scale out',
  ],
  etl: [
    'Check the last job runs: failures, retries and the first failing step',
    'Check input data volume and schema changes in the upstream source',
    'Check the job\'s resource limits (memory, disk spill) and rerun or backfill once fixed',
  ],
};
BY_TYPE.api = BY_TYPE.application;
BY_TYPE.web = [...BY_TYPE.application, 'Check the CDN and static asset origin'];
BY_TYPE.unknown = ['Declare this service (type, dependencies, runbooks) in vigil.yaml for specific advice', ...BY_TYPE.application];

const BY_KIND: Partial<Record<SignalKind, string>> = {
  saturation: 'Resource saturation first: find what is consuming CPU, memory, disk or connections',
  errors: 'Errors first: find the first failing request in logs and traces',
  latency: 'Latency first: compare latency of this service with that of its own dependencies',
  availability: 'Availability first: check instance health, restarts and crash loops',
  traffic: 'Traffic change first: check for a surge, a retry storm or a client misbehaving',
};

export function recommendedActions(type: string, kind: SignalKind | undefined): string[] {
  const base = BY_TYPE[type] ?? BY_TYPE.unknown;
  const first = kind ? BY_KIND[kind] : undefined;
  return first ? [first, ...base] : [...base];
}
