// bench:heal: where Vigil's remediation engine plugs into the harness.
//
// The real RemediationEngine (src/remediate), built as the app builds it
// (src/app/remediation-wiring.ts): the configuration's `remediation:`
// section, the real action handlers (runbook steps are `http` actions to the
// fleet control API), a hash-chained audit log and its state in a scratch
// SQLite file, the store for verification, and the bench's simulated clock.
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { AlertEvent } from '../src/core/events.js';
import type { VigilConfig } from '../src/config/schema.js';
import type { Incident } from '../src/incidents/model.js';
import type { IncidentChange } from '../src/incidents/manager.js';
import type { SampleStore } from '../src/store/types.js';
import { AuditLog, RemediationEngine, RemediationStore, createActionHandlers, type Execution } from '../src/remediate/index.js';
import type { VirtualClock } from './heal-clock.js';

export interface Healer {
  engine: RemediationEngine;
  audit: AuditLog;
  observeIncident(inc: Incident, change: IncidentChange): void;
  observeAlert(e: AlertEvent): void;
  tick(now: number): void;
  /** Executions in progress that are not waiting on the simulated clock. */
  busy(): number;
  executions(): Execution[];
  close(): Promise<void>;
}

export interface HealerContext {
  config: VigilConfig;
  store: SampleStore;
  clock: VirtualClock;
  logger: Logger;
  dir: string;
  /** Replicas of a service (the blast-radius share). */
  instanceCount: (service: string) => number | undefined;
}

export type HealerFactory = (ctx: HealerContext) => Healer;

export const createHealer: HealerFactory = (ctx) => {
  const c = ctx.config.remediation;
  const file = join(ctx.dir, 'remediation.db');
  const audit = new AuditLog(file, () => ctx.clock.now());
  const state = new RemediationStore(file);
  const notices: string[] = [];
  const engine = new RemediationEngine({
    config: c,
    handlers: createActionHandlers({ commandAllowList: c.handlers.command.allow }),
    audit,
    state,
    store: ctx.store,
    isSilenced: () => false,
    instanceCount: ctx.instanceCount,
    notify: (n) => notices.push(n.title),
    clock: ctx.clock,
    env: {},
    logger: { info() {}, warn() {}, error() {} },
  });
  let running = 0;
  engine.onExecution(() => {
    running = engine.executions({ state: 'running' }).length;
  });
  return {
    engine,
    audit,
    observeIncident: (inc) => engine.observeIncident(inc),
    observeAlert: (e) => engine.observeAlert(e),
    tick: (now) => engine.tick(now),
    // Running executions not asleep on the simulated clock are doing I/O (an HTTP call).
    busy: () => Math.max(0, running - ctx.clock.sleeping),
    executions: () => engine.executions({ limit: 100_000 }).reverse(),
    close: async () => {
      await engine.close();
      audit.close();
      state.close();
    },
  };
};
