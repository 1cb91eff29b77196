// NAB's application profiles, from config/profiles.json (`{ name: { CostMatrix: {...} } }`).
import { readFileSync } from 'node:fs';
import type { NabProfile } from './types.js';

type Weight = 'tpWeight' | 'fpWeight' | 'fnWeight' | 'tnWeight';

/** Profiles in the file's order (standard, reward_low_FP_rate, reward_low_FN_rate in NAB v1.1). */
export function parseProfiles(json: unknown, source = 'profiles'): NabProfile[] {
  if (typeof json !== 'object' || json === null) throw new Error(`${source}: expected an object`);
  return Object.entries(json as Record<string, unknown>).map(([name, entry]) => {
    const matrix = (entry as { CostMatrix?: Record<string, unknown> } | null)?.CostMatrix;
    const weight = (key: Weight): number => {
      const v = matrix?.[key];
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${source}: profile "${name}" has no numeric ${key}`);
      return v;
    };
    return { name, tpWeight: weight('tpWeight'), fpWeight: weight('fpWeight'), fnWeight: weight('fnWeight'), tnWeight: weight('tnWeight') };
  });
}

export function loadProfiles(path: string): NabProfile[] {
  return parseProfiles(JSON.parse(readFileSync(path, 'utf8')), path);
}
