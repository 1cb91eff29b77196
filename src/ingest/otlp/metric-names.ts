import { BytesTable } from '../bytes-table.js';
import { readString } from '../remote-write/proto-reader.js';
import { sanitizeMetricName } from './attribute-labels.js';

/**
 * A metric name as sent, with what the decoder derives from it: the Prometheus name, the
 * counter family (`_total`), and the key of its contexts. Made once per distinct name, not
 * per metric of every request (each series may be a metric of its own).
 */
export class MetricName {
  private totalName: string | undefined;
  private keyPrefix = '';
  private keyFamily = '';
  private key = '';

  constructor(
    readonly raw: string,
    /** Sanitized for Prometheus. */
    readonly name: string,
  ) {}

  /** The family of a monotonic sum: the name with `_total`, unless it has it already. */
  get total(): string {
    return (this.totalName ??= this.name.endsWith('_total') ? this.name : `${this.name}_total`);
  }

  /** prefix + family, made anew only when either changes (one string object: its hash is kept). */
  contextKey(prefix: string, family: string): string {
    if (prefix !== this.keyPrefix || family !== this.keyFamily) {
      this.keyPrefix = prefix;
      this.keyFamily = family;
      this.key = prefix + family;
    }
    return this.key;
  }
}

/**
 * Metric names by their bytes: senders repeat the same names byte for byte, so after the
 * first request a name costs a hash and a compare, not a string, two regular expressions
 * and concatenations. Bounded: past `maxEntries` names it starts over.
 */
export class MetricNameCache {
  private keys = new BytesTable();
  private names: MetricName[] = [];

  constructor(private readonly maxEntries = 100_000) {}

  /** The name in buf[start, end) (UTF-8, checked as readString checks it: a 400 naming `field`). */
  get(buf: Uint8Array, start: number, end: number, field: string): MetricName {
    const id = this.keys.find(buf, start, end);
    if (id >= 0) return this.names[id]!;
    const raw = readString(buf, start, end, field);
    if (this.keys.size >= this.maxEntries) {
      this.keys = new BytesTable();
      this.names = [];
    }
    const m = new MetricName(raw, sanitizeMetricName(raw));
    this.names[this.keys.add(buf, start, end)] = m;
    return m;
  }

  get size(): number {
    return this.keys.size;
  }
}
