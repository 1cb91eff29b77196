import { NeighbourhoodCache } from '../incidents/correlate/index.js';
import type { ServiceGraph } from '../incidents/topology/service-graph.js';

/**
 * Which services alerting in an already-notified incident are news to the
 * people paged. A fault travels from a dependency to its callers, so a caller
 * (within maxHops) of a service already named is an expected effect: the page
 * said so. A service that is not (the incident's dependency, another database
 * failing, an unrelated service joined by co-occurrence) may be a second
 * cause, and is worth a page of its own.
 */
export class IncidentSpread {
  private readonly near: NeighbourhoodCache;

  constructor(
    private readonly graph: () => ServiceGraph | undefined,
    maxHops: number,
  ) {
    this.near = new NeighbourhoodCache(maxHops);
  }

  /** The services of `alerting` that are neither in `named` nor callers of one of them. */
  newCauses(alerting: Iterable<string>, named: ReadonlySet<string>): string[] {
    const graph = this.graph();
    const out: string[] = [];
    for (const s of alerting) {
      if (named.has(s)) continue;
      const deps = this.near.of(graph, s).dependencies;
      let effect = false;
      for (const n of named) if (deps.has(n)) effect = true;
      if (!effect) out.push(s);
    }
    return out.sort();
  }
}
