import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HeadSeries } from '../../src/store/head.js';

function fill(h: HeadSeries, n: number): void {
  const t0 = h.count > 0 ? h.ts[h.count - 1]! + 1 : 0;
  for (let i = 0; i < n; i++) h.push(t0 + i, i);
}

test('a head that refills to the same size between trims keeps its capacity (no shrink and regrow each cycle)', () => {
  const h = new HeadSeries(1, { __name__: 'm' }, 'h');
  fill(h, 5000);
  const cap = h.ts.length;
  for (let cycle = 0; cycle < 5; cycle++) {
    h.dropFront(h.count - 10); // a checkpoint trims all but the newest
    assert.equal(h.ts.length, cap, `cycle ${cycle}: capacity kept`);
    fill(h, 4990);
  }
  assert.equal(h.count, 5000);
  assert.deepEqual([h.ts[0], h.vs[h.count - 1]], [h.ts[h.count - 1]! - 4999, 4989]);
});

test('a head gives memory back once a cycle between trims used under half of it', () => {
  const h = new HeadSeries(1, { __name__: 'm' }, 'h');
  fill(h, 5000); // a burst
  h.dropFront(h.count - 10);
  const big = h.ts.length;
  fill(h, 300); // an ordinary cycle after it
  h.dropFront(h.count - 10);
  assert.ok(h.ts.length < big / 4, `${h.ts.length} of ${big}`);
  assert.ok(h.ts.length >= 310, 'still holds the peak of the cycle');
  assert.equal(h.count, 10);
  fill(h, 5);
  assert.equal(h.count, 15);
});
