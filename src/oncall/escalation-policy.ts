import type Database from 'better-sqlite3';
import { openSqlite } from '../store/sqlite-db.js';
import { VigilError } from '../core/errors.js';
import { hashString64 } from '../core/labels.js';
import type { Notification } from '../notify/types.js';
import { type Schedule, whoIsOnCall } from './schedule.js';
import type { EscalationPolicy, EscalationTarget, OncallConfig, Person } from './types.js';
import { MINUTE } from './time.js';

/**
 * Escalation policies: who is paged, in which order, until someone acknowledges.
 *
 * A page (one per incident or alert group key) goes through the policy's
 * steps: step 1's targets are notified at once; if nobody acknowledges within
 * the step's `delayMinutes`, step 2's are; and so on. After the last step's
 * delay the steps start again from step 1, `repeat` times. A step whose
 * targets reach nobody (no one on call, a person without channels) is
 * reported through `onProblem` and skipped at once, as PagerDuty skips an
 * empty escalation level. When the rounds are used up the page stays open
 * (`exhausted`) but nobody more is notified.
 *
 * Acknowledging stops the escalation; resolving closes the page, after which
 * the same key pages afresh. Paging a key that already has an open page
 * (active, acknowledged or exhausted) does nothing: re-sent notifications of
 * the same alert group do not restart it.
 *
 * State lives in SQLite, one row per key, and each step is taken in one
 * transaction with the hand-over of its deliveries: after a restart the
 * runner goes on where it was, without losing or repeating a step. The
 * `deliver` callback must hand deliveries over synchronously (e.g. the
 * outbox's durable enqueue); if it throws, the step is rolled back and tried
 * again at the next tick. Delivery ids are deterministic, so with an
 * idempotent outbox a step retried after a partial hand-over sends nothing twice.
 *
 * Time comes from the `now` option and nothing happens on its own: `tick(now)`
 * takes the steps that are due. `start()` runs a timer that ticks every second.
 */

/** What a page notifies with: a notification without its channel, id and time. */
export type NotificationTemplate = Omit<Notification, 'id' | 'channel' | 'createdAt'>;

/** One message to send: for one page, step and round, to one channel (for a person, or the channel as it is). */
export interface Delivery<T = NotificationTemplate> {
  /** Deterministic: use it as the outbox id. */
  id: string;
  /** The incident or alert group key that was paged. */
  key: string;
  /** Identity of this page (a key paged again after it resolved gets a new one). */
  pageId: string;
  policy: string;
  /** 1-based step of the policy. */
  step: number;
  /** 1-based round: 1 the first time through the steps, up to repeat + 1. */
  round: number;
  /** The person notified; absent for a `{ channel }` target. */
  person?: string;
  /** The person's contact details, for a mention or the recipient address. */
  contact?: { email?: string; slack?: string };
  /** The notify channel that carries it. */
  channel: string;
  /** The step target it came from. */
  target: EscalationTarget;
  /** Unix ms. */
  at: number;
  template: T;
}

export interface EscalationProblem {
  key: string;
  policy: string;
  step?: number;
  round?: number;
  message: string;
  at: number;
}

export type PageState = 'active' | 'acknowledged' | 'exhausted' | 'resolved';

export interface Page<T = NotificationTemplate> {
  key: string;
  pageId: string;
  policy: string;
  template: T;
  state: PageState;
  /** The step and round last notified (0 before any). */
  step: number;
  round: number;
  startedAt: number;
  /** When the next step is due (active pages only). */
  nextDueAt?: number;
  ackedBy?: string;
  ackedAt?: number;
  resolvedAt?: number;
  /** People notified so far, in order (e.g. to tell them it was acknowledged). */
  notified: string[];
}

export interface EscalationRunnerOptions<T> {
  /** A SQLite file path (created when missing) or an open better-sqlite3 database (left open by close()). */
  db: string | Database.Database;
  /** Default `oncall_pages`. */
  table?: string;
  /** People, schedules and policies (the `oncall:` config section). */
  config: OncallConfig;
  deliver: (d: Delivery<T>) => void;
  onProblem?: (p: EscalationProblem) => void;
  /** Channels for people who list none of their own. */
  defaultChannels?: string[];
  /** Clock, unix ms. Default Date.now. */
  now?: () => number;
}

interface Row {
  key: string;
  page_id: string;
  policy: string;
  template: string;
  state: PageState;
  step: number;
  round: number;
  started_at: number;
  next_due_at: number | null;
  acked_by: string | null;
  acked_at: number | null;
  resolved_at: number | null;
  notified: string;
}

const TABLE_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

export class EscalationRunner<T = NotificationTemplate> {
  private readonly db: Database.Database;
  private readonly ownsDb: boolean;
  private readonly table: string;
  private readonly deliverFn: (d: Delivery<T>) => void;
  private readonly onProblem: (p: EscalationProblem) => void;
  private readonly defaultChannels: readonly string[];
  private readonly now: () => number;
  private readonly policies = new Map<string, EscalationPolicy>();
  private readonly people = new Map<string, Person>();
  private readonly schedules = new Map<string, Schedule>();
  private timer: NodeJS.Timeout | undefined;

  constructor(opts: EscalationRunnerOptions<T>) {
    this.table = opts.table ?? 'oncall_pages';
    if (!TABLE_RE.test(this.table)) throw new VigilError('INVALID_TABLE', `invalid table name ${JSON.stringify(this.table)}`);
    for (const p of opts.config.people) this.people.set(p.name, p);
    for (const s of opts.config.schedules) this.schedules.set(s.name, s);
    for (const p of opts.config.escalationPolicies) this.policies.set(p.name, p);
    this.deliverFn = opts.deliver;
    this.onProblem = opts.onProblem ?? (() => {});
    this.defaultChannels = opts.defaultChannels ?? [];
    this.now = opts.now ?? Date.now;
    ({ db: this.db, owned: this.ownsDb } = openSqlite(opts.db));
    this.db.exec(`CREATE TABLE IF NOT EXISTS ${this.table} (
      key TEXT PRIMARY KEY,
      page_id TEXT NOT NULL,
      policy TEXT NOT NULL,
      template TEXT NOT NULL,
      state TEXT NOT NULL,
      step INTEGER NOT NULL,
      round INTEGER NOT NULL,
      started_at INTEGER NOT NULL,
      next_due_at INTEGER,
      acked_by TEXT,
      acked_at INTEGER,
      resolved_at INTEGER,
      notified TEXT NOT NULL
    )`);
    this.db.exec(`CREATE INDEX IF NOT EXISTS ${this.table}_due ON ${this.table} (next_due_at) WHERE state = 'active'`);
  }

  /**
   * Starts escalating `key` by `policy`: step 1 is notified now. When `key`
   * already has an open page, nothing happens and that page is returned.
   * Throws PAGE_UNKNOWN_POLICY (400) for a policy not in the config.
   */
  page(key: string, policy: string, template: T): Page<T> {
    const now = this.now();
    if (!this.policies.has(policy)) throw new VigilError('PAGE_UNKNOWN_POLICY', `unknown escalation policy "${policy}"`, 400);
    const open = this.row(key);
    if (open && open.state !== 'resolved') return view(open);
    const row: Row = {
      key,
      page_id: `${now.toString(36)}-${hashString64(key)}`,
      policy,
      template: JSON.stringify(template),
      state: 'active',
      step: 0,
      round: 1,
      started_at: now,
      next_due_at: now,
      acked_by: null,
      acked_at: null,
      resolved_at: null,
      notified: '[]',
    };
    this.db.transaction(() => {
      this.db.prepare(`DELETE FROM ${this.table} WHERE key = ?`).run(key);
      this.write(row);
      this.advance(row, now);
    })();
    return view(this.row(key)!);
  }

  /**
   * Acknowledges the open page of `key`: no more steps. Acknowledging twice
   * keeps the first acknowledgement. Throws PAGE_NOT_FOUND (404) when `key`
   * has no open page.
   */
  acknowledge(key: string, by: string, now = this.now()): Page<T> {
    const row = this.row(key);
    if (!row || row.state === 'resolved') throw new VigilError('PAGE_NOT_FOUND', `no open page for "${key}"`, 404);
    if (row.state !== 'acknowledged') {
      row.state = 'acknowledged';
      row.acked_by = by;
      row.acked_at = now;
      row.next_due_at = null;
      this.write(row);
    }
    return view(row);
  }

  /** Closes the page of `key` (its alert or incident resolved); undefined when it has none open. */
  resolve(key: string, now = this.now()): Page<T> | undefined {
    const row = this.row(key);
    if (!row || row.state === 'resolved') return undefined;
    row.state = 'resolved';
    row.resolved_at = now;
    row.next_due_at = null;
    this.write(row);
    return view(row);
  }

  /** Takes every step due at `now`; returns the deliveries made (also handed to `deliver`). */
  tick(now = this.now()): Delivery<T>[] {
    const due = this.db.prepare(`SELECT * FROM ${this.table} WHERE state = 'active' AND next_due_at <= ? ORDER BY next_due_at, key`).all(now) as Row[];
    const out: Delivery<T>[] = [];
    for (const row of due) {
      try {
        this.db.transaction(() => out.push(...this.advance(row, now)))();
      } catch (e) {
        this.onProblem({ key: row.key, policy: row.policy, message: `step not taken, will retry: ${(e as Error).message}`, at: now });
      }
    }
    return out;
  }

  get(key: string): Page<T> | undefined {
    const row = this.row(key);
    return row ? view(row) : undefined;
  }

  /** Pages, oldest first; by default the open ones (not resolved). */
  list(filter: { state?: PageState } = {}): Page<T>[] {
    const rows = (
      filter.state
        ? this.db.prepare(`SELECT * FROM ${this.table} WHERE state = ? ORDER BY started_at, key`).all(filter.state)
        : this.db.prepare(`SELECT * FROM ${this.table} WHERE state != 'resolved' ORDER BY started_at, key`).all()
    ) as Row[];
    return rows.map((r) => view<T>(r));
  }

  /** When the next step of any page is due (undefined: none). */
  nextDueAt(): number | undefined {
    const r = this.db.prepare(`SELECT MIN(next_due_at) AS t FROM ${this.table} WHERE state = 'active'`).get() as { t: number | null };
    return r.t ?? undefined;
  }

  /** Drops resolved pages that resolved before `before` (unix ms); returns how many. */
  prune(before: number): number {
    return this.db.prepare(`DELETE FROM ${this.table} WHERE state = 'resolved' AND resolved_at < ?`).run(before).changes;
  }

  /** Ticks every `intervalMs` (default 1 s) on a timer that does not keep the process alive. */
  start(intervalMs = 1000): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      try {
        this.tick();
      } catch (e) {
        this.onProblem({ key: '', policy: '', message: `tick failed: ${(e as Error).message}`, at: this.now() });
      }
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  close(): void {
    this.stop();
    if (this.ownsDb) this.db.close();
  }

  /**
   * Moves `row` to its next step with someone to notify and hands over that
   * step's deliveries; marks it exhausted when the rounds are used up. Runs
   * inside a transaction.
   */
  private advance(row: Row, now: number): Delivery<T>[] {
    const policy = this.policies.get(row.policy);
    if (!policy || policy.steps.length === 0) {
      this.problem(row, now, `escalation policy "${row.policy}" is no longer configured; the page stops escalating`);
      row.state = 'exhausted';
      row.next_due_at = null;
      this.write(row);
      return [];
    }
    const template = JSON.parse(row.template) as T;
    const notified: string[] = JSON.parse(row.notified) as string[];
    const last = { step: row.step, round: row.round };
    for (;;) {
      row.step++;
      if (row.step > policy.steps.length) {
        row.step = 1;
        row.round++;
      }
      if (row.round > policy.repeat + 1) {
        row.step = last.step;
        row.round = last.round;
        row.state = 'exhausted';
        row.next_due_at = null;
        this.write(row);
        return [];
      }
      const step = policy.steps[row.step - 1]!;
      const deliveries = this.resolveStep(row, step.targets, template, now);
      if (deliveries.length === 0) {
        this.problem(row, now, `step ${row.step} reaches nobody; going on to the next step`);
        continue;
      }
      row.next_due_at = now + step.delayMinutes * MINUTE;
      for (const d of deliveries) if (d.person !== undefined && !notified.includes(d.person)) notified.push(d.person);
      row.notified = JSON.stringify(notified);
      this.write(row);
      for (const d of deliveries) this.deliverFn(d);
      return deliveries;
    }
  }

  private resolveStep(row: Row, targets: readonly EscalationTarget[], template: T, now: number): Delivery<T>[] {
    const out: Delivery<T>[] = [];
    const seen = new Set<string>();
    const base = { key: row.key, pageId: row.page_id, policy: row.policy, step: row.step, round: row.round, at: now, template };
    const push = (target: EscalationTarget, channel: string, person?: Person) => {
      const who = person?.name ?? '';
      if (seen.has(`${who}\n${channel}`)) return;
      seen.add(`${who}\n${channel}`);
      const d: Delivery<T> = { id: `oncall:${row.page_id}:r${row.round}s${row.step}:${who}:${channel}`, ...base, channel, target };
      if (person) {
        d.person = person.name;
        const contact: { email?: string; slack?: string } = {};
        if (person.email !== undefined) contact.email = person.email;
        if (person.slack !== undefined) contact.slack = person.slack;
        d.contact = contact;
      }
      out.push(d);
    };
    const reach = (target: EscalationTarget, name: string, via: string) => {
      const person = this.people.get(name);
      if (!person) return this.problem(row, now, `${via}: unknown person "${name}"`);
      const channels = person.channels?.length ? person.channels : this.defaultChannels;
      if (channels.length === 0) return this.problem(row, now, `${via}: person "${name}" has no channels (and there are no default channels)`);
      for (const c of channels) push(target, c, person);
    };
    for (const t of targets) {
      if ('channel' in t) push(t, t.channel);
      else if ('person' in t) reach(t, t.person, `step ${row.step}`);
      else {
        const schedule = this.schedules.get(t.schedule);
        if (!schedule) {
          this.problem(row, now, `step ${row.step}: unknown schedule "${t.schedule}"`);
          continue;
        }
        const who = whoIsOnCall(schedule, now);
        if (!who) this.problem(row, now, `step ${row.step}: nobody is on call in schedule "${t.schedule}"`);
        else reach(t, who.person, `step ${row.step}, schedule "${t.schedule}"`);
      }
    }
    return out;
  }

  private problem(row: Row, at: number, message: string): void {
    this.onProblem({ key: row.key, policy: row.policy, step: row.step, round: row.round, message, at });
  }

  private row(key: string): Row | undefined {
    return this.db.prepare(`SELECT * FROM ${this.table} WHERE key = ?`).get(key) as Row | undefined;
  }

  private write(row: Row): void {
    this.db
      .prepare(
        `INSERT INTO ${this.table} (key, page_id, policy, template, state, step, round, started_at, next_due_at, acked_by, acked_at, resolved_at, notified)
         VALUES (@key, @page_id, @policy, @template, @state, @step, @round, @started_at, @next_due_at, @acked_by, @acked_at, @resolved_at, @notified)
         ON CONFLICT(key) DO UPDATE SET page_id = excluded.page_id, policy = excluded.policy, template = excluded.template, state = excluded.state,
           step = excluded.step, round = excluded.round, started_at = excluded.started_at, next_due_at = excluded.next_due_at,
           acked_by = excluded.acked_by, acked_at = excluded.acked_at, resolved_at = excluded.resolved_at, notified = excluded.notified`,
      )
      .run(row);
  }
}

function view<T>(r: Row): Page<T> {
  const p: Page<T> = {
    key: r.key,
    pageId: r.page_id,
    policy: r.policy,
    template: JSON.parse(r.template) as T,
    state: r.state,
    step: r.step,
    round: r.round,
    startedAt: r.started_at,
    notified: JSON.parse(r.notified) as string[],
  };
  if (r.next_due_at !== null) p.nextDueAt = r.next_due_at;
  if (r.acked_by !== null) p.ackedBy = r.acked_by;
  if (r.acked_at !== null) p.ackedAt = r.acked_at;
  if (r.resolved_at !== null) p.resolvedAt = r.resolved_at;
  return p;
}
