import { z } from 'zod';
import { section } from '../fields.js';
import { type Layer, type Schedule, parseHandoff, parseRotation, scheduleProblems } from '../../oncall/schedule.js';
import { isValidTimeZone, parseInstant, parseLocalDateTime, parseTimeOfDay, parseWeekday } from '../../oncall/time.js';
import type { EscalationPolicy, EscalationTarget, OncallConfig, Person } from '../../oncall/types.js';

/**
 * On-call (`oncall:` in vigil.yaml): people, schedules and escalation policies.
 *
 *   oncall:
 *     people:
 *       - { name: alice, email: alice@example.com, slack: '@alice', channels: [ops-slack] }
 *       - { name: bob, email: bob@example.com, channels: [ops-email] }
 *     schedules:
 *       - name: primary
 *         timeZone: Europe/Berlin
 *         layers:
 *           - name: weekly
 *             users: [alice, bob]
 *             start: 2024-03-04T09:00
 *             rotation: weekly
 *             handoff: monday 09:00
 *         overrides:
 *           - { user: bob, start: 2024-03-08T09:00, end: 2024-03-09T09:00 }
 *     escalationPolicies:
 *       - name: default
 *         steps:
 *           - { targets: [{ schedule: primary }], delayMinutes: 10 }
 *           - { targets: [{ person: bob }, { channel: ops-slack }], delayMinutes: 10 }
 *         repeat: 2
 *
 * Layer times are local to the schedule's time zone; override times are
 * RFC 3339 instants (`2024-03-08T08:00:00Z`) or local date-times in that zone.
 */

const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const NAME_HINT = 'must start with a letter or digit and contain only letters, digits, ".", "_" and "-"';
// Deliberately loose: one @, no spaces. The mail server is the judge.
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
// `@handle`, a member id (U024BE7LH, W0123ABC) or a user-group id (S0123ABC).
const SLACK_RE = /^(?:@[a-z0-9][a-z0-9._-]*|[UWS][A-Z0-9]{2,})$/;

const list = <T extends z.ZodType>(item: T) => z.preprocess((v) => v ?? [], z.array(item));

/** A string checked by a parser that throws a readable RangeError. */
const checked = (parse: (s: string) => unknown, what: string) =>
  z.unknown().superRefine((v, ctx) => {
    if (typeof v !== 'string') {
      const hint = typeof v === 'number' ? ' (quote it, e.g. "09:00")' : '';
      ctx.addIssue({ code: 'custom', message: `expected a ${what} as a string${hint}` });
      return;
    }
    try {
      parse(v);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: (e as Error).message });
    }
  }) as unknown as z.ZodType<string, unknown>;

const personSchema = z.strictObject({
  name: z.string().regex(NAME_RE, NAME_HINT),
  email: z.string().regex(EMAIL_RE, 'invalid email address').optional(),
  slack: z.string().regex(SLACK_RE, 'expected a Slack @handle or a member id such as U024BE7LH').optional(),
  channels: list(z.string().min(1)).optional(),
});

const restrictionSchema = z.strictObject({
  days: z.array(checked(parseWeekday, 'weekday')).min(1).optional(),
  from: checked((s) => parseTimeOfDay(s), 'time of day'),
  to: checked((s) => parseTimeOfDay(s, true), 'time of day'),
});

const layerSchema = z.strictObject({
  name: z.string().regex(NAME_RE, NAME_HINT).optional(),
  users: z.array(z.string().min(1)).min(1, 'at least one person is required'),
  start: checked(parseLocalDateTime, 'local date-time'),
  end: checked(parseLocalDateTime, 'local date-time').optional(),
  rotation: checked(parseRotation, 'rotation'),
  handoff: checked(parseHandoff, 'hand-off time').optional(),
  restrictions: list(restrictionSchema).optional(),
});

const overrideSchema = z.strictObject({
  user: z.string().min(1),
  // Checked with the schedule's time zone below.
  start: z.string(),
  end: z.string(),
});

const scheduleSchema = z.strictObject({
  name: z.string().regex(NAME_RE, NAME_HINT),
  timeZone: z.string().refine(isValidTimeZone, { error: (i) => `unknown time zone ${JSON.stringify(i.input)} (expected an IANA name such as Europe/Berlin, America/New_York or UTC)` }),
  layers: list(layerSchema),
  overrides: list(overrideSchema),
});

const targetSchema = z
  .strictObject({
    schedule: z.string().min(1).optional(),
    person: z.string().min(1).optional(),
    channel: z.string().min(1).optional(),
  })
  .superRefine((t, ctx) => {
    const n = [t.schedule, t.person, t.channel].filter((x) => x !== undefined).length;
    if (n !== 1) ctx.addIssue({ code: 'custom', message: 'a target is exactly one of { schedule: NAME }, { person: NAME } or { channel: NAME }' });
  });

const policySchema = z.strictObject({
  name: z.string().regex(NAME_RE, NAME_HINT),
  steps: z
    .array(
      z.strictObject({
        targets: z.array(targetSchema).min(1, 'a step needs at least one target'),
        delayMinutes: z.number().int().min(1).max(7 * 24 * 60).default(30),
      }),
    )
    .min(1, 'a policy needs at least one step'),
  repeat: z.number().int().min(0).max(20).default(0),
});

export const oncallSchema = section({
  people: list(personSchema),
  schedules: list(scheduleSchema),
  escalationPolicies: list(policySchema),
})
  .superRefine((c, ctx) => {
    // Runs even when some fields failed (zod reports every issue), so nothing here may assume a field is valid.
    const issue = (path: Array<string | number>, message: string) => ctx.addIssue({ code: 'custom', path, message });
    const safe = <R>(f: () => R): R | undefined => {
      try {
        return f();
      } catch {
        return undefined;
      }
    };
    const arr = <X>(v: X[] | undefined): X[] => (Array.isArray(v) ? v : []);
    const unique = (items: Array<{ name: string }>, key: string, what: string) => {
      const seen = new Set<string>();
      arr(items).forEach((x, i) => {
        if (typeof x?.name !== 'string') return;
        if (seen.has(x.name)) issue([key, i, 'name'], `duplicate ${what} name "${x.name}"`);
        seen.add(x.name);
      });
      return seen;
    };
    const people = unique(c.people, 'people', 'person');
    const schedules = unique(c.schedules, 'schedules', 'schedule');
    unique(c.escalationPolicies, 'escalationPolicies', 'escalation policy');
    const knownPerson = (name: unknown, path: Array<string | number>) => {
      if (typeof name === 'string' && !people.has(name)) issue(path, `unknown person "${name}" (not in oncall.people)`);
    };
    arr(c.schedules).forEach((s, i) => {
      arr(s?.layers).forEach((l, j) => {
        const path = ['schedules', i, 'layers', j];
        arr(l?.users).forEach((u, k) => knownPerson(u, [...path, 'users', k]));
        const start = safe(() => parseLocalDateTime(l.start));
        const end = l.end === undefined ? undefined : safe(() => parseLocalDateTime(l.end!));
        if (start !== undefined && end !== undefined && end <= start) issue([...path, 'end'], `end ${l.end} must be after start ${l.start}`);
        const weekday = l.handoff === undefined ? undefined : safe(() => parseHandoff(l.handoff!).weekday);
        const period = safe(() => parseRotation(l.rotation));
        if (weekday !== undefined && period !== undefined && period % (7 * 86_400_000) !== 0) issue([...path, 'handoff'], 'a weekday in handoff only fits a weekly rotation; use HH:MM');
        arr(l?.restrictions).forEach((r, k) => {
          const from = safe(() => parseTimeOfDay(r.from));
          if (from !== undefined && from === safe(() => parseTimeOfDay(r.to, true))) issue([...path, 'restrictions', k, 'to'], 'from and to must differ (leave restrictions out for all day)');
        });
      });
      const zone = typeof s?.timeZone === 'string' && isValidTimeZone(s.timeZone) ? s.timeZone : undefined;
      arr(s?.overrides).forEach((o, j) => {
        const path = ['schedules', i, 'overrides', j];
        knownPerson(o?.user, [...path, 'user']);
        if (zone === undefined || typeof o?.start !== 'string' || typeof o.end !== 'string') return;
        const instant = (key: 'start' | 'end') => {
          try {
            return parseInstant(o[key], zone);
          } catch (e) {
            issue([...path, key], (e as Error).message);
            return undefined;
          }
        };
        const start = instant('start');
        const end = instant('end');
        if (start !== undefined && end !== undefined && end <= start) issue([...path, 'end'], `end ${o.end} must be after start ${o.start}`);
      });
    });
    arr(c.escalationPolicies).forEach((p, i) =>
      arr(p?.steps).forEach((st, j) =>
        arr(st?.targets).forEach((t, k) => {
          const path = ['escalationPolicies', i, 'steps', j, 'targets', k];
          if (t?.person !== undefined) knownPerson(t.person, [...path, 'person']);
          if (typeof t?.schedule === 'string' && !schedules.has(t.schedule)) issue([...path, 'schedule'], `unknown schedule "${t.schedule}" (not in oncall.schedules)`);
        }),
      ),
    );
  })
  .transform((c): OncallConfig => {
    const people = c.people.map((p): Person => {
      const out: Person = { name: p.name };
      if (p.email !== undefined) out.email = p.email;
      if (p.slack !== undefined) out.slack = p.slack;
      if (p.channels !== undefined) out.channels = p.channels;
      return out;
    });
    const schedules = c.schedules.map((s): Schedule => ({
      name: s.name,
      timeZone: s.timeZone,
      layers: s.layers.map((l) => {
        const out: Layer = { users: l.users, start: l.start, rotation: l.rotation };
        if (l.name !== undefined) out.name = l.name;
        if (l.end !== undefined) out.end = l.end;
        if (l.handoff !== undefined) out.handoff = l.handoff;
        if (l.restrictions !== undefined) out.restrictions = l.restrictions.map((r) => (r.days ? { days: r.days, from: r.from, to: r.to } : { from: r.from, to: r.to }));
        return out;
      }),
      overrides: s.overrides.map((o) => ({ user: o.user, start: parseInstant(o.start, s.timeZone), end: parseInstant(o.end, s.timeZone) })),
    }));
    // Anything the per-field checks missed fails here, loudly, rather than at the first page.
    for (const s of schedules) {
      const p = scheduleProblems(s)[0];
      if (p) throw new RangeError(`schedule "${s.name}": ${p.path.join('.')}: ${p.message}`);
    }
    const escalationPolicies = c.escalationPolicies.map(
      (p): EscalationPolicy => ({
        name: p.name,
        repeat: p.repeat,
        steps: p.steps.map((st) => ({
          delayMinutes: st.delayMinutes,
          targets: st.targets.map((t): EscalationTarget => (t.schedule !== undefined ? { schedule: t.schedule } : t.person !== undefined ? { person: t.person } : { channel: t.channel! })),
        })),
      }),
    );
    return { people, schedules, escalationPolicies };
  });

export type OncallSectionConfig = z.output<typeof oncallSchema>;
