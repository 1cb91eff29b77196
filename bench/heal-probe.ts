// Diagnostics for bench:heal (not part of the measured run): what Vigil's incidents look like per fault.
import { planFleets, HOUR } from './heal-scenarios.js';
import { runFleet } from './heal-run.js';

const fleets = Number(process.argv[2] ?? 1);
const warm = Number(process.argv[3] ?? 24);
const plans = planFleets({ seed: 1, fleets, scenariosPerFleet: 8, warmupMs: warm * HOUR, slotMs: 2.5 * HOUR, intervalMs: Number(process.argv[4] ?? 30_000) });
for (const plan of plans) {
  const t0 = performance.now();
  const run = await runFleet(plan, { remediationYaml: '', progress: (m) => process.stderr.write(m + '\n'), label: 'probe' });
  console.log(`fleet ${plan.index}: ${run.series} series, ${run.samples} samples, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  for (const o of run.outcomes) {
    const s = o.scenario;
    const incs = run.incidents.filter((i) => i.openedAt >= s.spec.startsAt - 120_000 && i.openedAt < o.faultEnd + 300_000);
    console.log(`  ${s.id} ${s.spec.service}/${s.spec.host ?? '*'} start +${((s.spec.startsAt - s.slotStart) / 60000).toFixed(0)}m paged ${o.pagedAt ? ((o.pagedAt - s.spec.startsAt) / 60000).toFixed(1) + 'm' : '-'} ttr ${(o.ttrMs / 60000).toFixed(1)}m by ${o.resolvedBy}`);
    const al = run.alerts.filter((a) => a.startsAt >= s.spec.startsAt - 120_000 && a.startsAt < o.faultEnd + 300_000);
    console.log(`     alerts: ${al.map((a) => `${a.labels.alertname}@${a.labels.instance ?? a.labels.service}+${((a.startsAt - s.spec.startsAt) / 60000).toFixed(0)}m`).join(' ')}`);
    for (const i of incs) console.log(`     inc ${i.id} +${((i.openedAt - s.spec.startsAt) / 60000).toFixed(1)}m ${i.severity} ${i.classification?.type}(${i.classification?.typeConfidence.toFixed(2)}) root ${i.rootCauses.slice(0, 2).map((r) => `${r.service}:${r.score.toFixed(2)}`).join(',')} svcs ${i.services.join(',')} members ${i.members.slice(0, 6).map((m) => m.metric + '@' + (m.labels.instance ?? m.service)).join(' ')}`);
  }
}
