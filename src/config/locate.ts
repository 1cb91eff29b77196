import { type Document, type LineCounter, type Node, isAlias, isMap, isScalar, isSeq } from 'yaml';

/**
 * Maps a config path (`['storage', 'retention']`) back to where it is written
 * in the YAML source, so every error can name a line and column.
 */

export interface Position {
  line: number;
  column: number;
}

export type PathSegment = string | number;

interface Found {
  /** Deepest node reached along the path, and the key it sits under (if in a mapping). */
  node: Node | null;
  key: Node | null;
  complete: boolean;
}

export function findNode(doc: Document, path: readonly PathSegment[]): Found {
  let node = doc.contents as Node | null;
  let key: Node | null = null;
  for (const seg of path) {
    if (isAlias(node)) node = node.resolve(doc) ?? null;
    if (isMap(node)) {
      const pair = node.items.find((p) => keyText(p.key) === String(seg));
      if (!pair) return { node, key, complete: false };
      key = pair.key as Node;
      node = (pair.value as Node | null) ?? null;
    } else if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
      key = null;
      node = node.items[seg] as Node;
    } else return { node, key, complete: false };
  }
  return { node, key, complete: true };
}

/**
 * Where to point for a problem at `path`: the key itself when `at` is 'key'
 * (unknown keys); otherwise the value, or, when the path is not in the file
 * at all (a missing field), the nearest enclosing entry that is.
 */
export function locate(doc: Document, lc: LineCounter, path: readonly PathSegment[], at: 'key' | 'value'): Position {
  const f = findNode(doc, path);
  const valueHasText = f.node?.range && f.node.range[1] > f.node.range[0];
  const target = f.complete && at === 'value' && valueHasText ? f.node : (f.key ?? f.node);
  return position(lc, target?.range?.[0] ?? 0);
}

export function position(lc: LineCounter, offset: number): Position {
  const { line, col } = lc.linePos(offset);
  return { line, column: col };
}

export function keyText(k: unknown): string {
  return isScalar(k) ? String(k.value) : String(k);
}
