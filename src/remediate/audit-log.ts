import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';

/**
 * The remediation audit log: every decision (matched, skipped and why,
 * approval requested, approved or rejected by whom, step run with its output,
 * verification, rollback, kill switch) appended as one row. Rows are
 * hash-chained: each row's hash covers its content and the previous row's
 * hash, so editing, deleting or reordering any row breaks every hash after it
 * and `verify()` (`vigil audit verify`) names the first bad row. Nothing in the
 * API edits it; SQLite triggers refuse UPDATE and DELETE as a second fence.
 */

export const AUDIT_KINDS = [
  'matched',
  'skipped',
  'dry_run',
  'approval_requested',
  'approved',
  'rejected',
  'started',
  'step',
  'verification',
  'rollback',
  'finished',
  'aborted',
  'breaker_opened',
  'breaker_closed',
  'kill_switch',
  'proposal',
] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

export interface AuditInput {
  kind: AuditKind;
  /** The automation rule, when the entry is about one. */
  rule?: string;
  execution?: string;
  incident?: string;
  /** Who: `vigil` for its own decisions, else the person (approvals, kill switch). */
  actor: string;
  /** One readable line. */
  text: string;
  /** Structured detail (outputs, guard figures): JSON. */
  data?: Record<string, unknown>;
}

export interface AuditEntry extends AuditInput {
  seq: number;
  t: number;
  prevHash: string;
  hash: string;
}

export interface AuditVerification {
  ok: boolean;
  entries: number;
  /** The first row whose hash or link does not check, and why. */
  firstBad?: { seq: number; problem: string };
}

const GENESIS = '0'.repeat(64);

/** JSON with object keys sorted at every level, so the hash does not depend on key order. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(v as object)
    .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
}

export function entryHash(prevHash: string, e: Omit<AuditEntry, 'hash' | 'prevHash'>): string {
  const body = canonicalJson({ seq: e.seq, t: e.t, kind: e.kind, rule: e.rule, execution: e.execution, incident: e.incident, actor: e.actor, text: e.text, data: e.data });
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}

interface Row {
  seq: number;
  t: number;
  kind: string;
  rule: string | null;
  execution: string | null;
  incident: string | null;
  actor: string;
  text: string;
  data: string | null;
  prev_hash: string;
  hash: string;
}

function fromRow(r: Row): AuditEntry {
  return {
    seq: r.seq,
    t: r.t,
    kind: r.kind as AuditKind,
    ...(r.rule !== null && { rule: r.rule }),
    ...(r.execution !== null && { execution: r.execution }),
    ...(r.incident !== null && { incident: r.incident }),
    actor: r.actor,
    text: r.text,
    ...(r.data !== null && { data: JSON.parse(r.data) as Record<string, unknown> }),
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

export interface AuditQuery {
  rule?: string;
  execution?: string;
  incident?: string;
  kind?: AuditKind;
  /** Entries after this sequence number (paging forward). */
  afterSeq?: number;
  limit?: number;
}

export class AuditLog {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private lastHash: string;
  private lastSeq: number;
  private readonly listeners = new Set<(e: AuditEntry) => void>();

  constructor(
    file: string,
    private readonly now: () => number = Date.now,
  ) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS audit_log (
      seq INTEGER PRIMARY KEY,
      t INTEGER NOT NULL,
      kind TEXT NOT NULL,
      rule TEXT,
      execution TEXT,
      incident TEXT,
      actor TEXT NOT NULL,
      text TEXT NOT NULL,
      data TEXT,
      prev_hash TEXT NOT NULL,
      hash TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS audit_log_execution ON audit_log(execution);
    CREATE INDEX IF NOT EXISTS audit_log_incident ON audit_log(incident);
    CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;`);
    this.insert = this.db.prepare('INSERT INTO audit_log (seq, t, kind, rule, execution, incident, actor, text, data, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?)');
    const last = this.db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
    this.lastSeq = last?.seq ?? 0;
    this.lastHash = last?.hash ?? GENESIS;
  }

  append(input: AuditInput): AuditEntry {
    // Round-trip the data through JSON so the stored text and the hashed value are the same thing.
    const data = input.data === undefined ? undefined : (JSON.parse(JSON.stringify(input.data)) as Record<string, unknown>);
    const base = { ...input, ...(data !== undefined && { data }), seq: this.lastSeq + 1, t: this.now() };
    const hash = entryHash(this.lastHash, base);
    this.insert.run(base.seq, base.t, base.kind, base.rule ?? null, base.execution ?? null, base.incident ?? null, base.actor, base.text, data === undefined ? null : JSON.stringify(data), this.lastHash, hash);
    const entry: AuditEntry = { ...base, prevHash: this.lastHash, hash };
    this.lastSeq = base.seq;
    this.lastHash = hash;
    for (const l of this.listeners) l(entry);
    return entry;
  }

  onAppend(l: (e: AuditEntry) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  list(q: AuditQuery = {}): AuditEntry[] {
    const where: string[] = [];
    const args: unknown[] = [];
    for (const [col, v] of [
      ['rule', q.rule],
      ['execution', q.execution],
      ['incident', q.incident],
      ['kind', q.kind],
    ] as const) {
      if (v !== undefined) {
        where.push(`${col} = ?`);
        args.push(v);
      }
    }
    if (q.afterSeq !== undefined) {
      where.push('seq > ?');
      args.push(q.afterSeq);
    }
    const sql = `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq ${q.afterSeq !== undefined ? 'ASC' : 'DESC'} LIMIT ?`;
    const rows = this.db.prepare(sql).all(...args, q.limit ?? 1000) as Row[];
    const out = rows.map(fromRow);
    return q.afterSeq !== undefined ? out : out.reverse();
  }

  /** Re-computes the whole chain from the first row. */
  verify(): AuditVerification {
    let prev = GENESIS;
    let expectSeq = 1;
    let n = 0;
    for (const r of this.db.prepare('SELECT * FROM audit_log ORDER BY seq ASC').iterate() as IterableIterator<Row>) {
      n++;
      if (r.seq !== expectSeq) return { ok: false, entries: n, firstBad: { seq: r.seq, problem: `expected row ${expectSeq} (a row was deleted or inserted)` } };
      if (r.prev_hash !== prev) return { ok: false, entries: n, firstBad: { seq: r.seq, problem: 'link to the previous row does not match (a row before it was changed or removed)' } };
      let e: AuditEntry;
      try {
        e = fromRow(r);
      } catch {
        return { ok: false, entries: n, firstBad: { seq: r.seq, problem: 'data is not valid JSON' } };
      }
      if (entryHash(prev, e) !== r.hash) return { ok: false, entries: n, firstBad: { seq: r.seq, problem: 'content does not match its hash (the row was edited)' } };
      prev = r.hash;
      expectSeq++;
    }
    return { ok: true, entries: n };
  }

  get size(): number {
    return this.lastSeq;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
