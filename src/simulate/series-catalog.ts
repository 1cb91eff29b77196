import type { Labels } from '../core/labels.js';
import { METRICS, metricByName, metricsFor } from './metrics.js';
import type { Topology } from './topology.js';

/**
 * Every simulated series, in a fixed order: host by host (in topology order), node metrics
 * first. Values produced by a tick are a Float64Array aligned with this list.
 */
export class SeriesCatalog {
  readonly labels: readonly Labels[];
  /** Per series: metric id, service index and host index. */
  readonly metric: Uint8Array;
  readonly service: Int32Array;
  readonly host: Int32Array;
  private readonly table: Int32Array;
  private readonly hostIndex: Map<string, number>;

  constructor(topology: Topology, opts: { counters: boolean }) {
    const serviceIndex = new Map(topology.services.map((s, i) => [s.name, i]));
    this.hostIndex = new Map(topology.hosts.map((h, i) => [h.name, i]));
    const labels: Labels[] = [];
    const metric: number[] = [];
    const service: number[] = [];
    const host: number[] = [];
    this.table = new Int32Array(topology.hosts.length * METRICS.length).fill(-1);
    topology.hosts.forEach((h, hi) => {
      const si = serviceIndex.get(h.service)!;
      const svc = topology.services[si]!;
      for (const m of metricsFor(svc.type)) {
        if (m.kind === 'counter' && !opts.counters) continue;
        this.table[hi * METRICS.length + m.id] = labels.length;
        labels.push(
          Object.freeze({
            __name__: m.name,
            instance: h.name,
            job: m.scope === 'node' ? 'node' : svc.name,
            service: svc.name,
            type: svc.type,
          }),
        );
        metric.push(m.id);
        service.push(si);
        host.push(hi);
      }
    });
    this.labels = labels;
    this.metric = Uint8Array.from(metric);
    this.service = Int32Array.from(service);
    this.host = Int32Array.from(host);
  }

  get size(): number {
    return this.labels.length;
  }

  /** Index of a series by metric id and host index, or -1. */
  at(hostIndex: number, metricId: number): number {
    return this.table[hostIndex * METRICS.length + metricId] ?? -1;
  }

  /** Index of a series by metric name and host name, or -1. */
  find(metric: string, instance: string): number {
    const m = metricByName(metric);
    const h = this.hostIndex.get(instance);
    if (!m || h === undefined) return -1;
    return this.at(h, m.id);
  }

  hostIndexOf(instance: string): number {
    return this.hostIndex.get(instance) ?? -1;
  }
}
