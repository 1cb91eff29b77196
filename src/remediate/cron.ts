import { Cron } from 'croner';

/** A cron expression compiled for look-ups only (next and previous runs); nothing is scheduled by it. */
export function pausedCron(expr: string, timezone?: string): Cron {
  return new Cron(expr, { paused: true, ...(timezone && { timezone }) });
}
