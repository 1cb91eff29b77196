import { M, METRICS } from './metrics.js';
import { SmoothNoiseCache, hashNormal, hashUniform } from './noise.js';
import { Rng, subSeed } from './random.js';
import { HOUR, MINUTE, WEEK, batchProfile, fillCalendar, newCalendar, trafficProfile } from './seasonality.js';
import type { SeriesCatalog } from './series-catalog.js';
import { PROFILES, originatesLoad } from './service-profiles.js';
import type { ServiceGraph } from './graph.js';

/**
 * The incident-free value of every series at any instant, as a pure function of (seed, t).
 * Load enters at the edge of the graph (web traffic, nightly ETL batches) and flows down the
 * dependency edges; CPU, network, latency and so on are derived from each service's load.
 * Parameters are drawn once from the seed; per-sample noise is hashed from the time.
 */

export interface ModelOptions {
  seed: number;
  /** Trends are measured from here. */
  startTime: number;
  intervalMs: number;
  /** Local time of the fleet, for business hours and the nightly batch window. */
  utcOffsetHours: number;
}

const LOAD_TRAFFIC = 1;
const LOAD_BATCH = 2;

// Noise streams: series i uses i * 8 + purpose; services use their own high range.
const SERVICE_STREAM = 0x40000000;

export class SeriesModel {
  readonly size: number;
  private readonly seed: number;
  private readonly t0: number;
  private readonly dtSeconds: number;
  private readonly utcOffsetHours: number;
  private readonly cal = newCalendar();
  /** Slow wander: one slot per series (CPU and memory use it) and one per service (load). */
  private readonly seriesWander: SmoothNoiseCache;
  private readonly serviceWander: SmoothNoiseCache;

  // Per service.
  private readonly ownPeak: Float64Array;
  private readonly ownKind: Uint8Array;
  private readonly trendPerWeek: Float64Array;
  private readonly nominal: Float64Array;
  private readonly idleCpu: Float64Array;
  private readonly peakCpu: Float64Array;
  private readonly baseLatency: Float64Array;
  private readonly downstreamShare: Float64Array;
  private readonly baseErrors: Float64Array;
  private readonly bytesIn: Float64Array;
  private readonly bytesOut: Float64Array;
  private readonly ioIdle: Float64Array;
  private readonly ioPeak: Float64Array;
  /** Load carried by each edge per unit of caller load (0 where a consumer pulls from a queue). */
  private readonly loadWeight: Float64Array;

  // Per host.
  private readonly share: Float64Array;
  private readonly imbalance: Float64Array;
  private readonly memTotal: Float64Array;
  private readonly diskSize: Float64Array;
  private readonly memBase: Float64Array;
  private readonly gcAmp: Float64Array;
  private readonly gcPeriod: Float64Array;
  private readonly gcPhase: Float64Array;
  private readonly diskBase: Float64Array;
  private readonly diskWeekly: Float64Array;
  private readonly diskDaily: Float64Array;
  private readonly netBase: Float64Array;
  private readonly latencySkew: Float64Array;
  private readonly connPool: Float64Array;
  private readonly hitBase: Float64Array;
  private readonly depthBase: Float64Array;
  private readonly lagBase: Float64Array;

  // Scratch, per tick.
  private readonly load: Float64Array;
  private readonly x: Float64Array;
  private readonly latency: Float64Array;
  private readonly util: Float64Array;

  constructor(
    private readonly graph: ServiceGraph,
    private readonly catalog: SeriesCatalog,
    opts: ModelOptions,
  ) {
    const { topology } = graph;
    const ns = topology.services.length;
    const nh = topology.hosts.length;
    this.size = catalog.size;
    this.seed = opts.seed;
    this.t0 = opts.startTime;
    this.dtSeconds = opts.intervalMs / 1000;
    this.utcOffsetHours = opts.utcOffsetHours;
    const rng = new Rng(subSeed(opts.seed, 'model'));
    this.seriesWander = new SmoothNoiseCache(catalog.size);
    this.serviceWander = new SmoothNoiseCache(ns);

    this.ownPeak = new Float64Array(ns);
    this.ownKind = new Uint8Array(ns);
    this.trendPerWeek = new Float64Array(ns);
    this.nominal = new Float64Array(ns);
    this.idleCpu = new Float64Array(ns);
    this.peakCpu = new Float64Array(ns);
    this.baseLatency = new Float64Array(ns);
    this.downstreamShare = new Float64Array(ns);
    this.baseErrors = new Float64Array(ns);
    this.bytesIn = new Float64Array(ns);
    this.bytesOut = new Float64Array(ns);
    this.ioIdle = new Float64Array(ns);
    this.ioPeak = new Float64Array(ns);
    this.loadWeight = new Float64Array(graph.edgeWeight.length);
    this.load = new Float64Array(ns);
    this.x = new Float64Array(ns);
    this.latency = new Float64Array(ns);
    this.util = new Float64Array(ns);

    graph.edgeWeight.forEach((w, k) => {
      const from = topology.services[graph.edgeFrom[k]!]!;
      const to = topology.services[graph.edgeTo[k]!]!;
      this.loadWeight[k] = from.type === 'etl' && to.type === 'queue' ? 0 : w;
    });

    topology.services.forEach((svc, s) => {
      const p = PROFILES[svc.type];
      const origin = originatesLoad(svc.type, graph.callers[s]!.length > 0);
      // Services fed by callers still see some load of their own (health checks, replication, cron),
      // and it follows the day like user traffic.
      this.ownKind[s] = origin === 'batch' ? LOAD_BATCH : LOAD_TRAFFIC;
      this.ownPeak[s] = origin === 'none' ? rng.uniform(...p.background) : rng.uniform(...p.ownPeak);
      this.trendPerWeek[s] = rng.uniform(-0.01, 0.03);
      this.idleCpu[s] = rng.uniform(...p.idleCpu);
      this.peakCpu[s] = rng.uniform(...p.peakCpu);
      this.baseLatency[s] = rng.uniform(...p.latency);
      this.downstreamShare[s] = p.downstreamShare;
      this.baseErrors[s] = rng.uniform(...p.errorRatio);
      this.bytesIn[s] = p.bytesIn;
      this.bytesOut[s] = p.bytesOut;
      this.ioIdle[s] = p.ioIdle;
      this.ioPeak[s] = p.ioPeak;
    });
    // Capacity is provisioned for the weekday peak: the load at profile 1 with no wander or trend.
    this.pushLoad(1, 1, 0, 0, false);
    this.nominal.set(this.load);
    for (let s = 0; s < ns; s++) if (!(this.nominal[s]! > 0)) this.nominal[s] = 1;

    this.share = new Float64Array(nh);
    this.imbalance = new Float64Array(nh);
    this.memTotal = new Float64Array(nh);
    this.diskSize = new Float64Array(nh);
    this.memBase = new Float64Array(nh);
    this.gcAmp = new Float64Array(nh);
    this.gcPeriod = new Float64Array(nh);
    this.gcPhase = new Float64Array(nh);
    this.diskBase = new Float64Array(nh);
    this.diskWeekly = new Float64Array(nh);
    this.diskDaily = new Float64Array(nh);
    this.netBase = new Float64Array(nh);
    this.latencySkew = new Float64Array(nh);
    this.connPool = new Float64Array(nh);
    this.hitBase = new Float64Array(nh);
    this.depthBase = new Float64Array(nh);
    this.lagBase = new Float64Array(nh);
    const serviceIndex = graph.index;
    topology.hosts.forEach((h, hi) => {
      const s = serviceIndex.get(h.service)!;
      const svc = topology.services[s]!;
      const p = PROFILES[svc.type];
      // Load balancing is never perfect: each replica gets its share give or take a few percent.
      this.imbalance[hi] = rng.uniform(0.92, 1.08);
      this.share[hi] = this.imbalance[hi]! / svc.hosts.length;
      this.memTotal[hi] = h.memoryBytes;
      this.diskSize[hi] = h.diskBytes;
      this.memBase[hi] = rng.uniform(...p.memory);
      this.gcAmp[hi] = p.gcSawtooth ? rng.uniform(0.02, 0.05) : 0;
      this.gcPeriod[hi] = rng.uniform(8, 30) * MINUTE;
      this.gcPhase[hi] = rng.uniform(0, this.gcPeriod[hi]!);
      this.diskBase[hi] = rng.uniform(...p.disk);
      this.diskWeekly[hi] = rng.uniform(0.01, 0.04);
      this.diskDaily[hi] = rng.uniform(0.002, 0.008);
      this.netBase[hi] = rng.uniform(5_000, 40_000);
      this.latencySkew[hi] = rng.uniform(0.95, 1.05);
      this.connPool[hi] = rng.int(10, 40);
      this.hitBase[hi] = rng.uniform(0.88, 0.97);
      this.depthBase[hi] = rng.uniform(20, 200);
      this.lagBase[hi] = rng.uniform(60, 300);
    });
  }

  /** Largest value series `i` may take (memory and disk are bounded by the host). */
  upper(i: number): number {
    const m = this.catalog.metric[i]!;
    if (m === M.memUsed) return this.memTotal[this.catalog.host[i]!]!;
    if (m === M.diskUsed) return this.diskSize[this.catalog.host[i]!]!;
    return METRICS[m]!.max;
  }

  lower(i: number): number {
    return METRICS[this.catalog.metric[i]!]!.min;
  }

  /**
   * Writes the incident-free value of every series at `t` into `out` (counters are left to the
   * caller), or only of the series listed in `only`.
   */
  evaluate(t: number, out: Float64Array, only?: Int32Array): void {
    const cal = fillCalendar(this.cal, t, this.utcOffsetHours);
    this.pushLoad(trafficProfile(cal), batchProfile(cal), (t - this.t0) / WEEK, t, true);
    this.serviceLatency();

    const { seed, catalog, x: X, load } = this;
    const metric = catalog.metric;
    const svcOf = catalog.service;
    const hostOf = catalog.host;
    const n = only ? only.length : this.size;
    for (let j = 0; j < n; j++) {
      const i = only ? only[j]! : j;
      const s = svcOf[i]!;
      const h = hostOf[i]!;
      const x = X[s]!;
      const L = load[s]! * this.share[h]!;
      const k = i * 8;
      let v: number;
      switch (metric[i]) {
        case M.cpu:
          v = this.idleCpu[s]! + (this.peakCpu[s]! - this.idleCpu[s]!) * x * this.imbalance[h]!;
          v += 0.012 * hashNormal(seed, k, t) + 0.015 * this.seriesWander.value(i, seed, k + 1, t, 2 * HOUR);
          v = clamp(v, 0, 1);
          break;
        case M.memUsed: {
          const total = this.memTotal[h]!;
          const saw = this.gcAmp[h]! > 0 ? this.gcAmp[h]! * frac((t + this.gcPhase[h]!) / this.gcPeriod[h]!) : 0;
          v = total * (this.memBase[h]! + 0.06 * x + saw + 0.01 * this.seriesWander.value(i, seed, k + 1, t, 3 * HOUR));
          v = clamp(v + 0.002 * total * hashNormal(seed, k, t), 0, total);
          break;
        }
        case M.memTotal:
          v = this.memTotal[h]!;
          break;
        case M.diskUsed: {
          // Logs grow through the day and are rotated at midnight; data grows through the week
          // and is compacted at the Sunday maintenance window. Both keep usage bounded.
          const size = this.diskSize[h]!;
          v = size * (this.diskBase[h]! + this.diskWeekly[h]! * cal.weekFrac + this.diskDaily[h]! * cal.dayFrac);
          v += 0.00005 * size * hashNormal(seed, k, t);
          v = clamp(Math.round(v / 4096) * 4096, 0, size);
          break;
        }
        case M.diskSize:
          v = this.diskSize[h]!;
          break;
        case M.netRx:
          v = this.netBase[h]! + L * this.bytesIn[s]! * (1 + 0.03 * hashNormal(seed, k, t));
          v = Math.max(0, v);
          break;
        case M.netTx:
          v = 0.8 * this.netBase[h]! + L * this.bytesOut[s]! * (1 + 0.03 * hashNormal(seed, k, t));
          v = Math.max(0, v);
          break;
        case M.diskIo:
          v = clamp(this.ioIdle[s]! + this.ioPeak[s]! * x + 0.008 * hashNormal(seed, k, t), 0, 1);
          break;
        case M.httpRps:
        case M.dbQps:
        case M.cacheRps:
        case M.queuePublish:
        case M.queueConsume:
        case M.etlRows:
          v = this.rate(L, hashNormal(seed, k, t));
          break;
        case M.httpLatency:
        case M.dbLatency:
        case M.cacheLatency:
        case M.queueLatency: {
          v = this.latency[s]! * this.latencySkew[h]! * Math.exp(0.07 * hashNormal(seed, k, t));
          // Heavy tail: now and then a GC pause or a slow disk makes one scrape an outlier.
          const u = hashUniform(seed, k + 2, t);
          if (u < 0.002) v *= 1.5 + 500 * u;
          break;
        }
        case M.httpErrors:
        case M.dbErrors:
        case M.cacheErrors:
        case M.queueErrors:
        case M.etlErrors:
          v = clamp(this.baseErrors[s]! * (0.7 + 0.6 * x) * Math.exp(0.4 * hashNormal(seed, k, t)), 0, 1);
          break;
        case M.dbConnections:
          // Little's law: connections busy = queries per second x seconds per query, plus the idle pool.
          v = this.connPool[h]! + L * this.latency[s]! * 0.5 + 1.5 * hashNormal(seed, k, t);
          v = clamp(Math.round(v), 0, METRICS[M.dbConnections]!.max);
          break;
        case M.cacheHit:
          v = clamp(this.hitBase[h]! - 0.03 * x + 0.004 * hashNormal(seed, k, t), 0, 1);
          break;
        case M.queueDepth:
          v = Math.round(this.depthBase[h]! * (0.3 + x) * Math.exp(0.35 * hashNormal(seed, k, t)));
          break;
        case M.etlLag:
          v = this.lagBase[h]! * (1 + 1.5 * x) * Math.exp(0.1 * hashNormal(seed, k, t));
          break;
        default:
          v = 0; // counters: filled in by the integrator
      }
      out[i] = v;
    }
  }

  /**
   * Load per service: own demand, then each service passes load to the services it calls
   * (callers come first in the topological order, so their load is complete when passed on).
   */
  private pushLoad(traffic: number, batch: number, weeks: number, t: number, wander: boolean): void {
    const { graph, load } = this;
    load.fill(0);
    const order = graph.order;
    for (let o = 0; o < order.length; o++) {
      const s = order[o]!;
      const kind = this.ownKind[s];
      if (this.ownPeak[s]! > 0) {
        let own = this.ownPeak[s]! * (kind === LOAD_BATCH ? batch : traffic) * (1 + this.trendPerWeek[s]! * weeks);
        if (wander) own *= 1 + 0.05 * this.serviceWander.value(s, this.seed, SERVICE_STREAM + s * 4, t, 3 * HOUR);
        load[s]! += Math.max(0, own);
      }
      const out = graph.deps[s]!;
      for (let j = 0; j < out.length; j++) {
        const e = out[j]!;
        load[graph.edgeTo[e]!]! += this.loadWeight[e]! * load[s]!;
      }
    }
    for (let s = 0; s < load.length; s++) {
      this.x[s] = load[s]! / (this.nominal[s] || 1);
      this.util[s] = this.idleCpu[s]! + (this.peakCpu[s]! - this.idleCpu[s]!) * this.x[s]!;
    }
  }

  /** p95 per service: own work slowed by queueing as utilisation rises, plus part of each dependency's p95. */
  private serviceLatency(): void {
    const { graph, latency } = this;
    const order = graph.order;
    for (let o = order.length - 1; o >= 0; o--) {
      const s = order[o]!;
      const u = Math.min(0.9, this.util[s]!);
      let v = this.baseLatency[s]! * (1 + (0.5 * u) / (1 - u));
      const out = graph.deps[s]!;
      let downstream = 0;
      for (let j = 0; j < out.length; j++) {
        const e = out[j]!;
        downstream += Math.min(2, graph.edgeWeight[e]!) * latency[graph.edgeTo[e]!]!;
      }
      v += this.downstreamShare[s]! * downstream;
      latency[s] = v;
    }
  }

  /** A rate measured over one scrape interval: Poisson-like noise, relatively larger when traffic is low. */
  private rate(mean: number, z: number): number {
    const sd = 1 / Math.sqrt(Math.max(1, mean * this.dtSeconds)) + 0.015;
    return Math.max(0, mean * (1 + sd * z));
  }

}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

function frac(x: number): number {
  return x - Math.floor(x);
}
