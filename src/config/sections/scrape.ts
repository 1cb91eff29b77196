import { z } from 'zod';
import { byteSize, count, duration, section } from '../fields.js';

/**
 * Scraping: Vigil pulls metrics from Prometheus-style targets itself.
 *
 * Keys inside `scrape:` are snake_case, unlike the rest of vigil.yaml, because
 * they are Prometheus's own `scrape_configs` keys: a job copied from
 * prometheus.yml works unchanged (within the subset supported here; any other
 * key, e.g. relabel_configs, is reported as unknown rather than ignored).
 * The top-level `scrape_interval`, `scrape_timeout`, `sample_limit` and
 * `body_size_limit` play the part of Prometheus's `global:` defaults.
 */

const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
// host:port, [v6]:port, or a bare host (the scheme's default port is then used, as in Prometheus 3).
const TARGET_RE = /^(?:\[[0-9a-fA-F:.]+\]|[^\s/:[\]]+)(?::\d{1,5})?$/;
const JOB_NAME_RE = /^\S+$/;

const labelsSchema = z.preprocess(
  (v) => v ?? {},
  z.record(
    z.string().regex(LABEL_NAME_RE, 'invalid label name (letters, digits and "_", not starting with a digit)').refine((n) => !n.startsWith('__'), 'label names starting with "__" are reserved'),
    z.string(),
  ),
);

export const targetSchema = z.string().regex(TARGET_RE, 'expected host:port (no scheme or path; set scheme and metrics_path on the job)');

const staticConfigSchema = z.strictObject({
  targets: z.preprocess((v) => v ?? [], z.array(targetSchema)),
  labels: labelsSchema,
});

const fileSdConfigSchema = z.strictObject({
  // Paths ending in .json, .yml or .yaml; the last path segment may contain * and ? wildcards.
  files: z.array(z.string().regex(/\.(json|ya?ml)$/, 'file_sd files must end in .json, .yml or .yaml')).min(1),
  refresh_interval: duration({ min: 1000 }).prefault('5m'),
});

const jobSchema = z.strictObject({
  job_name: z.string().regex(JOB_NAME_RE, 'must be non-empty and contain no spaces'),
  scrape_interval: duration({ min: 1000 }).optional(),
  scrape_timeout: duration({ min: 1 }).optional(),
  metrics_path: z.string().startsWith('/', 'must start with "/"').default('/metrics'),
  scheme: z.enum(['http', 'https']).default('http'),
  honor_labels: z.boolean().default(false),
  honor_timestamps: z.boolean().default(true),
  sample_limit: count(0).optional(),
  body_size_limit: byteSize().optional(),
  static_configs: z.preprocess((v) => v ?? [], z.array(staticConfigSchema)),
  file_sd_configs: z.preprocess((v) => v ?? [], z.array(fileSdConfigSchema)),
});

export const scrapeSchema = section({
  scrape_interval: duration({ min: 1000 }).prefault('1m'),
  scrape_timeout: duration({ min: 1 }).prefault('10s'),
  sample_limit: count(0).default(0),
  body_size_limit: byteSize().prefault(0),
  scrape_configs: z.preprocess((v) => v ?? [], z.array(jobSchema)),
})
  .superRefine((s, ctx) => {
    const names = new Set<string>();
    s.scrape_configs.forEach((j, i) => {
      if (names.has(j.job_name)) ctx.addIssue({ code: 'custom', path: ['scrape_configs', i, 'job_name'], message: `duplicate job_name "${j.job_name}"` });
      names.add(j.job_name);
      const interval = j.scrape_interval ?? s.scrape_interval;
      if (j.scrape_timeout !== undefined && j.scrape_timeout > interval)
        ctx.addIssue({ code: 'custom', path: ['scrape_configs', i, 'scrape_timeout'], message: 'scrape_timeout must not be greater than scrape_interval' });
    });
    if (s.scrape_timeout > s.scrape_interval && s.scrape_configs.some((j) => j.scrape_interval === undefined))
      ctx.addIssue({ code: 'custom', path: ['scrape_timeout'], message: 'scrape_timeout must not be greater than scrape_interval' });
  })
  .transform((s) => ({
    jobs: s.scrape_configs.map((j): ScrapeJobConfig => {
      const intervalMs = j.scrape_interval ?? s.scrape_interval;
      return {
        jobName: j.job_name,
        intervalMs,
        // As Prometheus: a job that sets only its interval gets min(global timeout, interval).
        timeoutMs: j.scrape_timeout ?? Math.min(s.scrape_timeout, intervalMs),
        metricsPath: j.metrics_path,
        scheme: j.scheme,
        honorLabels: j.honor_labels,
        honorTimestamps: j.honor_timestamps,
        sampleLimit: j.sample_limit ?? s.sample_limit,
        bodySizeLimit: j.body_size_limit ?? s.body_size_limit,
        staticConfigs: j.static_configs.map((c) => ({ targets: c.targets, labels: c.labels })),
        fileSdConfigs: j.file_sd_configs.map((c) => ({ files: c.files, refreshIntervalMs: c.refresh_interval })),
      };
    }),
  }));

/** One resolved scrape job: global defaults applied, durations in ms, sizes in bytes (0 = no limit). */
export interface ScrapeJobConfig {
  jobName: string;
  intervalMs: number;
  timeoutMs: number;
  metricsPath: string;
  scheme: 'http' | 'https';
  honorLabels: boolean;
  honorTimestamps: boolean;
  sampleLimit: number;
  bodySizeLimit: number;
  staticConfigs: Array<{ targets: string[]; labels: Record<string, string> }>;
  fileSdConfigs: Array<{ files: string[]; refreshIntervalMs: number }>;
}

export type ScrapeConfig = z.output<typeof scrapeSchema>;
