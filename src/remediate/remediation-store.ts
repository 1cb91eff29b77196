import Database from 'better-sqlite3';
import type { BreakerSnapshot } from './guards/circuit-breaker.js';
import type { Execution } from './execution.js';

/**
 * Persistent state of the remediation stage, beside the audit log: executions
 * (so pending approvals survive a restart), each rule's success and failure
 * counts (its learned confidence) and circuit breaker, the kill switch, and
 * rule proposals drawn from incident resolutions.
 */

export interface RuleStats {
  rule: string;
  successes: number;
  failures: number;
  breaker?: BreakerSnapshot;
}

export interface RuleProposal {
  id: string;
  incidentId: string;
  createdAt: number;
  state: 'open' | 'accepted' | 'dismissed';
  /** Why it was proposed: the resolution note and what was recognised in it. */
  reason: string;
  /** A rule and runbook, as YAML to paste under `remediation:` after review. */
  yaml: string;
}

export class RemediationStore {
  private readonly db: Database.Database;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS executions (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, rule TEXT NOT NULL, state TEXT NOT NULL, doc TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS executions_created ON executions(created_at);
      CREATE TABLE IF NOT EXISTS rule_stats (rule TEXT PRIMARY KEY, successes INTEGER NOT NULL, failures INTEGER NOT NULL, breaker TEXT);
      CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS proposals (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, doc TEXT NOT NULL);`);
  }

  saveExecution(e: Execution): void {
    this.db.prepare('INSERT INTO executions (id, created_at, rule, state, doc) VALUES (?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET state = excluded.state, doc = excluded.doc').run(e.id, e.createdAt, e.rule, e.state, JSON.stringify(e));
  }

  /** The newest executions first. */
  executions(limit = 1000): Execution[] {
    return (this.db.prepare('SELECT doc FROM executions ORDER BY created_at DESC, rowid DESC LIMIT ?').all(limit) as Array<{ doc: string }>).map((r) => JSON.parse(r.doc) as Execution);
  }

  unfinished(): Execution[] {
    return (this.db.prepare("SELECT doc FROM executions WHERE state IN ('pending_approval', 'running')").all() as Array<{ doc: string }>).map((r) => JSON.parse(r.doc) as Execution);
  }

  stats(rule: string): RuleStats {
    const r = this.db.prepare('SELECT * FROM rule_stats WHERE rule = ?').get(rule) as { rule: string; successes: number; failures: number; breaker: string | null } | undefined;
    return r ? { rule, successes: r.successes, failures: r.failures, ...(r.breaker && { breaker: JSON.parse(r.breaker) as BreakerSnapshot }) } : { rule, successes: 0, failures: 0 };
  }

  saveStats(s: RuleStats): void {
    this.db.prepare('INSERT INTO rule_stats (rule, successes, failures, breaker) VALUES (?,?,?,?) ON CONFLICT(rule) DO UPDATE SET successes = excluded.successes, failures = excluded.failures, breaker = excluded.breaker').run(s.rule, s.successes, s.failures, s.breaker ? JSON.stringify(s.breaker) : null);
  }

  setting(key: string): string | undefined {
    return (this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  setSetting(key: string, value: string): void {
    this.db.prepare('INSERT INTO settings (key, value) VALUES (?,?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  saveProposal(p: RuleProposal): void {
    this.db.prepare('INSERT INTO proposals (id, created_at, doc) VALUES (?,?,?) ON CONFLICT(id) DO UPDATE SET doc = excluded.doc').run(p.id, p.createdAt, JSON.stringify(p));
  }

  proposals(): RuleProposal[] {
    return (this.db.prepare('SELECT doc FROM proposals ORDER BY created_at DESC').all() as Array<{ doc: string }>).map((r) => JSON.parse(r.doc) as RuleProposal);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
