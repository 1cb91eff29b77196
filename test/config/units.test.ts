import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, parseByteSize, parseDuration, parseListen } from '../../src/config/index.js';

test('durations are Prometheus duration strings, parsed to milliseconds', () => {
  assert.equal(parseDuration('15d'), 15 * 24 * 3600 * 1000);
  assert.equal(parseDuration('1h30m'), 90 * 60 * 1000);
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('1m30s500ms'), 90_500);
  assert.equal(parseDuration('2w'), 14 * 24 * 3600 * 1000);
  assert.equal(parseDuration('1y'), 365 * 24 * 3600 * 1000);
  assert.equal(parseDuration('0'), 0);
  assert.equal(parseDuration('0s'), 0);
});

test('anything else is refused, with the input and an example in the message', () => {
  for (const bad of ['15x', '', '1.5h', '-1s', '30m1h', '1h1h', '10', ' 5s', '5S', 'h']) {
    assert.throws(() => parseDuration(bad), (e: Error) => e.message.includes(JSON.stringify(bad)) && e.message.includes('e.g. 15d, 1h30m'), bad);
  }
  assert.throws(() => parseDuration('99999999999999y'), /too long/);
});

test('durations print back in their shortest form', () => {
  assert.equal(formatDuration(90_000), '1m30s');
  assert.equal(formatDuration(parseDuration('2d12h')), '2d12h');
  assert.equal(formatDuration(0), '0s');
});

test('byte sizes take decimal and binary units, or plain bytes', () => {
  assert.equal(parseByteSize('10MiB'), 10 * 1024 * 1024);
  assert.equal(parseByteSize('512KB'), 512_000);
  assert.equal(parseByteSize('512kb'), 512_000);
  assert.equal(parseByteSize('1.5GiB'), 1.5 * 2 ** 30);
  assert.equal(parseByteSize('64Ki'), 65_536);
  assert.equal(parseByteSize('4096'), 4096);
  assert.equal(parseByteSize(4096), 4096);
  assert.equal(parseByteSize('100 B'), 100);
});

test('bad byte sizes are refused with the input in the message', () => {
  for (const bad of ['10XB', 'MiB', '', '-5', '1e3']) assert.throws(() => parseByteSize(bad), /invalid size .*expected e\.g\. 10MiB/, bad);
  assert.throws(() => parseByteSize(1.5), /invalid size 1\.5/);
  assert.throws(() => parseByteSize(-1), /invalid size -1/);
});

test('listen addresses are host:port, with IPv6 in brackets and an empty host meaning every interface', () => {
  assert.deepEqual(parseListen('127.0.0.1:9470'), { listen: '127.0.0.1:9470', host: '127.0.0.1', port: 9470 });
  assert.deepEqual(parseListen('[::1]:80'), { listen: '[::1]:80', host: '::1', port: 80 });
  assert.deepEqual(parseListen(':9470'), { listen: ':9470', host: '0.0.0.0', port: 9470 });
  assert.equal(parseListen('localhost:0').port, 0);
  for (const bad of ['9470', 'host:', 'host:70000', 'a:b:1', 'host:port']) assert.throws(() => parseListen(bad), /invalid listen address/, bad);
});
