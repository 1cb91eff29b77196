import type { Logger } from 'pino';

/** One pending one-shot timer, at the earliest time asked for (a later request while one is pending is left to the regular tick). */
export class PromptTimer {
  private timer: NodeJS.Timeout | undefined;
  private dueAt = Infinity;

  constructor(
    private readonly run: () => void,
    private readonly logger: Logger,
  ) {}

  at(t: number, now: number): void {
    if (t >= this.dueAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.dueAt = t;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.dueAt = Infinity;
      try {
        this.run();
      } catch (err) {
        this.logger.error({ err }, 'incident notification failed');
      }
    }, Math.max(0, t - now));
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.dueAt = Infinity;
  }
}
