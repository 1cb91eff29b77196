import { SEVERITIES, type Severity } from '../../core/index.js';
import { INCIDENT_TYPES, type Classification, type Incident, type IncidentType } from '../model.js';
import type { ServiceGraph } from '../topology/service-graph.js';
import { FEATURE_COUNT, incidentFeatureVector } from './features.js';
import { RandomForest } from './random-forest.js';
import { classifyByRules } from './rules.js';

export { RandomForest, DEFAULT_FOREST, type ForestOptions } from './random-forest.js';
export { FEATURE_NAMES, FEATURE_COUNT, incidentFeatureVector } from './features.js';
export { classifyByRules } from './rules.js';

/** Confidence reported for a rule's answer: rules are a fallback, not a calibrated model. */
export const RULE_CONFIDENCE = 0.5;

/**
 * Incident type and severity: random forests trained on labelled past
 * incidents once at least `minTraining` are labelled (and they span at least
 * two classes), else rules (type) and the computed severity.
 */
export class IncidentClassifier {
  private typeForest: RandomForest | undefined;
  private severityForest: RandomForest | undefined;
  private typeTrained = 0;
  private severityTrained = 0;

  constructor(
    private readonly minTraining = 20,
    private readonly seed = 1,
  ) {}

  /** (Re)trains from labelled incidents: a label's `type` trains the type forest; its `severity` (else the incident's) the severity forest. */
  train(labelled: readonly Incident[], graph: ServiceGraph | undefined): void {
    const typed = labelled.filter((i) => i.label?.type);
    this.typeForest = this.fit(typed, (i) => INCIDENT_TYPES.indexOf(i.label!.type!), INCIDENT_TYPES.length, graph);
    this.typeTrained = this.typeForest ? typed.length : 0;
    const sev = labelled.filter((i) => i.label);
    this.severityForest = this.fit(sev, (i) => SEVERITIES.indexOf(i.label!.severity ?? i.severity), SEVERITIES.length, graph);
    this.severityTrained = this.severityForest ? sev.length : 0;
  }

  classify(inc: Incident, graph: ServiceGraph | undefined): Classification {
    const x = incidentFeatureVector(inc, graph);
    let type: IncidentType;
    let typeConfidence: number;
    let typeScores: Partial<Record<IncidentType, number>>;
    if (this.typeForest) {
      const p = this.typeForest.predict(x);
      const best = argmax(p);
      type = INCIDENT_TYPES[best];
      typeConfidence = round(p[best]);
      typeScores = {};
      INCIDENT_TYPES.forEach((t, i) => {
        if (p[i] > 0) typeScores[t] = round(p[i]);
      });
    } else {
      type = classifyByRules(x);
      typeConfidence = RULE_CONFIDENCE;
      typeScores = { [type]: 1 };
    }
    let severity: Severity = inc.severity;
    let severityConfidence = RULE_CONFIDENCE;
    if (this.severityForest) {
      const p = this.severityForest.predict(x);
      const best = argmax(p);
      severity = SEVERITIES[best];
      severityConfidence = round(p[best]);
    }
    return {
      type,
      typeConfidence,
      severity,
      severityConfidence,
      method: this.typeForest ? 'forest' : 'rules',
      trainedOn: this.typeTrained,
      typeScores,
    };
  }

  get trainedOn(): { type: number; severity: number } {
    return { type: this.typeTrained, severity: this.severityTrained };
  }

  private fit(rows: readonly Incident[], label: (i: Incident) => number, classes: number, graph: ServiceGraph | undefined): RandomForest | undefined {
    if (rows.length < this.minTraining) return undefined;
    const y = Int32Array.from(rows.map(label));
    if (new Set(y).size < 2) return undefined;
    const x = new Float64Array(rows.length * FEATURE_COUNT);
    const row = new Float64Array(FEATURE_COUNT);
    rows.forEach((inc, i) => x.set(incidentFeatureVector(inc, graph, row), i * FEATURE_COUNT));
    return RandomForest.train(x, y, FEATURE_COUNT, classes, { seed: this.seed });
  }
}

function argmax(p: Float64Array): number {
  let best = 0;
  for (let i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
  return best;
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
