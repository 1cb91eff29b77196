import Database from 'better-sqlite3';

/** A SQLite database a component uses, and whether it opened it (and so closes it). */
export interface SqliteHandle {
  db: Database.Database;
  owned: boolean;
}

/**
 * `db` as a path (opened, created when missing; WAL, so readers never wait on the writer,
 * and a 5 s busy timeout for a second process on the same file) or an open database that
 * another component lends and keeps: several stores may share one file.
 */
export function openSqlite(db: string | Database.Database): SqliteHandle {
  if (typeof db !== 'string') return { db, owned: false };
  const opened = new Database(db);
  opened.pragma('journal_mode = WAL');
  opened.pragma('busy_timeout = 5000');
  return { db: opened, owned: true };
}
