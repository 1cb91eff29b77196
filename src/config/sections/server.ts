import { z } from 'zod';
import { byteSize, listenAddress, section } from '../fields.js';

/** pino's levels; `silent` turns logging off. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The HTTP server: where it listens, how large a request may be, how much it logs. */
export const serverSchema = section({
  listen: listenAddress().prefault('127.0.0.1:9470'),
  maxBodyBytes: byteSize({ min: 1024 }).prefault('10MiB'),
  logLevel: z.enum(LOG_LEVELS).default('info'),
}).transform((s) => ({
  listen: s.listen.listen,
  host: s.listen.host,
  port: s.listen.port,
  maxBodyBytes: s.maxBodyBytes,
  logLevel: s.logLevel,
}));

export type ServerConfig = z.output<typeof serverSchema>;
