// Diagnostics for bench:heal (not part of the measured run): when memory-leak rules fire on
// bench:heal's scenarios, and where they fire with no leak (false positives): MemoryGrowing
// (rules/default.yaml), MemoryLeak (the bench's rule, heal-run.ts) and the candidate rules below
// (or PROBE_RULES, YAML rule list items), on the fleets without Vigil acting.
//   npm run bench:heal-probe [-- fleets]      PROBE_SEED=9 for other fleets than the bench's (8)
import { planFleets, HOUR, MINUTE } from './heal-scenarios.js';
import { runFleet } from './heal-run.js';

const CANDIDATES = process.env.PROBE_RULES ?? `
  - { name: P_Anom50, type: anomaly, severity: info, selector: node_memory_used_bytes, level: 0.5, within: 10m }
  - { name: P_Anom80, type: anomaly, severity: info, selector: node_memory_used_bytes, level: 0.8, within: 10m }
  - { name: P_Ratio105, type: rate_of_change, severity: info, selector: node_memory_used_bytes, function: ratio, window: 15m, baseline: 2h, op: '>', value: 1.05 }
  - { name: P_Ratio108, type: rate_of_change, severity: info, selector: node_memory_used_bytes, function: ratio, window: 10m, baseline: 1h, op: '>', value: 1.08 }
  - { name: P_Deriv, type: rate_of_change, severity: info, selector: node_memory_used_bytes, function: deriv, window: 20m, op: '>', value: 0 }
  - { name: P_A50R105, type: composite, severity: info, when: { and: [ P_Anom50, P_Ratio105 ] }, on: [instance] }
  - { name: P_A80D, type: composite, severity: info, when: { and: [ P_Anom80, P_Deriv ] }, on: [instance] }
`;
const names = [...[...CANDIDATES.matchAll(/name: (\w+)/g)].map((m) => m[1]!), 'MemoryLeak'];
const fleets = Number(process.argv[2] ?? 5);
const plans = planFleets({ seed: Number(process.env.PROBE_SEED ?? 8), fleets, scenariosPerFleet: 10, warmupMs: 6 * HOUR, slotMs: 2.5 * HOUR, intervalMs: 30_000 });
const fp = new Map<string, string[]>(names.map((n) => [n, []]));
for (const plan of plans) {
  const run = await runFleet(plan, { remediationYaml: '', progress: () => {}, label: 'probe', extraRules: CANDIDATES });
  const leaks = run.outcomes.filter((o) => o.scenario.kind === 'memory_leak');
  for (const o of leaks) {
    const s = o.scenario;
    const first = names.map((n) => {
      const a = run.alerts.find((x) => x.labels.alertname === n && x.labels.instance === s.spec.host && x.startsAt >= s.spec.startsAt && x.startsAt < o.faultEnd);
      return `${n}:${a ? '+' + ((a.startsAt - s.spec.startsAt) / MINUTE).toFixed(0) : '-'}`;
    });
    console.log(`${s.id} ${s.spec.service}/${s.spec.host} ttr ${(o.ttrMs / MINUTE).toFixed(0)}m  MemoryGrowing:${(() => { const a = run.alerts.find((x) => x.labels.alertname === 'MemoryGrowing' && x.labels.instance === s.spec.host && x.startsAt >= s.spec.startsAt); return a ? '+' + ((a.startsAt - s.spec.startsAt) / MINUTE).toFixed(0) : '-'; })()} ${first.join(' ')}`);
  }
  for (const n of [...names, 'MemoryGrowing']) {
    for (const a of run.alerts.filter((x) => x.labels.alertname === n)) {
      const leak = leaks.some((o) => o.scenario.spec.host === a.labels.instance && a.startsAt >= o.scenario.spec.startsAt && a.startsAt < o.faultEnd + 5 * MINUTE);
      if (!leak) (fp.get(n) ?? fp.set(n, []).get(n)!).push(`f${plan.index}:${a.labels.instance}@${new Date(a.startsAt).toISOString().slice(8, 16)}`);
    }
  }
}
for (const [n, xs] of fp) console.log(`false positives ${n}: ${xs.length} ${xs.slice(0, 12).join(' ')}`);
