import { type CompiledMatcher, type LabelMatcher, type Labels, VigilError, compileMatchers, hashString64, labelsKey, matchesAll } from '../../core/index.js';
import { formatMatchers, parseMatchers } from './matchers.js';

/**
 * The routing tree, with Alertmanager's semantics (dispatch/route.go):
 * - a child inherits every setting it does not set from its parent; the root
 *   inherits the defaults (group_wait 30s, group_interval 5m, repeat_interval 4h,
 *   no grouping);
 * - an alert enters a route when all of the route's matchers match its labels;
 *   then it is tried against the children in order, depth-first, and stops at the
 *   first child that matches unless that child has `continue: true`;
 * - when no child matches, the route itself takes the alert.
 */

export const ROUTE_DEFAULTS = { groupWaitMs: 30_000, groupIntervalMs: 5 * 60_000, repeatIntervalMs: 4 * 3_600_000 } as const;

/** A route as configured: unset fields are inherited. */
export interface RouteSpec {
  receiver?: string;
  /** Label names; `['...']` groups by all labels. */
  groupBy?: string[];
  groupWaitMs?: number;
  groupIntervalMs?: number;
  repeatIntervalMs?: number;
  matchers?: LabelMatcher[];
  continue?: boolean;
  routes?: RouteSpec[];
}

export interface ReceiverSpec {
  name: string;
  /** Names of notify channels; empty = the notification is logged only. */
  channels: string[];
  /** Notify when alerts resolve (Alertmanager's send_resolved). Default true. */
  sendResolved?: boolean;
  /** An on-call escalation policy to page for firing groups (resolved when the group resolves). */
  escalationPolicy?: string;
}

export interface InhibitRuleSpec {
  sourceMatchers: LabelMatcher[];
  targetMatchers: LabelMatcher[];
  /** Labels that must have the same value (or be absent on both) on source and target. */
  equal: string[];
}

export interface EscalationSpec {
  /** An alert firing and unacknowledged this long (since its startsAt) escalates. */
  afterMs: number;
  /** Which alerts this escalation applies to (all when empty). */
  matchers: LabelMatcher[];
  /** Raise the alert's severity one step (low → medium → high → critical). */
  raiseSeverity: boolean;
  /** Receivers that are notified in addition to the routed ones. */
  addReceivers: string[];
}

/** Everything the dispatcher needs; `src/config/sections/routing.ts` produces it from vigil.yaml. */
export interface RoutingConfig {
  route: RouteSpec;
  receivers: ReceiverSpec[];
  inhibitRules: InhibitRuleSpec[];
  escalations: EscalationSpec[];
}

/** Resolved settings of one route (inheritance applied). */
export interface RouteOptions {
  receiver: string;
  groupBy: readonly string[];
  groupByAll: boolean;
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatIntervalMs: number;
}

export class Route {
  /** Unique and stable while the config does not change: the path of matchers and child indexes, as Alertmanager's route ID. */
  readonly id: string;
  readonly options: RouteOptions;
  readonly matchers: readonly CompiledMatcher[];
  readonly continue: boolean;
  readonly routes: readonly Route[];
  readonly parent: Route | undefined;

  constructor(spec: RouteSpec, parent?: Route, index = 0) {
    const base: RouteOptions = parent
      ? parent.options
      : { receiver: '', groupBy: [], groupByAll: false, ...ROUTE_DEFAULTS };
    const opts: RouteOptions = { ...base };
    if (spec.receiver) opts.receiver = spec.receiver;
    if (spec.groupBy) {
      opts.groupByAll = spec.groupBy.length === 1 && spec.groupBy[0] === '...';
      opts.groupBy = opts.groupByAll ? [] : [...spec.groupBy];
    }
    if (spec.groupWaitMs !== undefined) opts.groupWaitMs = spec.groupWaitMs;
    if (spec.groupIntervalMs !== undefined) opts.groupIntervalMs = spec.groupIntervalMs;
    if (spec.repeatIntervalMs !== undefined) opts.repeatIntervalMs = spec.repeatIntervalMs;
    this.options = opts;
    this.matchers = compileMatchers(spec.matchers ?? []);
    this.continue = spec.continue ?? false;
    this.parent = parent;
    this.id = parent ? `${parent.id}/${formatMatchers(this.matchers)}/${index}` : formatMatchers(this.matchers);
    this.routes = (spec.routes ?? []).map((c, i) => new Route(c, this, i));
  }

  /** The routes that take an alert with these labels (empty when this route's matchers do not match). */
  match(labels: Labels): Route[] {
    if (!matchesAll(this.matchers, labels)) return [];
    const all: Route[] = [];
    for (const child of this.routes) {
      const m = child.match(labels);
      all.push(...m);
      if (m.length > 0 && !child.continue) break;
    }
    if (all.length === 0) all.push(this);
    return all;
  }

  /** The labels that select the alert's aggregation group on this route: the group_by labels the alert has (all with `...`). */
  groupLabels(labels: Labels): Labels {
    if (this.options.groupByAll) return { ...labels };
    const out: Record<string, string> = {};
    for (const n of this.options.groupBy) {
      const v = labels[n];
      if (v !== undefined && v !== '') out[n] = v;
    }
    return out;
  }

  /** Every route of the subtree, depth-first. */
  *walk(): Generator<Route> {
    yield this;
    for (const c of this.routes) yield* c.walk();
  }
}

/** Builds the tree and checks it as Alertmanager does: the root has a receiver and no matchers, receivers exist. */
export function buildRouteTree(config: Pick<RoutingConfig, 'route' | 'receivers'>): Route {
  const spec = config.route;
  if (!spec.receiver) throw new VigilError('INVALID_ROUTING', 'root route must specify a default receiver');
  if (spec.matchers && spec.matchers.length > 0) throw new VigilError('INVALID_ROUTING', 'root route must not have any matchers');
  if (spec.continue) throw new VigilError('INVALID_ROUTING', 'cannot have continue in root route');
  const root = new Route(spec);
  const names = new Set(config.receivers.map((r) => r.name));
  for (const r of root.walk()) {
    if (!names.has(r.options.receiver)) throw new VigilError('INVALID_ROUTING', `undefined receiver "${r.options.receiver}" used in route ${r.id}`);
  }
  return root;
}

/** Alertmanager's group key: route plus group labels (and receiver, as the notification log keys on both), hashed. */
export function groupKeyOf(routeId: string, receiver: string, groupLabels: Labels): string {
  return hashString64(`${routeId}\x00${receiver}\x00${labelsKey(groupLabels)}`);
}

/**
 * The default routing, Vigil's severity table:
 *
 * | severity      | receivers           |
 * | ------------- | ------------------- |
 * | critical      | pagerduty and slack |
 * | high          | pagerduty and slack |
 * | medium, low   | slack               |
 * | info          | logged only         |
 *
 * The receivers name the notify channels `pagerduty` and `slack`. Alerts are
 * grouped by `service`: one message per service in trouble, whatever fires on it.
 */
export function defaultRoutingConfig(): RoutingConfig {
  return {
    route: {
      receiver: 'log',
      groupBy: ['service'],
      routes: [
        { matchers: parseMatchers('severity=~"critical|high"'), receiver: 'pagerduty', continue: true },
        { matchers: parseMatchers('severity=~"critical|high|medium|low"'), receiver: 'slack' },
      ],
    },
    receivers: [
      { name: 'pagerduty', channels: ['pagerduty'] },
      { name: 'slack', channels: ['slack'] },
      { name: 'log', channels: [] },
    ],
    inhibitRules: [],
    escalations: [],
  };
}
