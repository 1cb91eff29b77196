import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { AuditLog } from '../../src/remediate/index.js';

function withLog(fn: (log: AuditLog, file: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-audit-'));
  const file = join(dir, 'remediation.db');
  const log = new AuditLog(file);
  try {
    fn(log, file);
  } finally {
    log.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function fill(log: AuditLog): void {
  log.append({ kind: 'matched', rule: 'restart', execution: 'rx-1', actor: 'vigil', text: 'restart matched incident inc-1', data: { confidence: 0.91 } });
  log.append({ kind: 'approved', rule: 'restart', execution: 'rx-1', actor: 'alice', text: 'alice approved restart' });
  log.append({ kind: 'step', rule: 'restart', execution: 'rx-1', actor: 'vigil', text: 'step restart: ok', data: { output: 'HTTP 200' } });
  log.append({ kind: 'finished', rule: 'restart', execution: 'rx-1', actor: 'vigil', text: 'restart succeeded' });
}

test('an intact chain verifies, and survives reopening', () => {
  withLog((log, file) => {
    fill(log);
    assert.deepEqual(log.verify(), { ok: true, entries: 4 });
    log.close();
    const again = new AuditLog(file);
    again.append({ kind: 'kill_switch', actor: 'bob', text: 'bob turned the kill switch on' });
    assert.deepEqual(again.verify(), { ok: true, entries: 5 });
    assert.equal(again.list().at(-1)!.prevHash, again.list().at(-2)!.hash);
    again.close();
  });
});

test('the database refuses UPDATE and DELETE on the audit log', () => {
  withLog((log, file) => {
    fill(log);
    const db = new Database(file);
    assert.throws(() => db.prepare("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2").run(), /append-only/);
    assert.throws(() => db.prepare('DELETE FROM audit_log WHERE seq = 2').run(), /append-only/);
    db.close();
  });
});

test('an edited row is detected, naming the first bad row', () => {
  withLog((log, file) => {
    fill(log);
    // Someone with direct database access removes the fence and rewrites who approved.
    const db = new Database(file);
    db.exec('DROP TRIGGER audit_log_no_update');
    db.prepare("UPDATE audit_log SET actor = 'mallory', text = 'mallory approved restart' WHERE seq = 2").run();
    db.close();
    const v = log.verify();
    assert.equal(v.ok, false);
    assert.deepEqual(v.firstBad, { seq: 2, problem: 'content does not match its hash (the row was edited)' });
  });
});

test('a deleted row or a rewritten hash is detected too', () => {
  withLog((log, file) => {
    fill(log);
    const db = new Database(file);
    db.exec('DROP TRIGGER audit_log_no_delete; DROP TRIGGER audit_log_no_update');
    db.prepare('DELETE FROM audit_log WHERE seq = 3').run();
    db.close();
    assert.equal(log.verify().firstBad?.seq, 4);
  });
  withLog((log, file) => {
    fill(log);
    const db = new Database(file);
    db.exec('DROP TRIGGER audit_log_no_update');
    // Recomputing one row's hash after editing it still breaks the link of the next row.
    db.prepare("UPDATE audit_log SET text = 'edited', hash = 'f00' WHERE seq = 1").run();
    db.close();
    assert.equal(log.verify().firstBad?.seq, 1);
  });
});
