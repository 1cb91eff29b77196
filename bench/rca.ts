import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { correlateOfflineExplained, toCorrelatable } from '../src/incidents/correlate/offline.js';
import { signalsFromAlerts } from '../src/incidents/rca/from-alerts.js';
import { rankRootCauses, type RcaSignal } from '../src/incidents/rca/rank.js';
import { accuracyAtK, averageAtK, type RankedCase } from '../src/incidents/rca/scoring.js';
import { propagate } from '../src/simulate/cascade.js';
import { buildGraph } from '../src/simulate/graph.js';
import { Rng } from '../src/simulate/random.js';
import { generateTopology } from '../src/simulate/topology.js';
import { graphFromTopology } from './rca-graph.js';
import { groupingDebug, printMisassigned, tallyMisassigned, tallySplit } from './rca-grouping-debug.js';
import { rcaScenarios, SCENARIO_KINDS, type RcaScenario } from './rca-scenarios.js';
import { writeScenario } from './rca-write.js';

/**
 * Root-cause ranking and alert grouping on simulated cascading failures.
 *   npm run bench:rca                      # 240 scenarios, writes bench/results/rca.json
 *   npm run bench:rca -- --write DIR       # also stores every scenario as files for `vigil rca-eval DIR`
 *   npm run bench:rca -- --count N --seed S
 */

const args = process.argv.slice(2);
const arg = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const writeDir = arg('--write');
const count = Number(arg('--count') ?? 240);
const seed = Number(arg('--seed') ?? 20240601);

const cases: RankedCase[] = [];
const byKind = new Map<string, RankedCase[]>();
let alerts = 0;
let predictedIncidents = 0;
let realIncidents = 0;
let precisionSum = 0;
let recallSum = 0;
let grouped = 0;
let rankMsSum = 0;
const started = Date.now();

for (const sc of rcaScenarios({ count, seed, keepSeries: writeDir !== undefined })) {
  const graph = graphFromTopology(sc.topology);
  const signals: RcaSignal[] = signalsFromAlerts(sc.alerts.map((a) => a.alert));
  const t = performance.now();
  const ranked = rankRootCauses(graph, signals);
  rankMsSum += performance.now() - t;
  const c: RankedCase = { id: sc.id, truth: sc.root.service, ranking: ranked.map((r) => r.service) };
  cases.push(c);
  byKind.set(sc.kind, [...(byKind.get(sc.kind) ?? []), c]);

  const g = groupingQuality(sc, graph);
  alerts += sc.alerts.length;
  predictedIncidents += g.predicted;
  realIncidents += g.real;
  precisionSum += g.precisionSum;
  recallSum += g.recallSum;
  grouped += sc.alerts.length;

  if (writeDir) writeScenario(join(writeDir, sc.id), sc);
  if (cases.length % 20 === 0) process.stdout.write(`  ${cases.length}/${count} scenarios, AC@1 so far ${accuracyAtK(cases, 1).toFixed(3)}\n`);
}

let rankMs1000Cold = NaN;
const rankMs1000 = timeRanking1000();
const result = {
  scenarios: cases.length,
  ac_at_1: round(accuracyAtK(cases, 1)),
  ac_at_3: round(accuracyAtK(cases, 3)),
  avg_at_5: round(averageAtK(cases, 5)),
  grouping_precision: round(precisionSum / grouped),
  grouping_recall: round(recallSum / grouped),
  alerts_per_incident: round(alerts / predictedIncidents),
  incidents_per_real_incident: round(predictedIncidents / realIncidents),
  alerts_total: alerts,
  rank_ms_mean_scenario: round(rankMsSum / cases.length),
  rank_ms_1000_services: round(rankMs1000),
  rank_ms_1000_services_cold: round(rankMs1000Cold),
  ...Object.fromEntries(SCENARIO_KINDS.map((k) => [`ac_at_1_${k}`, round(accuracyAtK(byKind.get(k) ?? [], 1))])),
  ...Object.fromEntries(SCENARIO_KINDS.map((k) => [`ac_at_3_${k}`, round(accuracyAtK(byKind.get(k) ?? [], 3))])),
};

if (groupingDebug) printMisassigned();
console.log(`rca: ${cases.length} scenarios in ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(JSON.stringify(result, null, 2));
// Only the standard run (default count and seed) is the published figure.
if (arg('--count') === undefined && arg('--seed') === undefined) {
  const out = fileURLToPath(new URL('../../bench/results/rca.json', import.meta.url));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  console.log(`wrote ${out}`);
}
if (writeDir) console.log(`scenarios written to ${writeDir}; score them with: vigil rca-eval ${writeDir}`);

/**
 * B-cubed precision and recall of the correlator's alert-to-incident assignment: per alert, the
 * share of its predicted incident that truly belongs with it, and the share of its true
 * incident that was put with it. An alert the correlator left alone is an incident of its own.
 */
function groupingQuality(sc: RcaScenario, graph: ReturnType<typeof graphFromTopology>): { predicted: number; real: number; precisionSum: number; recallSum: number } {
  const events = sc.alerts.map((a) => toCorrelatable(a.alert));
  const placed = correlateOfflineExplained(events, graph);
  const predictedOf = events.map((e) => placed.get(e.id)?.incidentId ?? `alone:${e.id}`);
  const trueOf = sc.alerts.map((a) => a.incidentId);
  if (groupingDebug) {
    const grouped = events.map((e, i) => ({ id: e.id, service: e.service ?? '', metric: sc.alerts[i].alert.labels.__name__ ?? '', t: e.t, trueIncident: trueOf[i], predicted: predictedOf[i], reason: placed.get(e.id)?.reason ?? 'alone' }));
    tallyMisassigned(sc.id, grouped);
    tallySplit(sc.id, grouped);
  }
  const pairs = new Map<string, number>();
  const predSize = new Map<string, number>();
  const trueSize = new Map<string, number>();
  for (let i = 0; i < events.length; i++) {
    const key = `${predictedOf[i]}\u0000${trueOf[i]}`;
    pairs.set(key, (pairs.get(key) ?? 0) + 1);
    predSize.set(predictedOf[i], (predSize.get(predictedOf[i]) ?? 0) + 1);
    trueSize.set(trueOf[i], (trueSize.get(trueOf[i]) ?? 0) + 1);
  }
  let precision = 0;
  let recall = 0;
  for (let i = 0; i < events.length; i++) {
    const both = pairs.get(`${predictedOf[i]}\u0000${trueOf[i]}`)!;
    precision += both / predSize.get(predictedOf[i])!;
    recall += both / trueSize.get(trueOf[i])!;
  }
  return { predicted: predSize.size, real: trueSize.size, precisionSum: precision, recallSum: recall };
}

/** Median time to rank a cascade on a 1,000-service fleet (graph already built, as in the live stage). */
function timeRanking1000(): number {
  const topology = generateTopology({ seed: 7, services: 1000 });
  const simGraph = buildGraph(topology);
  const graph = graphFromTopology(topology);
  const rng = new Rng(11);
  const db = topology.services.findIndex((s) => s.type === 'database' && simGraph.callers[topology.services.indexOf(s)].length > 0);
  const reach = propagate(simGraph, db, rng, { hopLagMs: 60_000, attenuation: 0.7, maxHops: 6, minStrength: 0.05 });
  const signals: RcaSignal[] = reach.flatMap((r) => [
    { service: topology.services[r.service].name, metric: 'latency_p95_seconds', onsetMs: r.delayMs, score: 0.3 + 0.7 * r.strength },
    { service: topology.services[r.service].name, metric: 'errors_ratio', onsetMs: r.delayMs + 10_000, score: 0.2 + 0.6 * r.strength },
  ]);
  for (let i = 0; i < 40; i++) signals.push({ service: rng.pick(topology.services).name, metric: 'node_cpu_utilization', onsetMs: rng.uniform(-600_000, 900_000), score: rng.uniform(0.1, 0.9) });
  graph.csr();
  for (let i = 0; i < 5; i++) rankRootCauses(graph, signals);
  const times: number[] = [];
  for (let i = 0; i < 31; i++) {
    const t = performance.now();
    rankRootCauses(graph, signals);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  // Cold: the graph's CSR form rebuilt first, as after a topology change.
  const cold: number[] = [];
  for (let i = 0; i < 11; i++) {
    const fresh = graphFromTopology(topology);
    const t = performance.now();
    rankRootCauses(fresh, signals);
    cold.push(performance.now() - t);
  }
  cold.sort((a, b) => a - b);
  rankMs1000Cold = cold[5];
  console.log(`1,000 services, ${graph.edges().length} edges, ${reach.length} services in the cascade, ${signals.length} signals: median ${times[15].toFixed(2)} ms (${cold[5].toFixed(2)} ms with the CSR build)`);
  return times[15];
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}
