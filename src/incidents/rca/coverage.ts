import type { CsrGraph } from '../topology/service-graph.js';
import type { RcaOptions } from './options.js';
import { EXPLAINS, gapTo, KINDS, type ServiceEvidence } from './signals.js';
import { timingFit } from './walk.js';

/**
 * How much of the incident a candidate explains: the anomaly mass of the services that depend
 * on it (within a few hops) and went anomalous when a fault travelling from it would have
 * reached them, over the anomaly mass of the whole incident. A true root explains nearly
 * everything; an unrelated anomaly or a symptom explains only what came after it nearby. Of a
 * dependant's anomaly, only the kinds the candidate's own kinds can account for count (a slow
 * store accounts for its callers' slowness, less for their failures: see EXPLAINS).
 */
export function coverage(csr: CsrGraph, ev: ServiceEvidence, c: number, lagScale: number, o: RcaOptions, scratch: CoverageScratch): number {
  const a = ev.anomaly;
  let totalMass = 0;
  for (const i of ev.anomalous) totalMass += a[i];
  if (totalMass === 0) return 0;
  if (c >= ev.graphSize) return a[c] / totalMass;
  const { depth, queue } = scratch;
  depth.fill(-1);
  // A silent candidate is dated by its earliest anomalous dependant.
  let origin = ev.onset[c];
  if (!(a[c] > 0)) {
    origin = Infinity;
    for (let k = csr.revStart[c]; k < csr.revStart[c + 1]; k++) {
      const j = csr.revTarget[k];
      if (a[j] > 0 && ev.onset[j] < origin) origin = ev.onset[j];
    }
  }
  // What the candidate's kinds of anomaly can account for, per kind of effect (1: any, as for a silent candidate).
  const { explains } = scratch;
  const K = KINDS.length;
  explains.fill(1);
  if (a[c] > 0) {
    let peak = 0;
    for (let k = 0; k < K; k++) peak = Math.max(peak, ev.byKind[c * K + k]);
    explains.fill(0);
    for (let k = 0; k < K; k++) {
      const x = ev.byKind[c * K + k] / peak;
      for (let e = 0; e < K; e++) if (x * EXPLAINS[k][e] > explains[e]) explains[e] = x * EXPLAINS[k][e];
    }
  }
  let mass = a[c];
  let head = 0;
  let tail = 0;
  depth[c] = 0;
  queue[tail++] = c;
  while (head < tail) {
    const s = queue[head++];
    if (depth[s] >= o.evidenceHops) continue;
    for (let k = csr.revStart[s]; k < csr.revStart[s + 1]; k++) {
      const t = csr.revTarget[k];
      if (depth[t] >= 0) continue;
      depth[t] = depth[s] + 1;
      if (a[t] > 0) {
        // The further away, the later the fault may arrive.
        const tol = o.lateTolerance * lagScale * depth[t];
        const fit = timingFit(a[c] > 0 ? gapTo(ev, c, ev.onset[t], tol) : ev.onset[t] - origin, lagScale * depth[t], o);
        // Of a dependant's anomaly, the kinds the candidate can account for, by their share.
        let sum = 0;
        let part = 0;
        for (let e = 0; e < K; e++) {
          sum += ev.byKind[t * K + e];
          part += ev.byKind[t * K + e] * explains[e];
        }
        mass += a[t] * fit * (sum > 0 ? part / sum : 1);
        if (fit < 0.5) continue;
      }
      queue[tail++] = t;
    }
  }
  return mass / totalMass;
}

export interface CoverageScratch {
  depth: Int32Array;
  queue: Int32Array;
  explains: Float64Array;
}

export function coverageScratch(n: number): CoverageScratch {
  return { depth: new Int32Array(n), queue: new Int32Array(n), explains: new Float64Array(KINDS.length) };
}
