import type { Labels } from '../../core/labels.js';
import { ByteKey, BytesBuckets } from '../bytes-buckets.js';

interface Entry {
  readonly key: ByteKey;
  readonly labels: Labels;
  /** The series that came after this one last time. */
  next: Entry | undefined;
}

/**
 * Encoded label bytes of a remote-write TimeSeries -> its decoded, validated,
 * frozen label set. A sender repeats the same series in every request, byte for
 * byte, so after the first request a series costs one hash and one byte compare
 * instead of decoding and validating its strings, and it keeps the same (frozen)
 * Labels object, which the store and the detectors then find by identity.
 * Senders also repeat the order of their series, so each entry remembers the
 * one that followed it: when that guess matches, the lookup is one compare.
 * Bounded: once `maxEntries` is reached it starts over empty.
 */
export class LabelBytesCache {
  private readonly buckets = new BytesBuckets<Entry>();
  private entries = 0;
  private last: Entry | undefined;

  constructor(private readonly maxEntries = 200_000) {}

  get(buf: Uint8Array, start: number, end: number): Labels | undefined {
    const guess = this.last?.next;
    if (guess !== undefined && guess.key.equals(buf, start, end)) {
      this.last = guess;
      return guess.labels;
    }
    const e = this.buckets.find(buf, start, end);
    if (e !== undefined) {
      if (this.last) this.last.next = e;
      this.last = e;
    }
    return e?.labels;
  }

  /** Caches `labels` (frozen here) for the bytes buf[start, end); returns the frozen object. */
  set(buf: Uint8Array, start: number, end: number, labels: Record<string, string>): Labels {
    if (this.entries >= this.maxEntries) this.clear();
    const e: Entry = { key: new ByteKey(buf, start, end), labels: Object.freeze(labels), next: undefined };
    if (this.last) this.last.next = e;
    this.last = e;
    this.buckets.add(e);
    this.entries++;
    return e.labels;
  }

  clear(): void {
    this.buckets.clear();
    this.entries = 0;
    this.last = undefined;
  }

  get size(): number {
    return this.entries;
  }
}
