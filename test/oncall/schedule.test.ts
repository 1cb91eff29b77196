import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type Schedule, scheduleProblems, shifts, whoIsOnCall, zonedToUtc, parseLocalDateTime } from '../../src/oncall/index.js';
import { H, at, iso } from './helpers.js';

const who = (s: Schedule, t: string) => whoIsOnCall(s, at(t))?.person;
const timeline = (s: Schedule, from: string, to: string) => shifts(s, at(from), at(to)).map((x) => `${x.person} ${iso(x.start)} .. ${iso(x.end)}`);

test('local times become instants in the zone, with the DST gap and the repeated hour', () => {
  const berlin = (s: string) => iso(zonedToUtc(parseLocalDateTime(s), 'Europe/Berlin'));
  assert.equal(berlin('2024-03-30T09:00'), '2024-03-30T08:00:00Z', 'winter: UTC+1');
  assert.equal(berlin('2024-04-01T09:00'), '2024-04-01T07:00:00Z', 'summer: UTC+2');
  assert.equal(berlin('2024-03-31T02:30'), '2024-03-31T01:00:00Z', '02:30 does not exist on 31 March: the change itself (03:00 CEST)');
  assert.equal(berlin('2024-10-27T02:30'), '2024-10-27T00:30:00Z', '02:30 happens twice on 27 October: the first one (CEST)');
  const ny = (s: string) => iso(zonedToUtc(parseLocalDateTime(s), 'America/New_York'));
  assert.equal(ny('2024-03-09T09:00'), '2024-03-09T14:00:00Z');
  assert.equal(ny('2024-03-11T09:00'), '2024-03-11T13:00:00Z');
});

// Alice, Bob and Carol take a week each, handing over on Monday at 09:00 Berlin time.
// Clocks go forward on Sunday 31 March 2024, in the middle of Bob's week.
const weekly: Schedule = {
  name: 'primary',
  timeZone: 'Europe/Berlin',
  layers: [{ name: 'weekly', users: ['alice', 'bob', 'carol'], start: '2024-03-18T09:00', rotation: 'weekly', handoff: 'monday 09:00' }],
};

test('a weekly rotation hands over on Monday 09:00 local time, before and after the March DST change', () => {
  assert.equal(who(weekly, '2024-03-18T07:59:59Z'), undefined, 'nobody before the layer starts');
  assert.deepEqual(whoIsOnCall(weekly, at('2024-03-18T08:00:00Z')), { person: 'alice', source: { type: 'layer', layer: 'weekly', layerIndex: 0 } });
  assert.equal(who(weekly, '2024-03-25T07:59:59.999Z'), 'alice');
  assert.equal(who(weekly, '2024-03-25T08:00:00Z'), 'bob', 'hand-off at exactly 09:00 CET');
  assert.equal(who(weekly, '2024-04-01T06:59:59.999Z'), 'bob');
  assert.equal(who(weekly, '2024-04-01T07:00:00Z'), 'carol', 'hand-off at exactly 09:00 CEST, an hour earlier in UTC');
  assert.equal(who(weekly, '2024-04-08T07:00:00Z'), 'alice', 'and round again');
  const s = shifts(weekly, at('2024-03-18T00:00:00Z'), at('2024-04-15T12:00:00Z'));
  assert.deepEqual(
    s.map((x) => [x.person, iso(x.start), (x.end - x.start) / H]),
    [
      ['alice', '2024-03-18T08:00:00Z', 168],
      ['bob', '2024-03-25T08:00:00Z', 167],
      ['carol', '2024-04-01T07:00:00Z', 168],
      ['alice', '2024-04-08T07:00:00Z', 168],
      ['bob', '2024-04-15T07:00:00Z', 5],
    ],
    "Bob's week is an hour short",
  );
});

test('the autumn change makes the week an hour longer', () => {
  const autumn: Schedule = { ...weekly, layers: [{ ...weekly.layers[0]!, start: '2024-10-21T09:00' }] };
  assert.deepEqual(
    shifts(autumn, at('2024-10-21T07:00:00Z'), at('2024-11-04T09:00:00Z')).map((x) => [x.person, iso(x.start), (x.end - x.start) / H]),
    [
      ['alice', '2024-10-21T07:00:00Z', 169],
      ['bob', '2024-10-28T08:00:00Z', 168],
      ['carol', '2024-11-04T08:00:00Z', 1],
    ],
  );
});

test('a start between hand-offs: the first person is on call until the first hand-off', () => {
  const s: Schedule = { name: 's', timeZone: 'UTC', layers: [{ users: ['a', 'b'], start: '2024-05-01T15:00', rotation: 'daily', handoff: '09:00' }] };
  assert.deepEqual(timeline(s, '2024-05-01T00:00:00Z', '2024-05-03T12:00:00Z'), [
    'a 2024-05-01T15:00:00Z .. 2024-05-02T09:00:00Z',
    'b 2024-05-02T09:00:00Z .. 2024-05-03T09:00:00Z',
    'a 2024-05-03T09:00:00Z .. 2024-05-03T12:00:00Z',
  ]);
  assert.deepEqual(whoIsOnCall(s, at('2024-05-01T15:00:00Z'))?.source, { type: 'layer', layer: 'layer-1', layerIndex: 0 }, 'unnamed layers are numbered');
});

test('without a handoff, the start sets it; a 12h rotation stays at 09:00 and 21:00 across DST', () => {
  const s: Schedule = { name: 's', timeZone: 'America/New_York', layers: [{ users: ['day', 'night'], start: '2024-03-09T09:00', rotation: '12h' }] };
  assert.deepEqual(timeline(s, '2024-03-09T14:00:00Z', '2024-03-11T13:00:00Z'), [
    'day 2024-03-09T14:00:00Z .. 2024-03-10T02:00:00Z',
    'night 2024-03-10T02:00:00Z .. 2024-03-10T13:00:00Z',
    'day 2024-03-10T13:00:00Z .. 2024-03-11T01:00:00Z',
    'night 2024-03-11T01:00:00Z .. 2024-03-11T13:00:00Z',
  ]);
});

test('a hand-off in the skipped hour happens at the change; in the repeated hour, at its first occurrence', () => {
  const s = (start: string): Schedule => ({ name: 's', timeZone: 'Europe/Berlin', layers: [{ users: ['a', 'b'], start, rotation: 'daily', handoff: '02:30' }] });
  const spring = s('2024-03-30T02:30');
  assert.equal(who(spring, '2024-03-31T00:59:59Z'), 'a');
  assert.equal(who(spring, '2024-03-31T01:00:00Z'), 'b', '03:00 CEST');
  const autumn = s('2024-10-26T02:30');
  assert.equal(who(autumn, '2024-10-27T00:29:59Z'), 'a');
  assert.equal(who(autumn, '2024-10-27T00:30:00Z'), 'b', '02:30 CEST, not 02:30 CET an hour later');
  assert.equal(who(autumn, '2024-10-28T01:30:00Z'), 'a', 'next day 02:30 CET');
});

// A follow-the-sun style setup: a 24/7 daily rotation underneath, and a
// business-hours layer on top that only has someone Mon-Fri 09:00-17:00.
const business: Schedule = {
  name: 'ops',
  timeZone: 'America/New_York',
  layers: [
    { name: 'around-the-clock', users: ['ann', 'ben'], start: '2024-03-04T09:00', rotation: 'daily', handoff: '09:00' },
    { name: 'office', users: ['olga', 'omar'], start: '2024-03-04T09:00', rotation: 'weekly', restrictions: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00' }] },
  ],
};

test('a business-hours layer over a 24/7 layer wins during office hours only', () => {
  assert.deepEqual(whoIsOnCall(business, at('2024-03-04T15:00:00Z'))?.source, { type: 'layer', layer: 'office', layerIndex: 1 });
  assert.equal(who(business, '2024-03-04T15:00:00Z'), 'olga', 'Monday 10:00 EST');
  assert.equal(who(business, '2024-03-04T21:59:59Z'), 'olga', 'Monday 16:59:59');
  assert.equal(who(business, '2024-03-04T22:00:00Z'), 'ann', 'Monday 17:00: back to the 24/7 layer');
  assert.equal(who(business, '2024-03-05T14:00:00Z'), 'olga', 'Tuesday 09:00 EST');
  assert.equal(who(business, '2024-03-09T15:00:00Z'), 'ben', 'Saturday 10:00 EST: the office layer is off on weekends (ann, ben, ann, ben, ann, ben)');
  assert.equal(who(business, '2024-03-11T13:00:00Z'), 'omar', 'Monday 09:00 EDT, after the DST change: office hours follow the local clock');
  assert.equal(who(business, '2024-03-11T12:59:59Z'), 'ann', "Monday 08:59 EDT: still Sunday's daily shift");
  assert.deepEqual(timeline(business, '2024-03-08T13:00:00Z', '2024-03-11T22:00:00Z'), [
    'ben 2024-03-08T13:00:00Z .. 2024-03-08T14:00:00Z',
    'olga 2024-03-08T14:00:00Z .. 2024-03-08T22:00:00Z',
    'ann 2024-03-08T22:00:00Z .. 2024-03-09T14:00:00Z', // Friday 17:00: Friday is Ann's day (Mon ann, Tue ben, ...)
    'ben 2024-03-09T14:00:00Z .. 2024-03-10T13:00:00Z', // Saturday 09:00 EST
    'ann 2024-03-10T13:00:00Z .. 2024-03-11T13:00:00Z', // Sunday 09:00 EDT: clocks went forward at 02:00
    'omar 2024-03-11T13:00:00Z .. 2024-03-11T21:00:00Z', // Monday 09:00-17:00 EDT: the office layer's second week
    'ben 2024-03-11T21:00:00Z .. 2024-03-11T22:00:00Z',
  ]);
});

test('gaps: a restricted layer alone leaves nobody on call outside its windows, and a window may run past midnight', () => {
  const nights: Schedule = {
    name: 'nights',
    timeZone: 'Europe/Berlin',
    layers: [{ users: ['nina'], start: '2024-06-01T00:00', rotation: 'weekly', restrictions: [{ days: ['friday'], from: '22:00', to: '06:00' }] }],
  };
  assert.equal(who(nights, '2024-06-07T19:59:59Z'), undefined, 'Friday 21:59 CEST');
  assert.equal(who(nights, '2024-06-07T20:00:00Z'), 'nina', 'Friday 22:00');
  assert.equal(who(nights, '2024-06-08T03:59:59Z'), 'nina', 'Saturday 05:59, still Friday night');
  assert.equal(who(nights, '2024-06-08T20:00:00Z'), undefined, 'Saturday 22:00: not a listed day');
  assert.deepEqual(timeline(nights, '2024-06-03T00:00:00Z', '2024-06-17T00:00:00Z'), [
    'nina 2024-06-07T20:00:00Z .. 2024-06-08T04:00:00Z',
    'nina 2024-06-14T20:00:00Z .. 2024-06-15T04:00:00Z',
  ]);
  const ending: Schedule = { name: 'e', timeZone: 'UTC', layers: [{ users: ['x'], start: '2024-01-01T00:00', end: '2024-01-02T12:00', rotation: 'daily' }] };
  assert.deepEqual(timeline(ending, '2023-12-31T00:00:00Z', '2024-01-05T00:00:00Z'), ['x 2024-01-01T00:00:00Z .. 2024-01-02T12:00:00Z'], 'nobody after the layer ends');
});

test('an override for a day wins over every layer; overlapping overrides: the later one wins', () => {
  const s: Schedule = {
    ...business,
    overrides: [
      { user: 'zoe', start: at('2024-03-05T14:00:00Z'), end: at('2024-03-06T14:00:00Z') }, // Tuesday 09:00 to Wednesday 09:00 EST
      { user: 'yan', start: at('2024-03-05T20:00:00Z'), end: at('2024-03-05T21:00:00Z') }, // an hour of it
    ],
  };
  assert.deepEqual(whoIsOnCall(s, at('2024-03-05T15:00:00Z')), { person: 'zoe', source: { type: 'override', overrideIndex: 0 } }, 'over the office layer');
  assert.equal(who(s, '2024-03-06T03:00:00Z'), 'zoe', 'over the 24/7 layer at night');
  assert.equal(who(s, '2024-03-05T20:30:00Z'), 'yan');
  assert.equal(who(s, '2024-03-06T14:00:00Z'), 'olga', 'end is exclusive');
  assert.deepEqual(timeline(s, '2024-03-05T12:00:00Z', '2024-03-06T16:00:00Z'), [
    'ann 2024-03-05T12:00:00Z .. 2024-03-05T14:00:00Z',
    'zoe 2024-03-05T14:00:00Z .. 2024-03-05T20:00:00Z',
    'yan 2024-03-05T20:00:00Z .. 2024-03-05T21:00:00Z',
    'zoe 2024-03-05T21:00:00Z .. 2024-03-06T14:00:00Z',
    'olga 2024-03-06T14:00:00Z .. 2024-03-06T16:00:00Z',
  ]);
});

test('shifts: a single-person layer is one stretch, empty ranges are empty', () => {
  const solo: Schedule = { name: 'solo', timeZone: 'UTC', layers: [{ users: ['sam'], start: '2024-01-01T00:00', rotation: 'hourly' }] };
  assert.deepEqual(timeline(solo, '2024-01-01T00:00:00Z', '2024-01-03T00:00:00Z'), ['sam 2024-01-01T00:00:00Z .. 2024-01-03T00:00:00Z']);
  assert.deepEqual(shifts(solo, at('2024-01-02T00:00:00Z'), at('2024-01-01T00:00:00Z')), []);
  assert.deepEqual(shifts({ name: 'empty', timeZone: 'UTC', layers: [] }, at('2024-01-01T00:00:00Z'), at('2024-02-01T00:00:00Z')), []);
});

test('invalid schedules say what is wrong', () => {
  assert.deepEqual(scheduleProblems({ name: 'x', timeZone: 'Europe/Berlinn', layers: [] }), [
    { path: ['timeZone'], message: 'unknown time zone "Europe/Berlinn" (expected an IANA name such as Europe/Berlin, America/New_York or UTC)' },
  ]);
  const problems = scheduleProblems({
    name: 'x',
    timeZone: 'UTC',
    layers: [{ users: ['a'], start: '2024-02-30T09:00', rotation: 'fortnightly', handoff: 'monday 9am' }],
    overrides: [{ user: 'a', start: 10, end: 10 }],
  });
  assert.deepEqual(
    problems.map((p) => `${p.path.join('.')}: ${p.message}`),
    [
      'layers.0.start: invalid date-time "2024-02-30T09:00": no such date or time',
      'layers.0.rotation: invalid rotation "fortnightly" (expected hourly, daily, weekly, or a duration such as 12h or 2w)',
      'layers.0.handoff: invalid time of day "9am" (expected HH:MM, 24-hour, e.g. 09:00)',
      'overrides.0.end: end (1970-01-01T00:00:00.010Z) must be after start (1970-01-01T00:00:00.010Z)',
    ],
  );
  assert.throws(() => whoIsOnCall({ name: 'bad', timeZone: 'Mars/Olympus', layers: [] }, 0), { code: 'INVALID_SCHEDULE', message: /schedule "bad": timeZone: unknown time zone "Mars\/Olympus"/ });
});
