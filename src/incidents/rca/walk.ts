import type { CsrGraph } from '../topology/service-graph.js';
import type { RcaOptions } from './options.js';
import type { ServiceEvidence } from './signals.js';

/**
 * Personalised random walk on the reversed dependency graph. The walker restarts at anomalous
 * services (in proportion to their anomaly), steps to a dependency in proportion to the
 * dependency's anomaly, sometimes back to an anomalous dependant, and stays put by how much of
 * its own anomaly its dependencies do not explain. Visit frequency, sharpened by anomaly
 * strength and onset order, is the root-cause score. O(iterations x edges), typed arrays only.
 */
export function walkScores(csr: CsrGraph, ev: ServiceEvidence, o: RcaOptions): Float64Array {
  const n = ev.names.length;
  const g = ev.graphSize;
  const a = ev.anomaly;
  const silent = o.silentAnomaly;
  const { depStart, depTarget, depWeight, revStart, revTarget, revWeight } = csr;

  const restart = new Float64Array(n);
  let restartSum = 0;
  for (const i of ev.anomalous) restartSum += a[i];
  for (const i of ev.anomalous) restart[i] = a[i] / restartSum;

  // Out-weight totals per node, so each step is a single pass over the edges.
  const selfW = new Float64Array(n);
  const total = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let maxDep = 0;
    let sum = 0;
    if (i < g) {
      for (let k = depStart[i]; k < depStart[i + 1]; k++) {
        const j = depTarget[k];
        sum += depWeight[k] * (a[j] + silent);
        if (a[j] > maxDep) maxDep = a[j];
      }
      for (let k = revStart[i]; k < revStart[i + 1]; k++) sum += o.backwardWeight * revWeight[k] * a[revTarget[k]];
    }
    selfW[i] = Math.max(0, a[i] - maxDep);
    total[i] = sum + selfW[i];
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
      for (let k = depStart[i]; k < depStart[i + 1]; k++) {
        const j = depTarget[k];
        next[j] += share * depWeight[k] * (a[j] + silent);
      }
      for (let k = revStart[i]; k < revStart[i + 1]; k++) {
        const j = revTarget[k];
        next[j] += share * o.backwardWeight * revWeight[k] * a[j];
      }
    }
    for (let i = 0; i < n; i++) next[i] = d * next[i] + (1 - d + d * dangling) * restart[i];
    const t = pi;
    pi = next;
    next = t;
  }

  // Onset rank among anomalous services: 1 for the earliest, towards 0 for the latest.
  const sortedOnsets = ev.anomalous.map((i) => ev.onset[i]).sort((x, y) => x - y);
  const m = sortedOnsets.length;
  const scores = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (pi[i] === 0) continue;
    let earliness = 0;
    if (a[i] > 0) {
      const earlier = lowerBound(sortedOnsets, ev.onset[i]);
      earliness = m > 1 ? 1 - earlier / (m - 1) : 1;
    }
    scores[i] = pi[i] * Math.pow(a[i] + silent, o.strengthExponent) * (1 + o.onsetWeight * earliness);
  }
  return scores;
}

function lowerBound(sorted: number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
