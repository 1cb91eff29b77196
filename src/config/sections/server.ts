import { z } from 'zod';
import { byteSize, duration, listenAddress, section } from '../fields.js';

/** pino's levels; `silent` turns logging off. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The HTTP server: where it listens, how large a request may be, how much it logs, how it links to itself. */
export const serverSchema = section({
  listen: listenAddress().prefault('127.0.0.1:9470'),
  maxBodyBytes: byteSize({ min: 1024 }).prefault('10MiB'),
  logLevel: z.enum(LOG_LEVELS).default('info'),
  // The address people and chat tools reach Vigil at, for links in notifications ('' = the listen address).
  externalUrl: z
    .string()
    .default('')
    .refine((s) => s === '' || /^https?:\/\/[^\s/]+(\/\S*)?$/.test(s), { message: 'expected an http:// or https:// URL, e.g. https://vigil.example.com' })
    .transform((s) => s.replace(/\/+$/, '')),
  // Signs one-click acknowledgement links in notifications ('' = no ack links).
  ackLinkSecret: z.string().default('').refine((s) => s === '' || s.length >= 16, { message: 'use at least 16 characters' }),
  // How long an acknowledgement link stays valid.
  ackLinkTtl: duration({ min: 60_000 }).prefault('7d'),
}).transform((s) => ({
  listen: s.listen.listen,
  host: s.listen.host,
  port: s.listen.port,
  maxBodyBytes: s.maxBodyBytes,
  logLevel: s.logLevel,
  externalUrl: s.externalUrl,
  ackLinkSecret: s.ackLinkSecret,
  ackLinkTtlMs: s.ackLinkTtl,
}));

export type ServerConfig = z.output<typeof serverSchema>;
