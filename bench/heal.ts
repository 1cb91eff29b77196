// npm run bench:heal: self-healing on the fleet simulator (issue 8).
//
// Seeded scenarios (heal-scenarios.ts): small fleets, each with a sequence of
// faults of random kinds and targets (memory leak, disk fill, bad deploy,
// traffic surge, a database slowing down and cascading to its callers, and
// faults no action on the fleet fixes). Each fleet runs twice through Vigil's
// real pipeline (heal-run.ts): once without Vigil acting (it detects, opens
// incidents and pages; the on-call person fixes), once with Vigil's
// remediation engine acting through runbooks of `http` steps against the fleet
// control API (heal-control.ts). One configuration (REMEDIATION below) for all.
//
// Writes bench/results/heal.json (flat numbers).
import { mkdirSync, writeFileSync } from 'node:fs';
import { createHealer } from './heal-engine.js';
import { runFleet, type FleetRun, type ScenarioOutcome } from './heal-run.js';
import { HOUR, planFleets, SCENARIO_KINDS } from './heal-scenarios.js';

const progress = (msg: string) => process.stderr.write(`[bench:heal] ${msg}\n`);

/**
 * Vigil's remediation configuration for every scenario, as an operator would write it in
 * vigil.yaml (`{{ control }}` stands for the fleet control API's address). The rules are
 * triggered by alerts (rules/default.yaml and the bench's service-level rules in heal-run.ts) and
 * act on the instance or service the alert names. Guards are Vigil's defaults (confidence 0.6, 30 min cool-down per target,
 * 6 runs an hour, circuit breaker after 3 failures, blast radius 3 targets and half a service's
 * instances an hour).
 */
export const REMEDIATION = `remediation:
  enabled: true
  runbooks:
    - name: restart-host
      description: Restart the process on one host (a leak, before the OOM killer does it).
      steps:
        - { id: restart, action: { type: http, method: POST, url: "{{ control }}/hosts/{{ labels.instance }}/restart" }, timeout: 30s, retries: 1 }
    - name: clean-disk
      description: Free disk space on a host (rotate and drop old logs, temp files).
      steps:
        - { id: cleanup, action: { type: http, method: POST, url: "{{ control }}/hosts/{{ labels.instance }}/disk/cleanup" }, timeout: 30s, retries: 1 }
    - name: rollback-service
      description: Roll a service back to its previous version.
      steps:
        - { id: rollback, action: { type: http, method: POST, url: "{{ control }}/services/{{ labels.service }}/rollback" }, timeout: 60s, retries: 1 }
      verify: { query: '{__name__=~".+_errors_ratio", service="{{ labels.service }}"}', over: 2m, op: '<', value: 0.03, within: 10m, every: 30s, delay: 2m }
    - name: scale-out
      description: Add replicas in proportion to the traffic increase.
      steps:
        - { id: scale, action: { type: http, method: POST, url: "{{ control }}/services/{{ labels.service }}/scale", body: { factor: "{{ value }}" } }, timeout: 30s, retries: 1 }
    - name: restart-service
      description: Rolling restart of every replica of a service (a database stuck slow on every replica, a pool that never recovers).
      steps:
        - { id: restart, action: { type: http, method: POST, url: "{{ control }}/services/{{ labels.service }}/restart" }, timeout: 60s, retries: 1 }
  rules:
    - name: restart-leaking-process
      trigger: { alert: { matchers: '{alertname="MemoryLeak"}' } }
      runbook: restart-host
      dryRun: false
    - name: free-disk-space
      trigger: { alert: { matchers: '{alertname="DiskFillingFast"}' } }
      runbook: clean-disk
      dryRun: false
    - name: rollback-bad-deploy
      trigger: { alert: { matchers: '{alertname="DeployRegression"}' } }
      runbook: rollback-service
      dryRun: false
    - name: scale-out-on-surge
      trigger: { alert: { matchers: '{alertname="TrafficSurge"}' } }
      runbook: scale-out
      dryRun: false
    - name: restart-slow-database
      trigger: { alert: { matchers: '{alertname="ServiceLatencyUp", service=~".+-db"}' } }
      runbook: restart-service
      dryRun: false
`;

const FLEETS = Number(process.env.HEAL_FLEETS ?? 5);
const PER_FLEET = Number(process.env.HEAL_SCENARIOS ?? 10);
// HEAL_SEED: other fleets and scenarios than the measured ones (a check out of sample; heal.json is then not written).
const SEED = Number(process.env.HEAL_SEED ?? 8);
const plans = planFleets({ seed: SEED, fleets: FLEETS, scenariosPerFleet: PER_FLEET, warmupMs: 6 * HOUR, slotMs: 2.5 * HOUR, intervalMs: 30_000 });
const t0 = performance.now();
const without: FleetRun[] = [];
const withVigil: FleetRun[] = [];
for (const plan of plans) {
  const a = await runFleet(plan, { remediationYaml: '', progress, label: 'without' });
  without.push(a);
  const b = await runFleet(plan, { remediationYaml: REMEDIATION, healer: createHealer, progress, label: 'with' });
  withVigil.push(b);
  const calls = b.calls.filter((c) => c.result);
  progress(
    `fleet ${plan.index}: ${plan.scenarios.length} scenarios; with Vigil ${b.outcomes.filter((o) => o.resolvedBy === 'vigil').length} auto-remediated, ` +
      `${calls.length} actions (${calls.filter((c) => !c.result!.effective).length} not effective), ${b.executions.filter((e) => e.state === 'skipped').length} blocked; ` +
      `${((performance.now() - t0) / 1000).toFixed(0)} s`,
  );
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : NaN);
const outA = without.flatMap((r) => r.outcomes);
const outB = withVigil.flatMap((r) => r.outcomes);
const pairs = outA.map((a, i) => [a, outB[i]!] as [ScenarioOutcome, ScenarioOutcome]);
const routine = pairs.filter(([a]) => a.scenario.routine);
const unfixable = pairs.filter(([a]) => !a.scenario.routine);
const calls = withVigil.flatMap((r) => r.calls);
const vigilCalls = calls.filter((c) => c.method === 'POST');
const wrong = vigilCalls.filter((c) => c.status !== 200 || !c.result?.effective);
const executions = withVigil.flatMap((r) => r.executions);
const blocked = executions.filter((e) => e.state === 'skipped' && e.guard && e.guard !== 'template');
const guardCount = (g: string) => blocked.filter((e) => e.guard === g).length;
const executed = executions.filter((e) => !e.dryRun && ['succeeded', 'failed', 'rolled_back', 'aborted', 'running'].includes(e.state));

const mttrWithout = mean(pairs.map(([a]) => a.ttrMs / 1000));
const mttrWith = mean(pairs.map(([, b]) => b.ttrMs / 1000));
const routineWithout = mean(routine.map(([a]) => a.ttrMs / 1000));
const routineWith = mean(routine.map(([, b]) => b.ttrMs / 1000));
const results: Record<string, number> = {
  scenarios: pairs.length,
  routine_scenarios: routine.length,
  unfixable_scenarios: unfixable.length,
  auto_remediated_share: routine.filter(([, b]) => b.resolvedBy === 'vigil').length / routine.length,
  auto_remediated_share_all: pairs.filter(([, b]) => b.resolvedBy === 'vigil').length / pairs.length,
  mttr_without_s: mttrWithout,
  mttr_with_s: mttrWith,
  mttr_reduction: 1 - mttrWith / mttrWithout,
  mttr_routine_without_s: routineWithout,
  mttr_routine_with_s: routineWith,
  mttr_routine_reduction: 1 - routineWith / routineWithout,
  wrong_actions: wrong.length,
  actions_executed: vigilCalls.length,
  actions_effective: vigilCalls.length - wrong.length,
  executions_run: executed.length,
  executions_succeeded: executions.filter((e) => e.state === 'succeeded').length,
  executions_failed: executions.filter((e) => e.state === 'failed').length,
  rollbacks: executions.filter((e) => e.state === 'rolled_back').length,
  blocked_by_guards: blocked.length,
  blocked_cooldown: guardCount('cooldown'),
  blocked_rate_limit: guardCount('rate_limit'),
  blocked_confidence: guardCount('confidence'),
  blocked_circuit_breaker: guardCount('circuit_breaker'),
  blocked_blast_radius: guardCount('blast_radius'),
  blocked_silenced: guardCount('silenced'),
  template_errors: executions.filter((e) => e.guard === 'template').length,
  unfixable_actions: unfixable.reduce((n, [a]) => n + withVigil[a.scenario.fleet]!.calls.filter((c) => c.method === 'POST' && c.at >= a.scenario.slotStart && c.at < a.scenario.slotEnd).length, 0),
  human_fixes_without: pairs.filter(([a]) => a.resolvedBy === 'human').length,
  human_fixes_with: pairs.filter(([, b]) => b.resolvedBy === 'human').length,
  paged_without: pairs.filter(([a]) => a.pagedAt !== undefined).length,
  audit_chain_ok: withVigil.every((r) => r.auditOk) ? 1 : 0,
  samples: [...without, ...withVigil].reduce((n, r) => n + r.samples, 0),
  wall_s: (performance.now() - t0) / 1000,
};
for (const kind of SCENARIO_KINDS) {
  const k = pairs.filter(([a]) => a.scenario.kind === kind);
  results[`${kind}_scenarios`] = k.length;
  results[`${kind}_auto_share`] = k.length ? k.filter(([, b]) => b.resolvedBy === 'vigil').length / k.length : NaN;
  results[`${kind}_mttr_without_s`] = mean(k.map(([a]) => a.ttrMs / 1000));
  results[`${kind}_mttr_with_s`] = mean(k.map(([, b]) => b.ttrMs / 1000));
}

for (const [a, b] of pairs) {
  const s = a.scenario;
  const acts = withVigil[s.fleet]!.calls.filter((c) => c.method === 'POST' && c.at >= s.slotStart && c.at < s.slotEnd);
  console.log(
    `${s.id.padEnd(26)} ${`${s.spec.service}${s.spec.host ? '/' + s.spec.host : ''}`.padEnd(26)} without ${(a.ttrMs / 60000).toFixed(1).padStart(6)} min (${a.resolvedBy.padEnd(7)}) ` +
      `with ${(b.ttrMs / 60000).toFixed(1).padStart(6)} min (${b.resolvedBy.padEnd(7)}) ${acts.map((c) => `${c.action}:${c.host ?? c.service}${c.result?.effective ? '' : '(no effect)'}@+${((c.at - s.spec.startsAt) / 60000).toFixed(1)}m`).join(' ')}`,
  );
}
console.log(
  `\n${pairs.length} scenarios (${routine.length} routine): auto_remediated_share ${results.auto_remediated_share!.toFixed(3)} (goal >= 0.8), ` +
    `MTTR ${(mttrWithout / 60).toFixed(1)} -> ${(mttrWith / 60).toFixed(1)} min, mttr_reduction ${results.mttr_reduction!.toFixed(3)} (goal >= 0.5), ` +
    `wrong_actions ${wrong.length} (goal 0), blocked_by_guards ${blocked.length}, actions ${vigilCalls.length}, rollbacks ${results.rollbacks}, wall ${results.wall_s!.toFixed(0)} s`,
);
const flat = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, Number.isFinite(v) ? Number(v.toFixed(4)) : null]));
if (SEED === 8 && FLEETS === 5 && PER_FLEET === 10) {
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/heal.json', JSON.stringify(flat, null, 2) + '\n');
  console.log('wrote bench/results/heal.json');
} else console.log(JSON.stringify(flat));
