import { test } from 'node:test';
import assert from 'node:assert/strict';
import { whoIsOnCall } from '../../src/oncall/index.js';
import { at, oncall, oncallErrors } from './helpers.js';

const people = `
  people:
    - { name: alice, email: alice@example.com, slack: '@alice', channels: [ops-slack] }
    - { name: bob, slack: U024BE7LH }
    - { name: carol }`;

test('a full oncall section: unquoted dates and times, overrides local or with an offset, defaults filled in', () => {
  const c = oncall(`
oncall:${people}
  schedules:
    - name: primary
      timeZone: Europe/Berlin
      layers:
        - name: weekly
          users: [alice, bob, carol]
          start: 2024-03-18T09:00
          rotation: weekly
          handoff: monday 09:00
        - name: office
          users: [carol]
          start: 2024-03-18 09:00
          rotation: 12h
          restrictions:
            - { days: [mon, tue, wed, thu, friday], from: 09:00, to: 17:00 }
      overrides:
        - { user: carol, start: 2024-03-20T09:00, end: 2024-03-21T09:00 }
        - { user: alice, start: '2024-03-20T10:00:00Z', end: '2024-03-20T12:00:00+01:00' }
  escalationPolicies:
    - name: default
      steps:
        - targets: [{ schedule: primary }]
          delayMinutes: 10
        - targets: [{ person: bob }, { channel: ops-slack }]
`);
  assert.deepEqual(c.people, [
    { name: 'alice', email: 'alice@example.com', slack: '@alice', channels: ['ops-slack'] },
    { name: 'bob', slack: 'U024BE7LH' },
    { name: 'carol' },
  ]);
  const s = c.schedules[0]!;
  assert.deepEqual(s.layers[0], { name: 'weekly', users: ['alice', 'bob', 'carol'], start: '2024-03-18T09:00', rotation: 'weekly', handoff: 'monday 09:00' });
  assert.deepEqual(s.overrides, [
    { user: 'carol', start: at('2024-03-20T08:00:00Z'), end: at('2024-03-21T08:00:00Z') },
    { user: 'alice', start: at('2024-03-20T10:00:00Z'), end: at('2024-03-20T11:00:00Z') },
  ]);
  assert.deepEqual(c.escalationPolicies, [
    {
      name: 'default',
      repeat: 0,
      steps: [
        { delayMinutes: 10, targets: [{ schedule: 'primary' }] },
        { delayMinutes: 30, targets: [{ person: 'bob' }, { channel: 'ops-slack' }] },
      ],
    },
  ]);
  assert.equal(whoIsOnCall(s, at('2024-03-19T06:00:00Z'))?.person, 'alice');
  assert.equal(whoIsOnCall(s, at('2024-03-19T09:00:00Z'))?.person, 'carol', 'the office layer');
  assert.equal(whoIsOnCall(s, at('2024-03-20T10:30:00Z'))?.person, 'alice', 'the later override');
});

test('an empty or absent section is no on-call', () => {
  assert.deepEqual(oncall('oncall:\n'), { people: [], schedules: [], escalationPolicies: [] });
  assert.deepEqual(oncall('{}'), { people: [], schedules: [], escalationPolicies: [] });
});

test('overlapping overrides are allowed; an override must end after it starts', () => {
  const base = (overrides: string) => `
oncall:${people}
  schedules:
    - name: s
      timeZone: UTC
      overrides:${overrides}
`;
  oncall(base(`
        - { user: alice, start: 2024-01-01T00:00, end: 2024-01-03T00:00 }
        - { user: bob, start: 2024-01-02T00:00, end: 2024-01-02T12:00 }`));
  assert.deepEqual(oncallErrors(base(`
        - { user: alice, start: 2024-01-02T00:00, end: 2024-01-02T00:00 }
        - { user: bob, start: yesterday, end: 2024-01-02T00:00 }`)), [
    'vigil.yaml:11:56: oncall.schedules.0.overrides.0.end: end 2024-01-02T00:00 must be after start 2024-01-02T00:00',
    `vigil.yaml:12:31: oncall.schedules.0.overrides.1.start: invalid date-time "yesterday" (e.g. 2024-03-30T09:00 in the schedule's time zone, or 2024-03-30T09:00:00Z)`,
  ]);
});

test('clear errors: unknown people and schedules, bad time zone, hand-off, rotation, restriction, targets', () => {
  assert.deepEqual(
    oncallErrors(`
oncall:${people}
    - { name: alice, email: not-an-address, slack: 'alice' }
  schedules:
    - name: primary
      timeZone: Europe/Berlinn
      layers:
        - { users: [alice, dave], start: 2024-03-18T09:00, rotation: weekly }
`),
    [
      'vigil.yaml:7:15: oncall.people.3.name: duplicate person name "alice"',
      'vigil.yaml:7:29: oncall.people.3.email: invalid email address',
      'vigil.yaml:7:52: oncall.people.3.slack: expected a Slack @handle or a member id such as U024BE7LH',
      'vigil.yaml:10:17: oncall.schedules.0.timeZone: unknown time zone "Europe/Berlinn" (expected an IANA name such as Europe/Berlin, America/New_York or UTC)',
      'vigil.yaml:12:28: oncall.schedules.0.layers.0.users.1: unknown person "dave" (not in oncall.people)',
    ],
    'every problem at once, in file order',
  );
  assert.deepEqual(
    oncallErrors(`
oncall:${people}
    - { name: alice }
  schedules:
    - name: primary
      timeZone: Europe/Berlin
      layers:
        - { users: [alice, dave], start: 2024-03-18T09:00, rotation: weekly }
      overrides:
        - { user: erin, start: 2024-03-18T09:00, end: 2024-03-19T09:00 }
  escalationPolicies:
    - name: default
      steps:
        - targets: [{ schedule: primary }, { schedule: secondary }, { person: frank }]
`),
    [
      'vigil.yaml:7:15: oncall.people.3.name: duplicate person name "alice"',
      'vigil.yaml:12:28: oncall.schedules.0.layers.0.users.1: unknown person "dave" (not in oncall.people)',
      'vigil.yaml:14:19: oncall.schedules.0.overrides.0.user: unknown person "erin" (not in oncall.people)',
      'vigil.yaml:18:56: oncall.escalationPolicies.0.steps.0.targets.1.schedule: unknown schedule "secondary" (not in oncall.schedules)',
      'vigil.yaml:18:79: oncall.escalationPolicies.0.steps.0.targets.2.person: unknown person "frank" (not in oncall.people)',
    ],
  );
  assert.deepEqual(
    oncallErrors(`
oncall:${people}
  schedules:
    - name: s
      timezone: UTC
      layers:
        - { users: [alice], start: 2024-03-18T25:00, rotation: fortnightly, handoff: 9am }
        - { users: [], start: 2024-03-18, rotation: daily, handoff: monday 09:00 }
        - { users: [bob], start: 2024-03-18, rotation: daily, restrictions: [{ days: [mon, funday], from: 9, to: '25:00' }] }
  escalationPolicies:
    - name: p
      steps:
        - targets: [{ schedule: s, person: bob }, {}]
          delayMinutes: 0
      repeat: -1
`),
    [
      'vigil.yaml:8:7: oncall.schedules.0.timeZone: required field is missing (expected string)',
      'vigil.yaml:9:7: oncall.schedules.0.timezone: unknown key "timezone", did you mean "timeZone"?',
      'vigil.yaml:11:36: oncall.schedules.0.layers.0.start: invalid date-time "2024-03-18T25:00": no such date or time',
      'vigil.yaml:11:64: oncall.schedules.0.layers.0.rotation: invalid rotation "fortnightly" (expected hourly, daily, weekly, or a duration such as 12h or 2w)',
      'vigil.yaml:11:86: oncall.schedules.0.layers.0.handoff: invalid time of day "9am" (expected HH:MM, 24-hour, e.g. 09:00)',
      'vigil.yaml:12:20: oncall.schedules.0.layers.1.users: at least one person is required',
      'vigil.yaml:13:92: oncall.schedules.0.layers.2.restrictions.0.days.1: invalid weekday "funday" (expected monday .. sunday, or mon .. sun)',
      'vigil.yaml:13:107: oncall.schedules.0.layers.2.restrictions.0.from: expected a time of day as a string (quote it, e.g. "09:00")',
      'vigil.yaml:13:114: oncall.schedules.0.layers.2.restrictions.0.to: invalid time of day "25:00" (expected HH:MM, 24-hour, e.g. 09:00 or 24:00)',
      'vigil.yaml:17:21: oncall.escalationPolicies.0.steps.0.targets.0: a target is exactly one of { schedule: NAME }, { person: NAME } or { channel: NAME }',
      'vigil.yaml:17:51: oncall.escalationPolicies.0.steps.0.targets.1: a target is exactly one of { schedule: NAME }, { person: NAME } or { channel: NAME }',
      'vigil.yaml:18:25: oncall.escalationPolicies.0.steps.0.delayMinutes: Too small: expected number to be >=1',
      'vigil.yaml:19:15: oncall.escalationPolicies.0.repeat: Too small: expected number to be >=0',
    ],
  );
  assert.deepEqual(
    oncallErrors(`
oncall:${people}
  schedules:
    - name: s
      timeZone: UTC
      layers:
        - { users: [alice], start: 2024-03-18, rotation: daily, handoff: monday 09:00 }
`),
    ['vigil.yaml:11:74: oncall.schedules.0.layers.0.handoff: a weekday in handoff only fits a weekly rotation; use HH:MM'],
  );
});
