import { z } from 'zod';
import { count, duration, section } from '../fields.js';

/** The built-in simulated fleet used by `vigil demo` (and `vigil serve` when enabled). */
export const simulatorSchema = section({
  enabled: z.boolean().default(false),
  // Same seed, same fleet and same incidents: demos and tests are reproducible.
  seed: z.number().int().default(1),
  services: count(1, 1000).default(6),
  hostsPerService: count(1, 1000).default(2),
  interval: duration({ min: 1 }).prefault('10s'),
  incidentsPerDay: z.number().min(0).default(4),
}).transform((s) => ({
  enabled: s.enabled,
  seed: s.seed,
  services: s.services,
  hostsPerService: s.hostsPerService,
  intervalMs: s.interval,
  incidentsPerDay: s.incidentsPerDay,
}));

export type SimulatorConfig = z.output<typeof simulatorSchema>;
