import { z } from 'zod';
import { duration, section } from '../fields.js';
import type { LabelMatcher } from '../../core/index.js';
import { legacyMatchers, parseMatcherList } from '../../alerting/dispatch/matchers.js';
import { type EscalationSpec, type InhibitRuleSpec, type ReceiverSpec, type RouteSpec, type RoutingConfig, defaultRoutingConfig } from '../../alerting/dispatch/route.js';

/**
 * Alert routing, grouping, inhibition and escalation (`routing:` in vigil.yaml).
 *
 * Keys inside `route:`, `receivers:`, `inhibit_rules:` and `escalations:` are
 * snake_case, unlike the rest of vigil.yaml, because they are Alertmanager's
 * own: a route tree or inhibit rule copied from alertmanager.yml works
 * unchanged (within the subset supported here; any other key, e.g.
 * mute_time_intervals, is reported as unknown rather than ignored). Receivers
 * differ: instead of slack_configs etc. they name Vigil notify channels.
 *
 *   routing:
 *     route:
 *       receiver: log
 *       group_by: [service]
 *       routes:
 *         - matchers: ['severity=~"critical|high"']
 *           receiver: pagerduty
 *           continue: true
 *         - matchers: ['severity=~"critical|high|medium|low"']
 *           receiver: slack
 *     receivers:
 *       - { name: pagerduty, channels: [oncall] }
 *       - { name: slack, channels: [ops-slack] }
 *       - { name: log, channels: [] }
 *
 * Without `route:` (or `receivers:`) the default severity table applies (see
 * defaultRoutingConfig): critical and high to pagerduty and slack, medium and
 * low to slack, info logged only.
 */

const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

const list = <T extends z.ZodType>(item: T) => z.preprocess((v) => v ?? [], z.array(item));

/** A list of Alertmanager matcher strings, parsed and checked (plain {name, type, value} out). */
const matcherList = () =>
  list(z.string()).transform((items, ctx): LabelMatcher[] => {
    const out: LabelMatcher[] = [];
    items.forEach((s, i) => {
      try {
        for (const m of parseMatcherList([s])) out.push({ name: m.name, type: m.type, value: m.value });
      } catch (e) {
        ctx.addIssue({ code: 'custom', path: [i], message: (e as Error).message });
      }
    });
    return out;
  });

const labelMap = () => z.record(z.string().regex(LABEL_NAME_RE, 'invalid label name'), z.string()).optional();

const groupBy = () =>
  z.array(z.string()).superRefine((names, ctx) => {
    const seen = new Set<string>();
    names.forEach((n, i) => {
      if (n === '...') {
        if (names.length > 1) ctx.addIssue({ code: 'custom', path: [i], message: 'cannot have wildcard group_by (`...`) and other labels at the same time' });
      } else if (!LABEL_NAME_RE.test(n)) ctx.addIssue({ code: 'custom', path: [i], message: `invalid label name "${n}" in group_by list` });
      if (seen.has(n)) ctx.addIssue({ code: 'custom', path: [i], message: `duplicated label "${n}" in group_by` });
      seen.add(n);
    });
  });

interface RawRoute {
  receiver?: string;
  group_by?: string[];
  group_wait?: number;
  group_interval?: number;
  repeat_interval?: number;
  matchers: LabelMatcher[];
  match?: Record<string, string>;
  match_re?: Record<string, string>;
  continue: boolean;
  routes: RawRoute[];
}

const routeSchema: z.ZodType<RawRoute, unknown> = z.lazy(() =>
  z.strictObject({
    receiver: z.string().min(1).optional(),
    group_by: groupBy().optional(),
    group_wait: duration().optional(),
    group_interval: duration({ min: 1 }).optional(),
    repeat_interval: duration({ min: 1 }).optional(),
    matchers: matcherList(),
    // Deprecated in Alertmanager, accepted for configs copied from older setups.
    match: labelMap(),
    match_re: labelMap(),
    continue: z.boolean().default(false),
    routes: list(routeSchema),
  }),
);

const receiverSchema = z.strictObject({
  name: z.string().regex(NAME_RE, 'must start with a letter or digit and contain only letters, digits, ".", "_" and "-"'),
  // Notify channel names (`notify.channels[].name`); empty or absent = logged only.
  channels: list(z.string().min(1)),
  send_resolved: z.boolean().default(true),
  // An on-call escalation policy (oncall.escalationPolicies[].name) paged for this receiver's firing groups.
  escalation_policy: z.string().min(1).optional(),
});

const inhibitRuleSchema = z.strictObject({
  source_matchers: matcherList(),
  target_matchers: matcherList(),
  source_match: labelMap(),
  source_match_re: labelMap(),
  target_match: labelMap(),
  target_match_re: labelMap(),
  equal: list(z.string().regex(LABEL_NAME_RE, 'invalid label name')),
});

const escalationSchema = z.strictObject({
  after: duration({ min: 1 }),
  matchers: matcherList(),
  raise_severity: z.boolean().default(true),
  add_receivers: list(z.string().min(1)),
});

/** The default severity table (see defaultRoutingConfig) as it is written in vigil.yaml. */
const DEFAULT_ROUTING_YAML = {
  route: {
    receiver: 'log',
    group_by: ['service'],
    group_wait: '30s',
    group_interval: '5m',
    repeat_interval: '4h',
    routes: [
      { matchers: ['severity=~"critical|high"'], receiver: 'pagerduty', continue: true },
      { matchers: ['severity=~"critical|high|medium|low"'], receiver: 'slack' },
    ],
  },
  receivers: [
    { name: 'pagerduty', channels: ['pagerduty'] },
    { name: 'slack', channels: ['slack'] },
    { name: 'log', channels: [] },
  ],
};

export const routingSchema = section({
  route: routeSchema.optional(),
  receivers: list(receiverSchema).optional(),
  inhibit_rules: list(inhibitRuleSchema),
  escalations: list(escalationSchema),
})
  .superRefine((r, ctx) => {
    const receivers = r.receivers ?? defaultRoutingConfig().receivers.map((x) => ({ name: x.name }));
    const names = new Set<string>();
    (r.receivers ?? []).forEach((x, i) => {
      if (names.has(x.name)) ctx.addIssue({ code: 'custom', path: ['receivers', i, 'name'], message: `notification config name "${x.name}" is not unique` });
      names.add(x.name);
    });
    for (const x of receivers) names.add(x.name);
    if (r.route) {
      const root = r.route;
      if (!root.receiver) ctx.addIssue({ code: 'custom', path: ['route', 'receiver'], message: 'root route must specify a default receiver' });
      if (root.matchers.length > 0 || root.match || root.match_re) ctx.addIssue({ code: 'custom', path: ['route', 'matchers'], message: 'root route must not have any matchers' });
      if (root.continue) ctx.addIssue({ code: 'custom', path: ['route', 'continue'], message: 'cannot have continue in root route' });
      const walk = (route: RawRoute, path: Array<string | number>) => {
        checkLegacy(ctx, path, route.match, route.match_re, 'match_re');
        if (route.receiver && !names.has(route.receiver))
          ctx.addIssue({ code: 'custom', path: [...path, 'receiver'], message: `undefined receiver "${route.receiver}" used in route` });
        route.routes.forEach((c, i) => walk(c, [...path, 'routes', i]));
      };
      walk(root, ['route']);
    } else if (r.receivers) {
      for (const x of defaultRoutingConfig().receivers)
        if (!names.has(x.name)) ctx.addIssue({ code: 'custom', path: ['receivers'], message: `the default route needs a receiver named "${x.name}" (or write your own route:)` });
    }
    r.escalations.forEach((e, i) =>
      e.add_receivers.forEach((n, j) => {
        if (!names.has(n)) ctx.addIssue({ code: 'custom', path: ['escalations', i, 'add_receivers', j], message: `undefined receiver "${n}"` });
      }),
    );
    r.inhibit_rules.forEach((ir, i) => {
      checkLegacy(ctx, ['inhibit_rules', i], undefined, ir.source_match_re, 'source_match_re');
      checkLegacy(ctx, ['inhibit_rules', i], undefined, ir.target_match_re, 'target_match_re');
      if (ir.target_matchers.length === 0 && !ir.target_match && !ir.target_match_re)
        ctx.addIssue({ code: 'custom', path: ['inhibit_rules', i, 'target_matchers'], message: 'at least one target matcher is required' });
      if (ir.source_matchers.length === 0 && !ir.source_match && !ir.source_match_re)
        ctx.addIssue({ code: 'custom', path: ['inhibit_rules', i, 'source_matchers'], message: 'at least one source matcher is required' });
    });
  })
  .transform((r): RoutingConfig => {
    // Absent sections get the default tree, parsed from its YAML form so it is
    // exactly what writing it out (as vigil.example.yaml does) would give.
    const route = r.route ?? routeSchema.parse(DEFAULT_ROUTING_YAML.route);
    const receivers = r.receivers ?? list(receiverSchema).parse(DEFAULT_ROUTING_YAML.receivers);
    return {
      route: toRouteSpec(route),
      receivers: receivers.map(
        (x): ReceiverSpec => ({ name: x.name, channels: x.channels, sendResolved: x.send_resolved, ...(x.escalation_policy ? { escalationPolicy: x.escalation_policy } : {}) }),
      ),
      inhibitRules: r.inhibit_rules.map(
        (ir): InhibitRuleSpec => ({
          sourceMatchers: [...ir.source_matchers, ...plain(legacyMatchers(ir.source_match, ir.source_match_re))],
          targetMatchers: [...ir.target_matchers, ...plain(legacyMatchers(ir.target_match, ir.target_match_re))],
          equal: ir.equal,
        }),
      ),
      escalations: r.escalations.map((e): EscalationSpec => ({ afterMs: e.after, matchers: e.matchers, raiseSeverity: e.raise_severity, addReceivers: e.add_receivers })),
    };
  });

/** Regexes in the deprecated `*match_re` maps must compile. */
function checkLegacy(ctx: z.RefinementCtx, path: Array<string | number>, match: Record<string, string> | undefined, matchRe: Record<string, string> | undefined, key: string): void {
  try {
    legacyMatchers(match, matchRe);
  } catch (e) {
    ctx.addIssue({ code: 'custom', path: [...path, key], message: (e as Error).message });
  }
}

function plain(ms: readonly LabelMatcher[]): LabelMatcher[] {
  return ms.map((m) => ({ name: m.name, type: m.type, value: m.value }));
}

function toRouteSpec(r: RawRoute): RouteSpec {
  const spec: RouteSpec = { matchers: [...r.matchers, ...plain(legacyMatchers(r.match, r.match_re))], continue: r.continue, routes: r.routes.map(toRouteSpec) };
  if (r.receiver !== undefined) spec.receiver = r.receiver;
  if (r.group_by !== undefined) spec.groupBy = r.group_by;
  if (r.group_wait !== undefined) spec.groupWaitMs = r.group_wait;
  if (r.group_interval !== undefined) spec.groupIntervalMs = r.group_interval;
  if (r.repeat_interval !== undefined) spec.repeatIntervalMs = r.repeat_interval;
  return spec;
}

export type RoutingSectionConfig = z.output<typeof routingSchema>;
