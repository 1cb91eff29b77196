import { severityRank } from '../../core/index.js';
import type { Incident, SymptomKind } from '../model.js';
import type { ServiceGraph } from '../topology/service-graph.js';

/**
 * An incident as a fixed-length feature vector for classification: the mix of
 * symptoms, keywords in its metrics and alert names, the likely root
 * service's type, its size and its severity.
 */

const SYMPTOMS: readonly SymptomKind[] = ['latency', 'errors', 'saturation', 'traffic', 'availability', 'other'];

export const KEYWORDS: ReadonlyArray<[string, RegExp]> = [
  ['cpu', /cpu|load\d|throttl/],
  ['memory', /mem|heap|oom|swap|gc_/],
  ['disk', /disk|filesystem|fs_|inode|volume/],
  ['network', /network|net_|packet|tcp|dns|bandwidth|link|retransmit|interface|receive|transmit/],
  ['pipeline', /etl|pipeline|batch|job_(fail|duration)|freshness|rows|records|ingest|stale|backfill/],
  ['deploy', /deploy|release|version|rollout|build|revision|image/],
  ['connection', /connection|pool|socket/],
  ['queue', /queue|lag|backlog|consumer|kafka/],
];

export const ROOT_TYPES = ['database', 'cache', 'queue', 'application', 'web', 'network', 'etl', 'lb', 'api', 'unknown'] as const;

export const FEATURE_NAMES: readonly string[] = [
  ...SYMPTOMS.map((s) => `symptom_${s}`),
  ...KEYWORDS.map(([k]) => `keyword_${k}`),
  ...ROOT_TYPES.map((t) => `root_type_${t}`),
  'traffic_above',
  'traffic_below',
  'above_fraction',
  'log_services',
  'log_members',
  'max_severity',
];

export const FEATURE_COUNT = FEATURE_NAMES.length;

export function incidentFeatureVector(inc: Incident, graph: ServiceGraph | undefined, out = new Float64Array(FEATURE_COUNT)): Float64Array {
  out.fill(0);
  const n = Math.max(1, inc.members.length);
  let i = 0;
  for (const s of SYMPTOMS) out[i++] = inc.members.filter((m) => m.symptom === s).length / n;
  // Label names count too: a `version` or `image` label on an alert points at a deployment.
  const text = inc.members.map((m) => `${m.metric} ${m.labels.__name__ ?? ''} ${Object.keys(m.labels).join(' ')}`.toLowerCase());
  for (const [, re] of KEYWORDS) out[i++] = text.filter((t) => re.test(t)).length / n;
  const root = inc.label?.service ?? inc.rootCauses[0]?.service ?? inc.services[0];
  const type = (root && graph?.service(root)?.type) || 'unknown';
  const t = (ROOT_TYPES as readonly string[]).indexOf(type);
  out[i + (t < 0 ? ROOT_TYPES.length - 1 : t)] = 1;
  i += ROOT_TYPES.length;
  out[i++] = inc.members.filter((m) => m.symptom === 'traffic' && m.direction === 'above').length / n;
  out[i++] = inc.members.filter((m) => m.symptom === 'traffic' && m.direction === 'below').length / n;
  out[i++] = inc.members.filter((m) => m.direction === 'above').length / n;
  out[i++] = Math.log1p(inc.services.length);
  out[i++] = Math.log1p(inc.members.length);
  out[i] = inc.members.reduce((s, m) => Math.max(s, severityRank(m.severity)), 0) / 4;
  return out;
}

/** Index of a named feature (for the rules). */
export function featureIndex(name: string): number {
  const i = FEATURE_NAMES.indexOf(name);
  if (i < 0) throw new RangeError(`unknown feature ${name}`);
  return i;
}
