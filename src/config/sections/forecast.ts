import { z } from 'zod';
import { LABEL_NAME_RE } from '../../core/labels.js';
import { parseSelector, type CompiledMatcher } from '../../core/matchers.js';
import { count, duration, section } from '../fields.js';

/**
 * Forecasting: capacity risk (time until a series reaches its limit),
 * predictive scaling of workloads, right-sizing of allocations, and the LSTM
 * models trained in the background. Durations are output in ms.
 */

export interface SelectorField {
  text: string;
  matchers: CompiledMatcher[];
}

const selector = z.string().transform((text, ctx): SelectorField => {
  try {
    return { text, matchers: parseSelector(text) };
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message });
    return z.NEVER;
  }
});

const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.:-]*$/;
const name = z.string().regex(NAME_RE, 'must start with a letter or digit and contain only letters, digits, ".", "_", ":" and "-"');
const labelNames = z.array(z.string().regex(LABEL_NAME_RE, 'invalid label name'));

const riskSchema = section({
  // Time left before the limit under which the risk is high, and medium; low beyond.
  high: duration({ min: 1 }).prefault('7d'),
  medium: duration({ min: 1 }).prefault('30d'),
}).refine((r) => r.high <= r.medium, { message: 'high must not be longer than medium', path: ['high'] });

const capacitySchema = z
  .strictObject({
    name,
    match: selector,
    // The limit: a number in the series' units, or another series (matched on the labels in `on`,
    // default every label but the metric name) times limitScale.
    limit: z.number().optional(),
    limitFrom: selector.optional(),
    limitScale: z.number().gt(0).default(1),
    on: labelNames.optional(),
    direction: z.enum(['above', 'below']).default('above'),
    window: duration({ min: 1 }).prefault('7d'),
    horizon: duration({ min: 1 }).prefault('30d'),
    step: duration({ min: 1 }).optional(),
    risk: riskSchema.optional(),
    // auto: the default automatic model; linear: a least-squares line (steady fills, like predict_linear).
    model: z.enum(['auto', 'linear']).default('auto'),
  })
  .superRefine((c, ctx) => {
    if ((c.limit === undefined) === (c.limitFrom === undefined)) ctx.addIssue({ code: 'custom', path: ['limit'], message: 'give exactly one of limit and limitFrom' });
  });

const scalingSchema = z
  .strictObject({
    name,
    match: selector,
    // Capacity of one replica in the series' units (request rate); without it the series is a
    // utilisation of the whole fleet and `full` its value at 100% (1 for a ratio, 100 for percent).
    perReplica: z.number().gt(0).optional(),
    full: z.number().gt(0).default(1),
    target: z.number().gt(0).max(1).default(0.7),
    scaleDownBelow: z.number().min(0).max(1).default(0.3),
    replicas: count(1).optional(),
    replicasFrom: selector.optional(),
    minReplicas: count(1).default(1),
    maxReplicas: count(1).default(1000),
    window: duration({ min: 1 }).prefault('3d'),
    horizon: duration({ min: 1 }).prefault('1h'),
    step: duration({ min: 1 }).optional(),
  })
  .superRefine((c, ctx) => {
    if (c.scaleDownBelow >= c.target) ctx.addIssue({ code: 'custom', path: ['scaleDownBelow'], message: 'must be below target' });
    if (c.replicas !== undefined && c.replicasFrom !== undefined) ctx.addIssue({ code: 'custom', path: ['replicas'], message: 'give at most one of replicas and replicasFrom' });
    if (c.minReplicas > c.maxReplicas) ctx.addIssue({ code: 'custom', path: ['minReplicas'], message: 'must not exceed maxReplicas' });
  });

const resourceSchema = z
  .strictObject({
    name,
    match: selector,
    allocation: z.number().gt(0).optional(),
    allocationFrom: selector.optional(),
    on: labelNames.optional(),
    // Price of one unit of allocation per hour (per CPU-hour, per byte-hour...).
    unitPrice: z.number().min(0).default(0),
    // Recommended sizes are multiples of this; 0 = any.
    granularity: z.number().min(0).default(0),
  })
  .superRefine((c, ctx) => {
    if ((c.allocation === undefined) === (c.allocationFrom === undefined)) ctx.addIssue({ code: 'custom', path: ['allocation'], message: 'give exactly one of allocation and allocationFrom' });
  });

const uniqueNames = <T extends { name: string }>(xs: T[], ctx: z.RefinementCtx) => {
  const seen = new Set<string>();
  xs.forEach((x, i) => {
    if (seen.has(x.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate name "${x.name}"` });
    seen.add(x.name);
  });
};

const list = <S extends z.ZodType<{ name: string }>>(s: S) => z.preprocess((v) => v ?? [], z.array(s).superRefine(uniqueNames));

export const forecastSchema = section({
  enabled: z.boolean().default(true),
  // How often capacity, scaling and right-sizing are recomputed.
  interval: duration({ min: 1000 }).prefault('5m'),
  // Nominal coverage of prediction intervals.
  level: z.number().gt(0).lt(1).default(0.95),
  // Forecast alert rules (type: forecast) use this stage's automatic model instead of a straight line.
  rules: z.boolean().default(true),
  // Largest history and horizon, in grid points; longer ranges get a coarser step.
  maxHistoryPoints: count(16).default(2000),
  maxHorizonSteps: count(1).default(500),
  risk: riskSchema,
  capacity: list(capacitySchema),
  scaling: list(scalingSchema),
  rightsizing: section({
    window: duration({ min: 1 }).prefault('14d'),
    step: duration({ min: 1000 }).prefault('5m'),
    percentile: z.number().gt(0).max(1).default(0.95),
    headroom: z.number().min(1).default(1.3),
    underUse: z.number().gt(0).max(1).default(0.5),
    // Fraction of the window that must have data before a resource is judged.
    minCoverage: z.number().min(0).max(1).default(0.5),
    resources: list(resourceSchema),
  }),
  lstm: section({
    // Series (selectors) that get an LSTM model of their own, trained in the background.
    series: z.preprocess((v) => v ?? [], z.array(selector)),
    lookback: count(2).default(180),
    horizon: count(1).default(180),
    step: duration({ min: 1 }).prefault('10s'),
    hidden: count(2, 256).default(24),
    epochs: count(1).default(40),
    // History trained on, and how often to retrain.
    window: duration({ min: 1 }).prefault('24h'),
    retrain: duration({ min: 1000 }).prefault('24h'),
  }),
});

export type ForecastConfig = z.output<typeof forecastSchema>;
export type CapacityConfig = ForecastConfig['capacity'][number];
export type ScalingConfig = ForecastConfig['scaling'][number];
export type RightsizingConfig = ForecastConfig['rightsizing'];
export type LstmConfig = ForecastConfig['lstm'];
