import type { CsrGraph } from '../topology/service-graph.js';
import type { RcaOptions } from './options.js';
import { EXPLAINS, gapTo, KINDS, type ServiceEvidence } from './signals.js';

const K = KINDS.length;
const TRAFFIC = KINDS.indexOf('traffic');

/**
 * Personalised random walk on the reversed dependency graph. The walker restarts at anomalous
 * services (in proportion to their anomaly), steps to a dependency in proportion to what the
 * dependency's anomaly can account for, sometimes back to an anomalous dependant, and stays put
 * by how much of its own anomaly its dependencies do not explain. Steps are discounted when the
 * timing does not fit a fault travelling from the dependency to the dependant (the dependency
 * went anomalous later, or implausibly long before). Visit frequency, sharpened by anomaly
 * strength, is the first root-cause score.
 *
 * The walker carries the kind of symptom it is explaining: it is at (service, kind). From a
 * caller's failures it steps to what a dependency can account for of failures (a dependency's
 * failures, its saturation), not to the dependency's slowness, which explains the caller's
 * slowness instead. Without the kind, a service failing and slightly slow hands its walker to a
 * slow dependency on the strength of the slowness, and the failure that made the incident is
 * blamed on the dependency. Restarts split a service's mass over its kinds by their strength; a
 * silent service passes the kind on; stepping back to a dependant lands on its kinds by their
 * strength. Only the kinds some signal shows are walked. Scores are summed over kinds. The steps
 * are built once (at most edges x kinds^2), then walked: O(iterations x steps), typed arrays only.
 */
export function walkScores(csr: CsrGraph, ev: ServiceEvidence, o: RcaOptions): { scores: Float64Array; lagScale: number } {
  const n = ev.names.length;
  const g = ev.graphSize;
  const a = ev.anomaly;
  const silent = o.silentAnomaly;
  const { depStart, depTarget, depWeight, revStart, revTarget, revWeight } = csr;
  const m = depTarget.length;
  const lagScale = typicalLag(csr, ev, o.minLagMs);

  // Only the kinds some signal shows are walked (a silent service's kinds are spread over those).
  const kinds: number[] = [];
  for (let c = 0; c < K; c++) if (ev.anomalous.some((i) => ev.byKind[i * K + c] > 0)) kinds.push(c);
  const Q = kinds.length;
  const explains = new Float64Array(Q * Q);
  for (let c = 0; c < Q; c++) for (let e = 0; e < Q; e++) explains[c * Q + e] = EXPLAINS[kinds[c]][kinds[e]];

  // A service's strength per kind as a cause (traffic arrives from callers: it counts less), and
  // its share of each kind among its own (where restarts and backward steps land).
  const own = new Float64Array(n * Q);
  const share = new Float64Array(n * Q);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let c = 0; c < Q; c++) {
      own[i * Q + c] = ev.byKind[i * K + kinds[c]] * (kinds[c] === TRAFFIC ? o.trafficAsCause : 1);
      sum += ev.byKind[i * K + kinds[c]];
    }
    for (let c = 0; c < Q; c++) share[i * Q + c] = sum > 0 ? ev.byKind[i * K + kinds[c]] / sum : 1 / Q;
  }

  const restart = new Float64Array(n * Q);
  let restartSum = 0;
  for (const i of ev.anomalous) restartSum += a[i];
  const target = o.target !== undefined ? csr.index.get(o.target) : undefined;
  const toTarget = target !== undefined ? o.targetRestart : 0;
  for (const i of ev.anomalous) for (let c = 0; c < Q; c++) restart[i * Q + c] = (((1 - toTarget) * a[i]) / restartSum) * share[i * Q + c];
  if (target !== undefined) for (let c = 0; c < Q; c++) restart[target * Q + c] += toTarget * share[target * Q + c];

  // Timing fit of every dependency edge and weight of every step back to an anomalous dependant.
  const fitDep = new Float64Array(m);
  for (let i = 0; i < g; i++)
    for (let k = depStart[i]; k < depStart[i + 1]; k++) {
      const j = depTarget[k];
      fitDep[k] = a[i] > 0 && a[j] > 0 ? timingFit(gapTo(ev, j, ev.onset[i], o.lateTolerance * lagScale), lagScale, o) : 1;
    }
  const bwd = new Float64Array(revTarget.length);
  for (let i = 0; i < g; i++)
    for (let k = revStart[i]; k < revStart[i + 1]; k++) {
      const j = revTarget[k];
      if (a[j] > 0) bwd[k] = o.backwardWeight * revWeight[k] * a[j] * (a[i] > 0 ? timingFit(gapTo(ev, i, ev.onset[j], o.lateTolerance * lagScale), lagScale, o) : 1);
    }

  // The transitions between (service, kind) states, as CSR over states: built once, walked every iteration.
  // Sized for the most there can be: per kind here, a step to each kind a dependency shows plus the
  // kind passed on, and back to each kind an anomalous dependant shows.
  const kindsOf = new Int32Array(n);
  for (const i of ev.anomalous) for (let c = 0; c < Q; c++) if (own[i * Q + c] > 0) kindsOf[i]++;
  let bound = 0;
  for (let i = 0; i < g; i++) {
    for (let k = depStart[i]; k < depStart[i + 1]; k++) bound += Q * (kindsOf[depTarget[k]] + 1);
    for (let k = revStart[i]; k < revStart[i + 1]; k++) bound += Q * kindsOf[revTarget[k]];
  }
  const stateCount = n * Q;
  const stepStart = new Int32Array(stateCount + 1);
  const to = new Int32Array(bound);
  const w = new Float64Array(bound);
  let steps = 0;
  const selfW = new Float64Array(stateCount);
  const total = new Float64Array(stateCount);
  for (let i = 0; i < g; i++) {
    for (let e = 0; e < Q; e++) {
      const s = i * Q + e;
      stepStart[s] = steps;
      let explainable = 0;
      let sum = 0;
      for (let k = depStart[i]; k < depStart[i + 1]; k++) {
        const j = depTarget[k];
        if (a[j] === 0) {
          // A silent dependency may still pass this kind on (a common cause that does not report).
          to[steps] = j * Q + e;
          w[steps++] = depWeight[k] * silent;
          sum += depWeight[k] * silent;
          continue;
        }
        for (let c = 0; c < Q; c++) {
          const x = own[j * Q + c] * fitDep[k] * explains[c * Q + e];
          if (x > explainable) explainable = x;
          // What the dependency can account for of this kind here (no more than there is of it); a
          // quiet kind of it may still pass this kind on, as a silent dependency does.
          const step = depWeight[k] * ((a[i] > 0 ? Math.min(own[s], x) : x) + (c === e ? silent : 0));
          if (step === 0) continue;
          to[steps] = j * Q + c;
          w[steps++] = step;
          sum += step;
        }
      }
      for (let k = revStart[i]; k < revStart[i + 1]; k++) {
        if (bwd[k] === 0) continue;
        const j = revTarget[k];
        for (let c = 0; c < Q; c++) {
          if (share[j * Q + c] === 0) continue;
          to[steps] = j * Q + c;
          w[steps++] = bwd[k] * share[j * Q + c];
          sum += bwd[k] * share[j * Q + c];
        }
      }
      // The walker stays by the part of this kind that the dependencies cannot explain.
      selfW[s] = Math.max(0, own[s] - explainable);
      total[s] = sum + selfW[s];
    }
  }
  for (let s = g * Q; s <= stateCount; s++) stepStart[s] = steps;
  if (steps > bound) throw new Error(`walk: ${steps} steps over the bound ${bound}`);
  // Services the graph does not know keep what reaches them.
  for (let i = g; i < n; i++) for (let e = 0; e < Q; e++) selfW[i * Q + e] = total[i * Q + e] = ev.cause[i];

  let pi = Float64Array.from(restart);
  let next = new Float64Array(stateCount);
  const d = o.damping;
  for (let it = 0; it < o.iterations; it++) {
    next.fill(0);
    let dangling = 0;
    for (let s = 0; s < stateCount; s++) {
      const p = pi[s];
      if (p === 0) continue;
      if (total[s] === 0) {
        dangling += p;
        continue;
      }
      const q = p / total[s];
      next[s] += q * selfW[s];
      for (let t = stepStart[s]; t < stepStart[s + 1]; t++) next[to[t]] += q * w[t];
    }
    for (let s = 0; s < stateCount; s++) next[s] = d * next[s] + (1 - d + d * dangling) * restart[s];
    const t = pi;
    pi = next;
    next = t;
  }

  const scores = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let p = 0;
    for (let e = 0; e < Q; e++) p += pi[i * Q + e];
    if (p > 0) scores[i] = p * Math.pow(ev.cause[i] + silent, o.strengthExponent);
  }
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
