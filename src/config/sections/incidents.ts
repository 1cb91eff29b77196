import { z } from 'zod';
import { SEVERITIES } from '../../core/severity.js';
import { count, duration, section } from '../fields.js';

/**
 * Incidents (`incidents:` in vigil.yaml): how alerts and anomaly events are
 * correlated into incidents, their lifecycle and incident-level notifications.
 */
export const incidentsSchema = section({
  enabled: z.boolean().default(true),
  // An event joins an open incident when its onset is at most this long after the incident's latest event.
  window: duration({ min: 1000 }).prefault('10m'),
  // Longest dependency path (in the service graph) that relates two events.
  maxHops: count(1, 10).default(3),
  // Anomaly events of this severity or above open an incident by themselves; weaker ones only join one.
  anomalyOpenSeverity: z.enum([...SEVERITIES, 'none']).default('high'),
  // One page per incident instead of one per alert group: routed like an alert with the incident's severity and services.
  notifyPerIncident: z.boolean().default(true),
  // A new incident waits this long before it pages, so the first burst of alerts joins it.
  notifyDelay: duration().prefault('30s'),
  // This many affected services or more raise the incident's severity one step.
  blastRadiusServices: count(2).default(3),
  // A mitigated incident (every alert resolved) with no new events for this long is resolved.
  resolveAfter: duration().prefault('30m'),
  // Labelled incidents needed before the random forests replace the classification rules.
  minTrainingIncidents: count(2).default(20),
  // Similar past incidents listed with each incident.
  similarLimit: count(0, 100).default(5),
}).transform((s) => ({
  enabled: s.enabled,
  windowMs: s.window,
  maxHops: s.maxHops,
  anomalyOpenSeverity: s.anomalyOpenSeverity,
  notifyPerIncident: s.notifyPerIncident,
  notifyDelayMs: s.notifyDelay,
  blastRadiusServices: s.blastRadiusServices,
  resolveAfterMs: s.resolveAfter,
  minTrainingIncidents: s.minTrainingIncidents,
  similarLimit: s.similarLimit,
}));

export type IncidentsConfig = z.output<typeof incidentsSchema>;
