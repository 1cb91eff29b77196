import type { Incident } from '../model.js';

/**
 * An incident as weighted tokens for similarity: which services, which
 * metrics, what symptoms, and the root cause (a person's label when there is
 * one, else the top of the ranking). Groups are weighted by how much they say
 * about "the same problem": the root cause most, symptoms least.
 */
export const FEATURE_WEIGHTS = { root: 2, type: 1, svc: 1, metric: 0.7, sym: 0.5 } as const;
export type FeatureGroup = keyof typeof FEATURE_WEIGHTS;

/** token -> count; tokens are `<group>:<value>`. */
export function incidentFeatures(inc: Incident): Map<string, number> {
  const f = new Map<string, number>();
  const add = (group: FeatureGroup, value: string) => {
    const k = `${group}:${value}`;
    f.set(k, (f.get(k) ?? 0) + 1);
  };
  for (const s of inc.services) add('svc', s);
  for (const m of inc.members) {
    add('metric', m.metric);
    add('sym', m.symptom);
    if (m.direction && m.direction !== 'none') add('sym', `${m.symptom}:${m.direction}`);
    if (m.service) add('sym', `${m.service}:${m.symptom}`);
  }
  const root = inc.label?.service ?? inc.rootCauses[0]?.service;
  if (root) add('root', root);
  const type = inc.label?.type ?? inc.classification?.type;
  if (type) add('type', type);
  return f;
}

export function groupOf(token: string): FeatureGroup {
  return token.slice(0, token.indexOf(':')) as FeatureGroup;
}
