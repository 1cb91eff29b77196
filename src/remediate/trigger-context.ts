import type { AlertEvent, ScalingEvent } from '../core/events.js';
import type { Labels } from '../core/labels.js';
import { severityRank, type Severity } from '../core/severity.js';
import type { Incident } from '../incidents/model.js';
import { serviceOf } from '../incidents/members.js';
import type { ExecutionTrigger } from './execution.js';

/**
 * What a trigger gives an execution: the vars its runbook's templates see,
 * the subject it acts on (service, instance), the labels silences and
 * maintenance windows are matched against, and the two confidence inputs the
 * trigger knows (how well it matched, how sure the root cause is).
 */
export interface TriggerContext {
  trigger: ExecutionTrigger;
  vars: Record<string, unknown>;
  subject: { service?: string; instance?: string };
  labels: Labels;
  matchQuality: number;
  rootCauseScore: number;
}

const anchored = (re: string) => new RegExp(`^(?:${re})$`);

/** Does the incident satisfy the trigger's type, severity, root cause and service conditions? Returns the match quality, or undefined. */
export function matchIncident(inc: Incident, t: { types?: readonly string[]; minSeverity: string; rootCause?: string; minRootCauseScore: number; services?: string }): number | undefined {
  if (severityRank(inc.severity) < severityRank(t.minSeverity as Severity)) return undefined;
  const top = inc.rootCauses[0];
  if (t.rootCause !== undefined && (!top || !anchored(t.rootCause).test(top.service))) return undefined;
  if ((top?.score ?? 0) < t.minRootCauseScore) return undefined;
  if (t.services !== undefined) {
    const re = anchored(t.services);
    if (!inc.services.some((s) => re.test(s))) return undefined;
  }
  if (!t.types) return 1;
  const c = inc.classification;
  if (!c) return undefined;
  if (t.types.includes(c.type)) return c.typeConfidence;
  return undefined;
}

function instanceOf(inc: Incident, service: string | undefined): string | undefined {
  if (!service) return undefined;
  const instances = new Set<string>();
  for (const m of inc.members) if (m.service === service && m.labels.instance) instances.add(m.labels.instance);
  return instances.size === 1 ? [...instances][0] : undefined;
}

export function incidentContext(inc: Incident, vigilUrl?: string): TriggerContext {
  const top = inc.rootCauses[0];
  const service = top?.service ?? inc.services[0];
  const instance = instanceOf(inc, service);
  const rootCause = top ? { service: top.service, metric: top.metric ?? '', score: top.score, instance: instance ?? '', actions: top.actions } : undefined;
  return {
    trigger: { kind: 'incident', ref: inc.id, text: `incident ${inc.id}: ${inc.title}`, incidentId: inc.id },
    vars: {
      incident: { id: inc.id, title: inc.title, summary: inc.summary, severity: inc.severity, state: inc.state, services: inc.services, type: inc.classification?.type ?? '', openedAt: new Date(inc.openedAt).toISOString(), ...(vigilUrl && { url: `${vigilUrl}/api/v1/incidents/${inc.id}` }) },
      ...(rootCause && { rootCause }),
      ...(service && { service }),
      ...(instance && { instance }),
      labels: { ...(service && { service }), ...(instance && { instance }) },
    },
    subject: { ...(service && { service }), ...(instance && { instance }) },
    labels: { ...(service && { service }), ...(instance && { instance }), severity: inc.severity, ...(inc.classification && { incident_type: inc.classification.type }) },
    matchQuality: 1,
    rootCauseScore: top?.score ?? 0,
  };
}

export function alertContext(e: AlertEvent): TriggerContext {
  const service = serviceOf(e.labels);
  const instance = e.labels.instance;
  return {
    trigger: { kind: 'alert', ref: e.fingerprint, text: `alert ${e.labels.alertname ?? e.rule ?? e.fingerprint} ${JSON.stringify(e.labels)}`, labels: e.labels },
    vars: { alert: { fingerprint: e.fingerprint, labels: e.labels, annotations: e.annotations, severity: e.severity, value: e.value ?? null, startsAt: new Date(e.startsAt).toISOString() }, labels: e.labels, ...(service && { service }), ...(instance && { instance }), ...(e.value !== undefined && { value: e.value }) },
    subject: { ...(service && { service }), ...(instance && { instance }) },
    labels: e.labels,
    matchQuality: 1,
    rootCauseScore: 1,
  };
}

export function seriesContext(labels: Labels, value: number, seriesId: string, text: string): TriggerContext {
  const service = serviceOf(labels);
  const instance = labels.instance;
  return {
    trigger: { kind: 'metric', ref: seriesId, text, labels },
    vars: { labels, value, ...(service && { service }), ...(instance && { instance }) },
    subject: { ...(service && { service }), ...(instance && { instance }) },
    labels,
    matchQuality: 1,
    rootCauseScore: 1,
  };
}

export function scalingContext(e: ScalingEvent): TriggerContext {
  const service = serviceOf(e.labels);
  return {
    trigger: { kind: 'forecast', ref: e.id, text: `${e.action} ${e.name}: ${e.reason}`, labels: e.labels },
    vars: {
      scaling: { ...e, peakAt: new Date(e.peakAt).toISOString() },
      labels: e.labels,
      ...(service && { service }),
      ...(e.recommendedReplicas !== undefined && { replicas: e.recommendedReplicas }),
      scaleByPercent: e.scaleByPercent,
    },
    subject: { ...(service && { service }) },
    labels: e.labels,
    matchQuality: 1,
    rootCauseScore: 1,
  };
}

export function scheduleContext(rule: string, at: number): TriggerContext {
  const iso = new Date(at).toISOString();
  return { trigger: { kind: 'schedule', ref: iso, text: `schedule of ${rule} at ${iso}` }, vars: { schedule: { at: iso } }, subject: {}, labels: {}, matchQuality: 1, rootCauseScore: 1 };
}
