import type { Logger } from 'pino';
import { hashString64, labelsKey, METRIC_NAME, type Labels } from '../../core/labels.js';
import { STALE_NAN } from '../../core/sample.js';
import { timeoutSignal } from '../../core/timeout-signal.js';
import type { AppendResult, SeriesWrite } from '../../store/types.js';
import type { ScrapeJobConfig } from '../../config/sections/scrape.js';
import { type IngestLimits, validateLabels } from '../limits.js';
import type { FamilyMetadata } from '../../core/metadata.js';
import { formatFromContentType, parseExpositionWithMetadata } from './parse.js';

/** Where scraped samples go: the ingest pipeline (`pipeline.write(writes, 'scrape')`). */
export interface ScrapeSink {
  write(writes: readonly SeriesWrite[], protocol: string): AppendResult;
  rejectBeforeStore(reason: string, samples: number): void;
  /** The target's TYPE, HELP and UNIT lines, per family (`pipeline.writeMetadata`). */
  writeMetadata?(entries: readonly FamilyMetadata[], protocol: string): void;
}

/** The Accept header Prometheus sends: OpenMetrics preferred, the 0.0.4 text format accepted. */
export const SCRAPE_ACCEPT = 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
const USER_AGENT = 'Vigil/0.1';

export type TargetHealth = 'unknown' | 'up' | 'down';

export interface TargetStatus {
  job: string;
  url: string;
  labels: Labels;
  health: TargetHealth;
  lastError: string;
  /** Start of the last scrape, ms (0 before the first). */
  lastScrape: number;
  lastDurationMs: number;
  lastSamples: number;
}

export interface ScrapeResult {
  up: boolean;
  samples: number;
  error?: string;
  durationMs: number;
  /** What the store did with everything written for this scrape (samples, stale markers, synthetic series). */
  append: AppendResult;
}

/**
 * One target of one job: scrapes on a fixed schedule (offset within the interval
 * by a hash of the target, as Prometheus does, so a job's targets are spread
 * out), never overlapping itself, and tracks the series it wrote so those that
 * disappear get stale markers.
 */
export class ScrapeTarget {
  readonly url: string;
  /** The labels added to every series of this target: group labels, then `job` and `instance` unless a group set them. */
  readonly labels: Labels;
  private readonly reportLabels: { up: Labels; duration: Labels; samples: Labels };
  /** Series written at the scrape timestamp by the last successful scrape: key -> labels. */
  private previous = new Map<string, Labels>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<ScrapeResult> | undefined;
  private readonly stopController = new AbortController();
  private stopped = false;
  private status: Omit<TargetStatus, 'job' | 'url' | 'labels'> = { health: 'unknown', lastError: '', lastScrape: 0, lastDurationMs: 0, lastSamples: 0 };
  private lastReportTs = 0;

  constructor(
    readonly job: ScrapeJobConfig,
    readonly address: string,
    groupLabels: Labels,
    private readonly sink: ScrapeSink,
    private readonly logger: Logger,
    private readonly limits: IngestLimits,
  ) {
    this.url = `${job.scheme}://${address}${job.metricsPath}`;
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(groupLabels)) if (v !== '') labels[k] = v;
    labels.job ??= job.jobName;
    labels.instance ??= address;
    this.labels = labels;
    this.reportLabels = {
      up: { ...labels, [METRIC_NAME]: 'up' },
      duration: { ...labels, [METRIC_NAME]: 'scrape_duration_seconds' },
      samples: { ...labels, [METRIC_NAME]: 'scrape_samples_scraped' },
    };
  }

  /** Identity within a job: address and labels. */
  static key(address: string, labels: Labels): string {
    return address + '\xfd' + labelsKey(labels);
  }

  /** Delay before the first scrape so that scrapes land at `hash(target) mod interval` within each interval. */
  initialDelay(now = Date.now()): number {
    const interval = this.job.intervalMs;
    const offset = parseInt(hashString64(this.job.jobName + '\xff' + this.url + '\xff' + labelsKey(this.labels)).slice(0, 8), 16) % interval;
    let next = interval - (now % interval) + offset;
    if (next > interval) next -= interval;
    return next;
  }

  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.tick();
      this.timer = setInterval(() => this.tick(), this.job.intervalMs);
    }, this.initialDelay());
  }

  private tick(): void {
    if (this.running || this.stopped) return; // never overlap: a scrape still running skips this slot
    void this.scrapeOnce();
  }

  /**
   * Stops scraping, waiting for a scrape in flight. With `stale`, writes stale
   * markers for every series of the target (it was removed from discovery).
   */
  async stop(opts: { stale?: boolean } = {}): Promise<void> {
    this.stopped = true;
    if (this.timer) {
      clearTimeout(this.timer);
      clearInterval(this.timer);
      this.timer = undefined;
    }
    this.stopController.abort();
    if (this.running) await this.running.catch(() => undefined);
    if (opts.stale) {
      const t = Math.max(Date.now(), this.lastReportTs + 1);
      const series = [...this.previous.values()];
      if (this.lastReportTs > 0) series.push(this.reportLabels.up, this.reportLabels.duration, this.reportLabels.samples);
      this.previous = new Map();
      if (series.length) this.safeWrite(series.map((labels) => ({ labels, timestamps: [t], values: [STALE_NAN] })));
    }
  }

  getStatus(): TargetStatus {
    return { job: this.job.jobName, url: this.url, labels: this.labels, ...this.status };
  }

  /** One scrape now (the scheduler calls this; tests may too). Never throws. */
  scrapeOnce(): Promise<ScrapeResult> {
    if (this.running) return this.running;
    const p = this.doScrape().finally(() => {
      this.running = undefined;
    });
    this.running = p;
    return p;
  }

  private async doScrape(): Promise<ScrapeResult> {
    // Prometheus stamps a scrape with its start time; keep timestamps strictly increasing per target.
    const ts = Math.max(Date.now(), this.lastReportTs + 1);
    this.lastReportTs = ts;
    const started = performance.now();
    const writes: SeriesWrite[] = [];
    let error: string | undefined;
    let scraped = 0;
    const current = new Map<string, Labels>();
    try {
      const { text, contentType } = await this.fetchBody();
      const { samples, metadata } = parseExpositionWithMetadata(text, formatFromContentType(contentType));
      scraped = samples.length;
      if (this.job.sampleLimit > 0 && samples.length > this.job.sampleLimit)
        throw new Error(`sample_limit exceeded: ${samples.length} samples, limit ${this.job.sampleLimit}`);
      this.sink.writeMetadata?.(metadata, 'scrape');
      let invalid = 0;
      let firstInvalid = '';
      for (const s of samples) {
        const labels = this.mergeLabels(s.labels);
        try {
          validateLabels(labels, this.limits, 'series');
        } catch (e) {
          invalid++;
          firstInvalid ||= (e as Error).message;
          continue;
        }
        const own = s.timestamp !== undefined && this.job.honorTimestamps;
        if (!own) current.set(labelsKey(labels), labels);
        writes.push({ labels, timestamps: [own ? s.timestamp! : ts], values: [s.value] });
      }
      if (invalid) {
        this.sink.rejectBeforeStore('invalid', invalid);
        this.logger.warn({ job: this.job.jobName, target: this.url, dropped: invalid, example: firstInvalid }, 'scrape: series with invalid labels dropped');
      }
    } catch (e) {
      error = describeError(e, this.job.timeoutMs);
      writes.length = 0;
      current.clear();
    }
    const durationMs = performance.now() - started;
    // Series gone since the last scrape (all of them when the target is down) get a stale marker.
    for (const [key, labels] of this.previous) if (!current.has(key)) writes.push({ labels, timestamps: [ts], values: [STALE_NAN] });
    this.previous = current;
    const up = error === undefined;
    writes.push(
      { labels: this.reportLabels.up, timestamps: [ts], values: [up ? 1 : 0] },
      { labels: this.reportLabels.duration, timestamps: [ts], values: [durationMs / 1000] },
      { labels: this.reportLabels.samples, timestamps: [ts], values: [up ? scraped : 0] },
    );
    const append = this.safeWrite(writes);
    this.logOutcome(up, error);
    this.status = { health: up ? 'up' : 'down', lastError: error ?? '', lastScrape: ts, lastDurationMs: durationMs, lastSamples: up ? scraped : 0 };
    return { up, samples: up ? scraped : 0, durationMs, append, ...(error !== undefined ? { error } : {}) };
  }

  private logOutcome(up: boolean, error: string | undefined): void {
    const ctx = { job: this.job.jobName, target: this.url };
    if (!up) {
      // Warn when a target goes down or its error changes; repeats only at debug.
      if (this.status.health !== 'down' || this.status.lastError !== error) this.logger.warn({ ...ctx, err: error }, 'scrape failed');
      else this.logger.debug({ ...ctx, err: error }, 'scrape failed');
    } else if (this.status.health === 'down') this.logger.info(ctx, 'scrape target is up again');
  }

  private safeWrite(writes: SeriesWrite[]): AppendResult {
    try {
      return this.sink.write(writes, 'scrape');
    } catch (e) {
      this.logger.error({ job: this.job.jobName, target: this.url, err: (e as Error).message }, 'scrape: storing samples failed');
      return { accepted: 0, rejected: {} };
    }
  }

  /**
   * Prometheus's honor_labels: on a conflict between a scraped label and a
   * target label, the target label wins and the scraped one is kept as
   * `exported_<name>`; with honor_labels the scraped label wins.
   */
  private mergeLabels(scraped: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = { ...scraped };
    for (const [name, value] of Object.entries(this.labels)) {
      const theirs = out[name];
      if (theirs === undefined || theirs === '') out[name] = value;
      else if (!this.job.honorLabels) {
        let exported = 'exported_' + name;
        while (out[exported] !== undefined && out[exported] !== '') exported = 'exported_' + exported;
        out[exported] = theirs;
        out[name] = value;
      }
    }
    for (const name of Object.keys(out)) if (out[name] === '') delete out[name];
    return out;
  }

  private async fetchBody(): Promise<{ text: string; contentType: string | null }> {
    // Its own timer, undone when the scrape ends (see timeoutSignal: a stalled scrape must end,
    // or its target's stop and stale markers wait for it).
    const deadline = timeoutSignal(this.job.timeoutMs, this.stopController.signal);
    try {
      return await this.fetchWith(deadline.signal);
    } finally {
      deadline.release();
    }
  }

  private async fetchWith(signal: AbortSignal): Promise<{ text: string; contentType: string | null }> {
    const res = await fetch(this.url, {
      signal,
      redirect: 'follow',
      headers: {
        accept: SCRAPE_ACCEPT,
        'accept-encoding': 'gzip',
        'user-agent': USER_AGENT,
        'x-prometheus-scrape-timeout-seconds': String(this.job.timeoutMs / 1000),
      },
    });
    if (res.status !== 200) {
      await res.body?.cancel().catch(() => undefined);
      throw new Error(`server returned HTTP status ${res.status} ${res.statusText}`.trim());
    }
    const limit = this.job.bodySizeLimit;
    const reader = res.body?.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    if (reader) {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (limit > 0 && size > limit) {
          await reader.cancel().catch(() => undefined);
          throw new Error(`body size limit exceeded: more than ${limit} bytes (body_size_limit)`);
        }
        chunks.push(value);
      }
    }
    const body = Buffer.concat(chunks, size);
    return { text: body.toString('utf8'), contentType: res.headers.get('content-type') };
  }
}

function describeError(e: unknown, timeoutMs: number): string {
  const err = e as Error & { cause?: { message?: string; code?: string } };
  if (err?.name === 'TimeoutError') return `scrape timed out after ${timeoutMs / 1000}s (scrape_timeout)`;
  if (err?.name === 'AbortError') return 'scrape aborted';
  if (err?.message === 'fetch failed' && err.cause) return `fetch failed: ${err.cause.code ?? ''} ${err.cause.message ?? ''}`.trim();
  return err?.message ?? String(e);
}
