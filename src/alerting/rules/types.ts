import type { Labels } from '../../core/labels.js';
import type { CompiledMatcher } from '../../core/matchers.js';
import type { Severity } from '../../core/severity.js';
import type { Template } from './template.js';

/**
 * Alert rules as the engine uses them: validated and compiled from YAML by
 * `src/config/sections/rules.ts` (durations in ms, selectors parsed, templates
 * compiled). Each rule turns the store's data at a time `now` into a list of
 * elements (label set + value) whose condition is true; the alert lifecycle
 * (alert-state.ts) turns those into pending, firing and resolved alerts.
 */

export const RULE_TYPES = ['threshold', 'anomaly', 'absence', 'rate_of_change', 'forecast', 'composite'] as const;
export type RuleType = (typeof RULE_TYPES)[number];

export const COMPARISON_OPS = ['>', '>=', '<', '<=', '==', '!='] as const;
export type ComparisonOp = (typeof COMPARISON_OPS)[number];

/** Aggregation over label sets, as PromQL's `avg by (service) (...)`. */
export const AGGREGATIONS = ['avg', 'max', 'min', 'sum', 'count'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

/** Aggregation of each series' samples over a window, as PromQL's `avg_over_time(x[5m])`. */
export const OVER_TIME_FUNCTIONS = ['avg', 'max', 'min'] as const;
export type OverTimeFunction = (typeof OVER_TIME_FUNCTIONS)[number];

/**
 * `deriv`: least-squares slope per second; `increase`: counter increase over the window (resets handled);
 * `delta`: last minus first over the window; `ratio`: the window's mean over the median of the `baseline`
 * window just before it (2 = doubled against the series' own recent normal).
 */
export const CHANGE_FUNCTIONS = ['deriv', 'increase', 'delta', 'ratio'] as const;
export type ChangeFunction = (typeof CHANGE_FUNCTIONS)[number];

/** A parsed series selector and its source text. */
export interface Selector {
  text: string;
  matchers: CompiledMatcher[];
}

export interface RuleAnnotations {
  title?: Template;
  description?: Template;
  summary?: Template;
  runbook_url?: Template;
  /** Rendered into the alert's annotations as one action per line. */
  recommended_actions?: Template[];
  /** Any other annotation, templated the same way. */
  extra: Record<string, Template>;
}

interface RuleBase {
  name: string;
  severity: Severity;
  /** How long the condition must hold before the alert fires, ms. */
  forMs: number;
  labels: Record<string, Template>;
  annotations: RuleAnnotations;
  /** false: a condition other (composite) rules use, evaluated but never raising an alert of its own. */
  alert?: false;
  /** Hash of the rule's definition: reload keeps alerts of rules whose name and definition are unchanged. */
  definitionHash: string;
}

export interface Grouping {
  aggregate: Aggregation;
  by: string[];
}

export interface ThresholdRule extends RuleBase {
  type: 'threshold';
  selector: Selector;
  /** Absent: the latest sample of each series within `lookbackMs`. */
  over?: { windowMs: number; fn: OverTimeFunction };
  lookbackMs: number;
  grouping?: Grouping;
  op: ComparisonOp;
  value: number;
}

export interface AnomalyRule extends RuleBase {
  type: 'anomaly';
  /** The selector as written (over the original series). */
  selector: Selector;
  /** The same selector rewritten over `vigil_anomaly_score` (metric name -> `source_metric`). */
  scoreMatchers: CompiledMatcher[];
  /** Fires when the score is at or above this level... */
  level: number;
  /** ...for this many consecutive score samples. */
  consecutive: number;
  lookbackMs: number;
  /** When set: the level was reached (for `consecutive` samples) at any time in the last `withinMs`, not only at the latest samples. */
  withinMs?: number;
  /** One alert per group (the highest score in it) instead of one per series. */
  by?: string[];
}

export interface AbsenceRule extends RuleBase {
  type: 'absence';
  selector: Selector;
  /** No samples for this long means absent. */
  absentForMs: number;
  /** Series with samples in this much time before the absence window count as "existed before". */
  historyMs: number;
}

export interface RateOfChangeRule extends RuleBase {
  type: 'rate_of_change';
  selector: Selector;
  windowMs: number;
  fn: ChangeFunction;
  /** `ratio` only: the window before `windowMs` whose median is the reference. */
  baselineMs?: number;
  grouping?: Grouping;
  op: ComparisonOp;
  value: number;
}

export interface ForecastRule extends RuleBase {
  type: 'forecast';
  selector: Selector;
  /** History the forecast is fitted on. */
  windowMs: number;
  horizonMs: number;
  limit: number;
  direction: 'above' | 'below';
}

/** A composite condition: a rule name, or and/or/not of conditions. */
export type ConditionNode = { rule: string } | { and: ConditionNode[] } | { or: ConditionNode[] } | { not: ConditionNode };

export interface CompositeRule extends RuleBase {
  type: 'composite';
  when: ConditionNode;
  /** Label names the operands are matched on (empty: each operand as a whole). */
  on: string[];
  /** Whether an operand counts when its condition is true now, or only when its alert is firing. */
  use: 'condition' | 'firing';
}

export type Rule = ThresholdRule | AnomalyRule | AbsenceRule | RateOfChangeRule | ForecastRule | CompositeRule;

/** One label set for which a rule's condition is true now, with the value that made it so. */
export interface Element {
  /** Labels of the series or group, without `__name__`. */
  labels: Labels;
  value: number;
}

/** The rule names a composite condition refers to. */
export function conditionRefs(node: ConditionNode, out: string[] = []): string[] {
  if ('rule' in node) out.push(node.rule);
  else if ('and' in node) for (const c of node.and) conditionRefs(c, out);
  else if ('or' in node) for (const c of node.or) conditionRefs(c, out);
  else conditionRefs(node.not, out);
  return out;
}

/** The metric the detection stage writes scores to (src/detect/stage/detection-stage.ts), labelled with the original series' labels plus `source_metric`. */
export const ANOMALY_SCORE_METRIC = 'vigil_anomaly_score';
