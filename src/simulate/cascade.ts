import type { ServiceGraph } from './graph.js';
import type { Rng } from './random.js';

/**
 * How a fault travels: from a failing service to the services that call it, then to theirs.
 * Each edge adds a delay (timeouts fire, retries pile up, pools drain) and lets only part of
 * the fault through (callers degrade gracefully, cache, or only some requests use the path).
 */
export interface Reach {
  service: number;
  hop: number;
  /** Caller-side service index it came from, or -1 at the root. */
  via: number;
  delayMs: number;
  strength: number;
}

export interface CascadeOptions {
  hopLagMs: number;
  attenuation: number;
  maxHops: number;
  /** Stop where less than this fraction of the fault survives. */
  minStrength: number;
}

/**
 * Earliest arrival of the fault at every dependent (Dijkstra over reversed edges, with a
 * per-edge delay jittered by up to +-40%), in order of arrival; the root comes first.
 */
export function propagate(graph: ServiceGraph, root: number, rng: Rng, opts: CascadeOptions): Reach[] {
  const n = graph.topology.services.length;
  const delay = new Float64Array(n).fill(Infinity);
  const done = new Uint8Array(n);
  const best: (Reach | undefined)[] = new Array(n);
  // Draw every edge's jitter up front, in edge order, so the result does not depend on visit order.
  const lag = new Float64Array(graph.edgeFrom.length);
  for (let k = 0; k < lag.length; k++) lag[k] = opts.hopLagMs * rng.uniform(0.6, 1.4);

  delay[root] = 0;
  best[root] = { service: root, hop: 0, via: -1, delayMs: 0, strength: 1 };
  const out: Reach[] = [];
  for (;;) {
    let s = -1;
    for (let i = 0; i < n; i++) if (!done[i] && delay[i]! < Infinity && (s < 0 || delay[i]! < delay[s]!)) s = i;
    if (s < 0) break;
    done[s] = 1;
    const here = best[s]!;
    out.push(here);
    if (here.hop >= opts.maxHops) continue;
    const strength = here.strength * opts.attenuation;
    if (strength < opts.minStrength) continue;
    for (const k of graph.callers[s]!) {
      const c = graph.edgeFrom[k]!;
      const d = here.delayMs + lag[k]!;
      if (done[c] || d >= delay[c]!) continue;
      delay[c] = d;
      best[c] = { service: c, hop: here.hop + 1, via: s, delayMs: Math.round(d), strength };
    }
  }
  return out;
}
