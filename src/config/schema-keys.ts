import type { z } from 'zod';

/**
 * The keys a config mapping accepts, read from the schema itself so "did you
 * mean" suggestions stay right as sections are added. Walks through the
 * wrappers our fields use (defaults, preprocess and transform pipes, arrays).
 */

interface Def {
  type: string;
  innerType?: Schema;
  in?: Schema;
  out?: Schema;
  shape?: Record<string, Schema>;
  element?: Schema;
}
interface Schema {
  _zod: { def: Def };
}

export function knownKeysAt(schema: z.ZodType, path: readonly (string | number)[]): string[] {
  let def = structural(schema as unknown as Schema);
  for (const seg of path) {
    if (!def) return [];
    const child = def.type === 'object' ? def.shape?.[String(seg)] : def.type === 'array' ? def.element : undefined;
    def = child && structural(child);
  }
  return def?.type === 'object' ? Object.keys(def.shape ?? {}) : [];
}

/** The object or array definition under any wrappers, if there is one. */
function structural(s: Schema): Def | undefined {
  const def = s._zod.def;
  if (def.type === 'object' || def.type === 'array') return def;
  if (def.type === 'pipe') return (def.in && structural(def.in)) ?? (def.out && structural(def.out));
  return def.innerType && structural(def.innerType);
}
