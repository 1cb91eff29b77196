import type { Labels } from '../../core/index.js';

const HOST_LABELS = ['instance', 'host', 'hostname', 'node', 'pod'] as const;

/** The host an event is about, as `label=value` (the first of the usual host labels it has). */
export function hostOf(labels: Labels | undefined): string | undefined {
  if (!labels) return undefined;
  for (const k of HOST_LABELS) if (labels[k]) return `${k}=${labels[k]}`;
  return undefined;
}
