import type { Labels } from '../../core/labels.js';
import { BytesTable } from '../bytes-table.js';

/**
 * Encoded label bytes of a remote-write TimeSeries -> its decoded, validated,
 * frozen label set. A sender repeats the same series in every request, byte for
 * byte, so after the first request a series costs one hash and one byte compare
 * instead of decoding and validating its strings, and it keeps the same (frozen)
 * Labels object, which the store and the detectors then find by identity.
 * Senders also repeat the order of their series, so each entry remembers the
 * one that followed it: when that guess matches, the lookup is one compare, and
 * the keys (in a BytesTable, in the order first seen) are read as one stream.
 * Bounded: once `maxEntries` is reached it starts over empty.
 */
export class LabelBytesCache {
  private readonly keys = new BytesTable();
  private labels: Labels[] = [];
  /** Per entry, the entry that came after it last time (-1: none yet). */
  private next = new Int32Array(256).fill(-1);
  private last = -1;

  constructor(private readonly maxEntries = 200_000) {}

  get(buf: Uint8Array, start: number, end: number): Labels | undefined {
    const last = this.last;
    const guess = last >= 0 ? this.next[last]! : -1;
    if (guess >= 0 && this.keys.equals(guess, buf, start, end)) {
      this.last = guess;
      return this.labels[guess];
    }
    const id = this.keys.find(buf, start, end);
    if (id < 0) return undefined;
    if (last >= 0) this.next[last] = id;
    this.last = id;
    return this.labels[id];
  }

  /** Caches `labels` (frozen here) for the bytes buf[start, end); returns the frozen object. */
  set(buf: Uint8Array, start: number, end: number, labels: Record<string, string>): Labels {
    if (this.keys.size >= this.maxEntries) this.clear();
    const id = this.keys.add(buf, start, end);
    if (id === this.next.length) {
      const next = new Int32Array(id * 2).fill(-1);
      next.set(this.next);
      this.next = next;
    }
    const frozen = Object.freeze(labels);
    this.labels[id] = frozen;
    if (this.last >= 0) this.next[this.last] = id;
    this.last = id;
    return frozen;
  }

  clear(): void {
    this.keys.clear();
    this.labels = [];
    this.next = new Int32Array(256).fill(-1);
    this.last = -1;
  }

  get size(): number {
    return this.keys.size;
  }
}
