import type { Incident, SimilarIncident } from '../model.js';
import { FEATURE_WEIGHTS, groupOf, incidentFeatures } from './features.js';

/**
 * Similar past incidents by TF-IDF cosine over incident features: a service or
 * metric that shows up in every incident says little, a rare one a lot. The
 * index is built over resolved incidents (those with a resolution to show);
 * `search` scores a new incident against them.
 */
export class SimilarIncidents {
  private readonly df = new Map<string, number>();
  private readonly docs: Array<{ inc: Incident; vec: Map<string, number>; norm: number }> = [];
  private readonly n: number;

  constructor(past: readonly Incident[]) {
    this.n = past.length;
    const feats = past.map((inc) => ({ inc, f: incidentFeatures(inc) }));
    for (const { f } of feats) for (const k of f.keys()) this.df.set(k, (this.df.get(k) ?? 0) + 1);
    for (const { inc, f } of feats) {
      const vec = this.weigh(f);
      this.docs.push({ inc, vec, norm: norm(vec) });
    }
  }

  get size(): number {
    return this.docs.length;
  }

  /** The `limit` most similar past incidents with a score of at least `minScore` (cosine in [0, 1]), best first. */
  search(inc: Incident, limit = 5, minScore = 0.1): SimilarIncident[] {
    const q = this.weigh(incidentFeatures(inc));
    const qn = norm(q);
    if (qn === 0) return [];
    const out: SimilarIncident[] = [];
    for (const d of this.docs) {
      if (d.inc.id === inc.id || d.norm === 0) continue;
      let dot = 0;
      const shared: string[] = [];
      for (const [k, w] of q) {
        const v = d.vec.get(k);
        if (v === undefined) continue;
        dot += w * v;
        if (!k.startsWith('sym:') || !k.slice(4).includes(':')) shared.push(k);
      }
      const score = dot / (qn * d.norm);
      if (score < minScore) continue;
      const rootCause = d.inc.label?.service ?? d.inc.rootCauses[0]?.service;
      const type = d.inc.label?.type ?? d.inc.classification?.type;
      out.push({
        id: d.inc.id,
        score: Math.round(score * 1000) / 1000,
        title: d.inc.title,
        ...(d.inc.resolution && { resolvedAt: d.inc.resolution.at, resolutionNote: d.inc.resolution.note }),
        ...(rootCause && { rootCause }),
        ...(type && { type }),
        shared: [...new Set(shared)].sort(),
      });
    }
    return out.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1)).slice(0, limit);
  }

  private weigh(f: Map<string, number>): Map<string, number> {
    const n = this.n;
    const out = new Map<string, number>();
    for (const [k, c] of f) {
      const idf = Math.log((n + 1) / ((this.df.get(k) ?? 0) + 1)) + 1;
      out.set(k, FEATURE_WEIGHTS[groupOf(k)] * (1 + Math.log(c)) * idf);
    }
    return out;
  }
}

function norm(v: Map<string, number>): number {
  let s = 0;
  for (const x of v.values()) s += x * x;
  return Math.sqrt(s);
}
