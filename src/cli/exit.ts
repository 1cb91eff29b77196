import { isConfigError } from '../config/errors.js';

/** Exit codes: 0 ok, 1 runtime failure, 2 bad usage or invalid configuration. */
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A bad flag or argument: printed without a stack trace, exit code 2. */
export class UsageError extends Error {}

/** A flag's value that must not be blank. */
export function nonEmpty(v: string, flag: string): string {
  if (v.trim() === '') throw new UsageError(`${flag}: must not be empty`);
  return v;
}

export function reportFatal(e: unknown): never {
  if (e instanceof UsageError) {
    process.stderr.write(`vigil: ${e.message}\n`);
    process.exit(EXIT_USAGE);
  }
  if (isConfigError(e)) {
    process.stderr.write(`${e.message}\n`);
    process.exit(EXIT_USAGE);
  }
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'EADDRINUSE') {
    process.stderr.write(`vigil: cannot listen: address already in use (${err.message})\n`);
    process.exit(EXIT_FAILURE);
  }
  process.stderr.write(`vigil: ${err?.stack ?? String(e)}\n`);
  process.exit(EXIT_FAILURE);
}

/** Runs `stop` once on SIGINT or SIGTERM, then exits 0. */
export function onShutdownSignal(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (sig: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    stop().then(
      () => process.exit(0),
      (e) => {
        process.stderr.write(`vigil: error while stopping on ${sig}: ${String(e)}\n`);
        process.exit(EXIT_FAILURE);
      },
    );
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
}
