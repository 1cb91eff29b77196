import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { currentThreadId, statCpuSeconds, threadCpuSeconds } from '../../src/core/thread-cpu.js';

// Linux (/proc), as Vigil runs here and in CI.

test('the main thread is the process itself, and its CPU time grows with work', () => {
  const tid = currentThreadId();
  assert.equal(tid, process.pid);
  const before = threadCpuSeconds(tid!)!;
  const until = Date.now() + 150;
  let x = 0;
  while (Date.now() < until) x += Math.sqrt(x + 1);
  assert.ok(x > 0);
  const after = threadCpuSeconds(tid!)!;
  assert.ok(after - before >= 0.05, `150 ms of work shows (${before} -> ${after} s)`);
  // The process as a whole (every thread) has used at least what its main thread has.
  assert.ok(statCpuSeconds(`/proc/${process.pid}/stat`)! >= after);
});

test('a worker thread has its own id, whose CPU time the main thread can read', async () => {
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads');
     const tid = Number(/task\\/(\\d+)$/.exec(require('node:fs').readlinkSync('/proc/thread-self'))[1]);
     const until = Date.now() + 150; let x = 0; while (Date.now() < until) x += Math.sqrt(x + 1);
     parentPort.postMessage(tid);
     setTimeout(() => {}, 1000);`,
    { eval: true },
  );
  try {
    const tid = await new Promise<number>((resolve) => worker.once('message', resolve));
    assert.notEqual(tid, process.pid);
    assert.ok(threadCpuSeconds(tid)! >= 0.05, 'the worker busy for 150 ms');
  } finally {
    await worker.terminate();
  }
});

test('a thread that is not (or no longer) one of this process has no CPU time', () => {
  assert.equal(threadCpuSeconds(2 ** 30), undefined);
});
