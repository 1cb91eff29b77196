import { join } from 'node:path';
import type { Logger } from 'pino';
import type { VigilConfig } from '../config/schema.js';
import type { Severity } from '../core/index.js';
import type { Dispatcher } from '../alerting/dispatch/index.js';
import type { RuleEvaluator } from '../alerting/rules/index.js';
import type { SilenceStore } from '../alerting/dispatch/index.js';
import type { IncidentManager } from '../incidents/index.js';
import type { ForecastStage } from '../forecast/stage/forecast-stage.js';
import type { Outbox } from '../notify/index.js';
import type { SampleStore } from '../store/types.js';
import type { AckLinks } from '../api/ack-links.js';
import { remediationNotifier } from './remediation-notices.js';
import { AuditLog, RemediationEngine, RemediationStore, createActionHandlers, proposeRule, type RemediationNotice } from '../remediate/index.js';

/**
 * Wiring of the remediation stage: the engine with its audit log and state
 * (`<storage.dir>/remediation.db`), fed by incidents, rule alerts and scaling
 * events; its pages routed like alerts (labels `alertname="remediation"`,
 * `rule`, `severity`, `service`) to the routing tree's receivers through the
 * outbox; actions written into incident timelines; resolution notes turned
 * into rule proposals.
 */

export interface RemediationWiring {
  engine: RemediationEngine;
  audit: AuditLog;
  state: RemediationStore;
  close(): Promise<void>;
}

export interface RemediationDeps {
  config: VigilConfig;
  store: SampleStore;
  silences: SilenceStore;
  dispatcher: Dispatcher;
  rules: RuleEvaluator;
  incidents: IncidentManager | undefined;
  forecast: ForecastStage | undefined;
  outbox: Outbox | undefined;
  ackLinks: AckLinks | undefined;
  logger: Logger;
  vigilUrl: () => string;
  configFile?: string;
}

/** Distinct `instance` values of a service's series, cached for a minute (the blast-radius share). */
function instanceCounter(store: SampleStore): (service: string) => number | undefined {
  const cache = new Map<string, { at: number; n: number }>();
  return (service) => {
    const now = Date.now();
    const hit = cache.get(service);
    if (hit && now - hit.at < 60_000) return hit.n;
    const instances = new Set<string>();
    for (const s of store.series([{ name: 'service', type: '=', value: service }])) if (s.labels.instance) instances.add(s.labels.instance);
    cache.set(service, { at: now, n: instances.size });
    return instances.size || undefined;
  };
}

export function startRemediation(d: RemediationDeps): RemediationWiring | undefined {
  const c = d.config.remediation;
  if (!c.enabled) return undefined;
  const file = join(d.config.storage.dir, 'remediation.db');
  const audit = new AuditLog(file);
  const state = new RemediationStore(file);
  const sendNotice = remediationNotifier({ dispatcher: d.dispatcher, receivers: d.config.routing.receivers, outbox: d.outbox, logger: d.logger, vigilUrl: d.vigilUrl });
  const notify = (n: RemediationNotice) => {
    try {
      sendNotice(n);
    } catch (err) {
      d.logger.error({ err: (err as Error).message }, 'remediation notice failed');
    }
  };
  const handlers = createActionHandlers({
    commandAllowList: c.handlers.command.allow,
    ...(c.handlers.kubernetes && { kubernetes: c.handlers.kubernetes }),
    notify: async (n: { title: string; text: string; severity: Severity; channel?: string }) => notify(n),
  });
  let engine: RemediationEngine;
  try {
    engine = new RemediationEngine({
      config: c,
      handlers,
      audit,
      state,
      store: d.store,
      isSilenced: (labels) => d.silences.silencedBy(labels).length > 0,
      instanceCount: instanceCounter(d.store),
      notify,
      ...(d.incidents && { onIncidentAction: (id: string, text: string) => d.incidents!.addTimeline(id, 'action', text, 'vigil') }),
      ...(d.ackLinks && { approvalLinks: (id: string, expiresAt: number) => ({ approve: d.ackLinks!.urlUntil({ kind: 'execution', key: id }, expiresAt), reject: d.ackLinks!.urlUntil({ kind: 'execution', key: id }, expiresAt) }) }),
      logger: d.logger,
      vigilUrl: d.vigilUrl,
      ...(d.configFile && { configFile: d.configFile }),
    });
  } catch (e) {
    audit.close();
    state.close();
    throw e;
  }
  d.rules.onEvent((e) => engine.observeAlert(e));
  d.incidents?.onChange((inc, change) => {
    engine.observeIncident(inc);
    if (change === 'resolved') {
      const p = proposeRule(inc, Date.now());
      if (p && !state.proposals().some((x) => x.id === p.id)) {
        state.saveProposal(p);
        audit.append({ kind: 'proposal', incident: inc.id, actor: inc.resolution?.by ?? 'vigil', text: `proposed rule from the resolution of ${inc.id}: ${p.reason}`, data: { proposal: p.id } });
      }
    }
  });
  d.forecast?.onEvent((e) => engine.observeScaling(e));
  const timer = setInterval(() => {
    try {
      engine.tick();
    } catch (err) {
      d.logger.error({ err: (err as Error).message }, 'remediation tick failed');
    }
  }, 5000);
  timer.unref();
  return {
    engine,
    audit,
    state,
    async close() {
      clearInterval(timer);
      await engine.close();
      audit.close();
      state.close();
    },
  };
}
