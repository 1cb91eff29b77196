import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { currentThreadId, statCpuSeconds, threadCpuSeconds } from '../../src/core/thread-cpu.js';

// Linux (/proc), as Vigil runs here and in CI.

test('the main thread is the process itself, and its CPU time grows with work', () => {
  const tid = currentThreadId();
  assert.equal(tid, process.pid);
  const before = threadCpuSeconds(tid!)!;
  // Busy until 50 ms of CPU show (however busy the machine is), within a generous deadline.
  const deadline = Date.now() + 20_000;
  let x = 0;
  while (threadCpuSeconds(tid!)! - before < 0.05 && Date.now() < deadline) for (let i = 0; i < 100_000; i++) x += Math.sqrt(x + 1);
  assert.ok(x > 0);
  const after = threadCpuSeconds(tid!)!;
  assert.ok(after - before >= 0.05, `the work shows (${before} -> ${after} s)`);
  // The process as a whole (every thread) has used at least what its main thread has.
  assert.ok(statCpuSeconds(`/proc/${process.pid}/stat`)! >= after);
});

test('a worker thread has its own id, whose CPU time the main thread can read', async () => {
  // The worker finds its own id and works until its CPU time shows 50 ms, then says its id.
  const module = new URL('../../src/core/thread-cpu.js', import.meta.url).href;
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads');
     import(${JSON.stringify(module)}).then(({ currentThreadId, threadCpuSeconds }) => {
       const tid = currentThreadId();
       const deadline = Date.now() + 20000; let x = 0;
       while (threadCpuSeconds(tid) < 0.05 && Date.now() < deadline) for (let i = 0; i < 100000; i++) x += Math.sqrt(x + 1);
       parentPort.postMessage(tid);
       setTimeout(() => {}, 1000);
     });`,
    { eval: true },
  );
  try {
    const tid = await new Promise<number>((resolve) => worker.once('message', resolve));
    assert.notEqual(tid, process.pid);
    assert.ok(threadCpuSeconds(tid)! >= 0.05, 'the worker has used 50 ms of CPU');
  } finally {
    await worker.terminate();
  }
});

test('a thread that is not (or no longer) one of this process has no CPU time', () => {
  assert.equal(threadCpuSeconds(2 ** 30), undefined);
});
