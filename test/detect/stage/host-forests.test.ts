import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mulberry32 } from '../../../src/core/mulberry32.js';
import { HostForests, type HostRowResult } from '../../../src/detect/stage/host-forests.js';

const METRICS = 4;
const STEP = 15_000;

function forests(batchDelayMs: number) {
  return new HostForests({ groupBy: 'instance', maxGroups: 10, maxMetricsPerGroup: 8, forest: { minRows: 16, window: 64, retrainEvery: 32 }, batchDelayMs });
}

/** Feeds `rows` scrapes of one host (METRICS series each), flushing after each, as the stage does after a batch. */
function feed(f: HostForests, rows: number, onFlush: (scored: HostRowResult[], row: number) => void): void {
  const rand = mulberry32(7);
  for (let r = 0; r < rows; r++) {
    const t = 1.7e12 + r * STEP;
    for (let m = 0; m < METRICS; m++) f.add({ __name__: `m${m}`, instance: 'host-1' }, `m${m}`, t, 10 * m + rand());
    const scored: HostRowResult[] = [];
    f.flush((x) => scored.push(x));
    onFlush(scored, r);
  }
}

describe('host forests', () => {
  it('scores each row once the next one starts, without a batch delay', () => {
    const sizes: number[] = [];
    feed(forests(0), 10, (scored) => sizes.push(scored.length));
    assert.deepEqual(sizes, [0, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('scores complete rows together once the newest is batchDelay after the oldest, with the same results', () => {
    const batched: HostRowResult[] = [];
    const sizes: number[] = [];
    feed(forests(60_000), 200, (scored) => {
      sizes.push(scored.length);
      batched.push(...scored);
    });
    // 15 s apart: the fifth row (60 s after the first) releases the four complete ones.
    assert.deepEqual(sizes.slice(0, 9), [0, 0, 0, 0, 4, 0, 0, 0, 4]);
    const single: HostRowResult[] = [];
    feed(forests(0), 200, (scored) => single.push(...scored));
    assert.deepEqual(
      batched.map((r) => [r.t, r.result.score, r.result.flagged]),
      single.slice(0, batched.length).map((r) => [r.t, r.result.score, r.result.flagged]),
      'the same scores, later',
    );
  });

  it('waits for at most 16 complete rows whatever the delay', () => {
    const sizes: number[] = [];
    feed(forests(3600_000), 40, (scored) => sizes.push(scored.length));
    assert.equal(sizes.slice(0, 16).reduce((a, b) => a + b, 0), 0);
    assert.equal(sizes[16], 16, 'seventeen pending rows (16 complete) are past the limit');
  });
});
