import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSelector, CompiledMatcher, matchesAll } from '../../src/core/matchers.js';
import { isStaleMarker, STALE_NAN } from '../../src/core/sample.js';
import { seriesHash, labelsKey } from '../../src/core/labels.js';

test('a selector with a metric name and all four operators', () => {
  const ms = parseSelector('http_requests_total{job="api", code!="200", method=~"GET|POST", path!~"/health.*"}');
  assert.equal(ms.length, 5);
  const labels = { __name__: 'http_requests_total', job: 'api', code: '500', method: 'GET', path: '/users' };
  assert.ok(matchesAll(ms, labels));
  assert.ok(!matchesAll(ms, { ...labels, method: 'GETX' }), 'regexes are fully anchored');
  assert.ok(!matchesAll(ms, { ...labels, path: '/healthz' }));
  assert.ok(!matchesAll(ms, { ...labels, code: '200' }));
});

test('an absent label matches as the empty string', () => {
  const [m] = parseSelector('{env="", job="x"}');
  assert.ok(m!.matches({ job: 'x' }));
  assert.ok(!m!.matches({ job: 'x', env: 'prod' }));
  assert.ok(new CompiledMatcher({ name: 'env', type: '!=', value: 'prod' }).matches({}));
});

test('selectors that match everything, or are malformed, are refused with the position', () => {
  assert.throws(() => parseSelector('{env=~".*"}'), /at least one matcher/);
  assert.throws(() => parseSelector('{job="x"'), /position/);
  assert.throws(() => parseSelector('{job=~"("}'), /invalid regular expression/);
  assert.throws(() => parseSelector('{1job="x"}'), /expected label name|invalid label name/);
});

test('quoted values accept escapes and raw backtick strings', () => {
  const [m] = parseSelector('{path=~`\\d+`}');
  assert.ok(m!.matches({ path: '123' }));
  const [n] = parseSelector('{msg="a\\"b"}');
  assert.equal(n!.value, 'a"b');
});

test('the stale marker is told apart from an ordinary NaN', () => {
  assert.ok(isStaleMarker(STALE_NAN));
  assert.ok(!isStaleMarker(NaN));
  assert.ok(!isStaleMarker(1));
  const stored = new Float64Array([STALE_NAN]);
  assert.ok(isStaleMarker(stored[0]!), 'payload bits survive a typed array');
  assert.ok(isStaleMarker([STALE_NAN][0]!), 'and a plain array, which may quiet the NaN');
});

test('series identity ignores label order and empty values', () => {
  const a = seriesHash({ job: 'a', instance: 'h1', __name__: 'up' });
  const b = seriesHash({ __name__: 'up', instance: 'h1', job: 'a', zone: '' });
  assert.equal(a, b);
  assert.match(a, /^[0-9a-f]{16}$/);
  assert.notEqual(a, seriesHash({ __name__: 'up', instance: 'h2', job: 'a' }));
  assert.notEqual(labelsKey({ a: 'b,c' }), labelsKey({ a: 'b', c: '' + '' }));
});
