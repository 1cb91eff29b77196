import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { accuracyAtK, type RankedCase } from '../src/incidents/rca/scoring.js';
import { PETSHOP_SCENARIOS, readScenario, type PetshopIssue } from './petshop-data.js';
import { graphOf, rankIssue } from './petshop-rank.js';
import { issueSignals } from './petshop-signals.js';

/**
 * Root-cause ranking on the PetShop dataset (Amazon Science, CLeaR 2024): for each issue, the
 * target node's SLO violation is explained by ranking the nodes it depends on. Signals come from
 * each metric's deviation in the issue window against normal operation (the `noissue` data, or,
 * where a scenario has none, the other issues' windows, which are normal for most nodes). The
 * ranking is the same function, with the same default options, as bench:rca.
 *   npm run bench:rca-petshop
 */

const ROOT = fileURLToPath(new URL('../../../shared/datasets/petshop', import.meta.url));

/** Published "anomaly traversal" baseline (dataset repository), top-1 / top-3 over train+test. */
const PUBLISHED = {
  latency: { low_traffic: [0.571, 0.571], high_traffic: [0.571, 0.786], temporal: [1, 1] },
  availability: { low_traffic: [0.833, 1], high_traffic: [0.667, 1], temporal: [0.75, 1] },
};

interface Scored {
  issue: PetshopIssue;
  ranked: RankedCase;
}

const results: Scored[] = [];
const started = Date.now();
for (const name of PETSHOP_SCENARIOS) {
  const sc = readScenario(ROOT, name);
  const graph = graphOf(sc);
  for (const issue of sc.issues) {
    const ranked = rankIssue(sc, graph, issue);
    if (process.env.PETSHOP_DEBUG === `${name}/${issue.split}/${issue.name}`) {
      for (const s of [...issueSignals(sc, issue)].sort((a, b) => b.score - a.score)) console.log(`    ${s.service} ${s.metric} ${s.score.toFixed(2)} +${(s.onsetMs - issue.target.timestamp * 1000) / 1000}s`);
      for (const c of ranked.slice(0, 5)) console.log(`    ranked ${c.service} ${c.score.toFixed(3)}`);
    }
    const ranking = ranked.map((c) => c.service);
    results.push({ issue, ranked: { id: `${name}/${issue.split}/${issue.name}`, truth: issue.rootCause, ranking } });
  }
  process.stdout.write(`  ${name}: ${sc.issues.length} issues, ${sc.nodes.length} nodes, ${sc.calls.length} call edges\n`);
}

const pick = (f: (s: Scored) => boolean): RankedCase[] => results.filter(f).map((s) => s.ranked);
const test = (s: Scored) => s.issue.split === 'test';
const out: Record<string, number> = {
  issues_test: pick(test).length,
  top1: round(accuracyAtK(pick(test), 1)),
  top3: round(accuracyAtK(pick(test), 3)),
  top1_latency: round(accuracyAtK(pick((s) => test(s) && s.issue.target.metric === 'latency'), 1)),
  top3_latency: round(accuracyAtK(pick((s) => test(s) && s.issue.target.metric === 'latency'), 3)),
  top1_availability: round(accuracyAtK(pick((s) => test(s) && s.issue.target.metric === 'availability'), 1)),
  top3_availability: round(accuracyAtK(pick((s) => test(s) && s.issue.target.metric === 'availability'), 3)),
  top1_train: round(accuracyAtK(pick((s) => !test(s)), 1)),
  top3_train: round(accuracyAtK(pick((s) => !test(s)), 3)),
};
const rows: string[] = [];
for (const name of PETSHOP_SCENARIOS) {
  for (const metric of ['latency', 'availability'] as const) {
    const cases = pick((s) => test(s) && s.issue.scenario === name && s.issue.target.metric === metric);
    const all = pick((s) => s.issue.scenario === name && s.issue.target.metric === metric);
    const key = `${name}_${metric}`;
    out[`top1_${key}`] = round(accuracyAtK(cases, 1));
    out[`top3_${key}`] = round(accuracyAtK(cases, 3));
    const pub = PUBLISHED[metric][name.startsWith('temporal') ? 'temporal' : (name as 'low_traffic')];
    out[`baseline_top1_${key}`] = pub[0];
    out[`baseline_top3_${key}`] = pub[1];
    rows.push(
      `  ${key.padEnd(32)} test ${String(cases.length).padStart(2)}: top1 ${fmt(accuracyAtK(cases, 1))} top3 ${fmt(accuracyAtK(cases, 3))}` +
        ` | train+test ${String(all.length).padStart(2)}: top1 ${fmt(accuracyAtK(all, 1))} top3 ${fmt(accuracyAtK(all, 3))}` +
        ` | published ${fmt(pub[0])} / ${fmt(pub[1])}`,
    );
  }
}
console.log(`rca-petshop: ${results.length} issues in ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(rows.join('\n'));
for (const s of results.filter((r) => r.ranked.ranking[0] !== r.issue.rootCause)) {
  console.log(`  miss ${s.ranked.id} (${s.issue.target.metric}): truth ${s.issue.rootCause}, ranked ${s.ranked.ranking.slice(0, 3).join(', ')}`);
}
console.log(JSON.stringify(out, null, 2));
const file = fileURLToPath(new URL('../../bench/results/rca-petshop.json', import.meta.url));
mkdirSync(dirname(file), { recursive: true });
writeFileSync(file, JSON.stringify(out, null, 2) + '\n');
console.log(`wrote ${file}`);

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toFixed(3) : '  -  ';
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}
