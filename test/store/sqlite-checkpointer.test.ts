import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { SqliteCheckpointer } from '../../src/store/sqlite-checkpointer.js';
import { T0, eq, open, readOne, tempDir } from './helpers.js';

/** Waits until `done()` holds (the thread answers by events), failing after 10 s. */
async function until(done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000 && !done(); i++) await sleep(10);
  assert.ok(done(), `timed out waiting for ${what}`);
}

/** A WAL-mode database whose commits stay in its WAL (no checkpoint in the commits). */
function walOnlyDb(path: string): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('wal_autocheckpoint = 0');
  db.exec('CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB)');
  return db;
}

test('the checkpoint thread copies what is committed in the WAL into the database file', async (t) => {
  const path = join(tempDir(t), 'a.db');
  const db = walOnlyDb(path);
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  db.transaction(() => {
    for (let i = 0; i < 200; i++) insert.run(Buffer.alloc(1000, i));
  })();
  const before = statSync(path).size;
  const failures: Error[] = [];
  const cp = new SqliteCheckpointer(path, true, (e) => failures.push(e));
  t.after(() => {
    cp.close();
    db.close();
  });
  cp.request();
  await until(() => cp.runs === 1, 'the checkpoint');
  assert.ok(cp.framesCheckpointed > 40, `${cp.framesCheckpointed} frames copied`);
  assert.ok(statSync(path).size > before + 150_000, 'the rows are in the database file');
  assert.deepEqual(failures, []);
});

test('requests while a checkpoint runs fold into one more', async (t) => {
  const path = join(tempDir(t), 'b.db');
  const db = walOnlyDb(path);
  const cp = new SqliteCheckpointer(path, false, () => {});
  t.after(() => {
    cp.close();
    db.close();
  });
  cp.request();
  cp.request();
  cp.request();
  await until(() => cp.runs === 2, 'two runs');
  await sleep(50);
  assert.equal(cp.runs, 2);
});

test('a checkpoint thread that cannot open its database reports the failure', async (t) => {
  const failures: Error[] = [];
  const cp = new SqliteCheckpointer(tempDir(t), true, (e) => failures.push(e));
  t.after(() => cp.close());
  await until(() => failures.length === 1, 'the failure');
  cp.request(); // ignored once failed
  assert.equal(cp.runs, 0);
});

test('a busy store checkpoints SQLite on that thread; its chunks survive a crash and a reopen', async (t) => {
  const dir = tempDir(t);
  const n = 300;
  const s = open(dir, { chunkSamples: 8, encoderThreadAfter: 100, fsync: 'always' });
  const writeRounds = (from: number, to: number) => {
    for (let r = from; r < to; r++) {
      const writes = [];
      for (let i = 0; i < n; i++) writes.push({ labels: { __name__: 'm', host: `h${i}` }, timestamps: [T0 + r * 15_000], values: [(r * 7 + i) % 13] });
      assert.equal(s.append(writes).accepted, n);
    }
  };
  writeRounds(0, 60);
  s.checkpoint();
  await until(() => s.stats().sqliteCheckpointsByThread > 0, 'a checkpoint on the thread');
  writeRounds(60, 80);
  s.checkpoint();
  const expected = readOne(s, [eq('host', 'h123')]);
  assert.equal(expected.t.length, 80);
  s.abandon();
  const again = open(dir, { chunkSamples: 8 });
  t.after(() => again.close());
  assert.deepEqual(readOne(again, [eq('host', 'h123')]), expected);
  assert.equal(again.stats().series, n);
});
