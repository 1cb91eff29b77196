// bench:heal: the simulated clock the remediation engine runs on.
//
// `now()` is the bench's simulated time; `sleep(ms)` resolves when the bench
// advances that far (a verification that waits 5 minutes takes no wall time).
// `settle()` lets the engine's asynchronous work (HTTP calls to the fleet
// control API, steps that follow them) finish before time moves on.

interface Sleeper {
  wake: number;
  resolve: () => void;
  reject: (e: unknown) => void;
}

export class VirtualClock {
  private t: number;
  private sleepers: Sleeper[] = [];
  /** Bumped on every sleep started or ended: a change means the engine is still moving. */
  private activity = 0;

  constructor(start: number) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  get sleeping(): number {
    return this.sleepers.length;
  }

  /** Moves time forward to t and wakes every sleeper due by then, in order. */
  set(t: number): void {
    if (t < this.t) throw new RangeError('the simulated clock does not go back');
    this.t = t;
    const due = this.sleepers.filter((s) => s.wake <= t).sort((a, b) => a.wake - b.wake);
    if (due.length === 0) return;
    this.sleepers = this.sleepers.filter((s) => s.wake > t);
    this.activity++;
    for (const s of due) s.resolve();
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason ?? new Error('aborted'));
    if (!(ms > 0)) return Promise.resolve();
    this.activity++;
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const i = this.sleepers.indexOf(s);
        if (i >= 0) this.sleepers.splice(i, 1);
        this.activity++;
        reject(signal!.reason ?? new Error('aborted'));
      };
      // A sleep that ends removes its abort listener: a verification loop sleeps many times on one signal.
      const s: Sleeper = {
        wake: this.t + ms,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject,
      };
      this.sleepers.push(s);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * Waits until the engine is quiet: nothing in flight (`busy()` is 0) and no sleep started or
   * ended for a few event-loop turns. Cheap when nothing happens (one turn).
   */
  async settle(busy: () => number, maxWallMs = 5_000): Promise<void> {
    const deadline = Date.now() + maxWallMs;
    let quiet = 0;
    while (quiet < 3 && Date.now() < deadline) {
      const before = this.activity;
      await new Promise<void>((r) => setImmediate(r));
      if (busy() > 0) {
        quiet = 0;
        await new Promise<void>((r) => setTimeout(r, 1));
      } else if (this.activity !== before) quiet = 0;
      else quiet++;
    }
  }
}
