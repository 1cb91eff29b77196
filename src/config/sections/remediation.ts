import { z } from 'zod';
import { SEVERITIES } from '../../core/severity.js';
import { parseSelector } from '../../core/matchers.js';
import { INCIDENT_TYPES } from '../../incidents/model.js';
import { COMPARISON_OPS } from '../../alerting/rules/types.js';
import { count, duration, section } from '../fields.js';
import { ACTION_SCHEMAS } from '../../remediate/handlers/schemas.js';
import { pausedCron } from '../../remediate/cron.js';

/**
 * Self-healing (`remediation:` in vigil.yaml): runbooks (ordered steps, a
 * verification, rollback steps) and automation rules that run them on a
 * trigger (an incident, alerts, a metric condition, a scaling event, a cron
 * schedule), behind guards that are all on by default: new rules are dry-run,
 * a confidence threshold, rate limits and cool-downs, a circuit breaker,
 * blast-radius limits, approvals, silences and a global kill switch.
 *
 * An action's own parameters are checked against its handler's schema when
 * Vigil starts (`src/remediate/handlers/`), naming the step.
 */

const NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_.:-]*$/;
const name = z.string().regex(NAME_RE, 'letters, digits, "_", ".", ":" and "-", starting with a letter or "_"');

const selectorText = z.string().superRefine((text, ctx) => {
  // Templates (`{{ service }}`) are filled in per execution: check the shape with them blanked.
  try {
    parseSelector(text.replace(/\{\{[^}]*\}\}/g, 'x'));
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
  }
});

/**
 * One action in a runbook: `type` names the handler; its other keys are the handler's parameters,
 * parsed here by the handler's schema (defaults filled in) and output as `{ type, params }`.
 */
const action = z.looseObject({ type: z.string().min(1) }).transform((a, ctx) => {
  const schema = ACTION_SCHEMAS[a.type];
  if (!schema) {
    ctx.addIssue({ code: 'custom', path: ['type'], message: `unknown action type "${a.type}" (known: ${Object.keys(ACTION_SCHEMAS).join(', ')})` });
    return z.NEVER;
  }
  const { type, ...raw } = a;
  const r = schema.safeParse(raw);
  if (!r.success) {
    for (const i of r.error.issues) ctx.addIssue({ code: 'custom', path: i.path as PropertyKey[], message: i.message });
    return z.NEVER;
  }
  return { type, params: r.data as unknown };
});

const step = z.strictObject({
  id: name.optional(),
  action,
  timeout: duration({ min: 1 }).optional(),
  retries: count(0, 10).default(0),
  retryDelay: duration().prefault('5s'),
  /** Go on with the next step when this one fails (the runbook still counts as failed if verification fails). */
  continueOnError: z.boolean().default(false),
});

/** A metric condition over the store: the selector's series, reduced over `over`, compared with `value`. */
const metricCondition = {
  query: selectorText,
  /** Window each series is reduced over (`fn`); 0 = the latest sample. */
  over: duration().prefault('1m'),
  fn: z.enum(['avg', 'max', 'min', 'last']).default('avg'),
  op: z.enum(COMPARISON_OPS),
  value: z.number(),
};

const verification = z.strictObject({
  ...metricCondition,
  /** `all` matched series must satisfy the comparison (default), or `any`. */
  match: z.enum(['all', 'any']).default('all'),
  /** The condition must hold within this long of the last step. */
  within: duration({ min: 1 }).prefault('5m'),
  /** How often it is checked meanwhile. */
  every: duration({ min: 1 }).prefault('15s'),
  /** Wait this long after the last step before the first check (let the change take effect). */
  delay: duration().prefault('0s'),
});

const runbook = z.strictObject({
  name,
  description: z.string().default(''),
  steps: z.array(step).min(1),
  verify: verification.optional(),
  rollback: z.preprocess((v) => v ?? [], z.array(step)),
});

const incidentTrigger = z.strictObject({
  /** Incident types (the classifier's), any when absent. */
  types: z.array(z.enum(INCIDENT_TYPES)).optional(),
  minSeverity: z.enum(SEVERITIES).default('medium'),
  /** The top root-cause candidate's service must match this (anchored regular expression). */
  rootCause: z.string().optional(),
  /** The top root-cause candidate's score (its share among the candidates, 0..1) must reach this. */
  minRootCauseScore: z.number().min(0).max(1).default(0),
  /** Some affected service must match this (anchored regular expression). */
  services: z.string().optional(),
  /** Fire only when at least this many incidents matched (type, severity, root cause, services) within `within`. */
  count: count(1).default(1),
  within: duration().prefault('1h'),
  /** Decide this long after the incident opened, once its first burst of alerts, classification and root-cause ranking have settled. */
  settle: duration().prefault('2m'),
});

const alertTrigger = z.strictObject({
  /** A selector over the alert's labels, e.g. `{alertname="DiskFull", severity=~"critical|high"}`. */
  matchers: selectorText,
  /** Fire when at least `count` matching alerts fired within `within`. */
  count: count(1).default(1),
  within: duration().prefault('10m'),
});

/** Each matching series is its own episode: it fires once when it has satisfied the comparison for `for`. */
const metricTrigger = z.strictObject({
  ...metricCondition,
  /** The condition must hold this long before the rule fires. */
  for: duration().prefault('0s'),
});

const forecastTrigger = z.strictObject({
  actions: z.array(z.enum(['SCALE_SOON', 'SCALE_DOWN'])).default(['SCALE_SOON']),
  /** The scaling entry's name (forecast.scaling[].name), any when absent. */
  name: z.string().optional(),
});

const scheduleTrigger = z.strictObject({
  cron: z.string().superRefine((expr, ctx) => {
    try {
      pausedCron(expr);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: `invalid cron expression: ${(e as Error).message}` });
    }
  }),
  timezone: z.string().optional(),
});

const trigger = z
  .strictObject({
    incident: incidentTrigger.optional(),
    alert: alertTrigger.optional(),
    metric: metricTrigger.optional(),
    forecast: forecastTrigger.optional(),
    schedule: scheduleTrigger.optional(),
  })
  .superRefine((t, ctx) => {
    const kinds = Object.keys(t).filter((k) => t[k as keyof typeof t] !== undefined);
    if (kinds.length !== 1) ctx.addIssue({ code: 'custom', message: `a trigger has exactly one of incident, alert, metric, forecast, schedule (got ${kinds.length ? kinds.join(', ') : 'none'})` });
  });

const rateLimit = z.strictObject({
  /** At most this many executions of the rule per `per`. */
  max: count(1),
  per: duration({ min: 1 }),
});

const circuitBreaker = z.strictObject({
  /** Consecutive failed executions that open the breaker (the rule stops and a human is paged). */
  failures: count(1).default(3),
  /** How long it stays open before one trial execution is allowed (half-open). */
  openFor: duration({ min: 1 }).prefault('1h'),
});

const blastRadius = z.strictObject({
  /** At most this many distinct targets per window across the rule's executions. */
  maxTargets: count(1).default(3),
  /** At most this share of a service's instances (when the target names an instance) per window. */
  maxServiceShare: z.number().gt(0).max(1).default(0.5),
  window: duration({ min: 1 }).prefault('1h'),
});

const guardDefaults = {
  /** Executions below this confidence are skipped (0..1). */
  minConfidence: z.number().min(0).max(1),
  /** After an execution, the same rule does not run again on the same target for this long. */
  cooldown: duration(),
  rateLimit,
  circuitBreaker,
  blastRadius,
  /** Every rule needs a human's approval before it runs. */
  approval: z.boolean(),
  /** How long an approval request waits before it expires (rejected). */
  approvalTimeout: duration({ min: 1 }),
  /** Default step timeout. */
  stepTimeout: duration({ min: 1 }),
};

const rule = z.strictObject({
  name,
  description: z.string().default(''),
  enabled: z.boolean().default(true),
  /** New rules only log what they would do until set to false. */
  dryRun: z.boolean().default(true),
  trigger,
  runbook: name,
  /** Static values the runbook's templates can use (`{{ vars.cluster }}`). */
  vars: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
  minConfidence: guardDefaults.minConfidence.optional(),
  cooldown: guardDefaults.cooldown.optional(),
  rateLimit: rateLimit.optional(),
  circuitBreaker: circuitBreaker.optional(),
  blastRadius: blastRadius.optional(),
  approval: z.boolean().optional(),
  /** Severity of the page sent when this rule's breaker opens or a rollback runs. */
  severity: z.enum(SEVERITIES).default('high'),
});

const kubernetesCluster = z.strictObject({
  server: z.url().optional(),
  /** Environment variable holding a bearer token. */
  tokenEnv: z.string().optional(),
  /** File holding a bearer token (default the in-cluster service account's). */
  tokenFile: z.string().optional(),
  caFile: z.string().optional(),
  insecureSkipTlsVerify: z.boolean().default(false),
  kubeconfig: z.string().optional(),
  /** Kubeconfig context (default its current-context). */
  context: z.string().optional(),
});

/** A recurring window (a cron start and a duration) in which no rule acts on matching subjects. */
const maintenanceWindow = z.strictObject({
  name: z.string().min(1),
  /** Selector over the subject's labels (service, instance, and the trigger's labels); absent matches everything. */
  matchers: selectorText.optional(),
  cron: scheduleTrigger.shape.cron,
  timezone: z.string().optional(),
  duration: duration({ min: 1 }),
});

export const remediationSchema = section({
  enabled: z.boolean().default(true),
  /** Stops every execution at once (in-flight actions are aborted) until turned off (API, CLI or here). */
  killSwitch: z.boolean().default(false),
  defaults: section({
    minConfidence: guardDefaults.minConfidence.default(0.6),
    cooldown: guardDefaults.cooldown.prefault('30m'),
    rateLimit: rateLimit.default({ max: 6, per: 3_600_000 }),
    /** Across all rules: at most `max` executions touching the same target per `per` (two rules never take turns restarting one thing). */
    targetRateLimit: rateLimit.default({ max: 3, per: 3_600_000 }),
    circuitBreaker: circuitBreaker.prefault({}),
    blastRadius: blastRadius.prefault({}),
    approval: guardDefaults.approval.default(false),
    approvalTimeout: guardDefaults.approvalTimeout.prefault('1h'),
    stepTimeout: guardDefaults.stepTimeout.prefault('60s'),
  }),
  handlers: section({
    command: section({
      /** Absolute paths of the programs the command action may run. Nothing else runs. */
      allow: z.array(z.string().startsWith('/', 'must be an absolute path')).default([]),
    }),
    kubernetes: kubernetesCluster.optional(),
  }),
  maintenance: z.preprocess((v) => v ?? [], z.array(maintenanceWindow)),
  runbooks: z.preprocess((v) => v ?? [], z.array(runbook)),
  rules: z.preprocess((v) => v ?? [], z.array(rule)),
}).superRefine((s, ctx) => {
  const books = new Set<string>();
  s.runbooks.forEach((b, i) => {
    if (books.has(b.name)) ctx.addIssue({ code: 'custom', path: ['runbooks', i, 'name'], message: `duplicate runbook name "${b.name}"` });
    books.add(b.name);
    const ids = new Set<string>();
    b.steps.forEach((st, j) => {
      if (st.id && ids.has(st.id)) ctx.addIssue({ code: 'custom', path: ['runbooks', i, 'steps', j, 'id'], message: `duplicate step id "${st.id}"` });
      if (st.id) ids.add(st.id);
    });
  });
  const rules = new Set<string>();
  s.rules.forEach((r, i) => {
    if (rules.has(r.name)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'name'], message: `duplicate rule name "${r.name}"` });
    rules.add(r.name);
    if (!books.has(r.runbook)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'runbook'], message: `unknown runbook "${r.runbook}"${books.size ? ` (defined: ${[...books].join(', ')})` : ' (no runbooks are defined)'}` });
  });
});

export type RemediationConfig = z.output<typeof remediationSchema>;
export type RunbookConfig = RemediationConfig['runbooks'][number];
export type RunbookStepConfig = RunbookConfig['steps'][number];
export type VerificationConfig = NonNullable<RunbookConfig['verify']>;
export type AutomationRuleConfig = RemediationConfig['rules'][number];
export type TriggerConfig = AutomationRuleConfig['trigger'];
export type MaintenanceWindowConfig = RemediationConfig['maintenance'][number];
export type GuardDefaults = RemediationConfig['defaults'];
export type KubernetesClusterSettings = z.output<typeof kubernetesCluster>;
