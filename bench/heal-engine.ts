// bench:heal: where Vigil's remediation engine plugs into the harness.
import type { Logger } from 'pino';
import type { AlertEvent } from '../src/core/events.js';
import type { VigilConfig } from '../src/config/schema.js';
import type { Incident } from '../src/incidents/model.js';
import type { IncidentChange } from '../src/incidents/manager.js';
import type { SampleStore } from '../src/store/types.js';
import type { VirtualClock } from './heal-clock.js';

/** One execution as the bench scores it. */
export interface HealerExecution {
  id: string;
  rule: string;
  runbook: string;
  state: string;
  dryRun: boolean;
  /** The guard that refused it (confidence, rate limit, cooldown, circuit breaker, blast radius, silence...). */
  blockedBy?: string;
  startedAt: number;
  incidentId?: string;
  verified?: boolean;
  rolledBack?: boolean;
}

export interface Healer {
  observeIncident(inc: Incident, change: IncidentChange): void;
  observeAlert(e: AlertEvent): void;
  tick(now: number): void;
  /** Executions in progress that are not waiting on the simulated clock. */
  busy(): number;
  executions(): HealerExecution[];
  close(): Promise<void>;
}

export interface HealerContext {
  config: VigilConfig;
  store: SampleStore;
  clock: VirtualClock;
  logger: Logger;
  isSilenced: (labels: Record<string, string>) => boolean;
}

export type HealerFactory = (ctx: HealerContext) => Healer;
