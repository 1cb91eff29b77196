import { type CompiledMatcher, type Labels, VigilError, matchesAll } from '../../core/index.js';
import { parseMatcherList } from '../../alerting/dispatch/matchers.js';
import type { AlertView, Silence } from '../../alerting/dispatch/index.js';

/**
 * The query parameters of Alertmanager's `GET /api/v2/alerts` and
 * `GET /api/v2/silences`, with Alertmanager's defaults, so `amtool alert query`
 * (which sends `silenced=false&inhibited=false` unless told otherwise, and the
 * matchers as `filter`) shows what it shows against Alertmanager.
 */
export interface AlertQuery {
  filter: CompiledMatcher[];
  active: boolean;
  silenced: boolean;
  inhibited: boolean;
  /** Receiver name regex, fully anchored. */
  receiver?: RegExp;
}

type Query = Record<string, string | string[] | undefined>;

export function parseAlertQuery(q: Query): AlertQuery {
  const receiver = one(q.receiver, 'receiver');
  let re: RegExp | undefined;
  if (receiver !== undefined && receiver !== '') {
    try {
      re = new RegExp(`^(?:${receiver})$`);
    } catch (e) {
      throw new VigilError('BAD_PARAM', `receiver: invalid regular expression: ${(e as Error).message}`, 400);
    }
  }
  return { filter: parseFilter(q.filter), active: bool(q.active, 'active'), silenced: bool(q.silenced, 'silenced'), inhibited: bool(q.inhibited, 'inhibited'), receiver: re };
}

/** Whether an alert passes the query (Alertmanager's alertFilter in api/v2/api.go). */
export function alertPasses(v: AlertView, q: AlertQuery): boolean {
  if (q.receiver && !v.receivers.some((r) => q.receiver!.test(r))) return false;
  if (!matchesAll(q.filter, v.alert.labels)) return false;
  const silenced = v.status.silencedBy.length > 0;
  const inhibited = v.status.inhibitedBy.length > 0;
  if (!q.active && !silenced && !inhibited) return false;
  if (!q.silenced && silenced) return false;
  if (!q.inhibited && inhibited) return false;
  return true;
}

/**
 * Silences whose equality matchers form a label set the filter matches
 * (Alertmanager's CheckSilenceMatchesFilterLabels): `amtool silence query alertname=X`.
 */
export function silencePasses(s: Silence, filter: readonly CompiledMatcher[]): boolean {
  if (filter.length === 0) return true;
  const labels: Record<string, string> = {};
  for (const m of s.matchers) if (!m.isRegex && m.isEqual) labels[m.name] = m.value;
  return matchesAll(filter, labels as Labels);
}

export function parseFilter(v: string | string[] | undefined): CompiledMatcher[] {
  const list = v === undefined ? [] : Array.isArray(v) ? v : [v];
  try {
    return parseMatcherList(list.filter((s) => s.trim() !== ''));
  } catch (e) {
    throw new VigilError('BAD_PARAM', `filter: ${(e as Error).message}`, 400);
  }
}

function one(v: string | string[] | undefined, name: string): string | undefined {
  if (Array.isArray(v)) {
    if (v.length > 1) throw new VigilError('BAD_PARAM', `${name}: given more than once`, 400);
    return v[0];
  }
  return v;
}

function bool(v: string | string[] | undefined, name: string): boolean {
  const s = one(v, name);
  if (s === undefined || s === '' || s === 'true') return true;
  if (s === 'false') return false;
  throw new VigilError('BAD_PARAM', `${name}: expected true or false, got ${JSON.stringify(s)}`, 400);
}
