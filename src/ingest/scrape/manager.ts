import type { Logger } from 'pino';
import type { ScrapeJobConfig } from '../../config/sections/scrape.js';
import { DEFAULT_INGEST_LIMITS, type IngestLimits } from '../limits.js';
import { FileSd, type TargetGroup } from './file-sd.js';
import { ScrapeTarget, type ScrapeSink, type TargetStatus } from './target.js';

export interface ScrapeManagerOptions {
  jobs: readonly ScrapeJobConfig[];
  sink: ScrapeSink;
  logger: Logger;
  limits?: IngestLimits;
}

/**
 * Runs every scrape job: the targets of its static_configs and file_sd_configs,
 * each on its own schedule. Targets run independently (a slow or dead target
 * only delays itself); targets that leave discovery are stopped and their
 * series marked stale.
 */
export class ScrapeManager {
  private readonly jobs: JobRunner[];

  constructor(opts: ScrapeManagerOptions) {
    const limits = opts.limits ?? DEFAULT_INGEST_LIMITS;
    this.jobs = opts.jobs.map((j) => new JobRunner(j, opts.sink, opts.logger.child({ component: 'scrape', job: j.jobName }), limits));
  }

  /** Reads file_sd files and schedules every target. */
  async start(): Promise<void> {
    await Promise.all(this.jobs.map((j) => j.start()));
  }

  /** Stops every target, waiting for scrapes in flight (no stale markers: a restart continues the series). */
  async stop(): Promise<void> {
    await Promise.all(this.jobs.map((j) => j.stop()));
  }

  targets(): TargetStatus[] {
    return this.jobs.flatMap((j) => j.targets());
  }

  /** The live targets of a job (for tests and a future targets API). */
  jobTargets(jobName: string): ScrapeTarget[] {
    return this.jobs.find((j) => j.config.jobName === jobName)?.liveTargets() ?? [];
  }
}

class JobRunner {
  private readonly fileSds: FileSd[];
  private readonly active = new Map<string, ScrapeTarget>();
  private started = false;
  private stopped = false;

  constructor(
    readonly config: ScrapeJobConfig,
    private readonly sink: ScrapeSink,
    private readonly logger: Logger,
    private readonly limits: IngestLimits,
  ) {
    this.fileSds = config.fileSdConfigs.map((c) => new FileSd(c.files, c.refreshIntervalMs, () => this.sync(), logger));
  }

  async start(): Promise<void> {
    await Promise.all(this.fileSds.map((f) => f.start()));
    this.started = true;
    this.sync();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const f of this.fileSds) f.stop();
    const targets = [...this.active.values()];
    this.active.clear();
    await Promise.all(targets.map((t) => t.stop()));
  }

  targets(): TargetStatus[] {
    return [...this.active.values()].map((t) => t.getStatus());
  }

  liveTargets(): ScrapeTarget[] {
    return [...this.active.values()];
  }

  /** Reconciles running targets with the current target groups. */
  private sync(): void {
    if (!this.started || this.stopped) return;
    const groups: TargetGroup[] = [...this.config.staticConfigs.map((c) => ({ ...c, source: 'static_configs' })), ...this.fileSds.flatMap((f) => f.groups())];
    const wanted = new Map<string, { address: string; labels: Record<string, string> }>();
    for (const g of groups) for (const address of g.targets) wanted.set(ScrapeTarget.key(address, g.labels), { address, labels: g.labels });
    for (const [key, t] of this.active) {
      if (wanted.has(key)) continue;
      this.active.delete(key);
      this.logger.info({ target: t.url }, 'scrape target removed');
      void t.stop({ stale: true });
    }
    for (const [key, w] of wanted) {
      if (this.active.has(key)) continue;
      const t = new ScrapeTarget(this.config, w.address, w.labels, this.sink, this.logger, this.limits);
      this.active.set(key, t);
      this.logger.debug({ target: t.url }, 'scrape target added');
      t.start();
    }
  }
}
