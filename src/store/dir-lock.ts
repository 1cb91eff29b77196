import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { VigilError } from '../core/errors.js';

/**
 * One store per directory: two writers would interleave WAL segments and seal the
 * same samples twice. The lock file holds the owner's pid; a lock left by a dead
 * process (kill -9) is taken over, so a crash never blocks the restart.
 */

const held = new Set<string>();

export function acquireDirLock(dir: string): void {
  const abs = resolve(dir);
  if (held.has(abs)) throw new VigilError('STORE_LOCKED', `store directory ${abs} is already open in this process`, 503);
  const path = join(abs, 'LOCK');
  let owner = NaN;
  try {
    owner = Number(readFileSync(path, 'utf8').trim());
  } catch {
    // no lock file
  }
  if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner))
    throw new VigilError('STORE_LOCKED', `store directory ${abs} is in use by process ${owner} (remove ${path} if that is wrong)`, 503);
  writeFileSync(path, String(process.pid) + '\n');
  held.add(abs);
}

export function releaseDirLock(dir: string): void {
  const abs = resolve(dir);
  if (!held.delete(abs)) return;
  try {
    rmSync(join(abs, 'LOCK'), { force: true });
  } catch {
    // best effort
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
