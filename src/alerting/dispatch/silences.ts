import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { openSqlite } from '../../store/sqlite-db.js';
import { CompiledMatcher, type Labels, VigilError, isValidLabelName, matchesAll } from '../../core/index.js';
import { type ApiMatcher, fromApiMatcher, toApiMatcher } from './matchers.js';

/**
 * Silences with Alertmanager's model and rules (silence/silence.go, API v2):
 * label matchers, a time window, who and why. A silence is pending before
 * `startsAt`, active until `endsAt`, then expired; it is never deleted by the
 * API, only expired (so the history stays). An alert matched by an active
 * silence is not notified but stays visible with `silencedBy`.
 *
 * Stored in a `silences` table of a SQLite file, so silences survive restarts.
 */

export type SilenceState = 'pending' | 'active' | 'expired';

/** A silence, in Alertmanager's API v2 shape except that times are unix ms (see `silenceToJSON`). */
export interface Silence {
  id: string;
  matchers: Array<Required<ApiMatcher>>;
  startsAt: number;
  endsAt: number;
  updatedAt: number;
  createdBy: string;
  comment: string;
  status: { state: SilenceState };
}

/** What a client posts: Alertmanager's postableSilence. Times are unix ms, RFC 3339 strings or Dates. */
export interface SilenceInput {
  id?: string;
  matchers: ApiMatcher[];
  startsAt: number | string | Date;
  endsAt: number | string | Date;
  createdBy: string;
  comment: string;
}

/** Exactly Alertmanager's API v2 `gettableSilence` JSON (RFC 3339 times). */
export interface SilenceJSON {
  id: string;
  matchers: Array<Required<ApiMatcher>>;
  startsAt: string;
  endsAt: string;
  updatedAt: string;
  createdBy: string;
  comment: string;
  status: { state: SilenceState };
}

export function silenceToJSON(s: Silence): SilenceJSON {
  return {
    id: s.id,
    matchers: s.matchers.map((m) => ({ ...m })),
    startsAt: new Date(s.startsAt).toISOString(),
    endsAt: new Date(s.endsAt).toISOString(),
    updatedAt: new Date(s.updatedAt).toISOString(),
    createdBy: s.createdBy,
    comment: s.comment,
    status: { ...s.status },
  };
}

export function silenceState(startsAt: number, endsAt: number, now: number): SilenceState {
  if (now < startsAt) return 'pending';
  if (now < endsAt) return 'active';
  return 'expired';
}

export interface SilenceStoreOptions {
  /** Clock (unix ms); default Date.now. */
  now?: () => number;
  /** Generates ids; default crypto.randomUUID. */
  newId?: () => string;
}

interface Row {
  id: string;
  matchers: string;
  starts_at: number;
  ends_at: number;
  updated_at: number;
  created_by: string;
  comment: string;
}

interface Entry {
  s: Omit<Silence, 'status'>;
  compiled: CompiledMatcher[];
}

export class SilenceStore {
  private readonly db: Database.Database;
  private readonly ownsDb: boolean;
  private readonly now: () => number;
  private readonly newId: () => string;
  private readonly entries = new Map<string, Entry>();
  private readonly upsertStmt: Database.Statement;

  /** `db`: a SQLite file path (created when missing) or an open better-sqlite3 database (left open by close()). */
  constructor(db: string | Database.Database, opts: SilenceStoreOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.newId = opts.newId ?? randomUUID;
    ({ db: this.db, owned: this.ownsDb } = openSqlite(db));
    this.db.exec(`CREATE TABLE IF NOT EXISTS silences (
      id TEXT PRIMARY KEY,
      matchers TEXT NOT NULL,
      starts_at INTEGER NOT NULL,
      ends_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      created_by TEXT NOT NULL,
      comment TEXT NOT NULL
    )`);
    this.upsertStmt = this.db.prepare(
      `INSERT INTO silences (id, matchers, starts_at, ends_at, updated_at, created_by, comment)
       VALUES (@id, @matchers, @starts_at, @ends_at, @updated_at, @created_by, @comment)
       ON CONFLICT(id) DO UPDATE SET matchers = excluded.matchers, starts_at = excluded.starts_at, ends_at = excluded.ends_at,
         updated_at = excluded.updated_at, created_by = excluded.created_by, comment = excluded.comment`,
    );
    for (const row of this.db.prepare('SELECT * FROM silences').all() as Row[]) {
      const matchers = JSON.parse(row.matchers) as Array<Required<ApiMatcher>>;
      const s = { id: row.id, matchers, startsAt: row.starts_at, endsAt: row.ends_at, updatedAt: row.updated_at, createdBy: row.created_by, comment: row.comment };
      this.entries.set(s.id, { s, compiled: matchers.map((m) => new CompiledMatcher(fromApiMatcher(m))) });
    }
  }

  /**
   * Creates a silence, or updates one when `input.id` is given. As Alertmanager:
   * a start in the past becomes now; an update that changes the matchers, moves
   * an active silence's start, or touches an expired silence expires the old
   * silence and creates a new one with a new id (the returned silence says which).
   */
  set(input: SilenceInput): Silence {
    const now = this.now();
    const v = validateSilenceInput(input, now);
    if (input.id !== undefined) {
      const prev = this.entries.get(input.id);
      if (!prev) throw new VigilError('SILENCE_NOT_FOUND', `silence ${input.id} not found`, 404);
      if (canUpdate(prev.s, v, now)) {
        const s = { ...prev.s, ...v.fields, updatedAt: now };
        this.write({ s, compiled: v.compiled });
        return this.view(s, now);
      }
      if (silenceState(prev.s.startsAt, prev.s.endsAt, now) !== 'expired') this.expire(input.id);
    }
    const s = { id: this.newId(), ...v.fields, startsAt: Math.max(v.fields.startsAt, now), updatedAt: now };
    this.write({ s, compiled: v.compiled });
    return this.view(s, now);
  }

  /** Creates a new silence (an `id` in the input is ignored). */
  create(input: Omit<SilenceInput, 'id'>): Silence {
    return this.set({ ...input, id: undefined });
  }

  /** Expires a silence now (it is kept, as expired). A pending silence gets startsAt = endsAt = now. */
  expire(id: string): Silence {
    const now = this.now();
    const e = this.entries.get(id);
    if (!e) throw new VigilError('SILENCE_NOT_FOUND', `silence ${id} not found`, 404);
    const state = silenceState(e.s.startsAt, e.s.endsAt, now);
    if (state === 'expired') throw new VigilError('SILENCE_EXPIRED', `silence ${id} already expired`, 409);
    const s = { ...e.s, startsAt: state === 'pending' ? now : e.s.startsAt, endsAt: now, updatedAt: now };
    this.write({ s, compiled: e.compiled });
    return this.view(s, now);
  }

  get(id: string): Silence | undefined {
    const e = this.entries.get(id);
    return e ? this.view(e.s, this.now()) : undefined;
  }

  /** Silences, optionally filtered by state and by labels (those whose matchers all match them), ordered as Alertmanager lists them: active, pending, expired. */
  list(filter: { state?: SilenceState; labels?: Labels } = {}): Silence[] {
    const now = this.now();
    const order: Record<SilenceState, number> = { active: 0, pending: 1, expired: 2 };
    const out: Silence[] = [];
    for (const e of this.entries.values()) {
      const v = this.view(e.s, now);
      if (filter.state && v.status.state !== filter.state) continue;
      if (filter.labels && !matchesAll(e.compiled, filter.labels)) continue;
      out.push(v);
    }
    return out.sort((a, b) => order[a.status.state] - order[b.status.state] || (a.status.state === 'expired' ? b.endsAt - a.endsAt : a.endsAt - b.endsAt) || (a.id < b.id ? -1 : 1));
  }

  /** Ids of the silences active at `now` whose matchers all match `labels` (empty: not silenced). */
  silencedBy(labels: Labels, now = this.now()): string[] {
    const out: string[] = [];
    for (const e of this.entries.values()) {
      if (e.s.startsAt <= now && now < e.s.endsAt && matchesAll(e.compiled, labels)) out.push(e.s.id);
    }
    return out.sort();
  }

  /** Deletes silences expired for longer than `retentionMs` (Alertmanager keeps them 120h by default). Returns how many. */
  gc(retentionMs: number, now = this.now()): number {
    const del = this.db.prepare('DELETE FROM silences WHERE id = ?');
    let n = 0;
    for (const [id, e] of this.entries) {
      if (e.s.endsAt <= now - retentionMs) {
        del.run(id);
        this.entries.delete(id);
        n++;
      }
    }
    return n;
  }

  close(): void {
    if (this.ownsDb && this.db.open) this.db.close();
  }

  private write(e: Entry): void {
    const s = e.s;
    this.upsertStmt.run({
      id: s.id,
      matchers: JSON.stringify(s.matchers),
      starts_at: s.startsAt,
      ends_at: s.endsAt,
      updated_at: s.updatedAt,
      created_by: s.createdBy,
      comment: s.comment,
    });
    this.entries.set(s.id, e);
  }

  private view(s: Omit<Silence, 'status'>, now: number): Silence {
    return { ...s, matchers: s.matchers.map((m) => ({ ...m })), status: { state: silenceState(s.startsAt, s.endsAt, now) } };
  }
}

interface ValidSilence {
  fields: { matchers: Array<Required<ApiMatcher>>; startsAt: number; endsAt: number; createdBy: string; comment: string };
  compiled: CompiledMatcher[];
}

/**
 * Alertmanager's checks (silence.validateSilence and the v2 API), each with a
 * message that names the field: at least one matcher, valid label names and
 * regexes, at least one matcher that does not match the empty string (a silence
 * must not mute everything), endsAt after startsAt and not in the past,
 * createdBy and comment given.
 */
export function validateSilenceInput(input: SilenceInput, now: number): ValidSilence {
  const fail = (msg: string): never => {
    throw new VigilError('INVALID_SILENCE', msg);
  };
  if (input === null || typeof input !== 'object') fail('silence must be an object');
  if (!Array.isArray(input.matchers) || input.matchers.length === 0) fail('matchers: at least one matcher required');
  const matchers: Array<Required<ApiMatcher>> = [];
  const compiled: CompiledMatcher[] = [];
  input.matchers.forEach((m, i) => {
    if (m === null || typeof m !== 'object') fail(`matchers[${i}]: must be an object with name, value, isRegex`);
    if (typeof m.name !== 'string' || !isValidLabelName(m.name)) fail(`matchers[${i}].name: invalid label name ${JSON.stringify(m.name)}`);
    if (typeof m.value !== 'string') fail(`matchers[${i}].value: must be a string`);
    if (typeof m.isRegex !== 'boolean') fail(`matchers[${i}].isRegex: must be true or false`);
    if (m.isEqual !== undefined && typeof m.isEqual !== 'boolean') fail(`matchers[${i}].isEqual: must be true or false`);
    let c: CompiledMatcher;
    try {
      c = new CompiledMatcher(fromApiMatcher(m));
    } catch (e) {
      return fail(`matchers[${i}]: ${(e as Error).message}`);
    }
    compiled.push(c);
    matchers.push(toApiMatcher(c));
  });
  if (compiled.every((c) => c.matchesEmpty())) fail('matchers: at least one matcher must not match the empty string (a silence may not match every alert)');
  const startsAt = parseTime(input.startsAt, 'startsAt', fail);
  const endsAt = parseTime(input.endsAt, 'endsAt', fail);
  if (endsAt <= startsAt) fail('endsAt: end time must be after start time');
  if (endsAt < now) fail("endsAt: end time can't be in the past");
  if (typeof input.createdBy !== 'string' || input.createdBy.trim() === '') fail('createdBy: required');
  if (typeof input.comment !== 'string' || input.comment.trim() === '') fail('comment: required');
  return { fields: { matchers, startsAt, endsAt, createdBy: input.createdBy, comment: input.comment }, compiled };
}

function parseTime(v: unknown, field: string, fail: (msg: string) => never): number {
  let t = NaN;
  if (typeof v === 'number') t = v;
  else if (v instanceof Date) t = v.getTime();
  else if (typeof v === 'string') t = Date.parse(v);
  else if (v === undefined || v === null) fail(`${field}: required`);
  if (!Number.isFinite(t) || t <= 0) fail(`${field}: invalid time ${JSON.stringify(v)} (expected RFC 3339 or unix milliseconds)`);
  return t;
}

/** Alertmanager's canUpdate: same matchers, and the time change allowed in the current state. */
function canUpdate(prev: Omit<Silence, 'status'>, next: ValidSilence, now: number): boolean {
  if (JSON.stringify(prev.matchers) !== JSON.stringify(next.fields.matchers)) return false;
  switch (silenceState(prev.startsAt, prev.endsAt, now)) {
    case 'active':
      return next.fields.startsAt === prev.startsAt && next.fields.endsAt >= now;
    case 'pending':
      return next.fields.startsAt >= now;
    case 'expired':
      return false;
  }
}
