import Database from 'better-sqlite3';
import { join } from 'node:path';

/**
 * Detector state on disk, in its own SQLite file beside the sample store
 * (`detect.db`), so a restart resumes every series' learned baseline instead of
 * starting cold. Each row is one series' (or host group's) state as bytes plus
 * the time of the last sample it learned, from which start-up catches up.
 */
export interface SavedState {
  key: string;
  kind: string;
  lastT: number;
  state: Uint8Array;
}

export class DetectorStateStore {
  private readonly db: Database.Database;
  private readonly upsert: Database.Statement;

  constructor(dir: string) {
    this.db = new Database(join(dir, 'detect.db'));
    this.db.pragma('journal_mode = WAL');
    // Not synced at each save: the state is a cache (a series without it is rebuilt from the
    // store at start-up), and a sync per save would stall scoring behind the disk.
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS detector_state (
      key TEXT PRIMARY KEY, kind TEXT NOT NULL, last_t INTEGER NOT NULL, state BLOB NOT NULL)`);
    this.upsert = this.db.prepare(
      'INSERT INTO detector_state (key, kind, last_t, state) VALUES (?, ?, ?, ?) ON CONFLICT(key) DO UPDATE SET kind = excluded.kind, last_t = excluded.last_t, state = excluded.state',
    );
  }

  /** Every saved state of one kind. */
  loadAll(kind: string): SavedState[] {
    const rows = this.db.prepare('SELECT key, kind, last_t, state FROM detector_state WHERE kind = ?').all(kind) as StateRow[];
    return rows.map(fromRow);
  }

  /** One saved state by key. */
  load(key: string): SavedState | undefined {
    const row = this.db.prepare('SELECT key, kind, last_t, state FROM detector_state WHERE key = ?').get(key) as StateRow | undefined;
    return row && fromRow(row);
  }

  saveMany(states: Iterable<SavedState>): number {
    let n = 0;
    const tx = this.db.transaction(() => {
      for (const s of states) {
        this.upsert.run(s.key, s.kind, Math.round(s.lastT), Buffer.from(s.state.buffer, s.state.byteOffset, s.state.byteLength));
        n++;
      }
    });
    tx();
    return n;
  }

  close(): void {
    this.db.close();
  }
}

interface StateRow {
  key: string;
  kind: string;
  last_t: number;
  state: Buffer;
}

function fromRow(r: StateRow): SavedState {
  return { key: r.key, kind: r.kind, lastT: r.last_t, state: new Uint8Array(r.state) };
}
