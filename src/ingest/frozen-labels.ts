import type { Labels } from '../core/labels.js';

/**
 * One frozen label set per distinct series, across requests: a decoder that builds a
 * fresh object per sample hands the store and the detectors the same object for the
 * same series every time, so they find it by identity instead of hashing its labels.
 * Validation runs once per series, when it is first seen (a set that fails is not
 * kept). Bounded: past `maxEntries` series it starts over empty.
 */
export class FrozenLabels {
  private sets = new Map<string, Labels>();

  constructor(private readonly maxEntries = 200_000) {}

  /** The frozen set for `key` (a canonical key of `labels`), validating `labels` when new. */
  get(key: string, labels: Record<string, string>, validate: (labels: Record<string, string>) => void): Labels {
    let l = this.sets.get(key);
    if (l !== undefined) return l;
    validate(labels);
    if (this.sets.size >= this.maxEntries) this.sets = new Map();
    l = Object.freeze(labels);
    this.sets.set(key, l);
    return l;
  }
}
