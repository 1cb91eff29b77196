import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { threadCpuSeconds } from './thread-cpu.js';

/**
 * Vigil's own metrics, exposed at /metrics in the Prometheus text format.
 * One registry per process (not prom-client's global) so tests can run many servers side by side.
 */
export class SelfMetrics {
  readonly registry = new Registry();
  readonly ingestedSamples: Counter<'protocol'>;
  readonly rejectedSamples: Counter<'reason'>;
  readonly metadataEntries: Counter<'protocol' | 'result'>;
  readonly ingestRequests: Counter<'protocol' | 'code'>;
  readonly activeSeries: Gauge;
  readonly storeDiskBytes: Gauge;
  readonly storeHeadBytes: Gauge;
  readonly storeHeadSamples: Gauge;
  readonly httpDuration: Histogram<'route' | 'method' | 'code'>;

  /** Detection counters are read from the stage on each scrape (it counts in plain numbers on its hot path). */
  registerDetection(read: () => { series: number; scored: number; events: Record<string, number>; backlog: number; skipped: number }): void {
    const registers = [this.registry];
    new Gauge({ name: 'vigil_detector_series', help: 'Series with a detector.', registers, collect() { this.set(read().series); } });
    new Gauge({ name: 'vigil_detection_backlog_samples', help: 'Samples stored and waiting to be scored by the detection workers.', registers, collect() { this.set(read().backlog); } });
    new Counter({
      name: 'vigil_detection_skipped_samples_total',
      help: 'Samples stored but not scored, because their detection worker had stalled.',
      registers,
      collect() {
        this.reset();
        this.inc(read().skipped);
      },
    });
    new Counter({
      name: 'vigil_scored_samples_total',
      help: 'Samples scored by the anomaly detectors.',
      registers,
      collect() {
        this.reset();
        this.inc(read().scored);
      },
    });
    new Counter({
      name: 'vigil_anomaly_events_total',
      help: 'Anomaly events raised, by severity.',
      labelNames: ['severity'],
      registers,
      collect() {
        this.reset();
        for (const [severity, n] of Object.entries(read().events)) this.inc({ severity }, n);
      },
    });
  }

  /** Outbox state per channel, read on each scrape: queued/sending/delivered/failed counts. */
  /** Remediation: executions by state and the guard that stopped them, the kill switch, audit log length. */
  registerRemediation(read: () => { executions: Record<string, number>; killSwitch: boolean; auditEntries: number }): void {
    const registers = [this.registry];
    new Gauge({
      name: 'vigil_remediation_executions',
      help: 'Remediation decisions remembered, by state (and guard, for skipped ones).',
      labelNames: ['state', 'guard'],
      registers,
      collect() {
        this.reset();
        for (const [k, n] of Object.entries(read().executions)) {
          const [state, guard = ''] = k.split(':');
          this.set({ state: state!, guard }, n);
        }
      },
    });
    new Gauge({ name: 'vigil_remediation_kill_switch', help: '1 while the remediation kill switch is on.', registers, collect() { this.set(read().killSwitch ? 1 : 0); } });
    new Gauge({ name: 'vigil_remediation_audit_entries', help: 'Rows in the hash-chained remediation audit log.', registers, collect() { this.set(read().auditEntries); } });
  }

  /**
   * CPU time of Vigil's named threads (the ingest thread "main", each detection worker
   * "detect-N"), read from /proc on each scrape; threads whose id is unknown are left out.
   */
  registerThreads(read: () => ReadonlyArray<readonly [thread: string, tid: number | undefined]>): void {
    new Counter({
      name: 'vigil_thread_cpu_seconds_total',
      help: 'CPU time (user and system) used by each of Vigil\'s threads: main (ingest, store, API), store-encoder (the store\'s chunk encoding, once it runs), store-sqlite (SQLite\'s WAL checkpoints, started with store-encoder) and detect-N (detection workers).',
      labelNames: ['thread'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [thread, tid] of read()) {
          const seconds = tid === undefined ? undefined : threadCpuSeconds(tid);
          if (seconds !== undefined) this.inc({ thread }, seconds);
        }
      },
    });
  }

  registerOutbox(read: () => Record<string, Record<string, number | null>>): void {
    new Gauge({
      name: 'vigil_notifications',
      help: 'Notifications in the outbox by channel and delivery state.',
      labelNames: ['channel', 'state'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [channel, states] of Object.entries(read()))
          for (const state of ['queued', 'sending', 'delivered', 'failed']) this.set({ channel, state }, states[state] ?? 0);
      },
    });
  }

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (opts.defaultMetrics !== false) {
      // Includes nodejs_eventloop_lag_seconds, heap and RSS, GC and handle counts.
      collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 20 });
    }
    this.ingestedSamples = new Counter({ name: 'vigil_ingested_samples_total', help: 'Samples accepted into the store.', labelNames: ['protocol'], registers });
    this.rejectedSamples = new Counter({ name: 'vigil_rejected_samples_total', help: 'Samples refused, by reason.', labelNames: ['reason'], registers });
    this.metadataEntries = new Counter({
      name: 'vigil_metadata_entries_total',
      help: 'Metric metadata entries received (type, help, unit of a family), by protocol and result: new, unchanged, invalid, too_many_families.',
      labelNames: ['protocol', 'result'],
      registers,
    });
    this.ingestRequests = new Counter({ name: 'vigil_ingest_requests_total', help: 'Write requests by protocol and HTTP status.', labelNames: ['protocol', 'code'], registers });
    this.activeSeries = new Gauge({ name: 'vigil_active_series', help: 'Series known to the store.', registers });
    this.storeDiskBytes = new Gauge({ name: 'vigil_store_disk_bytes', help: 'Bytes used on disk by the store (database and write-ahead log).', registers });
    this.storeHeadBytes = new Gauge({ name: 'vigil_store_head_bytes', help: 'Bytes held by the in-memory head.', registers });
    this.storeHeadSamples = new Gauge({ name: 'vigil_store_head_samples', help: 'Samples held by the in-memory head.', registers });
    this.httpDuration = new Histogram({
      name: 'vigil_http_request_duration_seconds',
      help: 'HTTP request latency by route.',
      labelNames: ['route', 'method', 'code'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
  }
}
