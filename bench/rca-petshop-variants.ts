import { fileURLToPath } from 'node:url';
import type { RcaOptions } from '../src/incidents/rca/rank.js';
import { PETSHOP_SCENARIOS, readScenario, type PetshopScenario } from './petshop-data.js';
import { graphOf, rankIssue } from './petshop-rank.js';
import { DEFAULT_PETSHOP_SIGNALS, type PetshopSignalConfig } from './petshop-signals.js';

/**
 * Compares configurations of the PetShop ranking on train/ only (test/ with --test, once a choice is
 * made). Every train root is the same node, so beside top-1 and top-3 it reports the mean
 * reciprocal rank and the margin (log of the truth's score over the best other's, clipped to
 * [-3, 3]): how close a variant comes to flipping an issue either way.
 *   npm run build && node dist/bench/rca-petshop-variants.js [--test]
 */

const ROOT = fileURLToPath(new URL('../../../shared/datasets/petshop', import.meta.url));

interface Variant {
  name: string;
  cfg?: Partial<PetshopSignalConfig>;
  opts?: Partial<RcaOptions>;
}

const VARIANTS: Variant[] = [
  { name: 'chosen (tail 0.95)' },
  { name: 'no tail floor (before)', cfg: { tailQuantile: undefined } },
  { name: 'tail 0.75', cfg: { tailQuantile: 0.75 } },
  { name: 'tail 0.8', cfg: { tailQuantile: 0.8 } },
  { name: 'tail 0.9', cfg: { tailQuantile: 0.9 } },
  { name: 'tail 0.99', cfg: { tailQuantile: 0.99 } },
  { name: 'tail 0.9, also from issues', cfg: { tailQuantile: 0.9, tailFromIssues: true } },
  { name: 'tail 0.95, also from issues', cfg: { tailQuantile: 0.95, tailFromIssues: true } },
  { name: 'no tail, no excess', cfg: { tailQuantile: undefined, excess: 'none' } },
  { name: 'failure counts', cfg: { failureCounts: true, excess: 'none' } },
  { name: 'excess both', cfg: { excess: 'both' } },
  { name: 'failure counts, excess both', cfg: { failureCounts: true, excess: 'both' } },
  { name: 'minLag 300s', opts: { minLagMs: 300_000 } },
  { name: 'avail floor 0.25', cfg: { absoluteFloor: { latency: 1e-3, availability: 0.25, requests: 1 } } },
  { name: 'avail floor 0.3', cfg: { absoluteFloor: { latency: 1e-3, availability: 0.3, requests: 1 } } },
  { name: 'avail floor 0.35', cfg: { absoluteFloor: { latency: 1e-3, availability: 0.35, requests: 1 } } },
  { name: 'avail floor 0.4', cfg: { absoluteFloor: { latency: 1e-3, availability: 0.4, requests: 1 } } },
  { name: 'avail floor 0.7', cfg: { absoluteFloor: { latency: 1e-3, availability: 0.7, requests: 1 } } },
  { name: 'avail floor 1', cfg: { absoluteFloor: { latency: 1e-3, availability: 1, requests: 1 } } },
];

const splits: Array<'train' | 'test'> = process.argv.includes('--test') ? ['train', 'test'] : ['train'];
const scenarios: PetshopScenario[] = PETSHOP_SCENARIOS.map((n) => readScenario(ROOT, n));
for (const v of VARIANTS) {
  const cfg = { ...DEFAULT_PETSHOP_SIGNALS, ...v.cfg };
  for (const split of splits) {
    const byMetric: Record<string, number[][]> = { latency: [], availability: [] };
    const misses: string[] = [];
    for (const sc of scenarios) {
      const graph = graphOf(sc);
      for (const issue of sc.issues) {
        if (issue.split !== split) continue;
        const ranked = rankIssue(sc, graph, issue, cfg, v.opts);
        const rank = ranked.findIndex((c) => c.service === issue.rootCause);
        const truth = rank >= 0 ? ranked[rank].score : 0;
        const other = Math.max(0, ...ranked.filter((c) => c.service !== issue.rootCause).map((c) => c.score));
        const margin = Math.max(-3, Math.min(3, Math.log((truth + 1e-9) / (other + 1e-9))));
        byMetric[issue.target.metric].push([rank, margin]);
        if (process.argv.includes('--verbose')) misses.push(`${sc.name}/${issue.name} ${issue.target.metric} #${rank + 1} margin ${margin.toFixed(2)}: ${ranked.slice(0, 3).map((c) => `${c.service.slice(0, 30)} ${c.score.toFixed(3)}`).join(', ')}`);
        else if (rank !== 0) misses.push(`${sc.name}/${issue.name} ${issue.target.metric} #${rank < 0 ? '-' : rank + 1} (${ranked[0]?.service ?? 'none'})`);
      }
    }
    const row = (xs: number[][]) => {
      const top = (k: number) => xs.filter(([r]) => r >= 0 && r < k).length;
      const mrr = xs.reduce((s, [r]) => s + (r >= 0 ? 1 / (r + 1) : 0), 0) / xs.length;
      const margin = xs.reduce((s, [, m]) => s + m, 0) / xs.length;
      return `${top(1)}/${top(3)}/${xs.length} mrr ${mrr.toFixed(3)} margin ${margin.toFixed(2)}`;
    };
    const all = [...byMetric.latency, ...byMetric.availability];
    console.log(`${v.name.padEnd(28)} ${split.padEnd(5)} all ${row(all)} | latency ${row(byMetric.latency)} | availability ${row(byMetric.availability)}`);
    if (process.argv.includes('--misses') || process.argv.includes('--verbose')) for (const m of misses) console.log(`    ${m}`);
  }
}
