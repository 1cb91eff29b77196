import { SEVERITIES, type Severity, maxSeverity, severityRank } from '../core/index.js';
import type { Incident, IncidentMember, SymptomKind } from './model.js';
import type { ServiceGraph } from './topology/service-graph.js';

/**
 * What an incident says about itself: its severity (the worst member, raised
 * by its blast radius) and a title and summary generated from its members and
 * root-cause ranking.
 */

export interface BlastRadius {
  /** This many affected services or more raise the severity one step. */
  services: number;
}

/** Max of the members' severities; one step up for a wide blast radius, and at least `high` when a critical service is hit. */
export function incidentSeverity(members: readonly IncidentMember[], services: readonly string[], graph: ServiceGraph | undefined, blast: BlastRadius): Severity {
  if (members.length === 0) return 'info';
  let s = members.map((m) => m.severity).reduce((a, b) => maxSeverity(a, b));
  if (services.length >= blast.services) s = raise(s);
  if (graph && services.some((name) => graph.service(name)?.criticality === 'critical')) s = maxSeverity(s, 'high');
  return s;
}

function raise(s: Severity): Severity {
  const r = severityRank(s);
  return SEVERITIES.find((x) => severityRank(x) === Math.min(4, Math.max(r + 1, 2))) ?? s;
}

const SYMPTOM_WORDS: Record<SymptomKind, string> = {
  latency: 'slow',
  errors: 'failing',
  saturation: 'saturated',
  traffic: 'unusual traffic',
  availability: 'down',
  other: 'anomalous',
};

/** "orders-db slow: 5 services affected" — the likely root cause and its symptom, else the first member's. */
export function incidentTitle(inc: Pick<Incident, 'members' | 'services' | 'rootCauses'>): string {
  const top = inc.rootCauses[0];
  const first = [...inc.members].sort((a, b) => a.t - b.t)[0];
  const root = top?.service ?? first?.service ?? first?.metric ?? 'unknown';
  const rootMember = inc.members.filter((m) => m.service === root).sort((a, b) => a.t - b.t)[0] ?? first;
  const symptom = rootMember ? SYMPTOM_WORDS[rootMember.symptom] : 'anomalous';
  const n = inc.services.length;
  return n > 1 ? `${root} ${symptom}: ${n} services affected` : `${root} ${symptom}${rootMember ? ` (${rootMember.metric})` : ''}`;
}

/** A few sentences: how it started, how far it spread, the likely root cause and why. */
export function incidentSummary(inc: Pick<Incident, 'members' | 'services' | 'rootCauses'>): string {
  const members = [...inc.members].sort((a, b) => a.t - b.t);
  const first = members[0];
  if (!first) return 'no members';
  const alerts = members.filter((m) => m.kind === 'alert').length;
  const anomalies = members.length - alerts;
  const firing = members.filter((m) => m.kind === 'alert' && m.state === 'firing').length;
  const parts = [`Started ${new Date(first.t).toISOString()} with ${first.text}.`];
  const others = inc.services.filter((s) => s !== first.service);
  if (others.length) parts.push(`Spread to ${list(others, 6)}.`);
  parts.push(`${count(alerts, 'alert')} (${firing} firing) and ${count(anomalies, 'anomaly', 'anomalies')}.`);
  const top = inc.rootCauses[0];
  if (top) {
    const why = top.evidence.notes[0] ? `: ${top.evidence.notes[0]}` : '';
    parts.push(`Likely root cause: ${top.service}${top.metric ? ` (${top.metric})` : ''}, score ${top.score.toFixed(2)}${why}.`);
  }
  return parts.join(' ');
}

function list(items: readonly string[], max: number): string {
  return items.length <= max ? items.join(', ') : `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
