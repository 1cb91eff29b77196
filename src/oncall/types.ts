import type { Schedule } from './schedule.js';

/** Someone who can be on call, and how to reach them. */
export interface Person {
  /** Unique; what rotations, overrides and escalation steps name. */
  name: string;
  email?: string;
  /** Slack `@handle` or member id (`U024BE7LH`). */
  slack?: string;
  /** Notify channels (`notify.channels[].name`) that reach this person, in order of preference. */
  channels?: string[];
}

/** Whom one escalation step notifies: whoever is on call in a schedule, a person, or a notify channel as it is. */
export type EscalationTarget = { schedule: string } | { person: string } | { channel: string };

export interface EscalationStep {
  targets: EscalationTarget[];
  /** Minutes to wait for an acknowledgement before the next step (after the last step: before the next round). */
  delayMinutes: number;
}

export interface EscalationPolicy {
  name: string;
  steps: EscalationStep[];
  /** How many times to go through the steps again after the last one (0: once through). */
  repeat: number;
}

/** The `oncall:` section of vigil.yaml, validated. */
export interface OncallConfig {
  people: Person[];
  schedules: Schedule[];
  escalationPolicies: EscalationPolicy[];
}
