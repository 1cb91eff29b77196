import type { Labels } from '../core/labels.js';
import type { Confidence } from './guards/confidence.js';
import type { StepOutcome, VerificationOutcome } from './runbook-runner.js';

/**
 * One decision of an automation rule and, when it runs, its execution:
 * plain data, persisted and listed by the API.
 */

export const EXECUTION_STATES = ['skipped', 'dry_run', 'pending_approval', 'rejected', 'running', 'succeeded', 'failed', 'rolled_back', 'aborted'] as const;
export type ExecutionState = (typeof EXECUTION_STATES)[number];

/** Why an execution did not run: the guard that stopped it. */
export const GUARDS = ['kill_switch', 'disabled', 'silenced', 'circuit_breaker', 'cooldown', 'rate_limit', 'blast_radius', 'confidence', 'template', 'approval'] as const;
export type GuardName = (typeof GUARDS)[number];

export type TriggerKind = 'incident' | 'alert' | 'metric' | 'forecast' | 'schedule' | 'manual';

export interface ExecutionTrigger {
  kind: TriggerKind;
  /** The incident id, alert fingerprint, series id, scaling event id or schedule time. */
  ref: string;
  text: string;
  incidentId?: string;
  labels?: Labels;
}

export interface Execution {
  id: string;
  rule: string;
  runbook: string;
  state: ExecutionState;
  trigger: ExecutionTrigger;
  /** What it acts on: the service (and instance) the rule resolved. */
  subject: { service?: string; instance?: string };
  targets: string[];
  confidence: Confidence;
  dryRun: boolean;
  createdAt: number;
  updatedAt: number;
  startedAt?: number;
  endedAt?: number;
  /** Skipped: the guard and why; finished: the outcome's reason. */
  guard?: GuardName;
  reason: string;
  /** Dry-run: what each step would do. */
  plan?: string[];
  approval?: { requestedAt: number; expiresAt: number; by?: string; at?: number; decision?: 'approved' | 'rejected'; comment?: string };
  steps?: StepOutcome[];
  verification?: VerificationOutcome;
  rollback?: StepOutcome[];
  /** The vars the runbook ran with (JSON), for re-running after an approval or a restart. */
  vars: Record<string, unknown>;
}

export function isFinal(s: ExecutionState): boolean {
  return s !== 'pending_approval' && s !== 'running';
}
