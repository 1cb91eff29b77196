import { join } from 'node:path';
import type { Logger } from 'pino';
import type { VigilConfig } from '../config/schema.js';
import type { Dispatcher, GroupNotification } from '../alerting/dispatch/index.js';
import type { RuleEvaluator } from '../alerting/rules/index.js';
import type { AnomalyEvent } from '../core/index.js';
import type { Outbox } from '../notify/index.js';
import { IncidentManager, IncidentStore } from '../incidents/index.js';
import { ServiceGraph } from '../incidents/topology/service-graph.js';
import { IncidentNotifier } from './incident-delivery.js';
import { IncidentFeed } from './incident-feed.js';
import { IncidentSpread } from './incident-spread.js';
import { PromptTimer } from './prompt-timer.js';
import type { Pager } from './alert-delivery.js';

/**
 * Wiring of the incident stage: the manager (created before the dispatcher,
 * so alert-group notifications can defer to incidents), then its feeds (every
 * alert the dispatcher holds as it changes: Vigil's rules, Alertmanager's
 * webhook, API v2; and anomaly events) and its notifier.
 */

/** The declared service catalogue (`services:`) as a dependency graph. */
export function graphFromServices(services: VigilConfig['services']): ServiceGraph {
  const g = new ServiceGraph();
  for (const s of services) g.addService({ name: s.name, type: s.type, criticality: s.criticality });
  for (const s of services) for (const d of s.dependsOn) g.addEdge({ from: s.name, to: d.service, weight: d.weight, source: 'declared', confidence: 1 });
  return g;
}

export function createIncidents(config: VigilConfig, logger: Logger, graph?: () => ServiceGraph | undefined, now?: () => number): IncidentManager | undefined {
  if (!config.incidents.enabled) return undefined;
  const declared = graphFromServices(config.services);
  const c = config.incidents;
  return new IncidentManager({
    store: new IncidentStore(join(config.storage.dir, 'incidents.db')),
    graph: graph ?? (() => declared),
    settings: {
      windowMs: c.windowMs,
      maxHops: c.maxHops,
      anomalyOpenSeverity: c.anomalyOpenSeverity,
      blastRadiusServices: c.blastRadiusServices,
      resolveAfterMs: c.resolveAfterMs,
      minTrainingIncidents: c.minTrainingIncidents,
      similarLimit: c.similarLimit,
    },
    logger,
    ...(now && { now }),
  });
}

/** With notifyPerIncident, alert groups whose alerts all belong to incidents are not notified on their own. */
export function deferToIncidents(notify: (g: GroupNotification) => void, owned: () => ((g: GroupNotification) => boolean) | undefined): (g: GroupNotification) => void {
  return (g) => {
    const isOwned = owned();
    if (isOwned && isOwned(g)) return;
    notify(g);
  };
}

export interface IncidentWiring {
  notifier: IncidentNotifier | undefined;
  /** One pass of the stage at `now`: members whose alerts ended, lifecycle, incident notifications due. */
  tick(now: number): void;
  stop(): void;
}

export interface IncidentDeps {
  config: VigilConfig;
  rules: RuleEvaluator;
  dispatcher: Dispatcher;
  detection: { onAnomaly(l: (e: AnomalyEvent) => void): void } | undefined;
  outbox: Outbox | undefined;
  pager: Pager | undefined;
  logger: Logger;
  vigilUrl: () => string;
  /** Clock, unix ms (default Date.now); with `timer: false` nothing runs on its own and the caller calls `tick`. */
  now?: () => number;
  timer?: boolean;
}

export function connectIncidents(manager: IncidentManager, deps: IncidentDeps): IncidentWiring {
  const { config, rules, dispatcher, detection, logger } = deps;
  const now = deps.now ?? Date.now;
  // Rule alerts reach the manager through the dispatcher's feed below, as every alert does
  // (the caller passes rule events to the dispatcher): a second subscription to the rules
  // only repeated each change.
  detection?.onAnomaly((e) => manager.observeAnomaly(e));
  // Alerts that reach the dispatcher without a Vigil rule (Alertmanager webhook, API v2) join here, as they change.
  const feed = new IncidentFeed(manager, dispatcher, (fp) => rules.tracker.get(fp) !== undefined);
  const notifier = config.incidents.notifyPerIncident
    ? new IncidentNotifier({ manager, dispatcher, receivers: config.routing.receivers, outbox: deps.outbox, logger, vigilUrl: deps.vigilUrl, delayMs: config.incidents.notifyDelayMs, now, spread: new IncidentSpread(() => manager.serviceGraph(), config.incidents.maxHops), ...(deps.pager && { pager: deps.pager }) })
    : undefined;
  const tick = (at: number) => {
    try {
      feed.sweep(at);
      manager.tick(at);
      notifier?.tick(at);
    } catch (err) {
      logger.error({ err }, 'incident stage tick failed');
    }
  };
  if (deps.timer === false) return { notifier, tick, stop: () => feed.stop() };
  const timer = setInterval(() => tick(now()), 1000);
  timer.unref();
  // A new incident notifies when its notifyDelay is up, not at the next regular tick.
  const prompt = notifier && new PromptTimer(() => notifier.tick(now(), { firstOnly: true }), logger);
  const stopPrompt = prompt && manager.onChange((inc, change) => {
    if (change === 'opened') prompt.at(inc.openedAt + config.incidents.notifyDelayMs, now());
  });
  return {
    notifier,
    tick,
    stop: () => {
      clearInterval(timer);
      stopPrompt?.();
      prompt?.stop();
      feed.stop();
    },
  };
}
