/**
 * Daily and weekly load shapes, as seen in user-facing traffic: a night trough near 04:00,
 * a business-hours peak in the early afternoon, quieter weekends (and a slightly quieter Friday).
 * Batch work (ETL) has the opposite shape: it runs at night while users sleep.
 * All functions take local time, so a fleet can be placed in any time zone.
 */

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;
export const WEEK = 7 * DAY;

/** How weekend-like each day is, Monday first: shapes both the level and the business-hours bump. */
const WEEKENDNESS = [0, 0, 0, 0, 0.15, 1, 1];

/** Calendar position of an instant, filled in place (this runs once per tick). */
export interface Calendar {
  /** Hour of the local day, fractional, in [0, 24). */
  hour: number;
  /** Day of the week, Monday = 0. */
  dow: number;
  /** Fraction of the week elapsed since the weekly maintenance (Sunday 03:00 local), in [0, 1). */
  weekFrac: number;
  /** Fraction of the local day elapsed, in [0, 1). */
  dayFrac: number;
}

export function newCalendar(): Calendar {
  return { hour: 0, dow: 0, weekFrac: 0, dayFrac: 0 };
}

export function fillCalendar(cal: Calendar, t: number, utcOffsetHours: number): Calendar {
  const local = t + utcOffsetHours * HOUR;
  const days = Math.floor(local / DAY);
  const inDay = local - days * DAY;
  cal.dayFrac = inDay / DAY;
  cal.hour = inDay / HOUR;
  // 1970-01-01 was a Thursday (index 3 when Monday is 0).
  cal.dow = (((days + 3) % 7) + 7) % 7;
  // Sunday 03:00 is 6 days and 3 hours after Monday 00:00.
  const sinceMaint = local - (days - cal.dow) * DAY - (6 * DAY + 3 * HOUR);
  cal.weekFrac = (((sinceMaint % WEEK) + WEEK) % WEEK) / WEEK;
  return cal;
}

/** Weekend-ness blended over 22:00-02:00 so the weekly change has no step at midnight. */
export function weekendness(cal: Calendar): number {
  const today = WEEKENDNESS[cal.dow]!;
  if (cal.hour < 2) {
    const prev = WEEKENDNESS[(cal.dow + 6) % 7]!;
    return prev + (today - prev) * ease((cal.hour + 2) / 4);
  }
  if (cal.hour >= 22) {
    const next = WEEKENDNESS[(cal.dow + 1) % 7]!;
    return today + (next - today) * ease((cal.hour - 22) / 4);
  }
  return today;
}

/**
 * User traffic relative to the weekday peak (about 1.0 at 13:00-15:00 on a weekday,
 * about 0.3 at 04:00, about 0.7 of weekday levels at the weekend).
 */
export function trafficProfile(cal: Calendar): number {
  const w = weekendness(cal);
  const h = cal.hour;
  const diurnal = 0.5 - 0.5 * Math.cos((2 * Math.PI * (h - 4)) / 24);
  const office = Math.exp(-(((h - 13.5) / 3.5) ** 2));
  const shape = 0.3 + 0.7 * (0.62 * diurnal + 0.38 * (1 - 0.6 * w) * office);
  return shape * (1 - 0.3 * w);
}

/** Nightly batch window: about 1.0 between 01:30 and 04:30 local, a trickle (0.08) otherwise. */
export function batchProfile(cal: Calendar): number {
  const h = cal.hour;
  let on: number;
  if (h < 1 || h >= 5) on = 0;
  else if (h < 1.5) on = ease((h - 1) / 0.5);
  else if (h < 4.5) on = 1;
  else on = 1 - ease((h - 4.5) / 0.5);
  return 0.08 + 0.92 * on;
}

/** Cosine ease from 0 to 1 over [0, 1]. */
export function ease(p: number): number {
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  return 0.5 - 0.5 * Math.cos(Math.PI * p);
}
