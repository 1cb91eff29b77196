// Where the read-only shared datasets live: `../shared` from the project root, or $VIGIL_SHARED_DIR.
import { resolve } from 'node:path';

/** The shared directory (the one holding `datasets/`). */
export function sharedDir(): string {
  const override = process.env.VIGIL_SHARED_DIR;
  return override ? resolve(override) : resolve(process.cwd(), '..', 'shared');
}

/** The NAB corpus directory (`data/`, `labels/`, `config/`, `results/`). */
export function nabDir(): string {
  return resolve(sharedDir(), 'datasets', 'nab');
}
