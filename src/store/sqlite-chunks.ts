import Database from 'better-sqlite3';
import { statSync } from 'node:fs';

/**
 * The durable part of the store: series and sealed chunks in one SQLite file, in
 * WAL journal mode (readers never block the single writer; a commit is one append
 * to the -wal file). Chunks are never updated in place: a seal deletes the rows it
 * replaces and inserts new ones in the same transaction.
 *
 * `meta.wal_first_segment` is written in the same transaction as the chunks a
 * checkpoint seals: WAL segments below it are covered by the database, and are
 * skipped (and deleted) at open, even if the process died before deleting them.
 */

export interface StoredSeries {
  id: number;
  hash: string;
  labels: string;
}

export interface ChunkRow {
  minT: number;
  maxT: number;
  n: number;
  data: Uint8Array;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS series (
  id INTEGER PRIMARY KEY,
  hash TEXT NOT NULL,
  labels TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS series_hash ON series (hash);
CREATE TABLE IF NOT EXISTS chunks (
  series_id INTEGER NOT NULL,
  min_t INTEGER NOT NULL,
  max_t INTEGER NOT NULL,
  n INTEGER NOT NULL,
  data BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_series_max_t ON chunks (series_id, max_t);
`;

type Row = unknown[];

export class ChunkDb {
  readonly path: string;
  private readonly db: Database.Database;
  private readonly stInsertChunk: Database.Statement;
  private readonly stDeleteFrom: Database.Statement;
  private readonly stDeleteBefore: Database.Statement;
  private readonly stRange: Database.Statement;
  private readonly stBefore: Database.Statement;
  private readonly stInsertSeries: Database.Statement;
  private readonly stFirstChunk: Database.Statement;
  private readonly stLastChunk: Database.Statement;
  private readonly stDeleteSeries: Database.Statement;
  private readonly stDeleteSeriesChunks: Database.Statement;
  private readonly stGetMeta: Database.Statement;
  private readonly stSetMeta: Database.Statement;

  private readonly durable: boolean;

  constructor(path: string, opts: { durable: boolean }) {
    this.path = path;
    this.durable = opts.durable;
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    // FULL syncs the SQLite WAL at each commit: a checkpoint deletes our WAL segments
    // right after, so its chunks must be on disk first.
    this.db.pragma(`synchronous = ${opts.durable ? 'FULL' : 'NORMAL'}`);
    this.db.exec(SCHEMA);
    this.stInsertChunk = this.db.prepare('INSERT INTO chunks (series_id, min_t, max_t, n, data) VALUES (?, ?, ?, ?, ?)');
    this.stDeleteFrom = this.db.prepare('DELETE FROM chunks WHERE series_id = ? AND max_t >= ?');
    this.stDeleteBefore = this.db.prepare('DELETE FROM chunks WHERE series_id = ? AND max_t < ?');
    this.stRange = this.db.prepare('SELECT min_t, max_t, n, data FROM chunks WHERE series_id = ? AND max_t >= ? AND min_t <= ? ORDER BY max_t').raw(true);
    this.stBefore = this.db
      .prepare('SELECT min_t, max_t, n, data FROM chunks WHERE series_id = ? AND max_t >= ? AND max_t < ? ORDER BY max_t')
      .raw(true);
    this.stInsertSeries = this.db.prepare('INSERT OR REPLACE INTO series (id, hash, labels) VALUES (?, ?, ?)');
    this.stFirstChunk = this.db.prepare('SELECT min_t FROM chunks WHERE series_id = ? ORDER BY max_t LIMIT 1').pluck(true);
    this.stLastChunk = this.db.prepare('SELECT max_t FROM chunks WHERE series_id = ? ORDER BY max_t DESC LIMIT 1').pluck(true);
    this.stDeleteSeries = this.db.prepare('DELETE FROM series WHERE id = ?');
    this.stDeleteSeriesChunks = this.db.prepare('DELETE FROM chunks WHERE series_id = ?');
    this.stGetMeta = this.db.prepare('SELECT value FROM meta WHERE key = ?').pluck(true);
    this.stSetMeta = this.db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
  }

  /**
   * Runs fn in one transaction. 'relaxed': its commit is not synced to disk even in
   * durable mode (for writes that something else, the store's WAL, still covers); a
   * later synced commit syncs it too, and a crash keeps a prefix of the commits.
   */
  transaction<T>(fn: () => T, mode: 'durable' | 'relaxed' = 'durable'): T {
    if (mode === 'durable' || !this.durable) return this.db.transaction(fn)();
    this.db.pragma('synchronous = NORMAL');
    try {
      return this.db.transaction(fn)();
    } finally {
      this.db.pragma('synchronous = FULL');
    }
  }

  loadSeries(): StoredSeries[] {
    return this.db.prepare('SELECT id, hash, labels FROM series ORDER BY id').all() as StoredSeries[];
  }

  getMeta(key: string): string | undefined {
    return this.stGetMeta.get(key) as string | undefined;
  }

  setMeta(key: string, value: string): void {
    this.stSetMeta.run(key, value);
  }

  insertSeries(id: number, hash: string, labelsJson: string): void {
    this.stInsertSeries.run(id, hash, labelsJson);
  }

  /**
   * First and last sample times of a series on disk (two index probes), or undefined when
   * it has no chunks. Chunks of a series never overlap, so the chunk ending first starts first.
   */
  seriesRange(id: number): { minT: number; maxT: number } | undefined {
    const maxT = this.stLastChunk.get(id) as number | undefined;
    if (maxT === undefined) return undefined;
    return { minT: this.stFirstChunk.get(id) as number, maxT };
  }

  /** Deletes series rows and their chunks; returns the number of chunks deleted. */
  deleteSeries(id: number): number {
    this.stDeleteSeries.run(id);
    return this.stDeleteSeriesChunks.run(id).changes;
  }

  insertChunk(seriesId: number, minT: number, maxT: number, n: number, data: Uint8Array): void {
    this.stInsertChunk.run(seriesId, minT, maxT, n, data);
  }

  /** Deletes the series' chunks ending at or after `fromT`; returns how many. */
  deleteChunksFrom(seriesId: number, fromT: number): number {
    return this.stDeleteFrom.run(seriesId, fromT).changes;
  }

  /** Chunks overlapping [start, end], by max_t. */
  chunksOverlapping(seriesId: number, start: number, end: number): ChunkRow[] {
    return (this.stRange.all(seriesId, start, end) as Row[]).map(toChunk);
  }

  /** Chunks with fromT <= max_t < beforeT, by max_t. */
  chunksEndingIn(seriesId: number, fromT: number, beforeT: number): ChunkRow[] {
    return (this.stBefore.all(seriesId, fromT, beforeT) as Row[]).map(toChunk);
  }

  /** Deletes the series' chunks wholly older than `cutoff` (by index, no table scan); returns how many. */
  deleteChunksBefore(seriesId: number, cutoff: number): number {
    return this.stDeleteBefore.run(seriesId, cutoff).changes;
  }

  chunkCount(): number {
    return this.db.prepare('SELECT count(*) FROM chunks').pluck(true).get() as number;
  }

  /** Sum of the encoded chunk payloads, and their sample count. */
  chunkPayload(): { bytes: number; samples: number; chunks: number } {
    const r = this.db.prepare('SELECT coalesce(sum(length(data)), 0) AS bytes, coalesce(sum(n), 0) AS samples, count(*) AS chunks FROM chunks').get() as {
      bytes: number;
      samples: number;
      chunks: number;
    };
    return r;
  }

  /** Highest series id ever stored (0 when none). */
  maxSeriesId(): number {
    return (this.db.prepare('SELECT coalesce(max(id), 0) FROM series').pluck(true).get() as number) ?? 0;
  }

  /** Bytes of the database, its -wal and -shm files. */
  fileBytes(): number {
    let total = 0;
    for (const suffix of ['', '-wal', '-shm']) {
      try {
        total += statSync(this.path + suffix).size;
      } catch {
        // not there
      }
    }
    return total;
  }

  /**
   * Pages in SQLite's WAL past which a commit checkpoints it itself (SQLite's default
   * 1,000; raised while the store's checkpoint thread does it, as a bound should that fall behind).
   */
  setAutocheckpoint(pages: number): void {
    this.db.pragma(`wal_autocheckpoint = ${Math.max(0, Math.floor(pages))}`);
  }

  /** Folds SQLite's own WAL back into the main file (keeps the -wal file small). */
  truncateSqliteWal(): void {
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  close(): void {
    this.db.close();
  }
}

function toChunk(r: Row): ChunkRow {
  return { minT: r[0] as number, maxT: r[1] as number, n: r[2] as number, data: r[3] as Uint8Array };
}
