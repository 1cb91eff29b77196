import type { Labels } from '../../core/labels.js';
import { BytesTable } from '../bytes-table.js';

/**
 * Encoded label bytes of a remote-write TimeSeries -> its decoded, validated,
 * frozen label set. A sender repeats the same series in every request, byte for
 * byte, so after the first request a series costs one hash and one byte compare
 * instead of decoding and validating its strings, and it keeps the same (frozen)
 * Labels object, which the store and the detectors then find by identity.
 * Senders also repeat the order of their series, so each entry remembers the
 * one that followed it: when that guess matches (matchNext), the lookup is one compare, and
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

  /**
   * The label set of the run of labels at buf[start] when it is the entry that followed the last
   * one found (the usual case: senders repeat their order), found without first walking the
   * run's labels to learn where it ends: the guess's key must be there byte for byte, followed
   * by the end or by a field other than a label (tag 0x0a). On a hit, `matchedEnd` is where the
   * run ends; undefined otherwise (then find the run's end and call get()).
   */
  matchNext(buf: Uint8Array, start: number, end: number): Labels | undefined {
    const last = this.last;
    const guess = last >= 0 ? this.next[last]! : -1;
    if (guess < 0) return undefined;
    const runEnd = start + this.keys.length(guess);
    if (runEnd > end || (runEnd < end && buf[runEnd] === 0x0a) || !this.keys.equals(guess, buf, start, runEnd)) return undefined;
    this.last = guess;
    this.matchedEnd = runEnd;
    return this.labels[guess];
  }

  /** Where the run matched by the last successful matchNext() ends. */
  matchedEnd = 0;

  /**
   * The label set of the run of labels buf[start, end), by its hash, for a run matchNext() did
   * not match: the guess is not tried again (had it been this run, matchNext would have found it).
   */
  get(buf: Uint8Array, start: number, end: number): Labels | undefined {
    const last = this.last;
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
