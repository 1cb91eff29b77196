import type { z } from 'zod';
import { section } from './fields.js';
import { serverSchema } from './sections/server.js';
import { storageSchema } from './sections/storage.js';
import { limitsSchema } from './sections/limits.js';
import { simulatorSchema } from './sections/simulator.js';
import { servicesSchema } from './sections/services.js';
import { detectSchema } from './sections/detect.js';
import { scrapeSchema } from './sections/scrape.js';
import { hostSchema } from './sections/host.js';
import { notifySchema } from './sections/notify.js';
import { ruleEvaluationSchema, ruleFilesSchema, rulesSchema } from './sections/rules.js';
import { routingSchema } from './sections/routing.js';
import { oncallSchema } from './sections/oncall.js';
import { incidentsSchema } from './sections/incidents.js';
import { forecastSchema } from './sections/forecast.js';
import { topologySchema } from './sections/topology.js';
import { remediationSchema } from './sections/remediation.js';

/**
 * The whole of vigil.yaml. To add a section, write `sections/<name>.ts` and
 * list it here; location of errors, "did you mean" and defaults follow.
 */
export const configSchema = section({
  server: serverSchema,
  storage: storageSchema,
  limits: limitsSchema,
  simulator: simulatorSchema,
  detect: detectSchema,
  scrape: scrapeSchema,
  host: hostSchema,
  notify: notifySchema,
  rules: rulesSchema,
  ruleFiles: ruleFilesSchema,
  ruleEvaluation: ruleEvaluationSchema,
  routing: routingSchema,
  oncall: oncallSchema,
  incidents: incidentsSchema,
  forecast: forecastSchema,
  topology: topologySchema,
  remediation: remediationSchema,
  services: servicesSchema,
});

/** The validated configuration, with every default filled in and durations in ms. */
export type VigilConfig = z.output<typeof configSchema>;

export type { ServerConfig } from './sections/server.js';
export type { StorageConfig } from './sections/storage.js';
export type { LimitsConfig } from './sections/limits.js';
export type { SimulatorConfig } from './sections/simulator.js';
export type { DetectConfig } from './sections/detect.js';
export type { ServicesConfig, ServiceConfig } from './sections/services.js';
