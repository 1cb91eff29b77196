/**
 * Wall-clock time in an IANA time zone, with nothing but `Intl.DateTimeFormat`.
 *
 * A local date-time is handled as a "naive" millisecond count: the value
 * `Date.UTC(year, month - 1, day, hour, minute)` would have, whatever the
 * zone. Calendar arithmetic (next day, next Monday 09:00) is done on naive
 * values, and `zonedToUtc` turns the result into a real instant:
 *
 * - a local time that happens twice (the hour repeated when clocks go back)
 *   is the first of the two;
 * - a local time that does not exist (the hour skipped when clocks go
 *   forward) is the instant of the change, e.g. 02:30 on the last Sunday of
 *   March in Europe/Berlin is 03:00 CEST (01:00 UTC).
 *
 * Both keep the mapping monotonic: a later local time is never an earlier instant.
 */

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

export const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Fields of a wall-clock time; `weekday` 0 = Sunday. */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when `timeZone` is an IANA zone name this Node.js knows (or `UTC`). */
export function isValidTimeZone(timeZone: string): boolean {
  if (typeof timeZone !== 'string' || timeZone === '') return false;
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

const SHORT_DAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** The wall clock in `timeZone` at `instant` (unix ms). */
export function wallClock(instant: number, timeZone: string): WallClock {
  const out: WallClock = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, weekday: 0 };
  for (const p of formatter(timeZone).formatToParts(instant)) {
    switch (p.type) {
      case 'year':
        out.year = Number(p.value);
        break;
      case 'month':
        out.month = Number(p.value);
        break;
      case 'day':
        out.day = Number(p.value);
        break;
      case 'hour':
        out.hour = Number(p.value) % 24;
        break;
      case 'minute':
        out.minute = Number(p.value);
        break;
      case 'second':
        out.second = Number(p.value);
        break;
      case 'weekday':
        out.weekday = SHORT_DAYS[p.value] ?? 0;
        break;
    }
  }
  return out;
}

/** The naive local value of `instant` in `timeZone` (see the module comment). */
export function toNaive(instant: number, timeZone: string): number {
  const w = wallClock(instant, timeZone);
  const ms = ((instant % 1000) + 1000) % 1000;
  return naive(w.year, w.month, w.day, w.hour, w.minute, w.second) + ms;
}

/** The zone's offset from UTC at `instant`, in ms (Europe/Berlin in summer: +7_200_000). */
export function offsetAt(instant: number, timeZone: string): number {
  return toNaive(instant, timeZone) - instant;
}

/** The instant at which the wall clock in `timeZone` reads the naive local time `local`. */
export function zonedToUtc(local: number, timeZone: string): number {
  const before = offsetAt(local - DAY, timeZone);
  const after = offsetAt(local + DAY, timeZone);
  let best: number | undefined;
  for (const o of before === after ? [before] : [before, after]) {
    const t = local - o;
    if (toNaive(t, timeZone) === local && (best === undefined || t < best)) best = t;
  }
  if (best !== undefined) return best;
  // In a gap: the first instant whose wall clock is past `local` (the change itself).
  let lo = local - Math.max(before, after);
  let hi = local - Math.min(before, after);
  if (toNaive(hi, timeZone) < local) return hi; // not a plain gap (should not happen); keep going forward
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (toNaive(mid, timeZone) >= local) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** `Date.UTC` for a local date-time: its naive value. */
export function naive(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, 0);
  return d.getTime();
}

/** Weekday (0 = Sunday) of a naive value. */
export function naiveWeekday(local: number): number {
  return new Date(local).getUTCDay();
}

/** Midnight of the naive value's day. */
export function naiveMidnight(local: number): number {
  return Math.floor(local / DAY) * DAY;
}

const LOCAL_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/;
const OFFSET_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * Parses a local date-time, `2024-03-04T09:00`, `2024-03-04 09:00:30` or a
 * date alone (midnight), into its naive value. Throws a RangeError naming the
 * input otherwise (including a day that does not exist, such as 2023-02-29).
 */
export function parseLocalDateTime(s: string): number {
  const m = typeof s === 'string' ? LOCAL_RE.exec(s) : null;
  if (!m) throw new RangeError(`invalid local date-time ${JSON.stringify(s)} (expected e.g. 2024-03-04T09:00, without a UTC offset)`);
  const [y, mo, d, h = '0', mi = '0', sec = '0'] = m.slice(1);
  return checkedNaive(s, Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(sec));
}

/**
 * Parses an instant: RFC 3339 with `Z` or an offset (`2024-03-30T09:00:00+01:00`),
 * or a local date-time read in `timeZone` when one is given.
 */
export function parseInstant(s: string, timeZone?: string): number {
  if (typeof s === 'string') {
    const m = OFFSET_RE.exec(s);
    if (m) {
      const [y, mo, d, h, mi, sec = '0', off] = m.slice(1) as [string, string, string, string, string, string | undefined, string];
      const local = checkedNaive(s, Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(sec));
      const ms = /\.(\d+)/.exec(s.slice(16));
      const frac = ms ? Math.floor(Number(`0.${ms[1]}`) * 1000) : 0;
      if (off.toUpperCase() === 'Z') return local + frac;
      const sign = off[0] === '-' ? -1 : 1;
      const offMs = sign * (Number(off.slice(1, 3)) * HOUR + Number(off.slice(4, 6)) * MINUTE);
      return local + frac - offMs;
    }
    if (timeZone !== undefined && LOCAL_RE.test(s)) return zonedToUtc(parseLocalDateTime(s), timeZone);
  }
  const hint = timeZone === undefined ? 'e.g. 2024-03-30T09:00:00Z or 2024-03-30T10:00+01:00' : 'e.g. 2024-03-30T09:00 in the schedule\'s time zone, or 2024-03-30T09:00:00Z';
  throw new RangeError(`invalid date-time ${JSON.stringify(s)} (${hint})`);
}

function checkedNaive(s: string, y: number, mo: number, d: number, h: number, mi: number, sec: number): number {
  const v = naive(y, mo, d, h, mi, sec);
  const back = new Date(v);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() + 1 !== mo || back.getUTCDate() !== d || h > 23 || mi > 59 || sec > 59)
    throw new RangeError(`invalid date-time ${JSON.stringify(s)}: no such date or time`);
  return v;
}

const TIME_RE = /^(\d{1,2}):(\d{2})$/;

/** `HH:MM` (24-hour) into minutes after midnight; `24:00` only when `allow24`. */
export function parseTimeOfDay(s: string, allow24 = false): number {
  const m = typeof s === 'string' ? TIME_RE.exec(s) : null;
  const h = m ? Number(m[1]) : NaN;
  const mi = m ? Number(m[2]) : NaN;
  if (!m || mi > 59 || h > 24 || (h === 24 && (mi !== 0 || !allow24)))
    throw new RangeError(`invalid time of day ${JSON.stringify(s)} (expected HH:MM, 24-hour, e.g. 09:00${allow24 ? ' or 24:00' : ''})`);
  return h * 60 + mi;
}

/** A weekday name, full or three letters, any case (`monday`, `Mon`), into 0 = Sunday .. 6. */
export function parseWeekday(s: string): number {
  const k = typeof s === 'string' ? s.toLowerCase() : '';
  const i = WEEKDAYS.findIndex((d) => d === k || (k.length === 3 && d.startsWith(k)));
  if (i < 0) throw new RangeError(`invalid weekday ${JSON.stringify(s)} (expected monday .. sunday, or mon .. sun)`);
  return i;
}

/** An instant as RFC 3339 in UTC, for messages. */
export function iso(instant: number): string {
  return new Date(instant).toISOString();
}
