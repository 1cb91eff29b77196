import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MetricNameCache } from '../../src/ingest/otlp/metric-names.js';
import { VigilError } from '../../src/core/errors.js';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('OTLP metric names by their bytes', () => {
  it('reads, sanitizes and derives a name once; the same bytes again give the same object', () => {
    const cache = new MetricNameCache();
    const body = bytes('xx http.server.duration yy');
    const m = cache.get(body, 3, 23, 'Metric.name');
    assert.equal(m.raw, 'http.server.duration');
    assert.equal(m.name, 'http_server_duration');
    assert.equal(m.total, 'http_server_duration_total');
    // Another request with the name at another offset.
    assert.equal(cache.get(bytes('http.server.duration'), 0, 20, 'Metric.name'), m);
    assert.equal(cache.size, 1);
    assert.equal(cache.get(bytes('requests_total'), 0, 14, 'Metric.name').total, 'requests_total', 'no second _total');
    assert.equal(cache.get(bytes('9lives'), 0, 6, 'Metric.name').name, '_9lives');
  });

  it("keeps a context key's string while its layout and family stay the same", () => {
    const m = new MetricNameCache().get(bytes('queue_depth'), 0, 11, 'Metric.name');
    const k = m.contextKey('n', m.name);
    assert.equal(k, 'nqueue_depth');
    assert.equal(m.contextKey('n', m.name), k);
    assert.equal(m.contextKey('n', m.total), 'nqueue_depth_total');
    assert.equal(m.contextKey('h', m.name), 'hqueue_depth');
  });

  it('refuses invalid UTF-8 with a 400 naming the field, and caches nothing for it', () => {
    const cache = new MetricNameCache();
    const bad = new Uint8Array([0x61, 0xff, 0x62]);
    assert.throws(
      () => cache.get(bad, 0, 3, 'Metric.name'),
      (e: unknown) => e instanceof VigilError && e.statusCode === 400 && /Metric\.name is not valid UTF-8/.test(e.message),
    );
    assert.equal(cache.size, 0);
    assert.throws(() => cache.get(bad, 0, 3, 'Metric.name'), VigilError, 'refused again, not served from the cache');
  });

  it('starts over past its bound, and still answers right', () => {
    const cache = new MetricNameCache(3);
    for (let i = 0; i < 10; i++) {
      const name = `m${i}.x`;
      assert.equal(cache.get(bytes(name), 0, name.length, 'Metric.name').name, `m${i}_x`);
      assert.ok(cache.size <= 3);
    }
  });
});
