import { test } from 'node:test';
import assert from 'node:assert/strict';
import { whenAllReady } from '../../src/core/readiness.js';

test('whenAllReady: undefined when every part is ready; else one promise that waits for all the pending ones', async () => {
  assert.equal(whenAllReady([1, 2, 3], () => undefined), undefined);
  const one = Promise.resolve();
  assert.equal(whenAllReady([1, 2], (n) => (n === 2 ? one : undefined)), one, 'a single pending part is waited on as is');
  const done: number[] = [];
  const later = (n: number, ms: number) => new Promise<void>((r) => setTimeout(() => (done.push(n), r()), ms));
  await whenAllReady([1, 2, 3], (n) => (n === 2 ? undefined : later(n, n * 10)));
  assert.deepEqual(done, [1, 3]);
});
