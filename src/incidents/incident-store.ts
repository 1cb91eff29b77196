import type Database from 'better-sqlite3';
import { openSqlite } from '../store/sqlite-db.js';
import type { Incident, IncidentState } from './model.js';

/**
 * Incidents in SQLite (`incidents.db` in the data directory): one JSON
 * document per incident, with the columns lists and look-ups filter on.
 * Resolved incidents stay: they are the memory similar-incident search and
 * classification learn from.
 */
export class IncidentStore {
  private readonly db: Database.Database;
  private readonly ownsDb: boolean;
  private readonly upsert: Database.Statement;

  /** `db`: a SQLite file path (created when missing), ':memory:', or an open database (left open by close()). */
  constructor(db: string | Database.Database) {
    ({ db: this.db, owned: this.ownsDb } = openSqlite(db));
    this.db.exec(`CREATE TABLE IF NOT EXISTS incidents (
      id TEXT PRIMARY KEY,
      state TEXT NOT NULL,
      opened_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      labelled INTEGER NOT NULL,
      doc TEXT NOT NULL
    )`);
    this.db.exec(`CREATE INDEX IF NOT EXISTS incidents_state ON incidents (state, opened_at)`);
    this.upsert = this.db.prepare(
      `INSERT INTO incidents (id, state, opened_at, updated_at, labelled, doc) VALUES (@id, @state, @openedAt, @updatedAt, @labelled, @doc)
       ON CONFLICT(id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at, labelled = excluded.labelled, doc = excluded.doc`,
    );
  }

  save(inc: Incident): void {
    this.upsert.run({ id: inc.id, state: inc.state, openedAt: inc.openedAt, updatedAt: inc.updatedAt, labelled: inc.label ? 1 : 0, doc: JSON.stringify(inc) });
  }

  /** Saves several in one transaction. */
  saveAll(incs: Iterable<Incident>): void {
    this.db.transaction((list: Incident[]) => {
      for (const i of list) this.save(i);
    })([...incs]);
  }

  get(id: string): Incident | undefined {
    const row = this.db.prepare('SELECT doc FROM incidents WHERE id = ?').get(id) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as Incident) : undefined;
  }

  /** Newest first. */
  list(filter: { state?: IncidentState; notState?: IncidentState; labelled?: boolean; limit?: number } = {}): Incident[] {
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (filter.state) {
      where.push('state = ?');
      args.push(filter.state);
    }
    if (filter.notState) {
      where.push('state != ?');
      args.push(filter.notState);
    }
    if (filter.labelled !== undefined) where.push(`labelled = ${filter.labelled ? 1 : 0}`);
    const sql = `SELECT doc FROM incidents ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY opened_at DESC, id LIMIT ?`;
    args.push(filter.limit ?? -1);
    return (this.db.prepare(sql).all(...args) as Array<{ doc: string }>).map((r) => JSON.parse(r.doc) as Incident);
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM incidents').get() as { n: number }).n;
  }

  close(): void {
    if (this.ownsDb) this.db.close();
  }
}
