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
import type { Pager } from './alert-delivery.js';

/**
 * Wiring of the incident stage: the manager (created before the dispatcher,
 * so alert-group notifications can defer to incidents), then its feeds (rule
 * alerts as they change, every alert the dispatcher holds, including those
 * from Alertmanager, and anomaly events) and its notifier.
 */

/** The declared service catalogue (`services:`) as a dependency graph. */
export function graphFromServices(services: VigilConfig['services']): ServiceGraph {
  const g = new ServiceGraph();
  for (const s of services) g.addService({ name: s.name, type: s.type, criticality: s.criticality });
  for (const s of services) for (const d of s.dependsOn) g.addEdge({ from: s.name, to: d.service, weight: d.weight, source: 'declared', confidence: 1 });
  return g;
}

export function createIncidents(config: VigilConfig, logger: Logger, graph?: () => ServiceGraph | undefined): IncidentManager | undefined {
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
  stop(): void;
}

export function connectIncidents(
  manager: IncidentManager,
  deps: { config: VigilConfig; rules: RuleEvaluator; dispatcher: Dispatcher; detection: { onAnomaly(l: (e: AnomalyEvent) => void): void } | undefined; outbox: Outbox | undefined; pager: Pager | undefined; logger: Logger; vigilUrl: () => string },
): IncidentWiring {
  const { config, rules, dispatcher, detection, logger } = deps;
  rules.onEvent((e) => manager.observeAlert(e));
  detection?.onAnomaly((e) => manager.observeAnomaly(e));
  const notifier = config.incidents.notifyPerIncident
    ? new IncidentNotifier({ manager, dispatcher, receivers: config.routing.receivers, outbox: deps.outbox, logger, vigilUrl: deps.vigilUrl, delayMs: config.incidents.notifyDelayMs, ...(deps.pager && { pager: deps.pager }) })
    : undefined;
  const timer = setInterval(() => {
    try {
      // Alerts that reach the dispatcher without a Vigil rule (Alertmanager webhook, API v2) join here.
      const held = new Set<string>();
      for (const v of dispatcher.alerts()) {
        held.add(v.alert.fingerprint);
        manager.observeAlert(v.alert);
      }
      // A member alert the dispatcher forgot (resolved and flushed) is over.
      for (const inc of manager.openIncidents())
        for (const m of inc.members)
          if (m.kind === 'alert' && m.state === 'firing' && !held.has(m.ref) && !rules.tracker.get(m.ref)) manager.observeAlert({ kind: 'alert', fingerprint: m.ref, source: 'vigil', state: 'resolved', severity: m.severity, labels: m.labels, annotations: {}, startsAt: m.t, endsAt: Date.now() });
      manager.tick();
      notifier?.tick();
    } catch (err) {
      logger.error({ err }, 'incident stage tick failed');
    }
  }, 1000);
  timer.unref();
  return {
    notifier,
    stop: () => clearInterval(timer),
  };
}
