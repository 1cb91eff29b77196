import type { DependencyEdge } from './service-graph.js';

/**
 * Dependencies learned from history: when anomalies on service B repeatedly follow anomalies on
 * A within a short lag, more often than B's own anomaly rate explains and more often than the
 * other way round, B probably depends on A (A's faults reach B). The edge's confidence is the
 * share of A's anomaly episodes followed by B's, beyond chance.
 */

export interface AnomalyOnset {
  service: string;
  t: number;
}

export interface LearnOptions {
  /** B must follow A within this long. */
  maxLagMs: number;
  /** Onsets of one service closer than this are one episode. */
  episodeGapMs: number;
  /** Episodes of A followed by B needed before an edge is proposed. */
  minSupport: number;
  /** Chance-corrected share of A's episodes followed by B. */
  minConfidence: number;
}

export const DEFAULT_LEARN_OPTIONS: LearnOptions = { maxLagMs: 10 * 60_000, episodeGapMs: 15 * 60_000, minSupport: 3, minConfidence: 0.5 };

export function learnEdges(onsets: readonly AnomalyOnset[], opts: Partial<LearnOptions> = {}): DependencyEdge[] {
  const o = { ...DEFAULT_LEARN_OPTIONS, ...opts };
  const episodes = toEpisodes(onsets, o.episodeGapMs);
  if (episodes.length < 2) return [];
  const names = [...new Set(episodes.map((e) => e.service))];
  const id = new Map(names.map((n, i) => [n, i]));
  const n = names.length;
  const svc = Int32Array.from(episodes, (e) => id.get(e.service)!);
  const t = Float64Array.from(episodes, (e) => e.t);
  const perService = new Int32Array(n);
  for (const s of svc) perService[s]++;
  // follows[a * n + b]: episodes of a followed by an episode of b within maxLag (each counted once).
  const follows = new Map<number, number>();
  const seen = new Set<number>();
  for (let i = 0; i < t.length; i++) {
    seen.clear();
    for (let j = i + 1; j < t.length && t[j] - t[i] <= o.maxLagMs; j++) {
      if (svc[j] === svc[i] || t[j] === t[i] || seen.has(svc[j])) continue;
      seen.add(svc[j]);
      const key = svc[i] * n + svc[j];
      follows.set(key, (follows.get(key) ?? 0) + 1);
    }
  }
  const span = Math.max(t[t.length - 1] - t[0], o.maxLagMs);
  const edges: DependencyEdge[] = [];
  for (const [key, k] of follows) {
    const a = Math.floor(key / n);
    const b = key % n;
    if (k < o.minSupport) continue;
    const reverse = follows.get(b * n + a) ?? 0;
    // Anomalies that follow each other both ways (periodic jobs, shared load) say nothing of direction.
    if (2 * reverse > k) continue;
    // Chance that some episode of b falls in a window of maxLag, given b's rate.
    const chance = 1 - Math.exp((-perService[b] * o.maxLagMs) / span);
    const precision = k / perService[a];
    const confidence = chance < 1 ? (precision - chance) / (1 - chance) : 0;
    if (confidence < o.minConfidence) continue;
    edges.push({ from: names[b], to: names[a], weight: round(confidence), source: 'learned', confidence: round(confidence) });
  }
  return edges.sort((x, y) => y.confidence - x.confidence || (x.from < y.from ? -1 : 1));
}

function toEpisodes(onsets: readonly AnomalyOnset[], gapMs: number): AnomalyOnset[] {
  const sorted = onsets.filter((e) => e.service && Number.isFinite(e.t)).sort((a, b) => a.t - b.t);
  const last = new Map<string, number>();
  const out: AnomalyOnset[] = [];
  for (const e of sorted) {
    const prev = last.get(e.service);
    last.set(e.service, e.t);
    if (prev !== undefined && e.t - prev < gapMs) continue;
    out.push(e);
  }
  return out;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
