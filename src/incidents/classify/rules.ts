import type { IncidentType } from '../model.js';
import { featureIndex } from './features.js';

/**
 * The fallback classifier while too few incidents are labelled: ordered rules
 * over the same features the forest uses, most specific first.
 */
const f = (name: string) => featureIndex(name);
const RULES: ReadonlyArray<[IncidentType, (x: Float64Array) => boolean]> = [
  ['data_pipeline_failure', (x) => x[f('root_type_etl')] > 0 || x[f('keyword_pipeline')] >= 0.2],
  ['network', (x) => x[f('root_type_network')] > 0 || x[f('root_type_lb')] > 0],
  // A deploy marker alone is routine (deploys happen daily): a regression also shows errors or slowness.
  ['deployment_regression', (x) => x[f('keyword_deploy')] > 0 && x[f('symptom_errors')] + x[f('symptom_latency')] > 0],
  // Before the network keywords: a surge moves network bytes too, and is a surge.
  ['traffic_surge', (x) => x[f('traffic_above')] >= 0.25],
  ['network', (x) => x[f('keyword_network')] >= 0.2],
  ['resource_exhaustion', (x) => x[f('symptom_saturation')] >= 0.3 || x[f('keyword_cpu')] + x[f('keyword_memory')] + x[f('keyword_disk')] >= 0.3],
  ['dependency_failure', (x) => x[f('log_services')] > Math.log1p(1)],
];

export function classifyByRules(x: Float64Array): IncidentType {
  for (const [type, when] of RULES) if (when(x)) return type;
  return 'resource_exhaustion';
}
