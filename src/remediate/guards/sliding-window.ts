/**
 * Rate limits, cool-downs and blast radius all ask "what happened in the last
 * window?": a log of timestamped entries per key, trimmed as it is read.
 */
export class SlidingWindowLog<T> {
  private readonly logs = new Map<string, Array<{ t: number; v: T }>>();

  add(key: string, t: number, v: T): void {
    let log = this.logs.get(key);
    if (!log) this.logs.set(key, (log = []));
    log.push({ t, v });
  }

  /** Entries of `key` with t > now - windowMs (older ones are dropped). */
  within(key: string, now: number, windowMs: number): T[] {
    const log = this.logs.get(key);
    if (!log) return [];
    let i = 0;
    while (i < log.length && log[i]!.t <= now - windowMs) i++;
    if (i > 0) log.splice(0, i);
    if (log.length === 0) this.logs.delete(key);
    return log.map((e) => e.v);
  }

  /** Time of the newest entry of `key`, if any. */
  last(key: string): number | undefined {
    const log = this.logs.get(key);
    return log && log.length ? log[log.length - 1]!.t : undefined;
  }
}
