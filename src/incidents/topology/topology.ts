import type { Labels } from '../../core/labels.js';
import { discoverFromLabels, serviceFromLabels, type DiscoveredTopology } from './discover.js';
import { learnEdges, type AnomalyOnset, type LearnOptions } from './learn.js';
import { ServiceGraph, type DependencyEdge } from './service-graph.js';

/** A service as declared in vigil.yaml (`services:`). */
export interface DeclaredService {
  name: string;
  type: string;
  criticality: 'low' | 'medium' | 'high' | 'critical';
  dependsOn: ReadonlyArray<{ service: string; weight: number }>;
  runbooks?: readonly string[];
}

/**
 * The three sources merged, strongest first: what the operator declared, what labels show,
 * what history suggests. A declared service keeps its type and runbooks; a declared edge is
 * never replaced or reversed by a discovered or learned one (ServiceGraph.addEdge).
 */
export function buildTopology(parts: { declared?: readonly DeclaredService[]; discovered?: DiscoveredTopology; learned?: readonly DependencyEdge[] }): ServiceGraph {
  const g = new ServiceGraph();
  for (const s of parts.declared ?? []) g.addService({ name: s.name, type: s.type, criticality: s.criticality, ...(s.runbooks?.length ? { runbooks: [...s.runbooks] } : {}) });
  for (const s of parts.declared ?? []) for (const d of s.dependsOn) g.addEdge({ from: s.name, to: d.service, weight: d.weight, source: 'declared', confidence: 1 });
  for (const s of parts.discovered?.services ?? []) {
    const known = g.service(s.name);
    if (!known || known.type === 'unknown') g.addService(s);
  }
  for (const e of parts.discovered?.edges ?? []) g.addEdge(e);
  for (const e of parts.learned ?? []) g.addEdge(e);
  return g;
}

export interface LiveTopologyOptions {
  discover: boolean;
  learn: boolean;
  learnOptions?: Partial<LearnOptions>;
  /** Every stored series' labels, read when the graph is rebuilt (discovery). */
  seriesLabels?: () => Iterable<Labels>;
  /** Rebuild at most this often. */
  rebuildEveryMs: number;
  /**
   * Re-read seriesLabels no more often than rebuildEveryMs, nor than this many times the last
   * scan took, so scanning a large store costs at most a small share of a core.
   */
  rescanCostFactor: number;
  /** Anomaly onsets kept for learning (oldest dropped first). */
  maxOnsets: number;
}

/**
 * The topology the incident stage uses, kept current: the declared catalogue, services and calls
 * discovered from labels, and edges learned from the anomalies seen so far. Rebuilt lazily.
 */
export class LiveTopology {
  private readonly onsets: AnomalyOnset[] = [];
  private readonly seenLabels = new Map<string, Labels>();
  private cached: ServiceGraph | undefined;
  private scanned: Labels[] = [];
  private scannedAt = -Infinity;
  private scanMs = 0;
  private builtAt = -Infinity;
  private dirty = true;
  private readonly o: LiveTopologyOptions;

  constructor(
    private readonly declared: readonly DeclaredService[],
    opts: Partial<LiveTopologyOptions> = {},
  ) {
    this.o = { discover: true, learn: true, rebuildEveryMs: 60_000, rescanCostFactor: 50, maxOnsets: 50_000, ...opts };
  }

  /** An anomaly (or alert) started on a series: evidence for learning, labels for discovery. */
  observeAnomaly(labels: Labels, t: number): void {
    const service = serviceFromLabels(labels);
    if (service && this.o.learn) {
      this.onsets.push({ service, t });
      if (this.onsets.length > this.o.maxOnsets) this.onsets.splice(0, this.onsets.length - this.o.maxOnsets);
    }
    this.observeLabels(labels);
    this.dirty = true;
  }

  observeLabels(labels: Labels): void {
    if (!this.o.discover) return;
    const key = JSON.stringify(labels);
    if (this.seenLabels.has(key)) return;
    if (this.seenLabels.size >= 100_000) this.seenLabels.delete(this.seenLabels.keys().next().value!);
    this.seenLabels.set(key, labels);
    this.dirty = true;
  }

  graph(now: number = Date.now()): ServiceGraph {
    const rescanEvery = Math.max(this.o.rebuildEveryMs, this.o.rescanCostFactor * this.scanMs);
    const rescan = this.o.discover && this.o.seriesLabels !== undefined && now - this.scannedAt >= rescanEvery;
    if (this.cached && !rescan && (!this.dirty || now - this.builtAt < this.o.rebuildEveryMs)) return this.cached;
    if (rescan) {
      const started = performance.now();
      this.scanned = [...this.o.seriesLabels!()];
      this.scanMs = performance.now() - started;
      this.scannedAt = now;
    }
    const labelSets = this.o.discover ? [...this.seenLabels.values(), ...this.scanned] : [];
    this.cached = buildTopology({
      declared: this.declared,
      ...(this.o.discover ? { discovered: discoverFromLabels(labelSets) } : {}),
      ...(this.o.learn ? { learned: learnEdges(this.onsets, this.o.learnOptions) } : {}),
    });
    this.builtAt = now;
    this.dirty = false;
    return this.cached;
  }
}
