import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Delivery, EscalationRunner, type EscalationProblem } from '../../src/oncall/index.js';
import { M, at, iso, oncall } from './helpers.js';

// Alice and Bob share the primary rotation (daily, 09:00 UTC); Carol is the
// secondary. The policy pages the primary now, the secondary after 10
// minutes, and goes round twice more.
const config = oncall(`
oncall:
  people:
    - { name: alice, email: alice@example.com, slack: '@alice', channels: [ops-slack] }
    - { name: bob, slack: U024BE7LH, channels: [ops-slack, ops-sms] }
    - { name: carol, email: carol@example.com }
  schedules:
    - name: primary
      timeZone: UTC
      layers: [{ users: [alice, bob], start: 2024-05-01T09:00, rotation: daily, handoff: '09:00' }]
    - name: secondary
      timeZone: UTC
      layers: [{ users: [carol], start: 2024-05-01T09:00, rotation: weekly }]
    - name: nights-only
      timeZone: UTC
      layers: [{ users: [bob], start: 2024-05-01T00:00, rotation: weekly, restrictions: [{ from: '22:00', to: '06:00' }] }]
  escalationPolicies:
    - name: default
      steps:
        - { targets: [{ schedule: primary }], delayMinutes: 10 }
        - { targets: [{ schedule: secondary }], delayMinutes: 10 }
      repeat: 2
    - name: nights
      steps:
        - { targets: [{ schedule: nights-only }], delayMinutes: 5 }
        - { targets: [{ channel: ops-slack }], delayMinutes: 5 }
`);

const T = at('2024-05-02T08:50:00Z'); // Alice's day (Bob takes over at 09:00)

function harness(db = ':memory:') {
  const sent: Delivery<{ title: string }>[] = [];
  const problems: EscalationProblem[] = [];
  let now = T;
  const runner = new EscalationRunner<{ title: string }>({
    db,
    config,
    deliver: (d) => sent.push(d),
    onProblem: (p) => problems.push(p),
    defaultChannels: ['ops-email'],
    now: () => now,
  });
  const run = (minutes: number) => {
    now = T + minutes * M;
    const before = sent.length;
    runner.tick(now);
    return sent.slice(before).map(show);
  };
  return { runner, sent, problems, run, setNow: (t: number) => (now = t) };
}

const show = (d: Delivery<unknown>) => `+${(d.at - T) / M}m r${d.round}s${d.step} ${d.person ?? '-'} via ${d.channel}`;

test('primary now, secondary after 10 minutes, repeated twice: then the page is exhausted', () => {
  const h = harness();
  const page = h.runner.page('group-1', 'default', { title: 'orders-db down' });
  assert.equal(page.state, 'active');
  assert.deepEqual(h.sent.map(show), ['+0m r1s1 alice via ops-slack'], 'step 1 at once');
  assert.deepEqual(h.sent[0], {
    id: `oncall:${page.pageId}:r1s1:alice:ops-slack`,
    key: 'group-1',
    pageId: page.pageId,
    policy: 'default',
    step: 1,
    round: 1,
    person: 'alice',
    contact: { email: 'alice@example.com', slack: '@alice' },
    channel: 'ops-slack',
    target: { schedule: 'primary' },
    at: T,
    template: { title: 'orders-db down' },
  });
  assert.deepEqual(h.run(9), [], 'nothing before the delay');
  assert.deepEqual(h.run(10), ['+10m r1s2 carol via ops-email'], 'the secondary; Carol has no channels of her own, so the default ones');
  assert.deepEqual(h.run(20), ['+20m r2s1 bob via ops-slack', '+20m r2s1 bob via ops-sms'], 'round 2: whoever is on call now (Bob since 09:00)');
  assert.deepEqual(h.run(30), ['+30m r2s2 carol via ops-email']);
  assert.deepEqual(h.run(40), ['+40m r3s1 bob via ops-slack', '+40m r3s1 bob via ops-sms']);
  assert.deepEqual(h.run(50), ['+50m r3s2 carol via ops-email']);
  assert.deepEqual(h.run(60), [], 'three rounds (repeat: 2), then nothing more');
  const end = h.runner.get('group-1')!;
  assert.equal(end.state, 'exhausted');
  assert.deepEqual([end.round, end.step, end.nextDueAt], [3, 2, undefined]);
  assert.deepEqual(end.notified, ['alice', 'carol', 'bob']);
  assert.deepEqual(h.run(120), []);
});

test('acknowledging stops the escalation; paging again while open does nothing; a resolved key pages afresh', () => {
  const h = harness();
  const first = h.runner.page('group-1', 'default', { title: 'x' });
  h.run(10);
  h.setNow(T + 12 * M);
  const acked = h.runner.acknowledge('group-1', 'carol');
  assert.deepEqual([acked.state, acked.ackedBy, acked.ackedAt, acked.nextDueAt], ['acknowledged', 'carol', T + 12 * M, undefined]);
  assert.deepEqual(h.run(20), [], 'no round 2');
  assert.equal(h.runner.acknowledge('group-1', 'bob').ackedBy, 'carol', 'the first acknowledgement stays');
  assert.equal(h.runner.page('group-1', 'default', { title: 'x again' }).state, 'acknowledged', 're-sent notifications of the group do not restart it');
  assert.equal(h.sent.length, 2);
  assert.equal(h.runner.resolve('group-1')!.state, 'resolved');
  assert.equal(h.runner.resolve('group-1'), undefined);
  assert.throws(() => h.runner.acknowledge('group-1', 'bob'), { code: 'PAGE_NOT_FOUND', statusCode: 404 });
  assert.throws(() => h.runner.acknowledge('nope', 'bob'), { code: 'PAGE_NOT_FOUND' });
  h.setNow(T + 30 * M);
  const again = h.runner.page('group-1', 'default', { title: 'back' });
  assert.notEqual(again.pageId, first.pageId);
  assert.deepEqual(h.sent.slice(2).map(show), ['+30m r1s1 bob via ops-slack', '+30m r1s1 bob via ops-sms']);
  assert.throws(() => h.runner.page('k', 'nope', { title: '' }), { code: 'PAGE_UNKNOWN_POLICY' });
});

test('a step that reaches nobody is reported and skipped at once', () => {
  const h = harness();
  h.runner.page('g', 'nights', { title: 'x' }); // 08:50: nobody in nights-only
  assert.deepEqual(h.sent.map(show), ['+0m r1s2 - via ops-slack'], 'straight to step 2, the channel itself');
  assert.deepEqual(h.problems.map((p) => p.message), ['step 1: nobody is on call in schedule "nights-only"', 'step 1 reaches nobody; going on to the next step']);
  assert.deepEqual(h.run(5), [], 'only one round: the page is exhausted after step 2');
  assert.equal(h.runner.get('g')!.state, 'exhausted');
});

test('a failing hand-over rolls the step back and it is taken at the next tick, with the same ids', () => {
  let fail = false;
  const sent: Delivery[] = [];
  const problems: string[] = [];
  const runner = new EscalationRunner({ db: ':memory:', config, deliver: (d) => {
    if (fail) throw new Error('outbox full');
    sent.push(d);
  }, onProblem: (p) => problems.push(p.message), defaultChannels: ['ops-email'], now: () => T });
  runner.page('g', 'default', { title: 't' } as never);
  fail = true;
  assert.deepEqual(runner.tick(T + 10 * M), []);
  assert.deepEqual(problems, ['step not taken, will retry: outbox full']);
  assert.equal(runner.get('g')!.step, 1, 'still at step 1');
  fail = false;
  const retried = runner.tick(T + 11 * M);
  assert.deepEqual(retried.map((d) => [d.step, d.person, d.id.endsWith(':r1s2:carol:ops-email')]), [[2, 'carol', true]]);
  assert.equal(runner.get('g')!.nextDueAt, T + 21 * M, 'the next step counts from when this one went out');
  runner.close();
});

test('state survives a restart: no step is lost or repeated', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-oncall-'));
  try {
    const file = join(dir, 'oncall.db');
    const a = harness(file);
    a.runner.page('group-1', 'default', { title: 'orders-db down' });
    a.runner.page('group-2', 'default', { title: 'disk full' });
    a.runner.acknowledge('group-2', 'alice');
    a.run(10);
    assert.deepEqual(a.sent.map(show), ['+0m r1s1 alice via ops-slack', '+0m r1s1 alice via ops-slack', '+10m r1s2 carol via ops-email']);
    a.runner.close();

    // Vigil restarts at +15m: nothing is due yet, so nothing is sent again.
    const b = harness(file);
    assert.deepEqual(b.run(15), [], 'step 2 is not repeated');
    assert.deepEqual(
      b.runner.list().map((p) => [p.key, p.state, p.round, p.step, iso(p.nextDueAt ?? 0)]),
      [
        ['group-1', 'active', 1, 2, '2024-05-02T09:10:00Z'],
        ['group-2', 'acknowledged', 1, 1, '1970-01-01T00:00:00Z'],
      ],
    );
    assert.equal(b.runner.nextDueAt(), T + 20 * M);
    assert.deepEqual(b.run(20), ['+20m r2s1 bob via ops-slack', '+20m r2s1 bob via ops-sms'], 'round 2 is not lost');
    assert.deepEqual(b.runner.get('group-1')!.template, { title: 'orders-db down' });
    b.runner.close();

    // Down between +25m and +45m: the missed step goes out once, on the first tick, and the rest follows from then.
    const c = harness(file);
    assert.deepEqual(c.run(45), ['+45m r2s2 carol via ops-email']);
    assert.deepEqual(c.run(55), ['+55m r3s1 bob via ops-slack', '+55m r3s1 bob via ops-sms']);
    c.runner.acknowledge('group-1', 'bob');
    c.runner.close();
    const d = harness(file);
    assert.deepEqual(d.run(120), []);
    assert.equal(d.runner.get('group-1')!.ackedBy, 'bob');
    d.runner.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
