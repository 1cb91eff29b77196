import type { ServiceType } from './topology.js';

/**
 * The metric catalogue: what every simulated host exports, in Prometheus naming style.
 * Node metrics (job="node") exist on every host; application metrics (job=<service>) depend
 * on the service type. Rates are per-second gauges, as a recording rule over a counter would
 * give; two counters are kept (`*_total`) for code that wants to compute rate() itself.
 */

export type MetricKind = 'gauge' | 'counter';

/** What a metric says about its service: the golden signals plus saturation and capacity. */
export type MetricRole = 'throughput' | 'latency' | 'errors' | 'saturation' | 'capacity' | 'counter';

export interface MetricDef {
  readonly id: number;
  readonly name: string;
  readonly help: string;
  readonly unit: 'ratio' | 'bytes' | 'bytes_per_second' | 'per_second' | 'seconds' | 'count';
  readonly kind: MetricKind;
  /** Node metrics come from the node exporter (job="node"); application metrics from the service. */
  readonly scope: 'node' | 'app';
  readonly types: readonly ServiceType[];
  readonly role: MetricRole;
  /** How an injected anomaly moves it: multiplied (rates, latencies, sizes) or added to (ratios, utilisation). */
  readonly effect: 'mul' | 'add';
  /** For additive metrics: the absolute change per unit of incident magnitude. */
  readonly addScale: number;
  /** Hard bounds (capacity-bounded metrics are also capped per host by the model). */
  readonly min: number;
  readonly max: number;
  /** For counters: the id of the per-second gauge it integrates. */
  readonly integrates?: number;
}

const ALL: readonly ServiceType[] = ['lb', 'web', 'api', 'database', 'cache', 'queue', 'etl'];
const HTTP: readonly ServiceType[] = ['lb', 'web', 'api'];

/** Metric ids, the index into METRICS (numbers keep the per-sample switch cheap). */
export const M = {
  cpu: 0,
  memUsed: 1,
  memTotal: 2,
  diskUsed: 3,
  diskSize: 4,
  netRx: 5,
  netTx: 6,
  diskIo: 7,
  httpRps: 8,
  httpLatency: 9,
  httpErrors: 10,
  httpTotal: 11,
  dbQps: 12,
  dbLatency: 13,
  dbErrors: 14,
  dbConnections: 15,
  cacheRps: 16,
  cacheLatency: 17,
  cacheErrors: 18,
  cacheHit: 19,
  queuePublish: 20,
  queueConsume: 21,
  queueLatency: 22,
  queueErrors: 23,
  queueDepth: 24,
  etlRows: 25,
  etlRowsTotal: 26,
  etlLag: 27,
  etlErrors: 28,
} as const;

type Def = Omit<MetricDef, 'id' | 'effect' | 'addScale' | 'min' | 'max'> & Partial<Pick<MetricDef, 'effect' | 'addScale' | 'min' | 'max'>>;

const ratio = { unit: 'ratio', effect: 'add', min: 0, max: 1 } as const;

const DEFS: Def[] = [
  { name: 'node_cpu_utilization', help: 'Fraction of CPU time busy, all cores (0..1).', ...ratio, addScale: 0.1, kind: 'gauge', scope: 'node', types: ALL, role: 'saturation' },
  { name: 'node_memory_used_bytes', help: 'Memory in use (total minus available).', unit: 'bytes', kind: 'gauge', scope: 'node', types: ALL, role: 'saturation' },
  { name: 'node_memory_total_bytes', help: 'Physical memory.', unit: 'bytes', kind: 'gauge', scope: 'node', types: ALL, role: 'capacity' },
  { name: 'node_disk_used_bytes', help: 'Bytes used on the data filesystem.', unit: 'bytes', kind: 'gauge', scope: 'node', types: ALL, role: 'saturation' },
  { name: 'node_disk_size_bytes', help: 'Size of the data filesystem.', unit: 'bytes', kind: 'gauge', scope: 'node', types: ALL, role: 'capacity' },
  { name: 'node_network_receive_bytes_per_sec', help: 'Network bytes received per second.', unit: 'bytes_per_second', kind: 'gauge', scope: 'node', types: ALL, role: 'throughput' },
  { name: 'node_network_transmit_bytes_per_sec', help: 'Network bytes sent per second.', unit: 'bytes_per_second', kind: 'gauge', scope: 'node', types: ALL, role: 'throughput' },
  { name: 'node_disk_io_utilization', help: 'Fraction of time the data disk was busy with I/O (rate of node_disk_io_time_seconds_total).', ...ratio, addScale: 0.1, kind: 'gauge', scope: 'node', types: ALL, role: 'saturation' },
  { name: 'http_requests_per_sec', help: 'HTTP requests served per second.', unit: 'per_second', kind: 'gauge', scope: 'app', types: HTTP, role: 'throughput' },
  { name: 'http_request_latency_p95_seconds', help: '95th percentile HTTP request latency.', unit: 'seconds', kind: 'gauge', scope: 'app', types: HTTP, role: 'latency' },
  { name: 'http_errors_ratio', help: 'Fraction of HTTP requests answered with a 5xx status.', ...ratio, addScale: 0.02, kind: 'gauge', scope: 'app', types: HTTP, role: 'errors' },
  { name: 'http_requests_total', help: 'HTTP requests served since start.', unit: 'count', kind: 'counter', scope: 'app', types: HTTP, role: 'counter', integrates: M.httpRps },
  { name: 'db_queries_per_sec', help: 'Queries executed per second.', unit: 'per_second', kind: 'gauge', scope: 'app', types: ['database'], role: 'throughput' },
  { name: 'db_query_latency_p95_seconds', help: '95th percentile query latency.', unit: 'seconds', kind: 'gauge', scope: 'app', types: ['database'], role: 'latency' },
  { name: 'db_errors_ratio', help: 'Fraction of queries that failed (timeouts, deadlocks, refused).', ...ratio, addScale: 0.02, kind: 'gauge', scope: 'app', types: ['database'], role: 'errors' },
  { name: 'db_connections', help: 'Open client connections.', unit: 'count', kind: 'gauge', scope: 'app', types: ['database'], role: 'saturation', max: 1000 },
  { name: 'cache_requests_per_sec', help: 'Cache commands per second.', unit: 'per_second', kind: 'gauge', scope: 'app', types: ['cache'], role: 'throughput' },
  { name: 'cache_latency_p95_seconds', help: '95th percentile command latency.', unit: 'seconds', kind: 'gauge', scope: 'app', types: ['cache'], role: 'latency' },
  { name: 'cache_errors_ratio', help: 'Fraction of commands that failed.', ...ratio, addScale: 0.02, kind: 'gauge', scope: 'app', types: ['cache'], role: 'errors' },
  { name: 'cache_hit_ratio', help: 'Fraction of lookups served from the cache.', ...ratio, addScale: 0.05, kind: 'gauge', scope: 'app', types: ['cache'], role: 'saturation' },
  { name: 'queue_publish_per_sec', help: 'Messages published per second.', unit: 'per_second', kind: 'gauge', scope: 'app', types: ['queue'], role: 'throughput' },
  { name: 'queue_consume_per_sec', help: 'Messages consumed per second.', unit: 'per_second', kind: 'gauge', scope: 'app', types: ['queue'], role: 'throughput' },
  { name: 'queue_publish_latency_p95_seconds', help: '95th percentile publish latency.', unit: 'seconds', kind: 'gauge', scope: 'app', types: ['queue'], role: 'latency' },
  { name: 'queue_errors_ratio', help: 'Fraction of publishes that failed.', ...ratio, addScale: 0.02, kind: 'gauge', scope: 'app', types: ['queue'], role: 'errors' },
  { name: 'queue_depth', help: 'Messages waiting to be consumed.', unit: 'count', kind: 'gauge', scope: 'app', types: ['queue'], role: 'saturation' },
  { name: 'etl_rows_processed_per_sec', help: 'Rows processed per second.', unit: 'per_second', kind: 'gauge', scope: 'app', types: ['etl'], role: 'throughput' },
  { name: 'etl_rows_processed_total', help: 'Rows processed since start.', unit: 'count', kind: 'counter', scope: 'app', types: ['etl'], role: 'counter', integrates: M.etlRows },
  { name: 'etl_lag_seconds', help: 'Age of the newest row written downstream (data freshness).', unit: 'seconds', kind: 'gauge', scope: 'app', types: ['etl'], role: 'latency' },
  { name: 'etl_errors_ratio', help: 'Fraction of rows rejected or retried.', ...ratio, addScale: 0.02, kind: 'gauge', scope: 'app', types: ['etl'], role: 'errors' },
];

export const METRICS: readonly MetricDef[] = DEFS.map((d, id) => ({
  effect: 'mul',
  addScale: 0,
  min: 0,
  max: Infinity,
  ...d,
  id,
}));

const BY_NAME = new Map(METRICS.map((m) => [m.name, m]));

export function metricByName(name: string): MetricDef | undefined {
  return BY_NAME.get(name);
}

/** Metrics a host of the given service type exports, node metrics first. */
export function metricsFor(type: ServiceType): MetricDef[] {
  return METRICS.filter((m) => m.types.includes(type));
}

/** The metric playing a golden-signal role for a service type (e.g. latency of a database). */
export function roleMetric(type: ServiceType, role: 'throughput' | 'latency' | 'errors'): MetricDef {
  const m = METRICS.find((d) => d.scope === 'app' && d.role === role && d.types.includes(type));
  if (!m) throw new Error(`no ${role} metric for ${type}`);
  return m;
}
