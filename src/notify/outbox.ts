import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { VigilError } from '../core/index.js';
import { timeoutSignal } from '../core/timeout-signal.js';
import { backoffDelay } from './backoff.js';
import { type DeliveryResult, type Notification, type NotificationChannel, type NotifyLogger, retry } from './types.js';

/**
 * The durable outbox. Every notification is written to SQLite (`notify.db` in
 * the given directory, synchronous=FULL) before any attempt to send it, and
 * moves queued -> sending -> delivered | failed. A dispatcher sends due items
 * with bounded concurrency and a timeout per attempt, per channel, so a broken
 * or hanging channel only ever holds its own slots. Transient failures are
 * retried with exponential backoff and full jitter (honouring Retry-After)
 * until `maxAttempts` or `maxAgeMs`; permanent ones fail at once.
 *
 * Delivery is at-least-once: items found in `sending` at start-up (the process
 * died mid-send) are queued again, so nothing is lost; only those in-flight
 * sends can be repeated, and a repeat carries the same notification id.
 * One outbox per directory: two processes dispatching from one file would
 * re-queue each other's in-flight items.
 */

export const OUTBOX_STATES = ['queued', 'sending', 'delivered', 'failed'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];

export interface OutboxOptions {
  /** Directory of `notify.db` (created when missing). */
  dir: string;
  channels: readonly NotificationChannel[];
  /** Concurrent sends per channel, unless the channel sets its own. */
  concurrency?: number;
  /** Per-attempt timeout, unless the channel sets its own. */
  timeoutMs?: number;
  retryBaseMs?: number;
  retryCapMs?: number;
  /** Attempts before giving up (the first send counts). */
  maxAttempts?: number;
  /** Give up retrying once a notification is this old. */
  maxAgeMs?: number;
  /** Longest Retry-After honoured (a larger one is clipped to this). */
  maxRetryAfterMs?: number;
  /** Delivered and failed items are deleted after this long. */
  retentionMs?: number;
  logger?: NotifyLogger;
  /** Jitter source in [0, 1); tests pass a constant. */
  random?: () => number;
  /** Called after every attempt. */
  onAttempt?: (record: OutboxRecord, result: DeliveryResult) => void;
}

export const OUTBOX_DEFAULTS = {
  concurrency: 4,
  timeoutMs: 10_000,
  retryBaseMs: 1_000,
  retryCapMs: 5 * 60_000,
  maxAttempts: 10,
  maxAgeMs: 24 * 3600_000,
  maxRetryAfterMs: 3600_000,
  retentionMs: 7 * 24 * 3600_000,
} as const;

/** What `list` shows: state and history, never the payload's secrets (channels hold those, not notifications). */
export interface OutboxRecord {
  id: string;
  channel: string;
  kind: Notification['kind'];
  dedupKey: string;
  severity: Notification['severity'];
  title: string;
  state: OutboxState;
  attempts: number;
  createdAt: number;
  nextAttemptAt: number;
  lastAttemptAt: number | null;
  lastError: string | null;
  deliveredAt: number | null;
}

export type OutboxCounts = Record<OutboxState, number>;
export interface OutboxStats {
  channels: Record<string, OutboxCounts & { oldestQueuedAt: number | null }>;
  total: OutboxCounts;
}

interface Row {
  id: string;
  channel: string;
  kind: Notification['kind'];
  dedup_key: string;
  severity: Notification['severity'];
  title: string;
  payload: string;
  state: OutboxState;
  attempts: number;
  created_at: number;
  next_attempt_at: number;
  last_attempt_at: number | null;
  last_error: string | null;
  delivered_at: number | null;
}

interface Lane {
  channel: NotificationChannel;
  limit: number;
  timeoutMs: number;
  inflight: number;
}

const MAX_ERROR = 1000;
const SCHEMA = `
CREATE TABLE IF NOT EXISTS outbox (
  id TEXT PRIMARY KEY,
  channel TEXT NOT NULL,
  kind TEXT NOT NULL,
  dedup_key TEXT NOT NULL,
  severity TEXT NOT NULL,
  title TEXT NOT NULL,
  payload TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  last_attempt_at INTEGER,
  last_error TEXT,
  delivered_at INTEGER,
  updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (channel, state, next_attempt_at);
CREATE INDEX IF NOT EXISTS outbox_created ON outbox (created_at);
`;

export class Outbox {
  readonly path: string;
  private readonly db: Database.Database;
  private readonly o: Required<Omit<OutboxOptions, 'logger' | 'onAttempt' | 'channels' | 'dir'>> & Pick<OutboxOptions, 'logger' | 'onAttempt'>;
  private readonly lanes = new Map<string, Lane>();
  private running = false;
  private stopController = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  private pumpScheduled = false;
  private readonly inflight = new Set<Promise<void>>();
  private readonly stmts;

  constructor(opts: OutboxOptions) {
    this.o = {
      concurrency: opts.concurrency ?? OUTBOX_DEFAULTS.concurrency,
      timeoutMs: opts.timeoutMs ?? OUTBOX_DEFAULTS.timeoutMs,
      retryBaseMs: opts.retryBaseMs ?? OUTBOX_DEFAULTS.retryBaseMs,
      retryCapMs: opts.retryCapMs ?? OUTBOX_DEFAULTS.retryCapMs,
      maxAttempts: opts.maxAttempts ?? OUTBOX_DEFAULTS.maxAttempts,
      maxAgeMs: opts.maxAgeMs ?? OUTBOX_DEFAULTS.maxAgeMs,
      maxRetryAfterMs: opts.maxRetryAfterMs ?? OUTBOX_DEFAULTS.maxRetryAfterMs,
      retentionMs: opts.retentionMs ?? OUTBOX_DEFAULTS.retentionMs,
      random: opts.random ?? Math.random,
      logger: opts.logger,
      onAttempt: opts.onAttempt,
    };
    for (const ch of opts.channels) {
      if (this.lanes.has(ch.name)) throw new VigilError('DUPLICATE_CHANNEL', `notification channel "${ch.name}" is defined twice`);
      this.lanes.set(ch.name, { channel: ch, limit: Math.max(1, ch.concurrency ?? this.o.concurrency), timeoutMs: ch.timeoutMs ?? this.o.timeoutMs, inflight: 0 });
    }
    mkdirSync(opts.dir, { recursive: true });
    this.path = join(opts.dir, 'notify.db');
    this.db = new Database(this.path);
    this.db.pragma('journal_mode = WAL');
    // An acknowledged enqueue must survive power loss, not only a process crash.
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
    this.stmts = {
      insert: this.db.prepare(
        `INSERT OR IGNORE INTO outbox (id, channel, kind, dedup_key, severity, title, payload, state, attempts, created_at, next_attempt_at, updated_at)
         VALUES (@id, @channel, @kind, @dedupKey, @severity, @title, @payload, 'queued', 0, @createdAt, @now, @now)`,
      ),
      due: this.db.prepare(`SELECT * FROM outbox WHERE channel = ? AND state = 'queued' AND next_attempt_at <= ? ORDER BY next_attempt_at, created_at LIMIT ?`),
      nextDue: this.db.prepare(`SELECT MIN(next_attempt_at) AS t FROM outbox WHERE channel = ? AND state = 'queued'`),
      claim: this.db.prepare(`UPDATE outbox SET state = 'sending', attempts = attempts + 1, last_attempt_at = ?, updated_at = ? WHERE id = ? AND state = 'queued'`),
      delivered: this.db.prepare(`UPDATE outbox SET state = 'delivered', delivered_at = ?, updated_at = ? WHERE id = ?`),
      requeue: this.db.prepare(`UPDATE outbox SET state = 'queued', next_attempt_at = ?, last_error = ?, updated_at = ? WHERE id = ?`),
      unclaim: this.db.prepare(`UPDATE outbox SET state = 'queued', attempts = attempts - 1, next_attempt_at = ?, updated_at = ? WHERE id = ? AND state = 'sending'`),
      fail: this.db.prepare(`UPDATE outbox SET state = 'failed', last_error = ?, updated_at = ? WHERE id = ?`),
      recover: this.db.prepare(`UPDATE outbox SET state = 'queued', next_attempt_at = MIN(next_attempt_at, ?), updated_at = ? WHERE state = 'sending'`),
      get: this.db.prepare(`SELECT * FROM outbox WHERE id = ?`),
      stats: this.db.prepare(`SELECT channel, state, COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox GROUP BY channel, state`),
      prune: this.db.prepare(`DELETE FROM outbox WHERE state IN ('delivered', 'failed') AND updated_at < ?`),
      retryFailed: this.db.prepare(`UPDATE outbox SET state = 'queued', attempts = 0, next_attempt_at = ?, updated_at = ? WHERE id = ? AND state = 'failed'`),
    };
  }

  /** The configured channels, described with secrets redacted. */
  channels(): Array<Record<string, unknown>> {
    return [...this.lanes.values()].map((l) => l.channel.describe());
  }

  /** Whether a channel of this name is configured (a receiver may name one that is not). */
  has(channel: string): boolean {
    return this.lanes.has(channel);
  }

  /**
   * Stores a notification durably (it is on disk when this returns) and wakes
   * the dispatcher. Returns false when a notification with this id is already
   * stored (enqueueing is idempotent by id).
   */
  enqueue(n: Notification): boolean {
    if (!this.lanes.has(n.channel)) throw new VigilError('UNKNOWN_CHANNEL', `no notification channel named "${n.channel}"`);
    const now = Date.now();
    const r = this.stmts.insert.run({ id: n.id, channel: n.channel, kind: n.kind, dedupKey: n.dedupKey, severity: n.severity, title: n.title, payload: JSON.stringify(n), createdAt: n.createdAt, now });
    if (r.changes > 0) this.wake();
    return r.changes > 0;
  }

  /**
   * Starts dispatching. Items left in `sending` by a process that died are
   * queued again first (at-least-once).
   */
  start(): void {
    if (this.running) return;
    const now = Date.now();
    const recovered = this.stmts.recover.run(now, now).changes;
    if (recovered > 0) this.o.logger?.warn({ recovered }, 'notify: re-queued notifications that were being sent when the process stopped');
    this.prune();
    this.running = true;
    this.stopController = new AbortController();
    this.pruneTimer = setInterval(() => this.prune(), 3600_000);
    this.pruneTimer.unref();
    this.wake();
  }

  /** Stops dispatching; sends in flight are aborted and queued again (their attempt is not counted). */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearTimeout(this.timer);
    clearInterval(this.pruneTimer);
    this.stopController.abort(new DOMException('outbox stopping', 'AbortError'));
    await Promise.allSettled([...this.inflight]);
  }

  async close(): Promise<void> {
    await this.stop();
    await Promise.allSettled([...this.lanes.values()].map(async (l) => l.channel.close?.()));
    if (this.db.open) this.db.close();
  }

  get(id: string): OutboxRecord | undefined {
    const row = this.stmts.get.get(id) as Row | undefined;
    return row && toRecord(row);
  }

  /** The stored notification itself (for a preview or a re-send). */
  notification(id: string): Notification | undefined {
    const row = this.stmts.get.get(id) as Row | undefined;
    return row && (JSON.parse(row.payload) as Notification);
  }

  /** Newest first. */
  list(q: { state?: OutboxState; channel?: string; limit?: number; before?: number } = {}): OutboxRecord[] {
    const where: string[] = [];
    const args: Array<string | number> = [];
    const add = (clause: string, v: string | number) => {
      where.push(clause);
      args.push(v);
    };
    if (q.state) add('state = ?', q.state);
    if (q.channel) add('channel = ?', q.channel);
    if (q.before !== undefined) add('created_at < ?', q.before);
    const limit = Math.max(1, Math.min(q.limit ?? 100, 10_000));
    const sql = `SELECT * FROM outbox ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY created_at DESC, id LIMIT ${limit}`;
    return (this.db.prepare(sql).all(...args) as Row[]).map(toRecord);
  }

  /** Counts by channel and state (for /metrics and the API). */
  stats(): OutboxStats {
    const empty = (): OutboxCounts => ({ queued: 0, sending: 0, delivered: 0, failed: 0 });
    const channels: OutboxStats['channels'] = {};
    for (const name of this.lanes.keys()) channels[name] = { ...empty(), oldestQueuedAt: null };
    const total = empty();
    for (const r of this.stmts.stats.all() as Array<{ channel: string; state: OutboxState; n: number; oldest: number }>) {
      const c = (channels[r.channel] ??= { ...empty(), oldestQueuedAt: null });
      c[r.state] = r.n;
      total[r.state] += r.n;
      if (r.state === 'queued') c.oldestQueuedAt = r.oldest;
    }
    return { channels, total };
  }

  /** Queues a failed notification again, with a fresh attempt budget. */
  retryFailed(id: string): boolean {
    const now = Date.now();
    const ok = this.stmts.retryFailed.run(now, now, id).changes > 0;
    if (ok) this.wake();
    return ok;
  }

  /** Resolves when no notification for a configured channel is queued or being sent (tests, shutdown). */
  async drained(opts: { timeoutMs?: number; pollMs?: number } = {}): Promise<void> {
    const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
    for (;;) {
      const s = this.stats();
      let pending = 0;
      for (const name of this.lanes.keys()) pending += s.channels[name]!.queued + s.channels[name]!.sending;
      if (pending === 0) return;
      if (Date.now() > deadline) throw new Error(`outbox not drained: ${pending} notifications pending`);
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 20));
    }
  }

  private prune(): void {
    const n = this.stmts.prune.run(Date.now() - this.o.retentionMs).changes;
    if (n > 0) this.o.logger?.debug?.({ deleted: n }, 'notify: pruned old outbox entries');
  }

  /** Schedules a dispatch pass (coalesced). */
  private wake(): void {
    if (!this.running || this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    if (!this.running) return;
    clearTimeout(this.timer);
    const now = Date.now();
    let next = Infinity;
    for (const lane of this.lanes.values()) {
      const free = lane.limit - lane.inflight;
      if (free <= 0) continue; // woken again when a slot frees
      for (const row of this.stmts.due.all(lane.channel.name, now, free) as Row[]) {
        if (this.stmts.claim.run(now, now, row.id).changes === 0) continue;
        lane.inflight++;
        const p = this.attempt(lane, { ...row, attempts: row.attempts + 1, last_attempt_at: now }).finally(() => {
          this.inflight.delete(p);
          lane.inflight--;
          this.wake();
        });
        this.inflight.add(p);
      }
      if (lane.inflight < lane.limit) {
        const t = (this.stmts.nextDue.get(lane.channel.name) as { t: number | null }).t;
        if (t !== null) next = Math.min(next, t);
      }
    }
    if (next !== Infinity) {
      // Re-check at least every minute, in case the clock jumps.
      this.timer = setTimeout(() => this.pump(), Math.min(Math.max(0, next - Date.now()), 60_000));
      this.timer.unref();
    }
  }

  private async attempt(lane: Lane, row: Row): Promise<void> {
    const ch = lane.channel;
    const n = JSON.parse(row.payload) as Notification;
    const deadline = timeoutSignal(lane.timeoutMs, this.stopController.signal);
    let result: DeliveryResult;
    try {
      result = await ch.send(n, deadline.signal);
    } catch (e) {
      // Adapters return failures rather than throw; an exception is a bug. Its message could quote a secret, so only its name is kept.
      result = retry(`${ch.name}: internal error in the ${ch.type} adapter (${(e as Error)?.name ?? 'unknown'})`);
    } finally {
      deadline.release();
    }
    if (!this.db.open) return;
    const now = Date.now();
    if (this.stopController.signal.aborted && result.status !== 'delivered') {
      this.stmts.unclaim.run(now, now, row.id);
      return;
    }
    const record = toRecord(row);
    if (result.status === 'delivered') {
      this.stmts.delivered.run(now, now, row.id);
      Object.assign(record, { state: 'delivered', deliveredAt: now });
      this.o.logger?.debug?.({ channel: ch.name, id: row.id, attempts: row.attempts }, 'notify: delivered');
    } else {
      const age = now - row.created_at;
      const giveUp =
        result.status === 'failed'
          ? ''
          : row.attempts >= this.o.maxAttempts
            ? `gave up after ${row.attempts} attempts: `
            : age >= this.o.maxAgeMs
              ? `gave up after ${Math.round(age / 1000)}s of retries: `
              : undefined;
      const error = ((giveUp ?? '') + result.error).slice(0, MAX_ERROR);
      if (giveUp !== undefined) {
        this.stmts.fail.run(error, now, row.id);
        Object.assign(record, { state: 'failed', lastError: error });
        this.o.logger?.warn({ channel: ch.name, id: row.id, attempts: row.attempts, error }, 'notify: delivery failed');
      } else {
        const backoff = backoffDelay(row.attempts, this.o.retryBaseMs, this.o.retryCapMs, this.o.random);
        const delay = Math.max(backoff, Math.min((result.status === 'retry' ? result.retryAfterMs : undefined) ?? 0, this.o.maxRetryAfterMs));
        this.stmts.requeue.run(now + delay, error, now, row.id);
        Object.assign(record, { state: 'queued', lastError: error, nextAttemptAt: now + delay });
        this.o.logger?.info({ channel: ch.name, id: row.id, attempts: row.attempts, retryInMs: delay, error }, 'notify: delivery will be retried');
      }
    }
    this.o.onAttempt?.(record, result);
  }
}

function toRecord(r: Row): OutboxRecord {
  return {
    id: r.id,
    channel: r.channel,
    kind: r.kind,
    dedupKey: r.dedup_key,
    severity: r.severity,
    title: r.title,
    state: r.state,
    attempts: r.attempts,
    createdAt: r.created_at,
    nextAttemptAt: r.next_attempt_at,
    lastAttemptAt: r.last_attempt_at,
    lastError: r.last_error,
    deliveredAt: r.delivered_at,
  };
}
