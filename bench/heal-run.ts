// bench:heal: one fleet's timeline through Vigil, in simulated time.
//
// The fleet simulator's samples go through the real ingest pipeline into an
// embedded store with the detection stage watching (as bench:alerts); the
// rule set (rules/default.yaml plus the deploy rules below) is evaluated every
// evaluation interval of simulated time; rule alerts, the CD system's deploy
// alerts and anomaly events feed the incident stage; incidents and alerts feed
// the remediation engine (heal-engine.ts), whose runbooks call the fleet
// control API (heal-control.ts) over HTTP. Nothing waits on the wall clock:
// the engine's clock is the simulated one (heal-clock.ts).
//
// The on-call person (the human response model, heal-scenarios.ts) is paged
// when an incident about the fault reaches `medium`, acknowledges, and applies
// the right fix unless the fault is already over.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { AlertEvent, AnomalyEvent } from '../src/core/events.js';
import { severityRank } from '../src/core/index.js';
import { SelfMetrics } from '../src/core/self-metrics.js';
import { parseConfig } from '../src/config/load.js';
import type { VigilConfig } from '../src/config/schema.js';
import { toStoreOptions } from '../src/config/sections/storage.js';
import { IngestPipeline } from '../src/ingest/pipeline.js';
import { DetectionStage } from '../src/detect/stage/index.js';
import { IncidentManager, IncidentStore } from '../src/incidents/index.js';
import type { Incident } from '../src/incidents/model.js';
import { graphFromServices } from '../src/app/incident-wiring.js';
import { loadRules, RuleEvaluator } from '../src/alerting/rules/index.js';
import { SimulatorFeed } from '../src/app/simulator-feed.js';
import { FleetSimulator, type GroundTruthIncident, type Topology } from '../src/simulate/index.js';
import { openStore } from '../src/store/index.js';
import { FleetControl, type ControlCall } from './heal-control.js';
import { VirtualClock } from './heal-clock.js';
import type { Healer, HealerFactory } from './heal-engine.js';
import type { Execution } from '../src/remediate/index.js';
import { MINUTE, type FleetPlan, type Scenario } from './heal-scenarios.js';

const TICK_MS = 30_000;

export interface ScenarioOutcome {
  scenario: Scenario;
  truth: GroundTruthIncident;
  /** When the on-call person was paged (an incident about the fault at `medium` or above), if ever. */
  pagedAt?: number;
  /** When the person applied the fix, if they had to. */
  humanFixAt?: number;
  /** When the fault ended, and by whom: 'vigil', 'human', or its natural end. */
  faultEnd: number;
  resolvedBy: 'vigil' | 'human' | 'natural';
  ttrMs: number;
}

export interface FleetRun {
  outcomes: ScenarioOutcome[];
  calls: ControlCall[];
  executions: Execution[];
  /** Hash-chain check of the audit log at the end of the run. */
  auditOk?: boolean;
  incidents: Incident[];
  /** Rule alerts as they started firing. */
  alerts: AlertEvent[];
  samples: number;
  series: number;
}

/** The operator's service catalogue, as vigil.yaml's `services:`, from the fleet's topology. */
export function servicesYaml(topo: Topology): string {
  const type = { lb: 'network', web: 'web', api: 'application', database: 'database', cache: 'cache', queue: 'queue', etl: 'etl' } as const;
  const lines = ['services:'];
  for (const s of topo.services) {
    const deps = topo.edges.filter((e) => e.from === s.name).map((e) => e.to);
    lines.push(`  - { name: ${s.name}, type: ${type[s.type]}, criticality: ${s.criticality}, dependsOn: [${deps.join(', ')}] }`);
  }
  return lines.join('\n') + '\n';
}

export async function runFleet(
  plan: FleetPlan,
  opts: { remediationYaml: string; healer?: HealerFactory; progress: (msg: string) => void; label: string; /** More rule list items (diagnostics: heal-probe.ts). */ extraRules?: string },
): Promise<FleetRun> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-heal-'));
  const logger = pino({ level: 'silent' });
  const clock = new VirtualClock(plan.startTime);
  const sim = new FleetSimulator({ seed: plan.seed, topology: plan.topology, intervalMs: plan.intervalMs, startTime: plan.startTime, incidents: plan.scenarios.map((s) => s.spec), counters: false });
  for (const d of plan.deploys) sim.recordDeploy(d.service, d.at);
  const control = new FleetControl(sim, () => clock.now(), 'vigil');
  const controlUrl = await control.start();
  const yaml =
    `storage: { dir: ${JSON.stringify(dir)}, headWindow: 30h }\n` +
    `ruleFiles: [rules/default.yaml]\nruleEvaluation: { evaluationInterval: 1m }\n` +
    DEPLOY_RULES +
    (opts.extraRules ?? '') +
    servicesYaml(plan.topology) +
    opts.remediationYaml.replaceAll('{{ control }}', controlUrl);
  const config: VigilConfig = parseConfig(yaml, 'bench-heal.yaml');
  const store = openStore({ ...toStoreOptions(config.storage, config.limits.maxSeries), checkpointIntervalMs: 0 });
  const pipeline = new IngestPipeline(store, new SelfMetrics(), config.limits);
  const detection = new DetectionStage(store, config.detect, undefined, logger);
  detection.start(plan.startTime);
  pipeline.onSamples((w) => detection.observe(w));
  const feed = new SimulatorFeed(sim, pipeline, 1);
  const rules = new RuleEvaluator({ store, rules: loadRules({ rules: config.rules, ruleFiles: config.ruleFiles, baseDir: process.cwd() }), clock: () => clock.now(), ...config.ruleEvaluation, logger });
  const graph = graphFromServices(config.services);
  const c = config.incidents;
  const manager = new IncidentManager({
    store: new IncidentStore(join(dir, 'incidents.db')),
    graph: () => graph,
    settings: { windowMs: c.windowMs, maxHops: c.maxHops, anomalyOpenSeverity: c.anomalyOpenSeverity, blastRadiusServices: c.blastRadiusServices, resolveAfterMs: c.resolveAfterMs, minTrainingIncidents: c.minTrainingIncidents, similarLimit: c.similarLimit },
    now: () => clock.now(),
    logger,
  });
  const healer: Healer | undefined = opts.healer?.({ config, store, clock, logger, dir, instanceCount: (svc) => sim.replicas(svc) });

  const first = plan.startTime + plan.warmupMs;
  const watchFrom = first - 30 * MINUTE;
  let watching = false;
  const pages = new Map<string, number>();
  // An incident pages for a fault when one of its members, since the fault began, is about a host or service the fault moved.
  const touches = (inc: Incident, s: Scenario, truth: GroundTruthIncident) =>
    inc.members.some(
      (m) =>
        m.t >= s.spec.startsAt - 2 * MINUTE &&
        (m.labels.instance !== undefined ? truth.affected.some((a) => a.instance === m.labels.instance) : truth.affected.some((a) => a.service === m.service)),
    );
  manager.onChange((inc, change) => {
    healer?.observeIncident(inc, change);
    if (severityRank(inc.severity) < severityRank('medium')) return;
    for (const s of plan.scenarios) {
      if (pages.has(s.id) || clock.now() < s.spec.startsAt) continue;
      const truth = sim.groundTruth(clock.now()).find((x) => x.id === s.id);
      if (truth && clock.now() < (sim.faultEnd(s.id) ?? Infinity) + 5 * MINUTE && touches(inc, s, truth)) pages.set(s.id, clock.now());
    }
  });
  const alerts: AlertEvent[] = [];
  rules.onEvent((e) => {
    if (!watching) return;
    if (e.state === 'firing') alerts.push(e);
    manager.observeAlert(e);
    healer?.observeAlert(e);
  });
  detection.onAnomaly((e: AnomalyEvent) => {
    if (watching) manager.observeAnomaly(e);
  });

  // The CD system's deploy counter per deployable service (a Prometheus counter, scraped like the rest).
  const deployable = plan.topology.services.filter((x) => x.type === 'web' || x.type === 'api').map((x) => x.name);
  const deployLabels = new Map(deployable.map((name) => [name, Object.freeze({ __name__: 'deploys_total', service: name, job: 'cd' })]));
  let deploysFrom = plan.startTime;
  const writeDeploys = (from: number, to: number) => {
    const log = sim.deploysBetween(plan.startTime, to + 1);
    const times: number[] = [];
    for (let t = from; t <= to; t += plan.intervalMs) times.push(t);
    if (times.length === 0) return;
    pipeline.write(
      deployable.map((name) => {
        const mine = log.filter((d) => d.service === name).map((d) => d.at);
        return { labels: deployLabels.get(name)!, timestamps: Float64Array.from(times), values: Float64Array.from(times.map((t) => mine.filter((a) => a <= t).length)) };
      }),
      'cd',
    );
    deploysFrom = to + plan.intervalMs;
  };

  // Warm-up: detectors learn the fleet; nothing is watched yet.
  for (let t = plan.startTime; t < watchFrom; t += 6 * 3_600_000) {
    const until = Math.min(t + 6 * 3_600_000, watchFrom) - 1;
    clock.set(until);
    while (feed.pumpUntil(until) > 0);
    writeDeploys(deploysFrom, until);
    store.checkpoint();
  }
  opts.progress(`${opts.label}: fleet ${plan.index} warmed up (${((watchFrom - plan.startTime) / 3_600_000).toFixed(0)} h, ${feed.samplesWritten} samples)`);
  watching = true;

  const human = new Map<string, number>();
  let nextEval = watchFrom;
  for (let now = watchFrom; now < plan.end; now += TICK_MS) {
    clock.set(now);
    while (feed.pumpUntil(now) > 0);
    writeDeploys(now, now);
    if (now >= nextEval) {
      rules.evaluate(now);
      nextEval += rules.evaluationIntervalMs;
    }
    manager.tick(now);
    if (healer) {
      healer.tick(now);
      await clock.settle(() => control.inFlight + healer.busy());
    }
    // The on-call person: paged, acknowledges, fixes (unless the fault is over by then).
    for (const s of plan.scenarios) {
      if (now < s.spec.startsAt || human.has(s.id)) continue;
      const paged = pages.get(s.id);
      const due = paged !== undefined ? paged + s.ackMs + s.fixMs : s.userImpactAt + s.unpagedMs + s.fixMs;
      if (now < due) continue;
      human.set(s.id, now);
      if ((sim.faultEnd(s.id) ?? 0) <= now) continue;
      applyHumanFix(sim, s, now);
    }
    if ((now - first) % (12 * 3_600_000) === 0 && now >= first) {
      store.checkpoint();
      opts.progress(`${opts.label}: fleet ${plan.index} at +${((now - first) / 3_600_000).toFixed(0)} h, ${control.calls.length} control calls`);
    }
  }
  // Let running executions finish (their verification windows) before the books close.
  for (let now = plan.end; healer && healer.engine.executions({ state: 'running' }).length > 0 && now < plan.end + 15 * MINUTE; now += TICK_MS) {
    clock.set(now);
    await clock.settle(() => control.inFlight + healer.busy());
  }
  const auditOk = healer ? healer.audit.verify().ok : undefined;
  const executions = healer?.executions() ?? [];
  await healer?.close();
  const truths = sim.groundTruth(plan.end);
  const outcomes: ScenarioOutcome[] = plan.scenarios.map((s) => {
    const truth = truths.find((x) => x.id === s.id)!;
    const faultEnd = sim.faultEnd(s.id)!;
    const by = truth.remediatedBy === 'vigil' ? 'vigil' : truth.remediatedBy === 'human' ? 'human' : 'natural';
    const o: ScenarioOutcome = { scenario: s, truth, faultEnd, resolvedBy: by, ttrMs: faultEnd - truth.startsAt };
    const p = pages.get(s.id);
    if (p !== undefined) o.pagedAt = p;
    const h = human.get(s.id);
    if (h !== undefined && by === 'human') o.humanFixAt = h;
    return o;
  });
  const incidents = manager.list({ limit: 10_000 });
  const run: FleetRun = { outcomes, calls: control.calls, executions, ...(auditOk !== undefined && { auditOk }), incidents, alerts, samples: feed.samplesWritten, series: sim.seriesCount };
  manager.close();
  await control.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
  return run;
}

/** What the on-call person does: the right fix for the fault (they find it, eventually). */
function applyHumanFix(sim: FleetSimulator, s: Scenario, at: number): void {
  const f = s.fix;
  switch (f.hook) {
    case 'restart':
      sim.restart({ service: f.service, ...(f.host !== undefined && { host: f.host }) }, at, 'human');
      return;
    case 'cleanDisk':
      sim.cleanDisk(f.host, at, 'human');
      return;
    case 'rollback':
      sim.rollback(f.service, at, 'human');
      return;
    case 'scale':
      // Enough replicas for the load they see, with room to spare.
      sim.scale(f.service, { factor: 1 + (s.spec.magnitude ?? 1.5) }, at, 'human');
      return;
    case 'end':
      sim.endIncident(s.id, at, 'human');
      return;
  }
}

/**
 * Rules the bench adds to rules/default.yaml: service-level symptoms (every replica), a traffic
 * surge, a deployment regression (a deploy of the service, from the CD system's
 * `deploys_total` counter, in the last 15 minutes while its latency is up, or its errors are up
 * and at least twice their last half hour: errors that were already up before the deploy are not
 * its doing), and a
 * memory leak (memory up on a host while its CPU is not: memory that follows load, such as a
 * nightly batch or the morning traffic ramp, brings CPU with it; a leak does not).
 */
const DEPLOY_RULES = `rules:
  - name: RecentDeploy
    type: rate_of_change
    severity: info
    selector: deploys_total
    function: increase
    window: 15m
    op: '>'
    value: 0
  - name: ServiceErrorsRising
    type: rate_of_change
    severity: info
    selector: '{__name__=~".+_errors_ratio"}'
    function: ratio
    window: 3m
    baseline: 30m
    aggregate: avg
    by: [service]
    op: '>'
    value: 2
  - name: ServiceErrorsHigh
    type: threshold
    severity: high
    selector: '{__name__=~".+_errors_ratio"}'
    over: 2m
    aggregate: avg
    by: [service]
    op: '>'
    value: 0.03
    for: 1m
  - name: ServiceLatencyUp
    type: rate_of_change
    severity: high
    selector: '{__name__=~".+_latency_.*seconds"}'
    function: ratio
    window: 3m
    baseline: 1h
    aggregate: min
    by: [service]
    op: '>'
    value: 1.4
    for: 1m
  - name: DeployRegression
    type: composite
    severity: high
    when: { and: [ RecentDeploy, { or: [ { and: [ ServiceErrorsHigh, ServiceErrorsRising ] }, ServiceLatencyUp ] } ] }
    on: [service]
    annotations:
      title: '{{ $labels.service }}: errors or latency up on every replica since its last deploy'
  - name: MemoryAboveLastHour
    type: rate_of_change
    severity: info
    selector: node_memory_used_bytes
    function: ratio
    window: 10m
    baseline: 1h
    op: '>'
    value: 1.07
  - name: CpuAboveLastHours
    type: rate_of_change
    severity: info
    selector: node_cpu_utilization
    function: ratio
    window: 15m
    baseline: 2h
    op: '>'
    value: 1.2
  - name: MemoryLeak
    type: composite
    severity: medium
    when: { and: [ MemoryAboveLastHour, { not: CpuAboveLastHours } ] }
    on: [instance, service]
    annotations:
      title: '{{ $labels.instance }}: memory 7 % above its last hour while its CPU is not up (not load: a leak)'
  - name: TrafficSurge
    type: rate_of_change
    severity: high
    selector: '{__name__=~"http_requests_per_sec"}'
    function: ratio
    window: 5m
    baseline: 1h
    aggregate: min
    by: [service]
    op: '>'
    value: 1.5
    for: 2m
    annotations:
      title: '{{ $labels.service }}: {{ printf "%.1f" $value }}x its usual traffic on every replica'
`;
