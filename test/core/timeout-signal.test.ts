import { test } from 'node:test';
import assert from 'node:assert/strict';
import { timeoutSignal } from '../../src/core/timeout-signal.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('fires with a TimeoutError after the timeout, even after a garbage collection in between', async () => {
  const t = timeoutSignal(50, new AbortController().signal);
  (globalThis as { gc?: () => void }).gc?.();
  await sleep(120);
  assert.equal(t.signal.aborted, true);
  assert.equal((t.signal.reason as Error).name, 'TimeoutError');
  assert.match((t.signal.reason as Error).message, /timed out after 50 ms/);
});

test('fires with the outer signal, first, with its reason; an outer signal already aborted fires it at once', () => {
  const outer = new AbortController();
  const t = timeoutSignal(60_000, outer.signal);
  assert.equal(t.signal.aborted, false);
  outer.abort(new Error('kill switch'));
  assert.equal(t.signal.aborted, true);
  assert.equal((t.signal.reason as Error).message, 'kill switch');
  t.release();
  assert.equal(timeoutSignal(60_000, outer.signal).signal.aborted, true);
});

test('released, it never fires: neither its timer nor the outer signal', async () => {
  const outer = new AbortController();
  const t = timeoutSignal(30, outer.signal);
  t.release();
  outer.abort();
  await sleep(80);
  assert.equal(t.signal.aborted, false);
});
