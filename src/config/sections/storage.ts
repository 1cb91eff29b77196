import { z } from 'zod';
import type { StoreOptions } from '../../store/types.js';
import { count, duration, section } from '../fields.js';

/** The sample store. Durations are written as text and handed to the store in ms. */
export const storageSchema = section({
  dir: z.string().min(1).default('./data'),
  retention: duration({ min: 1 }).prefault('15d'),
  headWindow: duration({ min: 1 }).prefault('2h'),
  fsync: z.enum(['always', 'interval', 'never']).default('interval'),
  fsyncInterval: duration({ min: 1 }).prefault('1s'),
  outOfOrderWindow: duration().prefault('0s'),
  chunkSamples: count(1, 65_535).default(120),
}).transform((s) => ({
  dir: s.dir,
  retentionMs: s.retention,
  headWindowMs: s.headWindow,
  fsync: s.fsync,
  fsyncIntervalMs: s.fsyncInterval,
  outOfOrderWindowMs: s.outOfOrderWindow,
  chunkSamples: s.chunkSamples,
}));

export type StorageConfig = z.output<typeof storageSchema>;

// Compile-time check that the section can be spread into the store's options.
export const toStoreOptions = (s: StorageConfig, maxSeries: number): StoreOptions => ({ ...s, maxSeries });
