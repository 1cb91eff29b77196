import { pino, type Logger, type LevelWithSilent } from 'pino';

/**
 * Structured JSON logs (pino). Headers that carry credentials are redacted, so a
 * token sent to Vigil never reaches a log line.
 */
export function createLogger(level: LevelWithSilent = 'info', destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'vigil' },
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]', '*.password', '*.token', '*.secret'],
        censor: '<redacted>',
      },
    },
    destination ?? process.stderr,
  );
}

export type { Logger };
