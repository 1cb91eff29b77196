import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrontQueue } from '../../src/store/front-queue.js';

test('a front queue gives items back oldest first, across its compactions, and hands over what is left', () => {
  const q = new FrontQueue<number>();
  for (let i = 0; i < 10_000; i++) q.push(i);
  // Past 4,096 taken and half the array, the taken prefix is dropped: order and size stay right.
  for (let i = 0; i < 6_000; i++) assert.equal(q.shift(), i);
  for (let i = 10_000; i < 10_010; i++) q.push(i);
  assert.equal(q.size, 4_010);
  assert.equal(q.shift(), 6_000);
  const rest = q.takeAll();
  assert.equal(rest.length, 4_009);
  assert.deepEqual([rest[0], rest.at(-1)], [6_001, 10_009]);
  assert.equal(q.size, 0);
  q.push(7);
  assert.equal(q.shift(), 7);
  assert.equal(q.size, 0);
});
