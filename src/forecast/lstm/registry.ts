import { mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deserialise, serialise, type SavedLstm } from './model.js';
import type { LstmModelData } from './train.js';

/**
 * Versioned LSTM models on disk: `<dir>/<name>/v<N>.json`, N counting up
 * from 1 with each save; loading takes the newest unless a version is asked
 * for. Writes go to a temporary file and are renamed, so a crash never
 * leaves a half-written model behind.
 */
export class LstmRegistry {
  constructor(readonly dir: string) {}

  versions(name: string): number[] {
    let files: string[];
    try {
      files = readdirSync(join(this.dir, safe(name)));
    } catch {
      return [];
    }
    return files
      .map((f) => /^v(\d+)\.json$/.exec(f)?.[1])
      .filter((v): v is string => v !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  }

  save(name: string, model: LstmModelData): number {
    const dir = join(this.dir, safe(name));
    mkdirSync(dir, { recursive: true });
    const version = (this.versions(name).at(-1) ?? 0) + 1;
    const file = join(dir, `v${version}.json`);
    writeFileSync(file + '.tmp', JSON.stringify(serialise(model, name, version)));
    renameSync(file + '.tmp', file);
    return version;
  }

  /** The newest (or the given) version, or undefined when none is saved. */
  load(name: string, version?: number): { version: number; model: LstmModelData } | undefined {
    const v = version ?? this.versions(name).at(-1);
    if (v === undefined) return undefined;
    let text: string;
    try {
      text = readFileSync(join(this.dir, safe(name), `v${v}.json`), 'utf8');
    } catch {
      return undefined;
    }
    return { version: v, model: deserialise(JSON.parse(text) as SavedLstm) };
  }
}

/** Model names become directory names: keep them to a safe alphabet. */
function safe(name: string): string {
  return name.replace(/[^a-zA-Z0-9_.-]/g, '_');
}
