import { z } from 'zod';
import { LABEL_NAME_RE, METRIC_NAME, hashString64 } from '../../core/labels.js';
import { CompiledMatcher, parseSelector } from '../../core/matchers.js';
import { SEVERITIES } from '../../core/severity.js';
import { Template } from '../../alerting/rules/template.js';
import {
  AGGREGATIONS,
  ANOMALY_SCORE_METRIC,
  CHANGE_FUNCTIONS,
  COMPARISON_OPS,
  OVER_TIME_FUNCTIONS,
  RULE_TYPES,
  type ConditionNode,
  type Rule,
  type RuleAnnotations,
  type RuleType,
  type Selector,
} from '../../alerting/rules/types.js';
import { count, duration, section } from '../fields.js';

/**
 * Alert rules, in vigil.yaml (`rules:`) or in rule files (`ruleFiles:`, each
 * file a mapping with a `rules:` list). One schema serves both, so errors read
 * the same: `rules.yaml:12:7: rules.0.selector: invalid selector ...`.
 *
 * Every rule is one mapping with `name`, `type`, `severity`, optional `for`,
 * `labels` and `annotations`, and the keys of its type; a key of another type
 * is an error naming the keys the type takes. Cross-rule checks (unique names,
 * composite references, cycles) need every source at once: see
 * `src/alerting/rules/load.ts` (`loadRules`, `checkRuleSet`).
 */

export const RULE_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_.:-]*$/;
const RULE_NAME_HINT = 'letters, digits, "_", ".", ":" and "-", starting with a letter or "_"';

const COMMON_KEYS = ['name', 'type', 'severity', 'for', 'labels', 'annotations', 'alert'] as const;

/** The keys each rule type takes besides the common ones: required first, then optional. */
export const RULE_TYPE_KEYS: Record<RuleType, { required: string[]; optional: string[] }> = {
  threshold: { required: ['selector', 'op', 'value'], optional: ['aggregate', 'by', 'over', 'overFunction', 'lookback'] },
  anomaly: { required: ['selector'], optional: ['level', 'consecutive', 'lookback', 'within', 'by'] },
  absence: { required: ['selector', 'absentFor'], optional: ['history'] },
  rate_of_change: { required: ['selector', 'window', 'op', 'value'], optional: ['function', 'baseline', 'aggregate', 'by'] },
  forecast: { required: ['selector', 'horizon', 'limit'], optional: ['window', 'direction'] },
  composite: { required: ['when'], optional: ['on', 'use'] },
};

const template = z.string().transform((s, ctx) => {
  try {
    return Template.compile(s);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
    return z.NEVER;
  }
});

const selector = z.string().transform((text, ctx): Selector => {
  try {
    return { text, matchers: parseSelector(text) };
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
    return z.NEVER;
  }
});

const labelName = z.string().regex(LABEL_NAME_RE, 'invalid label name (letters, digits and "_", not starting with a digit)');
const labelNames = z.array(labelName);

const ruleLabels = z.preprocess(
  (v) => v ?? {},
  z.record(
    labelName
      .refine((n) => !n.startsWith('__'), 'label names starting with "__" are reserved')
      .refine((n) => n !== 'alertname', '"alertname" is set from the rule name')
      .refine((n) => n !== 'severity', '"severity" is set from the rule\'s severity field'),
    template,
  ),
);

const annotations = z.preprocess(
  (v) => v ?? {},
  z
    .object({
      title: template.optional(),
      description: template.optional(),
      summary: template.optional(),
      runbook_url: template.optional(),
      // One action a line in the alert's `recommended_actions` annotation; a single string is one action.
      recommended_actions: z.preprocess((v) => (typeof v === 'string' ? [v] : v), z.array(template)).optional(),
    })
    .catchall(template),
);

const ruleInput = z.strictObject({
  name: z.string().regex(RULE_NAME_RE, `invalid rule name (${RULE_NAME_HINT})`),
  type: z.enum(RULE_TYPES),
  severity: z.enum(SEVERITIES),
  for: duration().optional(),
  labels: ruleLabels,
  annotations,
  // false: a condition for composite rules only (evaluated, never an alert), as a helper that would otherwise alert on its own.
  alert: z.boolean().optional(),
  selector: selector.optional(),
  // threshold, rate_of_change: aggregation over label sets; anomaly: group by (highest score).
  aggregate: z.enum(AGGREGATIONS).optional(),
  by: labelNames.optional(),
  // threshold: aggregation over time of each series' samples.
  over: duration({ min: 1 }).optional(),
  overFunction: z.enum(OVER_TIME_FUNCTIONS).optional(),
  lookback: duration({ min: 1 }).optional(),
  op: z.enum(COMPARISON_OPS).optional(),
  value: z.number().optional(),
  // anomaly
  level: z.number().gt(0).max(1).optional(),
  consecutive: count(1, 10_000).optional(),
  // anomaly: the level was reached at any time in this window (detector scores are short pulses).
  within: duration({ min: 1 }).optional(),
  // rate_of_change with function ratio: the window before the current one that it is compared with.
  baseline: duration({ min: 1 }).optional(),
  // absence
  absentFor: duration({ min: 1 }).optional(),
  history: duration({ min: 1 }).optional(),
  // rate_of_change, forecast
  window: duration({ min: 1 }).optional(),
  function: z.enum(CHANGE_FUNCTIONS).optional(),
  horizon: duration({ min: 1 }).optional(),
  limit: z.number().optional(),
  direction: z.enum(['above', 'below']).optional(),
  // composite
  when: z.unknown().optional(),
  on: labelNames.optional(),
  use: z.enum(['condition', 'firing']).optional(),
});

type RuleInput = z.output<typeof ruleInput>;

/** One rule, validated and compiled. */
export const ruleSchema = ruleInput
  .superRefine((d, ctx) => {
    const keys = RULE_TYPE_KEYS[d.type];
    const allowed = new Set<string>([...COMMON_KEYS, ...keys.required, ...keys.optional]);
    const takes = [...keys.required, ...keys.optional].join(', ');
    for (const [k, v] of Object.entries(d)) {
      if (v !== undefined && !allowed.has(k)) ctx.addIssue({ code: 'custom', path: [k], message: `"${k}" does not apply to ${d.type} rules (they take: ${takes})` });
    }
    for (const k of keys.required) {
      if (d[k as keyof RuleInput] === undefined) ctx.addIssue({ code: 'custom', path: [k], message: `${d.type} rules need "${k}"` });
    }
    if (d.type !== 'anomaly' && d.by !== undefined && d.aggregate === undefined)
      ctx.addIssue({ code: 'custom', path: ['by'], message: '"by" needs "aggregate" (avg, max, min, sum or count)' });
    if (d.overFunction !== undefined && d.over === undefined) ctx.addIssue({ code: 'custom', path: ['overFunction'], message: '"overFunction" needs "over" (a window, e.g. 5m)' });
    if (d.over !== undefined && d.lookback !== undefined)
      ctx.addIssue({ code: 'custom', path: ['lookback'], message: '"lookback" applies to the latest sample; with "over" the window is "over"' });
    if (d.type === 'composite' && d.when !== undefined) parseCondition(d.when, ['when'], ctx);
    if (d.baseline !== undefined && d.function !== 'ratio') ctx.addIssue({ code: 'custom', path: ['baseline'], message: '"baseline" applies to function: ratio' });
  })
  .transform((d): Rule => {
    const base = {
      name: d.name,
      severity: d.severity,
      forMs: d.for ?? 0,
      labels: d.labels,
      annotations: toAnnotations(d.annotations),
      ...(d.alert === false && { alert: false as const }),
      definitionHash: hashString64(JSON.stringify(d)),
    };
    const grouping = d.aggregate ? { aggregate: d.aggregate, by: d.by ?? [] } : undefined;
    switch (d.type) {
      case 'threshold':
        return {
          ...base,
          type: 'threshold',
          selector: d.selector!,
          ...(d.over !== undefined ? { over: { windowMs: d.over, fn: d.overFunction ?? 'avg' } } : {}),
          lookbackMs: d.lookback ?? 300_000,
          ...(grouping ? { grouping } : {}),
          op: d.op!,
          value: d.value!,
        };
      case 'anomaly':
        return {
          ...base,
          type: 'anomaly',
          selector: d.selector!,
          scoreMatchers: scoreMatchers(d.selector!),
          level: d.level ?? 0.5,
          consecutive: d.consecutive ?? 1,
          lookbackMs: d.lookback ?? 300_000,
          ...(d.within !== undefined ? { withinMs: d.within } : {}),
          ...(d.by ? { by: d.by } : {}),
        };
      case 'absence':
        return { ...base, type: 'absence', selector: d.selector!, absentForMs: d.absentFor!, historyMs: d.history ?? 3_600_000 };
      case 'rate_of_change':
        return { ...base, type: 'rate_of_change', selector: d.selector!, windowMs: d.window!, fn: d.function ?? 'deriv', ...(d.function === 'ratio' ? { baselineMs: d.baseline ?? 3_600_000 } : {}), ...(grouping ? { grouping } : {}), op: d.op!, value: d.value! };
      case 'forecast':
        return { ...base, type: 'forecast', selector: d.selector!, windowMs: d.window ?? 3_600_000, horizonMs: d.horizon!, limit: d.limit!, direction: d.direction ?? 'above' };
      case 'composite':
        return { ...base, type: 'composite', when: parseCondition(d.when, ['when'])!, on: d.on ?? [], use: d.use ?? 'condition' };
    }
  });

/** A list of rules; an empty `rules:` is no rules. */
export const rulesSchema = z.preprocess((v) => v ?? [], z.array(ruleSchema));

/** Rule files named in vigil.yaml, relative to its directory; the last path segment may contain `*` and `?`. */
export const ruleFilesSchema = z.preprocess((v) => v ?? [], z.array(z.string().min(1)));

/** A rule file: a mapping with a `rules:` list. */
export const ruleFileSchema = section({ rules: rulesSchema });

/** How rules are evaluated and alerts kept. */
export const ruleEvaluationSchema = section({
  evaluationInterval: duration({ min: 1000 }).prefault('15s'),
  // Resolved alerts stay listed (and keep their fingerprint's history) this long.
  keepResolved: duration().prefault('15m'),
  // An alert whose condition flips more than maxFlips times within window is held firing until it has been false for coolDown.
  flapping: section({
    enabled: z.boolean().default(true),
    maxFlips: count(1).default(6),
    window: duration({ min: 1 }).prefault('1h'),
    coolDown: duration().prefault('15m'),
  }),
}).transform((s) => ({
  evaluationIntervalMs: s.evaluationInterval,
  keepResolvedMs: s.keepResolved,
  flapping: s.flapping.enabled ? { maxFlips: s.flapping.maxFlips, windowMs: s.flapping.window, coolDownMs: s.flapping.coolDown } : (false as const),
}));

export type RulesConfig = z.output<typeof rulesSchema>;
export type RuleEvaluationConfig = z.output<typeof ruleEvaluationSchema>;

function toAnnotations(a: z.output<typeof annotations>): RuleAnnotations {
  const { title, description, summary, runbook_url, recommended_actions, ...extra } = a;
  const out: RuleAnnotations = { extra: extra as Record<string, Template> };
  if (title) out.title = title;
  if (description) out.description = description;
  if (summary) out.summary = summary;
  if (runbook_url) out.runbook_url = runbook_url;
  if (recommended_actions) out.recommended_actions = recommended_actions;
  return out;
}

/**
 * The anomaly rule's selector is written over the original series; scores are
 * stored as `vigil_anomaly_score{...original labels, source_metric="<name>"}`,
 * so a metric-name matcher becomes a `source_metric` matcher.
 */
function scoreMatchers(s: Selector): CompiledMatcher[] {
  if (s.matchers.some((m) => m.name === METRIC_NAME && m.type === '=' && m.value === ANOMALY_SCORE_METRIC)) return s.matchers;
  const out = [new CompiledMatcher({ name: METRIC_NAME, type: '=', value: ANOMALY_SCORE_METRIC })];
  for (const m of s.matchers) out.push(m.name === METRIC_NAME ? new CompiledMatcher({ name: 'source_metric', type: m.type, value: m.value }) : m);
  return out;
}

const OPS = ['and', 'or', 'not'] as const;

/** `Name`, `{ and: [...] }`, `{ or: [...] }` or `{ not: ... }`, nested; reports problems at their path when `ctx` is given. */
function parseCondition(v: unknown, path: (string | number)[], ctx?: z.RefinementCtx): ConditionNode | undefined {
  const fail = (message: string): undefined => {
    ctx?.addIssue({ code: 'custom', path, message });
    return undefined;
  };
  if (typeof v === 'string') return RULE_NAME_RE.test(v) ? { rule: v } : fail(`invalid rule name "${v}" (${RULE_NAME_HINT})`);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail('expected a rule name or a mapping with one of and, or, not');
  const keys = Object.keys(v);
  const op = keys[0] as (typeof OPS)[number];
  if (keys.length !== 1 || !OPS.includes(op)) return fail(`expected exactly one of and, or, not (got ${keys.map((k) => `"${k}"`).join(', ') || 'nothing'})`);
  const arg = (v as Record<string, unknown>)[op];
  if (op === 'not') {
    const inner = parseCondition(arg, [...path, 'not'], ctx);
    return inner && { not: inner };
  }
  if (!Array.isArray(arg) || arg.length === 0) {
    ctx?.addIssue({ code: 'custom', path: [...path, op], message: `"${op}" takes a non-empty list of conditions` });
    return undefined;
  }
  const children = arg.map((c, i) => parseCondition(c, [...path, op, i], ctx));
  if (children.some((c) => c === undefined)) return undefined;
  return op === 'and' ? { and: children as ConditionNode[] } : { or: children as ConditionNode[] };
}
