import { readFileSync, readlinkSync } from 'node:fs';

// CPU time per OS thread, from Linux's /proc: which of Vigil's threads (the ingest
// thread, each detection worker) is the one holding throughput back. Elsewhere
// (no /proc) both functions answer undefined and the metric is left out.

/** The calling thread's OS thread id (main thread or worker), or undefined without /proc. */
export function currentThreadId(): number | undefined {
  try {
    // "<pid>/task/<tid>"
    const m = /\/task\/(\d+)$/.exec(readlinkSync('/proc/thread-self'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Kernel clock ticks per second (USER_HZ), the unit of /proc's CPU times: 100 on Linux. */
const CLOCK_TICKS = 100;

/** CPU seconds (user + system) used so far by thread `tid` of this process, or undefined when it is gone or unknown. */
export function threadCpuSeconds(tid: number): number | undefined {
  return statCpuSeconds(`/proc/self/task/${tid}/stat`);
}

/** CPU seconds (user + system) in a /proc stat file (/proc/PID/stat: a process; .../task/TID/stat: a thread), or undefined. */
export function statCpuSeconds(path: string): number | undefined {
  try {
    const stat = readFileSync(path, 'utf8');
    // Fields after the command name (which may hold spaces and parentheses): utime and stime are the 12th and 13th.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(f[11]) + Number(f[12]);
    return Number.isFinite(ticks) ? ticks / CLOCK_TICKS : undefined;
  } catch {
    return undefined;
  }
}
