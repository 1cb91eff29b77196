import { VigilError } from '../core/errors.js';
import { parseDuration } from '../config/duration.js';
import {
  DAY,
  HOUR,
  MINUTE,
  WEEKDAYS,
  isValidTimeZone,
  iso,
  naiveMidnight,
  naiveWeekday,
  offsetAt,
  parseLocalDateTime,
  parseTimeOfDay,
  parseWeekday,
  toNaive,
  wallClock,
  zonedToUtc,
} from './time.js';

/**
 * On-call schedules, in the model PagerDuty made familiar: a schedule has a
 * time zone, rotation layers and overrides.
 *
 * - A layer rotates through `users` in order. `users[0]` is on call from the
 *   layer's `start` (a local date-time in the schedule's zone) until the first
 *   hand-off after it; each hand-off passes the pager to the next user, and
 *   after the last user it starts again with the first.
 * - Hand-offs happen at local wall-clock times: `daily` at `handoff` (`09:00`)
 *   every day, `weekly` at `handoff` (`monday 09:00`) every week, `hourly`
 *   every hour, or every `12h`, `2d`, ... (a duration) counted on the wall
 *   clock from the hand-off time. Without `handoff`, the start's time of day
 *   (and weekday, for weekly) is the hand-off. So a 09:00 hand-off stays at
 *   09:00 across a daylight-saving change: that shift is an hour shorter or
 *   longer. A hand-off in the hour skipped in spring happens at the change
 *   (03:00); in the hour repeated in autumn, at its first occurrence.
 * - `restrictions` limit a layer to time-of-day windows (business hours
 *   Mon-Fri 09:00-17:00): outside them the layer has nobody, and the rotation
 *   goes on underneath (a hand-off during the night still happens).
 * - Layers are listed bottom first: where a later layer has someone on call,
 *   it wins over the earlier ones (PagerDuty's "higher layers").
 * - Overrides ({ user, start, end } instants) win over every layer; where
 *   overrides overlap, the one listed last wins.
 *
 * Everything here is a pure function of plain data and an instant (unix ms).
 */

export interface Restriction {
  /** Weekdays on which the window starts (`monday` or `mon`); default every day. */
  days?: string[];
  /** Local time the window opens, `HH:MM`. */
  from: string;
  /** Local time it closes (exclusive), `HH:MM` or `24:00`; earlier than `from` = the window runs past midnight. */
  to: string;
}

export interface Layer {
  /** Shown in `whoIsOnCall` and `shifts`; default `layer-1`, `layer-2`, ... by position. */
  name?: string;
  /** Person names, in rotation order (a name may appear more than once). */
  users: string[];
  /** Local date-time in the schedule's zone at which `users[0]` goes on call, `2024-03-04T09:00`. */
  start: string;
  /** Local date-time at which the layer stops (exclusive); default never. */
  end?: string;
  /** `hourly`, `daily`, `weekly`, or a duration (`12h`, `2d`, `2w`) of at least one minute. */
  rotation: string;
  /** Local time of the hand-off, `09:00`; for weekly rotations also a weekday, `monday 09:00`. */
  handoff?: string;
  restrictions?: Restriction[];
}

export interface Override {
  user: string;
  /** Unix ms, inclusive. */
  start: number;
  /** Unix ms, exclusive; after `start`. */
  end: number;
}

export interface Schedule {
  name: string;
  /** IANA time zone, `Europe/Berlin`. */
  timeZone: string;
  layers: Layer[];
  overrides?: Override[];
}

export type OnCallSource = { type: 'layer'; layer: string; layerIndex: number } | { type: 'override'; overrideIndex: number };

export interface OnCall {
  person: string;
  source: OnCallSource;
}

/** A stretch of the final schedule: `person` is on call from `start` (inclusive) to `end` (exclusive), unix ms. */
export interface Shift extends OnCall {
  start: number;
  end: number;
}

/** One problem in a schedule: where (path inside the schedule) and what. */
export interface ScheduleProblem {
  path: Array<string | number>;
  message: string;
}

interface CompiledRestriction {
  days: ReadonlySet<number>;
  from: number;
  to: number;
}

interface CompiledLayer {
  name: string;
  index: number;
  users: readonly string[];
  startAt: number;
  endAt: number | undefined;
  /** Hand-off j is at zonedToUtc(anchor + j * period). */
  anchor: number;
  period: number;
  /** The hand-off index in force at startAt. */
  jStart: number;
  restrictions: readonly CompiledRestriction[];
}

interface CompiledSchedule {
  name: string;
  timeZone: string;
  layers: CompiledLayer[];
  overrides: readonly Override[];
}

const ROTATIONS: Record<string, number> = { hourly: HOUR, daily: DAY, weekly: 7 * DAY };

/** Rotation length in wall-clock milliseconds; throws a RangeError with a readable message. */
export function parseRotation(rotation: string): number {
  const named = ROTATIONS[rotation];
  if (named !== undefined) return named;
  let ms: number;
  try {
    ms = parseDuration(rotation);
  } catch {
    throw new RangeError(`invalid rotation ${JSON.stringify(rotation)} (expected hourly, daily, weekly, or a duration such as 12h or 2w)`);
  }
  if (ms < MINUTE || ms % MINUTE !== 0) throw new RangeError(`rotation ${JSON.stringify(rotation)} must be a whole number of minutes, at least 1m`);
  return ms;
}

/** `09:00` or `monday 09:00` into minutes after midnight and an optional weekday (0 = Sunday). */
export function parseHandoff(handoff: string): { minutes: number; weekday?: number } {
  const m = typeof handoff === 'string' ? /^(?:([A-Za-z]+)\s+)?(\S+)$/.exec(handoff.trim()) : null;
  if (!m) throw new RangeError(`invalid handoff ${JSON.stringify(handoff)} (expected HH:MM, e.g. 09:00, or a weekday and a time, e.g. monday 09:00)`);
  const minutes = parseTimeOfDay(m[2]!);
  return m[1] === undefined ? { minutes } : { minutes, weekday: parseWeekday(m[1]) };
}

/** Every problem in a schedule (empty: valid). People are not checked here: the config knows them. */
export function scheduleProblems(s: Schedule): ScheduleProblem[] {
  const out: ScheduleProblem[] = [];
  try {
    compile(s, out);
  } catch (e) {
    if (out.length === 0) out.push({ path: [], message: (e as Error).message });
  }
  return out;
}

const cache = new WeakMap<Schedule, CompiledSchedule>();

function compiled(s: Schedule): CompiledSchedule {
  let c = cache.get(s);
  if (!c) {
    const problems: ScheduleProblem[] = [];
    c = compile(s, problems);
    if (problems.length > 0) {
      const p = problems[0]!;
      throw new VigilError('INVALID_SCHEDULE', `schedule "${s.name}": ${p.path.length ? p.path.join('.') + ': ' : ''}${p.message}`);
    }
    cache.set(s, c);
  }
  return c;
}

function compile(s: Schedule, problems: ScheduleProblem[]): CompiledSchedule {
  const tz = s.timeZone;
  if (!isValidTimeZone(tz)) {
    problems.push({ path: ['timeZone'], message: `unknown time zone ${JSON.stringify(tz)} (expected an IANA name such as Europe/Berlin, America/New_York or UTC)` });
    return { name: s.name, timeZone: 'UTC', layers: [], overrides: [] };
  }
  const layers: CompiledLayer[] = [];
  (s.layers ?? []).forEach((l, i) => {
    const layer = compileLayer(l, i, tz, (path, message) => problems.push({ path: ['layers', i, ...path], message }));
    if (layer) layers.push(layer);
  });
  const overrides = s.overrides ?? [];
  overrides.forEach((o, i) => {
    if (!Number.isFinite(o.start) || !Number.isFinite(o.end)) problems.push({ path: ['overrides', i], message: 'start and end must be instants (unix ms)' });
    else if (!(o.end > o.start)) problems.push({ path: ['overrides', i, 'end'], message: `end (${iso(o.end)}) must be after start (${iso(o.start)})` });
    if (typeof o.user !== 'string' || o.user === '') problems.push({ path: ['overrides', i, 'user'], message: 'a person is required' });
  });
  return { name: s.name, timeZone: tz, layers, overrides };
}

function compileLayer(l: Layer, index: number, tz: string, problem: (path: Array<string | number>, message: string) => void): CompiledLayer | undefined {
  let ok = true;
  const fail = (path: Array<string | number>, e: unknown) => {
    ok = false;
    problem(path, (e as Error).message);
  };
  if (!Array.isArray(l.users) || l.users.length === 0) fail(['users'], new Error('at least one person is required'));
  let startNaive = 0;
  try {
    startNaive = parseLocalDateTime(l.start);
  } catch (e) {
    fail(['start'], e);
  }
  let endNaive: number | undefined;
  if (l.end !== undefined) {
    try {
      endNaive = parseLocalDateTime(l.end);
      if (ok && endNaive <= startNaive) fail(['end'], new Error(`end ${l.end} must be after start ${l.start}`));
    } catch (e) {
      fail(['end'], e);
    }
  }
  let period = DAY;
  try {
    period = parseRotation(l.rotation);
  } catch (e) {
    fail(['rotation'], e);
  }
  let handoff: { minutes: number; weekday?: number } | undefined;
  if (l.handoff !== undefined) {
    try {
      handoff = parseHandoff(l.handoff);
      if (handoff.weekday !== undefined && period % (7 * DAY) !== 0)
        fail(['handoff'], new Error(`a weekday in handoff (${JSON.stringify(l.handoff)}) only fits a rotation of whole weeks; use HH:MM`));
    } catch (e) {
      fail(['handoff'], e);
    }
  }
  const restrictions: CompiledRestriction[] = [];
  (l.restrictions ?? []).forEach((r, i) => {
    try {
      const from = parseTimeOfDay(r.from);
      const to = parseTimeOfDay(r.to, true);
      if (from === to) throw new RangeError(`from and to are both ${r.from}: a window must not be empty (leave restrictions out for all day)`);
      const days = new Set((r.days ?? WEEKDAYS).map(parseWeekday));
      restrictions.push({ days, from, to });
    } catch (e) {
      fail(['restrictions', i], e);
    }
  });
  if (!ok) return undefined;
  const day = naiveMidnight(startNaive);
  let anchor = startNaive;
  if (handoff) {
    anchor = day + handoff.minutes * MINUTE;
    if (handoff.weekday !== undefined) anchor += (((handoff.weekday - naiveWeekday(day)) % 7) + 7) % 7 * DAY;
  }
  const layer: CompiledLayer = {
    name: l.name ?? `layer-${index + 1}`,
    index,
    users: l.users,
    startAt: zonedToUtc(startNaive, tz),
    endAt: endNaive === undefined ? undefined : zonedToUtc(endNaive, tz),
    anchor,
    period,
    jStart: 0,
    restrictions,
  };
  layer.jStart = handoffIndex(layer, layer.startAt, tz);
  return layer;
}

/** Instant of hand-off `j`. */
function handoffAt(l: CompiledLayer, j: number, tz: string): number {
  return zonedToUtc(l.anchor + j * l.period, tz);
}

/** The largest j whose hand-off is at or before `t`. */
function handoffIndex(l: CompiledLayer, t: number, tz: string): number {
  let j = Math.floor((toNaive(t, tz) - l.anchor) / l.period);
  while (handoffAt(l, j + 1, tz) <= t) j++;
  while (handoffAt(l, j, tz) > t) j--;
  return j;
}

function inRestrictions(l: CompiledLayer, t: number, tz: string): boolean {
  if (l.restrictions.length === 0) return true;
  const w = wallClock(t, tz);
  const m = w.hour * 60 + w.minute;
  const yesterday = (w.weekday + 6) % 7;
  for (const r of l.restrictions) {
    if (r.from < r.to) {
      if (r.days.has(w.weekday) && m >= r.from && m < r.to) return true;
    } else if ((r.days.has(w.weekday) && m >= r.from) || (r.days.has(yesterday) && m < r.to)) return true;
  }
  return false;
}

function layerOnCall(l: CompiledLayer, t: number, tz: string): string | undefined {
  if (t < l.startAt || (l.endAt !== undefined && t >= l.endAt)) return undefined;
  if (!inRestrictions(l, t, tz)) return undefined;
  const shift = handoffIndex(l, t, tz) - l.jStart;
  return l.users[shift % l.users.length];
}

/** Who is on call at `at` (unix ms), and through which layer or override; undefined when nobody is. */
export function whoIsOnCall(schedule: Schedule, at: number): OnCall | undefined {
  return onCallIn(compiled(schedule), at);
}

function onCallIn(c: CompiledSchedule, at: number): OnCall | undefined {
  for (let i = c.overrides.length - 1; i >= 0; i--) {
    const o = c.overrides[i]!;
    if (o.start <= at && at < o.end) return { person: o.user, source: { type: 'override', overrideIndex: i } };
  }
  for (let i = c.layers.length - 1; i >= 0; i--) {
    const l = c.layers[i]!;
    const person = layerOnCall(l, at, c.timeZone);
    if (person !== undefined) return { person, source: { type: 'layer', layer: l.name, layerIndex: l.index } };
  }
  return undefined;
}

/** Longest range `shifts` computes, so a bad request cannot spin: two years. */
export const MAX_SHIFTS_RANGE_MS = 2 * 366 * DAY;

/**
 * The final schedule between `from` (inclusive) and `to` (exclusive): who is
 * on call when, after layers, restrictions and overrides, in time order.
 * Adjacent stretches of the same person through the same layer or override
 * are merged; times with nobody on call are left out (the gaps between shifts).
 */
export function shifts(schedule: Schedule, from: number, to: number): Shift[] {
  if (!(to > from)) return [];
  if (to - from > MAX_SHIFTS_RANGE_MS) throw new VigilError('RANGE_TOO_LONG', `shifts: the range is over ${MAX_SHIFTS_RANGE_MS / DAY} days`);
  const c = compiled(schedule);
  const tz = c.timeZone;
  const points = new Set<number>([from]);
  const add = (t: number) => {
    if (t > from && t < to) points.add(t);
  };
  for (const o of c.overrides) {
    add(o.start);
    add(o.end);
  }
  const firstDay = naiveMidnight(toNaive(from, tz)) - DAY;
  const lastDay = naiveMidnight(toNaive(to, tz)) + DAY;
  for (const l of c.layers) {
    add(l.startAt);
    if (l.endAt !== undefined) add(l.endAt);
    const lo = Math.max(from, l.startAt);
    const hi = l.endAt === undefined ? to : Math.min(to, l.endAt);
    if (lo < hi) for (let j = handoffIndex(l, lo, tz) + 1, t = handoffAt(l, j, tz); t < hi; j++, t = handoffAt(l, j, tz)) add(t);
    for (const r of l.restrictions)
      for (let d = firstDay; d <= lastDay; d += DAY) {
        for (const t of instantsOf(d + r.from * MINUTE, tz)) add(t);
        for (const t of instantsOf(d + r.to * MINUTE, tz)) add(t);
      }
  }
  // Offset changes: a restriction window can reopen in an hour repeated in autumn.
  if (c.layers.some((l) => l.restrictions.length > 0))
    for (let d = firstDay; d <= lastDay; d += DAY) {
      const a = zonedToUtc(d, tz);
      const b = zonedToUtc(d + DAY, tz);
      if (offsetAt(a, tz) !== offsetAt(b, tz)) add(offsetChange(a, b, tz));
    }
  const sorted = [...points].sort((a, b) => a - b);
  const out: Shift[] = [];
  sorted.forEach((start, i) => {
    const end = sorted[i + 1] ?? to;
    const who = onCallIn(c, start);
    if (!who) return;
    const prev = out[out.length - 1];
    if (prev && prev.end === start && prev.person === who.person && sameSource(prev.source, who.source)) prev.end = end;
    else out.push({ person: who.person, source: who.source, start, end });
  });
  return out;
}

function sameSource(a: OnCallSource, b: OnCallSource): boolean {
  return a.type === 'layer' ? b.type === 'layer' && a.layerIndex === b.layerIndex : b.type === 'override' && a.overrideIndex === b.overrideIndex;
}

/** Every instant at which the wall clock reads `local` (two in a repeated hour; the change itself in a skipped one). */
function instantsOf(local: number, tz: string): number[] {
  const first = zonedToUtc(local, tz);
  const out = [first];
  for (const o of [offsetAt(local - DAY, tz), offsetAt(local + DAY, tz)]) {
    const t = local - o;
    if (t !== first && toNaive(t, tz) === local) out.push(t);
  }
  return out;
}

/** The first instant in (a, b] whose offset differs from a's. */
function offsetChange(a: number, b: number, tz: string): number {
  const o = offsetAt(a, tz);
  let lo = a;
  let hi = b;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetAt(mid, tz) === o) lo = mid;
    else hi = mid;
  }
  return hi;
}
