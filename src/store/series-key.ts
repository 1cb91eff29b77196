import { type Labels, labelsKey } from '../core/labels.js';

/**
 * The canonical label key (identical to core/labels.labelsKey) without sorting when
 * the names already come sorted, as they do from Prometheus remote write and from
 * most clients: this is the per-series cost of append(), so it matters.
 */
export function fastLabelsKey(labels: Labels): string {
  let key = '';
  let prev = '';
  for (const name in labels) {
    const value = labels[name];
    if (typeof value !== 'string' || value === '' || (key !== '' && name <= prev)) return labelsKey(labels);
    key += name + '\xff' + value + '\xfe';
    prev = name;
  }
  return key;
}
