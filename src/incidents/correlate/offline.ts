import type { AlertEvent, AnomalyEvent, Severity } from '../../core/index.js';
import { severityRank } from '../../core/index.js';
import type { ServiceGraph } from '../topology/service-graph.js';
import { serviceOf } from '../members.js';
import { type CorrelatableEvent, type CorrelationOptions, IncidentCorrelator } from './correlator.js';

/**
 * Correlation as a pure function, for benchmarks and offline evaluation: the
 * same rules as the live incident manager, over a list of events in any order
 * (they are taken in time order). Returns each event's incident id (the id of
 * the event that opened it). Weak events that never found an incident are
 * absent from the map.
 */
export function correlateOffline(events: readonly CorrelatableEvent[], graph: ServiceGraph | undefined, opts: Partial<CorrelationOptions> = {}): Map<string, string> {
  const out = new Map<string, string>();
  for (const [id, p] of correlateOfflineExplained(events, graph, opts)) out.set(id, p.incidentId);
  return out;
}

/** As correlateOffline, with the reason each event joined (or `opened`), for diagnostics. */
export function correlateOfflineExplained(
  events: readonly CorrelatableEvent[],
  graph: ServiceGraph | undefined,
  opts: Partial<CorrelationOptions> = {},
): Map<string, { incidentId: string; reason: string }> {
  const c = new IncidentCorrelator(() => graph, opts);
  const out = new Map<string, { incidentId: string; reason: string }>();
  const sorted = [...events].sort((a, b) => a.t - b.t || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const e of sorted) {
    c.expireBefore(e.t);
    const p = c.place(e);
    if (!p) continue;
    out.set(e.id, { incidentId: p.incidentId, reason: p.reason });
    for (const { event, reason } of p.pulled) out.set(event.id, { incidentId: p.incidentId, reason });
  }
  return out;
}

/** An alert or anomaly event in the correlator's terms. Anomalies below `openSeverity` only join incidents. */
export function toCorrelatable(e: AlertEvent | AnomalyEvent, openSeverity: Severity | 'none' = 'high'): CorrelatableEvent {
  const service = serviceOf(e.labels);
  if (e.kind === 'alert') return { id: `alert:${e.fingerprint}`, t: e.activeAt ?? e.startsAt, labels: e.labels, ...(service !== undefined && { service }) };
  const canOpen = openSeverity !== 'none' && severityRank(e.severity) >= severityRank(openSeverity);
  return { id: `anomaly:${e.id}`, t: e.t, labels: e.labels, canOpen, ...(service !== undefined && { service }) };
}
