import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BytesTable } from '../../src/ingest/bytes-table.js';
import { mulberry32 } from '../../src/core/mulberry32.js';

test('a BytesTable interns byte strings of every length to dense ids and finds each again, anywhere in a buffer', () => {
  const r = mulberry32(3);
  const keys: Uint8Array[] = [];
  const table = new BytesTable();
  // 20,000 keys: past every initial capacity (ids, arena, slots); lengths 0-40 cover every tail.
  for (let i = 0; i < 20_000; i++) {
    const k = Uint8Array.from({ length: i % 41 }, () => Math.floor(r() * 256));
    if (table.find(k, 0, k.length) >= 0) continue; // a repeat among the short ones
    assert.equal(table.add(k, 0, k.length), keys.length);
    keys.push(k);
  }
  assert.equal(table.size, keys.length);
  // Each key found again inside a larger buffer, at an odd offset (unaligned words).
  const buf = new Uint8Array(64);
  keys.forEach((k, id) => {
    buf.fill(0xee);
    buf.set(k, 3);
    assert.equal(table.find(buf, 3, 3 + k.length), id);
    assert.ok(table.equals(id, buf, 3, 3 + k.length));
  });
});

test('a BytesTable tells apart keys that differ only in length, in the last byte, or in a zero tail', () => {
  const table = new BytesTable();
  const a = table.add(Uint8Array.of(1, 2, 3, 4, 5), 0, 5);
  assert.equal(table.find(Uint8Array.of(1, 2, 3, 4, 5, 0), 0, 6), -1, 'a zero byte more is another key');
  assert.equal(table.find(Uint8Array.of(1, 2, 3, 4), 0, 4), -1);
  assert.equal(table.find(Uint8Array.of(1, 2, 3, 4, 6), 0, 5), -1);
  assert.equal(table.equals(a, Uint8Array.of(1, 2, 3, 4, 6), 0, 5), false);
  const empty = table.add(new Uint8Array(0), 0, 0);
  assert.equal(table.find(new Uint8Array(8), 4, 4), empty);
  table.clear();
  assert.equal(table.size, 0);
  assert.equal(table.find(Uint8Array.of(1, 2, 3, 4, 5), 0, 5), -1);
  assert.equal(table.add(Uint8Array.of(9), 0, 1), 0, 'ids start over');
});
