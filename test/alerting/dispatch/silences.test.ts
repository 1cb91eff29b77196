import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SilenceStore, type SilenceInput, silenceToJSON } from '../../../src/alerting/dispatch/index.js';
import { H, M, S, T0, alert, harness, routing, summary } from './helpers.js';

function store(file = ':memory:') {
  const clock = { t: T0 };
  const s = new SilenceStore(file, { now: () => clock.t });
  return { s, clock };
}

const maintenance = (over: Partial<SilenceInput> = {}): SilenceInput => ({
  matchers: [{ name: 'service', value: 'api', isRegex: false, isEqual: true }],
  startsAt: T0,
  endsAt: T0 + 2 * H,
  createdBy: 'alice',
  comment: 'api deploy',
  ...over,
});

test('a silence is pending, then active, then expired', () => {
  const { s, clock } = store();
  const sil = s.create(maintenance({ startsAt: T0 + H, endsAt: T0 + 2 * H }));
  assert.match(sil.id, /^[0-9a-f-]{36}$/);
  assert.equal(sil.status.state, 'pending');
  assert.deepEqual(s.silencedBy({ service: 'api' }), [], 'pending silences do not silence');
  clock.t = T0 + H;
  assert.equal(s.get(sil.id)!.status.state, 'active');
  assert.deepEqual(s.silencedBy({ service: 'api', instance: 'a' }), [sil.id]);
  assert.deepEqual(s.silencedBy({ service: 'db' }), []);
  clock.t = T0 + 2 * H;
  assert.equal(s.get(sil.id)!.status.state, 'expired');
  assert.deepEqual(s.silencedBy({ service: 'api' }), []);
});

test('silences match with all four operators; a start in the past becomes now', () => {
  const { s, clock } = store();
  clock.t = T0 + M;
  const sil = s.create(
    maintenance({
      matchers: [
        { name: 'alertname', value: 'Disk.*', isRegex: true },
        { name: 'env', value: 'prod', isRegex: false, isEqual: false },
        { name: 'instance', value: 'db-.*', isRegex: true, isEqual: false },
      ],
    }),
  );
  assert.equal(sil.startsAt, T0 + M);
  assert.deepEqual(sil.matchers[0], { name: 'alertname', value: 'Disk.*', isRegex: true, isEqual: true });
  assert.equal(s.silencedBy({ alertname: 'DiskFull', env: 'staging', instance: 'web-1' }).length, 1);
  assert.equal(s.silencedBy({ alertname: 'DiskFull', env: 'prod', instance: 'web-1' }).length, 0);
  assert.equal(s.silencedBy({ alertname: 'DiskFull', instance: 'db-1' }).length, 0);
  assert.equal(s.silencedBy({ alertname: 'XDiskFull' }).length, 0, 'regexes are anchored');
});

test('expire ends a silence now and keeps it (listed as expired)', () => {
  const { s, clock } = store();
  const active = s.create(maintenance());
  const pending = s.create(maintenance({ startsAt: T0 + H }));
  clock.t = T0 + 10 * M;
  const a = s.expire(active.id);
  assert.equal(a.endsAt, T0 + 10 * M);
  assert.equal(a.status.state, 'expired');
  const p = s.expire(pending.id);
  assert.deepEqual([p.startsAt, p.endsAt, p.status.state], [T0 + 10 * M, T0 + 10 * M, 'expired']);
  assert.deepEqual(s.list().map((x) => x.status.state), ['expired', 'expired']);
  assert.throws(() => s.expire(active.id), { code: 'SILENCE_EXPIRED' });
  assert.throws(() => s.expire('nope'), { code: 'SILENCE_NOT_FOUND', statusCode: 404 });
});

test('silences survive a restart (SQLite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-silences-'));
  try {
    const file = join(dir, 'alerting.db');
    const first = store(file);
    const kept = first.s.create(maintenance());
    const ended = first.s.create(maintenance({ comment: 'short' }));
    first.s.expire(ended.id);
    first.s.close();
    const second = store(file);
    assert.deepEqual(second.s.get(kept.id), kept);
    assert.equal(second.s.get(ended.id)!.status.state, 'expired');
    assert.deepEqual(second.s.silencedBy({ service: 'api' }), [kept.id]);
    second.s.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('invalid silences are refused with a message naming the field, as Alertmanager', () => {
  const { s } = store();
  const refused = (over: Partial<SilenceInput>) => {
    try {
      s.create(maintenance(over));
    } catch (e) {
      assert.equal((e as { code: string }).code, 'INVALID_SILENCE');
      return (e as Error).message;
    }
    return assert.fail('expected the silence to be refused');
  };
  assert.equal(refused({ matchers: [] }), 'matchers: at least one matcher required');
  assert.match(refused({ matchers: [{ name: 'env', value: '.*', isRegex: true }] }), /^matchers: at least one matcher must not match the empty string/);
  assert.match(refused({ matchers: [{ name: 'env', value: 'prod', isRegex: false, isEqual: false }] }), /must not match the empty string/);
  assert.match(refused({ matchers: [{ name: 'bad-name', value: 'x', isRegex: false }] }), /^matchers\[0\]\.name: invalid label name/);
  assert.match(refused({ matchers: [{ name: 'a', value: '(', isRegex: true }] }), /^matchers\[0\]: invalid regular expression/);
  assert.equal(refused({ endsAt: T0 - 1, startsAt: T0 - H }), "endsAt: end time can't be in the past");
  assert.equal(refused({ startsAt: T0 + H, endsAt: T0 + H }), 'endsAt: end time must be after start time');
  assert.equal(refused({ createdBy: '' }), 'createdBy: required');
  assert.equal(refused({ comment: ' ' }), 'comment: required');
  assert.match(refused({ startsAt: 'yesterday' }), /^startsAt: invalid time "yesterday"/);
  assert.deepEqual(s.list(), [], 'nothing stored');
});

test("the JSON shape is Alertmanager's API v2 gettableSilence; RFC 3339 input works", () => {
  const { s } = store();
  const sil = s.create(maintenance({ startsAt: '2025-01-01T00:00:00Z', endsAt: '2025-01-01T02:00:00.000Z' }));
  assert.deepEqual(silenceToJSON(sil), {
    id: sil.id,
    matchers: [{ name: 'service', value: 'api', isRegex: false, isEqual: true }],
    startsAt: '2025-01-01T00:00:00.000Z',
    endsAt: '2025-01-01T02:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    createdBy: 'alice',
    comment: 'api deploy',
    status: { state: 'active' },
  });
});

test('updating: an active silence can be extended in place; changing its matchers replaces it', () => {
  const { s, clock } = store();
  const sil = s.create(maintenance());
  clock.t = T0 + M;
  const longer = s.set({ ...maintenance({ endsAt: T0 + 3 * H }), id: sil.id });
  assert.equal(longer.id, sil.id);
  assert.equal(longer.endsAt, T0 + 3 * H);
  const other = s.set({ ...maintenance({ matchers: [{ name: 'service', value: 'db', isRegex: false }] }), id: sil.id });
  assert.notEqual(other.id, sil.id);
  assert.equal(s.get(sil.id)!.status.state, 'expired', 'the old one is expired, not deleted');
});

test('a silenced alert is not notified but stays visible with silencedBy', () => {
  const { s, clock } = store();
  const h = harness({ config: routing(`{ route: { receiver: r, group_by: [alertname] }, receivers: [{ name: r, channels: [x] }] }`), silences: s });
  const sil = s.create(maintenance());
  h.receive(0, alert({ alertname: 'Errors', service: 'api', instance: 'a' }), alert({ alertname: 'Errors', service: 'db', instance: 'b' }));
  assert.deepEqual(summary(h.run(30 * S)), ['r firing [b:firing] @30s']);
  const api = h.d.alerts().find((v) => v.alert.labels.service === 'api')!;
  assert.deepEqual(api.status, { state: 'suppressed', silencedBy: [sil.id], inhibitedBy: [] });
  clock.t = T0 + 7 * M;
  s.expire(sil.id);
  assert.deepEqual(summary(h.run(10 * M + 30 * S)), ['r firing [a:firing b:firing] @10m30s'], 'notified at the next group_interval after the silence ends');
});
