import { z } from 'zod';
import { duration, section } from '../fields.js';

/**
 * The host collector: Vigil's own host's CPU, memory, disks, network and load
 * (Linux /proc), written as node_exporter-compatible series with
 * job="vigil-host". Off by default so `vigil serve` writes only what it is sent.
 */
export const hostSchema = section({
  enabled: z.boolean().default(false),
  interval: duration({ min: 1000 }).prefault('15s'),
}).transform((h) => ({
  enabled: h.enabled,
  intervalMs: h.interval,
}));

export type HostConfig = z.output<typeof hostSchema>;
