import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { startTestVigil, type TestVigil } from './remote-write-helpers.js';

let v: TestVigil;
before(async () => {
  v = await startTestVigil();
});
after(() => v.close());

const S = 1_700_000_000;

test('line protocol v2 and v1: 204, readable as <measurement>_<field>; errors in InfluxDB shape naming the line', async () => {
  const ok = await v.post('/api/v2/write?org=o&bucket=b&precision=s', `cpu,host=a usage_idle=97.5,n=3i ${S}\ncpu,host=a usage_idle=96 ${S + 10}\n`, { 'content-type': 'text/plain; charset=utf-8' });
  assert.equal(ok.status, 204, ok.text);
  assert.deepEqual((await v.read('cpu_usage_idle{host="a"}', S * 1000, (S + 10) * 1000))[0]!.values, [[S * 1000, '97.5'], [(S + 10) * 1000, '96']]);

  const gz = await v.post('/write?db=telegraf&precision=ms', gzipSync(`mem,host=a used=5 ${S * 1000}`), { 'content-encoding': 'gzip' });
  assert.equal(gz.status, 204, gz.text);
  assert.equal((await v.read('mem_used', S * 1000, S * 1000)).length, 1);

  const bad = await v.post('/api/v2/write', 'm v=1\nm v=1\nm,t v=1', { 'content-type': 'text/plain' });
  assert.equal(bad.status, 400);
  assert.deepEqual(JSON.parse(bad.text), { code: 'invalid', message: 'line 3: tag "t" has no "=value"' });
  const badV1 = await v.post('/write', 'm v=oops', {});
  assert.equal(badV1.status, 400);
  assert.match(JSON.parse(badV1.text).error, /^line 1: field "v": invalid value/);
  const prec = await v.post('/api/v2/write?precision=h', 'm v=1', {});
  assert.equal(prec.status, 400);
  assert.match(prec.text, /invalid precision/);

  const partial = await v.post('/api/v2/write?precision=s', `log,host=a msg="hi",level=3i ${S}`, {});
  assert.equal(partial.status, 400);
  assert.match(JSON.parse(partial.text).message, /^partial write: line 1: field "msg": string values are not supported.*1 samples stored$/);
  assert.deepEqual((await v.read('log_level', S * 1000, S * 1000))[0]!.values, [[S * 1000, '3']]);

  for (const junk of ['\u0000\u0001\u0002', 'a'.repeat(1000), '=,\\ "', '\ud800']) assert.equal((await v.post('/api/v2/write', junk, {})).status, 400);
  assert.equal((await fetch(v.url + '/-/healthy')).status, 200);
  assert.equal((await v.read('cpu_usage_idle', S * 1000, (S + 10) * 1000))[0]!.values.length, 2);
});
