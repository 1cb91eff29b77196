import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelFile, probationaryLength, scaledSigmoid } from '../../../src/detect/nab/index.js';
import { minutes, windowOf } from './fixtures.js';

test('probationary length is min(floor(0.15 n), 750)', () => {
  assert.equal(probationaryLength(4032), 604);
  assert.equal(probationaryLength(1000), 150);
  assert.equal(probationaryLength(22695), 750);
  assert.equal(labelFile(minutes(1000), []).firstScored, 150);
});

test('scaled sigmoid: about 0.987 at a window start, 0 at its end, -1 far past it', () => {
  assert.ok(Math.abs(scaledSigmoid(-1) - 0.98661) < 1e-5);
  assert.ok(Math.abs(scaledSigmoid(-0.5) - 0.84828) < 1e-5);
  assert.equal(scaledSigmoid(0), 0);
  assert.ok(Math.abs(scaledSigmoid(1) + 0.98661) < 1e-5);
  assert.equal(scaledSigmoid(3.01), -1);
});

test('window membership and positions follow the records, by timestamp', () => {
  const ts = minutes(100);
  const l = labelFile(ts, [windowOf(ts, 40, 49), windowOf(ts, 70, 79)]);
  assert.equal(l.window[39], -1);
  assert.equal(l.window[40], 0);
  assert.equal(l.window[49], 0);
  assert.equal(l.window[50], -1);
  assert.equal(l.window[75], 1);
  assert.equal(l.sigmoid[40], scaledSigmoid(-1));
  assert.equal(l.sigmoid[49], scaledSigmoid(-0.1));
  assert.equal(l.sigmoid[10], -1, 'before any window: a full FP');
  assert.equal(l.sigmoid[52], scaledSigmoid(3 / 9), 'after a window: distance over (width - 1)');
  assert.equal(l.sigmoid[85], scaledSigmoid(6 / 9), 'measured from the closest preceding window');
  assert.deepEqual(Array.from(l.scorable), [1, 1]);
});

test('repeated timestamps: a window opens and closes at the first record holding its bounds', () => {
  // Records 5 and 6 share a timestamp, as in some NAB files.
  const ts = minutes(30);
  ts.set([ts[5]!], 6);
  const l = labelFile(ts, [{ start: ts[5]!, end: ts[8]! }]);
  assert.deepEqual(Array.from(l.window.slice(4, 10)), [-1, 0, 0, 0, 0, -1]);
  // Width is right - left + 1 over indices: 8 - 5 + 1 = 4.
  assert.equal(l.sigmoid[5], scaledSigmoid(-1));
});

test('a window bound that is no record timestamp is refused', () => {
  const ts = minutes(30);
  assert.throws(() => labelFile(ts, [{ start: ts[5]! + 1, end: ts[8]! }]), /not the timestamp of any record/);
});
