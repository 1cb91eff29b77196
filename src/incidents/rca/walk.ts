import type { CsrGraph } from '../topology/service-graph.js';
import type { RcaOptions } from './options.js';
import { EXPLAINS, gapTo, KINDS, type ServiceEvidence } from './signals.js';

const TRAFFIC = KINDS.indexOf('traffic');

/**
 * Personalised random walk on the reversed dependency graph. The walker restarts at anomalous
 * services (in proportion to their anomaly), steps to a dependency in proportion to the
 * dependency's anomaly, sometimes back to an anomalous dependant, and stays put by how much of
 * its own anomaly its dependencies do not explain. Steps are discounted when the timing does
 * not fit a fault travelling from the dependency to the dependant (the dependency went
 * anomalous later, or implausibly long before). Visit frequency, sharpened by anomaly strength,
 * is the first root-cause score. O(iterations x edges), typed arrays only.
 */
export function walkScores(csr: CsrGraph, ev: ServiceEvidence, o: RcaOptions): { scores: Float64Array; lagScale: number } {
  const n = ev.names.length;
  const g = ev.graphSize;
  const a = ev.anomaly;
  const cause = ev.cause;
  const onset = ev.onset;
  const silent = o.silentAnomaly;
  const { depStart, depTarget, depWeight, revStart, revTarget, revWeight } = csr;
  const m = depTarget.length;
  const lagScale = typicalLag(csr, ev, o.minLagMs);

  // Restarts at anomalous services by their anomaly; with a target, mostly at the target, so the
  // walk explains that service's problem (a traversal from the symptom, made probabilistic).
  const restart = new Float64Array(n);
  let restartSum = 0;
  for (const i of ev.anomalous) restartSum += a[i];
  const target = o.target !== undefined ? csr.index.get(o.target) : undefined;
  const toTarget = target !== undefined ? o.targetRestart : 0;
  for (const i of ev.anomalous) restart[i] = ((1 - toTarget) * a[i]) / restartSum;
  if (target !== undefined) restart[target] += toTarget;

  // Transition weights per edge, and per node its self weight and total, computed once.
  const fwd = new Float64Array(m);
  const bwd = new Float64Array(m);
  const selfW = new Float64Array(n);
  const total = new Float64Array(n);
  const K = KINDS.length;
  const explainable = new Float64Array(K);
  const own = new Float64Array(K);
  const fromDep = new Float64Array(K);
  for (let i = 0; i < g; i++) {
    explainable.fill(0);
    for (let e = 0; e < K; e++) own[e] = ev.byKind[i * K + e] * (e === TRAFFIC ? o.trafficAsCause : 1);
    let sum = 0;
    for (let k = depStart[i]; k < depStart[i + 1]; k++) {
      const j = depTarget[k];
      const fit = a[i] > 0 && a[j] > 0 ? timingFit(gapTo(ev, j, onset[i], o.lateTolerance * lagScale), lagScale, o) : 1;
      // A step to a dependency weighs what that dependency can account for of this service's
      // anomaly, kind by kind (a slow store explains slow callers, less so failing ones).
      let accounts = cause[j] * fit;
      if (a[i] > 0 && a[j] > 0) {
        fromDep.fill(0);
        for (let c = 0; c < K; c++) {
          const x = ev.byKind[j * K + c] * fit * (c === TRAFFIC ? o.trafficAsCause : 1);
          if (x === 0) continue;
          for (let e = 0; e < K; e++) if (x * EXPLAINS[c][e] > fromDep[e]) fromDep[e] = x * EXPLAINS[c][e];
        }
        accounts = 0;
        for (let e = 0; e < K; e++) {
          if (fromDep[e] > explainable[e]) explainable[e] = fromDep[e];
          const part = Math.min(own[e], fromDep[e]);
          if (part > accounts) accounts = part;
        }
      }
      const w = depWeight[k] * (accounts + silent);
      fwd[k] = w;
      sum += w;
    }
    for (let k = revStart[i]; k < revStart[i + 1]; k++) {
      const j = revTarget[k];
      if (a[j] === 0) continue;
      const fit = a[i] > 0 ? timingFit(gapTo(ev, i, onset[j], o.lateTolerance * lagScale), lagScale, o) : 1;
      const w = o.backwardWeight * revWeight[k] * a[j] * fit;
      bwd[k] = w;
      sum += w;
    }
    // The walker stays by the largest share of its own anomaly, of any kind, that its dependencies cannot explain.
    let unexplained = 0;
    for (let e = 0; e < K; e++) if (own[e] - explainable[e] > unexplained) unexplained = own[e] - explainable[e];
    selfW[i] = unexplained;
    total[i] = sum + selfW[i];
  }
  for (let i = g; i < n; i++) {
    selfW[i] = cause[i];
    total[i] = cause[i];
  }

  let pi = Float64Array.from(restart);
  let next = new Float64Array(n);
  const d = o.damping;
  for (let it = 0; it < o.iterations; it++) {
    next.fill(0);
    let dangling = 0;
    for (let i = 0; i < n; i++) {
      const p = pi[i];
      if (p === 0) continue;
      if (total[i] === 0) {
        dangling += p;
        continue;
      }
      const share = p / total[i];
      next[i] += share * selfW[i];
      if (i >= g) continue;
      for (let k = depStart[i]; k < depStart[i + 1]; k++) next[depTarget[k]] += share * fwd[k];
      for (let k = revStart[i]; k < revStart[i + 1]; k++) next[revTarget[k]] += share * bwd[k];
    }
    for (let i = 0; i < n; i++) next[i] = d * next[i] + (1 - d + d * dangling) * restart[i];
    const t = pi;
    pi = next;
    next = t;
  }

  const scores = new Float64Array(n);
  for (let i = 0; i < n; i++) if (pi[i] > 0) scores[i] = pi[i] * Math.pow(cause[i] + silent, o.strengthExponent);
  return { scores, lagScale };
}

/**
 * How well a gap (dependant's onset minus dependency's onset) fits a fault travelling from the
 * dependency: 1 from slightly negative (same scrape) up to a few typical hops, decaying outside.
 */
export function timingFit(gap: number, lagScale: number, o: RcaOptions): number {
  const early = -o.lateTolerance * lagScale;
  if (gap < early) return Math.exp((gap - early) / lagScale);
  const late = o.maxHopLags * lagScale;
  if (gap > late) return Math.exp(-(gap - late) / lagScale);
  return 1;
}

/** Lower-quartile positive onset gap over edges between anomalous services: the incident's hop lag. */
export function typicalLag(csr: CsrGraph, ev: ServiceEvidence, minLagMs: number): number {
  const gaps: number[] = [];
  for (const i of ev.anomalous) {
    if (i >= ev.graphSize) continue;
    for (let k = csr.depStart[i]; k < csr.depStart[i + 1]; k++) {
      const j = csr.depTarget[k];
      const gap = gapTo(ev, j, ev.onset[i], 0);
      if (ev.anomaly[j] > 0 && gap > 0 && Number.isFinite(gap)) gaps.push(gap);
    }
  }
  if (gaps.length === 0) return minLagMs;
  // The lower quartile: a few long gaps come from unrelated anomalies that happen to be adjacent.
  gaps.sort((x, y) => x - y);
  return Math.max(minLagMs, gaps[gaps.length >> 2]);
}
