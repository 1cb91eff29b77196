import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

/**
 * Which program a `command` step would run, and whether it may. The allow-list
 * holds exact absolute paths; argv[0] is resolved the way exec would (a bare
 * name through PATH, a relative path against the working directory) and only
 * the resolved path is compared, so `systemctl` and `/usr/bin/../bin/systemctl`
 * are the same program and `./systemctl` from another directory is not.
 */
export class CommandRefusedError extends Error {
  readonly code = 'VIGIL_REMEDIATE_COMMAND_REFUSED';
}

export function resolveProgram(argv0: string, cwd: string | undefined, pathVar: string | undefined): string {
  if (argv0.includes('/')) return resolve(cwd ?? process.cwd(), argv0);
  for (const dir of (pathVar ?? '').split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue; // a relative PATH entry would depend on the working directory
    const candidate = join(dir, argv0);
    if (isExecutableFile(candidate)) return candidate;
  }
  throw new CommandRefusedError(`command: program ${JSON.stringify(argv0)} was not found on PATH; write its absolute path`);
}

/** The resolved program, or a CommandRefusedError saying it is not allow-listed. */
export function allowedProgram(argv0: string, cwd: string | undefined, allowList: readonly string[], pathVar = process.env.PATH): string {
  const program = resolveProgram(argv0, cwd, pathVar);
  if (!allowList.some((allowed) => resolve(allowed) === program))
    throw new CommandRefusedError(
      `command: ${program} is not in the command allow-list${allowList.length ? ` (allowed: ${allowList.join(', ')})` : ' (the allow-list is empty)'}`,
    );
  return program;
}

function isExecutableFile(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
}
