import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MetadataStore } from '../../src/store/metadata-store.js';
import type { FamilyMetadata } from '../../src/core/metadata.js';
import { tempDir } from '../helpers/vigil-process.js';

const cpu: FamilyMetadata = { family: 'node_cpu_seconds_total', type: 'counter', help: 'Seconds the CPUs spent in each mode.', unit: '' };
const load: FamilyMetadata = { family: 'node_load1', type: 'gauge', help: '1m load average.', unit: '' };
const HOUR = 3600_000;

test('metadata is kept per family as Prometheus serves it: distinct entries, filters and limits', () => {
  let now = 1.8e12;
  const m = new MetadataStore({ maxFamilies: 100, now: () => now });
  assert.deepEqual(m.record([cpu, load, cpu]), { stored: 2, unchanged: 1, overLimit: 0, typeChanges: [['node_cpu_seconds_total', 'counter'], ['node_load1', 'gauge']] });
  // Another target running another version says something else of the same family: both are listed, newest first.
  now += 1000;
  m.record([{ ...load, help: '1m load average (new).' }]);
  assert.deepEqual(m.query(), {
    node_cpu_seconds_total: [{ type: 'counter', help: 'Seconds the CPUs spent in each mode.', unit: '' }],
    node_load1: [
      { type: 'gauge', help: '1m load average (new).', unit: '' },
      { type: 'gauge', help: '1m load average.', unit: '' },
    ],
  });
  assert.deepEqual(Object.keys(m.query({ metric: 'node_load1' })), ['node_load1']);
  assert.deepEqual(m.query({ metric: 'nope' }), {});
  assert.deepEqual(Object.keys(m.query({ limit: 1 })), ['node_cpu_seconds_total'], 'families in name order');
  assert.equal(m.query({ limitPerMetric: 1 }).node_load1!.length, 1);
  assert.equal(m.size, 2);
  // A family's type is its newest entry's; a sighting of an older one does not change it (two targets that disagree do not make it flap).
  assert.deepEqual(m.record([{ ...cpu, type: 'gauge', help: 'other' }]).typeChanges, [['node_cpu_seconds_total', 'gauge']]);
  assert.deepEqual(m.record([cpu]).typeChanges, []);
  assert.equal(m.typeOf('node_cpu_seconds_total'), 'gauge');
  assert.deepEqual(m.types(), [['node_cpu_seconds_total', 'gauge'], ['node_load1', 'gauge']]);
  m.close();
});

test('bounded: families past maxFamilies are refused, a family keeps its most recently seen entries, unseen entries expire', () => {
  let now = 1.8e12;
  const m = new MetadataStore({ maxFamilies: 2, maxPerFamily: 2, expireMs: 24 * HOUR, now: () => now });
  assert.deepEqual(m.record([cpu, load, { ...load, family: 'node_load5' }]).overLimit, 1);
  now += 1;
  m.record([{ ...cpu, help: 'v2' }]);
  now += 1;
  m.record([cpu]); // seen again: now the most recent
  now += 1;
  m.record([{ ...cpu, help: 'v3' }]);
  assert.deepEqual(m.query({ metric: cpu.family })[cpu.family]!.map((e) => e.help), ['v3', cpu.help], "v2, the least recently seen, made room");
  // A day later, only what senders still repeat is left.
  now += 24 * HOUR + 1;
  m.record([load]);
  assert.deepEqual(Object.keys(m.query()), ['node_load1']);
  m.close();
});

test('metadata survives a restart, and a sender repeating its metadata writes nothing until an hour has passed', () => {
  const file = join(tempDir(), 'metadata.db');
  let now = 1.8e12;
  const a = new MetadataStore({ db: file, maxFamilies: 100, now: () => now });
  a.record([cpu, load]);
  const rows = () => {
    const db = new Database(file, { readonly: true });
    try {
      return db.prepare('SELECT family, type, help, unit, last_seen FROM metric_metadata ORDER BY family').all() as Array<{ family: string; last_seen: number }>;
    } finally {
      db.close();
    }
  };
  assert.deepEqual(rows().map((r) => [r.family, r.last_seen]), [['node_cpu_seconds_total', now], ['node_load1', now]]);
  const first = now;
  now += 60_000;
  a.record([cpu, load]);
  assert.deepEqual(rows().map((r) => r.last_seen), [first, first], 'a repeat a minute later costs no write');
  now += HOUR;
  a.record([cpu]);
  assert.deepEqual(rows().map((r) => r.last_seen), [now, first], "an hour later the sighting is saved, so expiry survives restarts");
  a.close();

  const b = new MetadataStore({ db: file, maxFamilies: 100, now: () => now });
  assert.deepEqual(b.query(), { node_cpu_seconds_total: [{ type: 'counter', help: cpu.help, unit: '' }], node_load1: [{ type: 'gauge', help: load.help, unit: '' }] });
  b.close();
  // Opened a day after node_load1 was last saved, it is gone from memory and from disk.
  now += 24 * HOUR - 1000;
  const c = new MetadataStore({ db: file, maxFamilies: 100, now: () => now });
  assert.deepEqual(Object.keys(c.query()), ['node_cpu_seconds_total']);
  c.close();
  assert.deepEqual(rows().map((r) => r.family), ['node_cpu_seconds_total']);
});
