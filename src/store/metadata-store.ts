import type Database from 'better-sqlite3';
import type { FamilyMetadata, MetricMetadata, MetricType } from '../core/metadata.js';
import { openSqlite, type SqliteHandle } from './sqlite-db.js';

export interface MetadataStoreOptions {
  /** SQLite file (or an open database lent by another component); undefined keeps metadata in memory only. */
  db?: string | Database.Database;
  /** Families kept at most; metadata of further families is refused (counted). */
  maxFamilies: number;
  /** Distinct (type, help, unit) entries kept per family (targets running different versions differ); the least recently seen goes first. */
  maxPerFamily?: number;
  /** An entry no sender has repeated for this long is dropped (ms; senders repeat theirs: remote write every minute, scrapes and OTLP with every request). */
  expireMs?: number;
  now?: () => number;
}

export interface MetadataRecordResult {
  /** Entries new to the store. */
  stored: number;
  /** Entries already known (their last sighting is refreshed). */
  unchanged: number;
  /** Entries of new families refused at maxFamilies. */
  overLimit: number;
  /** Families whose type (typeOf) this call set or changed. */
  typeChanges: Array<[family: string, type: MetricType]>;
}

export interface MetadataQuery {
  /** One family only. */
  metric?: string;
  /** At most this many families (0 or undefined: all). */
  limit?: number;
  /** At most this many entries per family (0 or undefined: all). */
  limitPerMetric?: number;
}

interface Entry extends MetricMetadata {
  /** When a sender last gave it, and when that was last written to disk (ms). */
  seen: number;
  saved: number;
}

const DEFAULT_MAX_PER_FAMILY = 8;
const DEFAULT_EXPIRE_MS = 24 * 3600_000;
/** A sighting is written to disk at most this often per entry (senders repeat entries every minute). */
const SAVE_SEEN_MS = 3600_000;
/** How often record() drops expired entries. */
const PRUNE_MS = 600_000;

/**
 * Metric metadata per family, as Prometheus's `/api/v1/metadata` serves it: the distinct
 * (type, help, unit) entries senders gave for each family. Kept in memory and, with `db`,
 * in SQLite, so it survives a restart; a write happens only when an entry is new, gone, or
 * its last sighting on disk is an hour old, so a sender repeating its metadata costs no I/O.
 */
export class MetadataStore {
  private readonly families = new Map<string, Entry[]>();
  /**
   * Each family's type: that of its newest entry. Only a new entry changes it (not a
   * sighting), so two targets that disagree do not make it flap.
   */
  private readonly current = new Map<string, MetricType>();
  private readonly handle: SqliteHandle | undefined;
  private readonly upsert: Database.Statement | undefined;
  private readonly remove: Database.Statement | undefined;
  private readonly maxPerFamily: number;
  private readonly expireMs: number;
  private readonly now: () => number;
  private prunedAt: number;

  constructor(private readonly opts: MetadataStoreOptions) {
    this.maxPerFamily = opts.maxPerFamily ?? DEFAULT_MAX_PER_FAMILY;
    this.expireMs = opts.expireMs ?? DEFAULT_EXPIRE_MS;
    this.now = opts.now ?? Date.now;
    this.prunedAt = this.now();
    if (opts.db === undefined) return;
    const h = (this.handle = openSqlite(opts.db));
    h.db.exec(`CREATE TABLE IF NOT EXISTS metric_metadata (
      family TEXT NOT NULL, type TEXT NOT NULL, help TEXT NOT NULL, unit TEXT NOT NULL, last_seen INTEGER NOT NULL,
      PRIMARY KEY (family, type, help, unit)) WITHOUT ROWID`);
    this.upsert = h.db.prepare('INSERT INTO metric_metadata (family, type, help, unit, last_seen) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET last_seen = excluded.last_seen');
    this.remove = h.db.prepare('DELETE FROM metric_metadata WHERE family = ? AND type = ? AND help = ? AND unit = ?');
    const cutoff = this.now() - this.expireMs;
    h.db.prepare('DELETE FROM metric_metadata WHERE last_seen < ?').run(cutoff);
    const rows = h.db.prepare('SELECT family, type, help, unit, last_seen FROM metric_metadata ORDER BY family, last_seen').all() as Row[];
    for (const r of rows) {
      let list = this.families.get(r.family);
      if (!list) {
        if (this.families.size >= opts.maxFamilies) continue;
        this.families.set(r.family, (list = []));
      }
      list.push({ type: r.type, help: r.help, unit: r.unit, seen: r.last_seen, saved: r.last_seen });
      if (list.length > this.maxPerFamily) list.shift();
      this.current.set(r.family, r.type);
    }
  }

  /** A family's type, as its newest entry gives it. */
  typeOf(family: string): MetricType | undefined {
    return this.current.get(family);
  }

  /** Every family's type (typeOf). */
  types(): Array<[family: string, type: MetricType]> {
    return [...this.current];
  }

  /** Families with metadata. */
  get size(): number {
    return this.families.size;
  }

  /** Takes what a sender said (in one transaction when anything is to be written). */
  record(entries: readonly FamilyMetadata[]): MetadataRecordResult {
    const now = this.now();
    const res: MetadataRecordResult = { stored: 0, unchanged: 0, overLimit: 0, typeChanges: [] };
    const writes: Array<[string, Entry]> = [];
    const deletes: Array<[string, Entry]> = [];
    for (const e of entries) {
      let list = this.families.get(e.family);
      if (!list) {
        if (this.families.size >= this.opts.maxFamilies) {
          res.overLimit++;
          continue;
        }
        this.families.set(e.family, (list = []));
      }
      const known = list.find((x) => x.type === e.type && x.help === e.help && x.unit === e.unit);
      if (known) {
        known.seen = now;
        if (now - known.saved >= SAVE_SEEN_MS) {
          known.saved = now;
          writes.push([e.family, known]);
        }
        res.unchanged++;
        continue;
      }
      if (list.length >= this.maxPerFamily) {
        let oldest = 0;
        for (let i = 1; i < list.length; i++) if (list[i]!.seen < list[oldest]!.seen) oldest = i;
        deletes.push([e.family, list.splice(oldest, 1)[0]!]);
      }
      const entry: Entry = { type: e.type, help: e.help, unit: e.unit, seen: now, saved: now };
      list.push(entry);
      writes.push([e.family, entry]);
      res.stored++;
      if (this.current.get(e.family) !== e.type) {
        this.current.set(e.family, e.type);
        res.typeChanges.push([e.family, e.type]);
      }
    }
    if (now - this.prunedAt >= PRUNE_MS) this.prune(now, deletes);
    this.persist(writes, deletes);
    return res;
  }

  /** The metadata of every family (or one), as `/api/v1/metadata` returns it, families in name order. */
  query(q: MetadataQuery = {}): Record<string, MetricMetadata[]> {
    const cutoff = this.now() - this.expireMs;
    const names = q.metric !== undefined ? (this.families.has(q.metric) ? [q.metric] : []) : [...this.families.keys()].sort();
    const out: Record<string, MetricMetadata[]> = {};
    let n = 0;
    for (const name of names) {
      if (q.limit && n >= q.limit) break;
      // Most recently seen first, so limit_per_metric keeps what senders say now.
      const live = this.families.get(name)!.filter((e) => e.seen >= cutoff).sort((a, b) => b.seen - a.seen);
      if (live.length === 0) continue;
      out[name] = (q.limitPerMetric ? live.slice(0, q.limitPerMetric) : live).map(({ type, help, unit }) => ({ type, help, unit }));
      n++;
    }
    return out;
  }

  close(): void {
    if (this.handle?.owned) this.handle.db.close();
  }

  private prune(now: number, deletes: Array<[string, Entry]>): void {
    this.prunedAt = now;
    const cutoff = now - this.expireMs;
    for (const [family, list] of this.families) {
      for (let i = list.length - 1; i >= 0; i--) if (list[i]!.seen < cutoff) deletes.push([family, list.splice(i, 1)[0]!]);
      if (list.length === 0) {
        this.families.delete(family);
        this.current.delete(family);
      }
    }
  }

  private persist(writes: Array<[string, Entry]>, deletes: Array<[string, Entry]>): void {
    if (!this.handle || (writes.length === 0 && deletes.length === 0)) return;
    const upsert = this.upsert!;
    const remove = this.remove!;
    this.handle.db.transaction(() => {
      for (const [f, e] of deletes) remove.run(f, e.type, e.help, e.unit);
      for (const [f, e] of writes) upsert.run(f, e.type, e.help, e.unit, e.seen);
    })();
  }
}

interface Row {
  family: string;
  type: MetricType;
  help: string;
  unit: string;
  last_seen: number;
}
