import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { SelfMetrics } from '../core/self-metrics.js';
import { currentThreadId } from '../core/thread-cpu.js';
import type { VigilConfig } from '../config/schema.js';
import { toStoreOptions } from '../config/sections/storage.js';
import { IngestPipeline } from '../ingest/pipeline.js';
import type { IngestLimits } from '../ingest/limits.js';
import { buildServer } from '../api/server.js';
import { openStore } from '../store/index.js';
import { MetadataStore } from '../store/metadata-store.js';
import type { SampleStore } from '../store/types.js';
import { DetectionPool, type Detection } from '../detect/stage/index.js';
import { FleetSimulator } from '../simulate/index.js';
import { SimulatorFeed } from './simulator-feed.js';
import { ScrapeManager } from '../ingest/scrape/index.js';
import { HostCollector } from '../ingest/host/index.js';
import { Outbox, createChannels } from '../notify/index.js';
import { join } from 'node:path';
import { RuleEvaluator, loadRules } from '../alerting/rules/index.js';
import { Dispatcher, SilenceStore } from '../alerting/dispatch/index.js';
import { deliverToOutbox, type Pager } from './alert-delivery.js';
import { startOncall } from './oncall-wiring.js';
import type { EscalationRunner } from '../oncall/index.js';
import { loadConfig } from '../config/load.js';
import { AckLinks } from '../api/ack-links.js';
import { connectIncidents, createIncidents, deferToIncidents } from './incident-wiring.js';
import { createTopology, feedTopology } from './topology-wiring.js';
import type { IncidentManager } from '../incidents/index.js';
import { ForecastStage } from '../forecast/stage/forecast-stage.js';
import { startRemediation, type RemediationWiring } from './remediation-wiring.js';

/**
 * The composition root: one place where the store, the pipeline, the HTTP API
 * and (in later stages) detectors, rules and channels are created and wired.
 */
export interface VigilApp {
  readonly config: VigilConfig;
  readonly store: SampleStore;
  readonly pipeline: IngestPipeline;
  readonly metrics: SelfMetrics;
  readonly server: FastifyInstance;
  readonly detection: Detection | undefined;
  /** The durable notification outbox, when channels are configured. */
  readonly outbox: Outbox | undefined;
  readonly rules: RuleEvaluator;
  readonly dispatcher: Dispatcher;
  readonly silences: SilenceStore;
  /** The on-call escalation runner, when escalation policies are configured. */
  readonly oncall: EscalationRunner | undefined;
  /** The incident stage (correlation, lifecycle, root causes), when incidents.enabled. */
  readonly incidents: IncidentManager | undefined;
  /** Forecasting: capacity risks, scaling recommendations (and their events), right-sizing; absent when forecast.enabled is false. */
  readonly forecast: ForecastStage | undefined;
  /** Self-healing (engine, audit log, state), when remediation.enabled. */
  readonly remediation: RemediationWiring | undefined;
  /** Re-reads the rule files (SIGHUP, POST /-/reload); throws a ConfigError and keeps the old rules when they are invalid. */
  reloadRules(): number;
  readonly logger: Logger;
  /** The address the HTTP server listens on, e.g. http://127.0.0.1:9470. */
  readonly url: string;
  close(): Promise<void>;
}

export interface StartOptions {
  /** The file the configuration came from: rule files are relative to it, and errors point into it. */
  configFile?: string;
}

export async function startVigil(config: VigilConfig, logger: Logger, start: StartOptions = {}): Promise<VigilApp> {
  const metrics = new SelfMetrics();
  const store = openStore(toStoreOptions(config.storage, config.limits.maxSeries));
  const pipeline = new IngestPipeline(store, metrics, config.limits);
  // Metric metadata (type, help, unit per family) from every protocol that carries it.
  const metadata = new MetadataStore({ db: join(config.storage.dir, 'metadata.db'), maxFamilies: config.limits.maxMetadataFamilies });
  pipeline.attachMetadata(metadata, config.limits.maxLabelValueLength);
  const limits: IngestLimits = config.limits;
  // Detection scores on worker threads while this one decodes and stores.
  let detectionWorker: DetectionPool | undefined;
  if (config.detect.enabled) {
    const stage = (detectionWorker = new DetectionPool(store, config.detect, config.storage.dir, logger, config.detect.workers, undefined, config.detect.maxBacklog));
    // Families' types from metric metadata (kept across restarts) decide which series are counters, before any is restored.
    stage.setMetricTypes(metadata.types());
    pipeline.onMetricTypes((types) => stage.setMetricTypes(types));
    await stage.start();
    pipeline.onSamples((w, refs) => stage.observe(w, refs));
    // Ingest requests wait (without blocking the thread) while the workers are far behind.
    pipeline.addGate(() => stage.whenCaughtUp());
    metrics.registerDetection(() => ({ series: stage.seriesCount, scored: stage.counters.scored, events: stage.counters.events, backlog: stage.backlog, skipped: stage.skipped }));
  }
  const detection: Detection | undefined = detectionWorker;
  const mainThread = currentThreadId();
  metrics.registerThreads(() => [['main', mainThread], ['store-encoder', store.encoderThreadId], ['store-sqlite', store.sqliteCheckpointThreadId], ...(detectionWorker?.threadIds ?? []).map((tid, k) => [`detect-${k}`, tid] as const)]);
  // Notifications: every channel in notify.channels, behind one durable outbox.
  let outbox: Outbox | undefined;
  if (config.notify.channels.length) {
    const { dir, ...outboxOptions } = config.notify.outbox;
    outbox = new Outbox({ ...outboxOptions, dir: dir ?? join(config.storage.dir, 'notify'), channels: createChannels(config.notify.channels), logger });
    outbox.start();
    const ob = outbox;
    metrics.registerOutbox(() => ob.stats().channels);
  }
  // Alerting: rules evaluated over the store; their alerts grouped, silenced, inhibited and
  // routed by the dispatcher; each group notification goes durably through the outbox.
  // A reload re-reads the configuration file too, so rules written inline in vigil.yaml reload as well.
  const loadAllRules = (fresh = false) => {
    const c = fresh && start.configFile ? loadConfig(start.configFile) : config;
    return loadRules({ rules: c.rules, ruleFiles: c.ruleFiles, configFile: start.configFile });
  };
  // Forecasting: scheduled capacity/scaling/right-sizing, and the model forecast rules ask.
  const forecast = config.forecast.enabled ? new ForecastStage({ store, config: config.forecast, dataDir: config.storage.dir, logger }) : undefined;
  const rules = new RuleEvaluator({ store, rules: loadAllRules(), ...config.ruleEvaluation, logger, forecast: forecast && config.forecast.rules ? forecast : undefined });
  const silences = new SilenceStore(join(config.storage.dir, 'alerting.db'));
  // Links in notifications start with server.externalUrl, else the address the server listens on.
  let publicUrl = config.server.externalUrl;
  const ackLinks = config.server.ackLinkSecret ? new AckLinks({ secret: config.server.ackLinkSecret, baseUrl: () => publicUrl, ttlMs: config.server.ackLinkTtlMs }) : undefined;
  const oncall = startOncall(config, outbox, logger);
  const pager: Pager | undefined = oncall && {
    policyFor: (receiver) => config.routing.receivers.find((r) => r.name === receiver)?.escalationPolicy,
    page: (key, policy, template) => void oncall.page(key, policy, template),
    resolve: (key) => void oncall.resolve(key),
  };
  // Incidents: alerts and anomalies correlated into incidents; with notifyPerIncident they notify instead of alert groups.
  // The service topology (declared, discovered from labels, learned from anomalies) the incident stage ranks on.
  const topology = createTopology(config, store);
  const incidents = createIncidents(config, logger, () => topology.graph());
  let incidentWiring: ReturnType<typeof connectIncidents> | undefined;
  const dispatcher = new Dispatcher({
    config: config.routing,
    notify: deferToIncidents(deliverToOutbox(outbox, logger, () => publicUrl, ackLinks && ((groupKey) => ackLinks.url({ kind: 'group', key: groupKey })), pager), () => incidentWiring?.notifier && ((g) => incidentWiring!.notifier!.ownedByIncidents(g))),
    silences,
    isAcknowledged: (fp) => rules.tracker.get(fp)?.ack !== undefined,
    logger,
  });
  rules.onEvent((e) => dispatcher.receive(e));
  feedTopology(topology, { detection, rules });
  if (incidents) incidentWiring = connectIncidents(incidents, { config, rules, dispatcher, detection, outbox, pager, logger, vigilUrl: () => publicUrl });
  // An acknowledgement (API, CLI or signed link) also stops the on-call escalation of its groups.
  if (oncall)
    rules.onEvent((e) => {
      if (!e.ackedBy) return;
      for (const g of dispatcher.groups()) {
        if (!g.alerts.some((a) => a.alert.fingerprint === e.fingerprint)) continue;
        if (oncall.get(g.groupKey)?.state === 'active') oncall.acknowledge(g.groupKey, e.ackedBy);
      }
    });
  const reloadRules = () => {
    const next = loadAllRules(true);
    // The remediation section reloads with the rules (validated first: a bad file keeps both as they were).
    if (remediation && start.configFile) remediation.engine.reload(loadConfig(start.configFile).remediation);
    rules.reload(next);
    logger.info({ rules: next.length }, 'rules reloaded');
    return next.length;
  };
  // Self-healing: automation rules on incidents, alerts, metrics, scaling events and schedules, behind guards.
  const remediation = startRemediation({ config, store, silences, dispatcher, rules, incidents, forecast, outbox, ackLinks, logger, vigilUrl: () => publicUrl, ...(start.configFile && { configFile: start.configFile }) });
  if (remediation) {
    const r = remediation;
    metrics.registerRemediation(() => {
      const executions: Record<string, number> = {};
      for (const e of r.engine.executions({ limit: 5000 })) {
        const k = e.guard ? `${e.state}:${e.guard}` : e.state;
        executions[k] = (executions[k] ?? 0) + 1;
      }
      return { executions, killSwitch: r.engine.killSwitchOn, auditEntries: r.audit.size };
    });
  }
  rules.start();
  dispatcher.start(1000);
  let ready = false;
  const server = buildServer({ pipeline, metrics, metadata, logger, limits, maxBodyBytes: config.server.maxBodyBytes, isReady: () => ready, detection, outbox, alerting: { rules, dispatcher, silences }, reloadRules: () => reloadRules(), ackLinks, backtest: { keepResolvedMs: config.ruleEvaluation.keepResolvedMs, flapping: config.ruleEvaluation.flapping }, forecast, incidents, topology: () => topology.graph(), remediation });
  let url: string;
  try {
    url = await server.listen({ host: config.server.host, port: config.server.port });
  } catch (e) {
    await remediation?.close();
    await detectionWorker?.close();
    metadata.close();
    store.close();
    throw e;
  }
  publicUrl ||= url;
  ready = true;
  // `vigil serve` with simulator.enabled: a simulated fleet in real time, for trying Vigil without a fleet.
  let feed: SimulatorFeed | undefined;
  if (config.simulator.enabled) {
    const sim = new FleetSimulator({
      seed: config.simulator.seed,
      services: config.simulator.services,
      hostsPerService: config.simulator.hostsPerService,
      intervalMs: config.simulator.intervalMs,
      startTime: Math.floor(Date.now() / config.simulator.intervalMs) * config.simulator.intervalMs,
      incidentRatePerDay: config.simulator.incidentsPerDay,
    });
    feed = new SimulatorFeed(sim, pipeline, 1);
    feed.start(1000);
  }
  // Scraping (scrape.scrape_configs) and the host collector (host.enabled) write through the pipeline.
  const scrape = config.scrape.jobs.length ? new ScrapeManager({ jobs: config.scrape.jobs, sink: pipeline, logger, limits }) : undefined;
  await scrape?.start();
  const host = config.host.enabled ? new HostCollector({ intervalMs: config.host.intervalMs, paths: ['/', config.storage.dir], sink: pipeline, logger }) : undefined;
  host?.start();
  forecast?.start();
  forecast?.onEvent((e) => logger.info({ scaling: e.name, action: e.action, series: e.labels, scaleByPercent: e.scaleByPercent, recommendedReplicas: e.recommendedReplicas }, 'scaling recommendation changed'));
  const s = store.stats();
  logger.info({ url, dir: config.storage.dir, series: s.series, fsync: config.storage.fsync }, 'vigil is listening');

  let closed = false;
  return {
    config,
    store,
    pipeline,
    detection,
    outbox,
    rules,
    dispatcher,
    silences,
    oncall,
    incidents,
    forecast,
    remediation,
    reloadRules,
    metrics,
    server,
    logger,
    url,
    async close() {
      if (closed) return;
      closed = true;
      ready = false;
      feed?.stop();
      rules.stop();
      await forecast?.close();
      dispatcher.stop();
      await remediation?.close();
      incidentWiring?.stop();
      incidents?.close();
      await scrape?.stop();
      await host?.stop();
      await server.close();
      await detectionWorker?.close();
      silences.close();
      oncall?.close();
      await outbox?.close();
      metadata.close();
      store.close();
      logger.info('vigil stopped');
    },
  };
}
