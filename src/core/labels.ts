/**
 * Labels identify a series, as in Prometheus: a set of name/value pairs where
 * `__name__` carries the metric name. Identity is the sorted label set; the
 * hash below is stable across processes and versions (it is persisted).
 */
export type Labels = Readonly<Record<string, string>>;

export const METRIC_NAME = '__name__';

/** Label pairs sorted by name, empty values dropped (Prometheus treats `a=""` as absent). */
export function sortedLabelPairs(labels: Labels): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const name in labels) {
    const value = labels[name];
    if (value !== undefined && value !== '') pairs.push([name, value]);
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return pairs;
}

/** Returns a copy with names sorted and empty values dropped. */
export function normalizeLabels(labels: Labels): Labels {
  const out: Record<string, string> = {};
  for (const [n, v] of sortedLabelPairs(labels)) out[n] = v;
  return out;
}

/**
 * Canonical text key of a label set: `name\xffvalue\xfe...` over sorted pairs.
 * The separators cannot appear in valid UTF-8 label text, so keys never collide.
 */
export function labelsKey(labels: Labels): string {
  let key = '';
  for (const [n, v] of sortedLabelPairs(labels)) key += n + '\xff' + v + '\xfe';
  return key;
}

/**
 * Stable 64-bit series hash of the sorted label set, as 16 hex digits.
 * Two independent 32-bit murmur3-style lanes over the canonical key's UTF-16 code units.
 */
export function seriesHash(labels: Labels): string {
  return hashString64(labelsKey(labels));
}

export function hashString64(s: string): string {
  let h1 = 0x9e3779b9 ^ s.length;
  let h2 = 0x85ebca6b ^ s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let k = Math.imul(c, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h1 ^= k;
    h1 = (h1 << 13) | (h1 >>> 19);
    h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
    h2 = Math.imul(h2 ^ c, 0x01000193);
    h2 ^= h2 >>> 15;
  }
  h1 = fmix32(h1 ^ h2);
  h2 = fmix32(h2 + h1);
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

/** `name{a="1",b="2"}` in Prometheus exposition style, for logs and messages. */
export function formatLabels(labels: Labels): string {
  const name = labels[METRIC_NAME] ?? '';
  const rest = sortedLabelPairs(labels)
    .filter(([n]) => n !== METRIC_NAME)
    .map(([n, v]) => `${n}=${JSON.stringify(v)}`)
    .join(',');
  return rest ? `${name}{${rest}}` : name || '{}';
}

/** Prometheus naming rules. */
export const METRIC_NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
export const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function isValidMetricName(name: string): boolean {
  return METRIC_NAME_RE.test(name);
}

export function isValidLabelName(name: string): boolean {
  return LABEL_NAME_RE.test(name);
}
