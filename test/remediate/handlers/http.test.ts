import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createActionHandlers, httpActionSchema, type HttpActionParams } from '../../../src/remediate/handlers/index.js';
import { RecordingServer } from '../../helpers/recording-server.js';
import { actionContext } from './helpers.js';

const handlers = createActionHandlers({ commandAllowList: [] });
const http = handlers.get('http')!;
const params = (p: Record<string, unknown>): HttpActionParams => httpActionSchema.parse(p);

let server: RecordingServer;
before(async () => {
  server = await RecordingServer.start();
});
after(() => server.close());

const vars = { incident: { id: 'inc-42' }, labels: { service: 'checkout' } };
const TOKEN = 'tok-5f2c9a1e77d04b8c';

test('http: POSTs a templated URL and JSON body with a header read from the environment', async () => {
  server.respond = () => ({ status: 202, json: { restarted: true } });
  const p = params({
    method: 'post',
    url: `${server.url}/admin/{{ labels.service }}/restart?incident={{ incident.id | urlquery }}`,
    headers: { 'X-Reason': 'incident {{ incident.id }}' },
    headersFromEnv: { Authorization: 'CHECKOUT_ADMIN_TOKEN' },
    body: { incident: '{{ incident.id }}', service: '{{ labels.service }}', force: true },
  });
  const r = await http.run(p, actionContext({ vars, env: { CHECKOUT_ADMIN_TOKEN: `Bearer ${TOKEN}` } }));
  assert.equal(r.ok, true, r.output);
  assert.match(r.output, /^HTTP 202/);
  assert.match(r.output, /"restarted":true/);
  assert.deepEqual(r.changed, { status: 202 });
  const req = server.last();
  assert.equal(req.method, 'POST');
  assert.equal(req.path, '/admin/checkout/restart?incident=inc-42');
  assert.equal(req.headers.authorization, `Bearer ${TOKEN}`);
  assert.equal(req.headers['x-reason'], 'incident inc-42');
  assert.match(String(req.headers['content-type']), /^application\/json/);
  assert.deepEqual(req.json, { incident: 'inc-42', service: 'checkout', force: true });
});

test('http: targets and describe name the method and URL without its query', () => {
  const p = params({ method: 'DELETE', url: 'https://cache.example.com/{{ labels.service }}/entries?key=secret-ish', body: 'x' });
  assert.deepEqual(http.targets(p, vars), ['http:DELETE https://cache.example.com/checkout/entries']);
  assert.equal(http.describe(p, vars), 'DELETE https://cache.example.com/checkout/entries with a body');
});

test('http: a string body is sent as written (templated); GET works without a body', async () => {
  server.respond = () => ({ status: 200, body: 'flushed' });
  const r = await http.run(params({ url: `${server.url}/flush`, body: 'service={{ labels.service }}', headers: { 'Content-Type': 'text/plain' } }), actionContext({ vars }));
  assert.equal(r.ok, true);
  assert.equal(server.last().raw, 'service=checkout');
  assert.equal(server.last().headers['content-type'], 'text/plain');
  const g = await http.run(params({ method: 'GET', url: `${server.url}/health` }), actionContext());
  assert.equal(g.ok, true);
  assert.equal(server.last().method, 'GET');
});

test('http: a non-2xx answer is ok:false with the status and body; expectStatus accepts others', async () => {
  server.respond = () => ({ status: 503, body: 'warming up' });
  const r = await http.run(params({ url: `${server.url}/restart` }), actionContext());
  assert.equal(r.ok, false);
  assert.match(r.output, /answered HTTP 503 Service Unavailable \(expected 2xx\): warming up/);
  server.respond = () => ({ status: 409, body: 'already restarting' });
  const accepted = await http.run(params({ url: `${server.url}/restart`, expectStatus: [200, 409] }), actionContext());
  assert.equal(accepted.ok, true, accepted.output);
});

test('http: a hanging server times out, and the runner signal aborts with its reason', async () => {
  server.respond = () => ({ hang: true });
  const started = Date.now();
  const t = await http.run(params({ url: `${server.url}/slow`, timeout: '200ms' }), actionContext());
  assert.equal(t.ok, false);
  assert.match(t.output, /timed out after 200 ms/);
  assert.ok(Date.now() - started < 3000);

  const kill = new AbortController();
  setTimeout(() => kill.abort(new Error('kill switch engaged')), 100);
  const a = await http.run(params({ url: `${server.url}/slow` }), actionContext({ signal: kill.signal }));
  assert.equal(a.ok, false);
  assert.match(a.output, /aborted: kill switch engaged/);
});

test('http: the token never reaches the output, even when the server echoes it', async () => {
  server.respond = (req) => ({ status: 401, body: `bad credentials: ${req.headers.authorization} (token ${String(req.headers.authorization).slice(7)})` });
  const r = await http.run(params({ url: `${server.url}/x`, headersFromEnv: { Authorization: 'TOKEN_VAR' } }), actionContext({ env: { TOKEN_VAR: `Bearer ${TOKEN}` } }));
  assert.equal(r.ok, false);
  assert.ok(!r.output.includes(TOKEN), r.output);
  assert.match(r.output, /<redacted>/);
});

test('http: a missing environment variable or template value is ok:false, not a throw', async () => {
  const missingEnv = await http.run(params({ url: `${server.url}/x`, headersFromEnv: { Authorization: 'NOPE' } }), actionContext());
  assert.equal(missingEnv.ok, false);
  assert.match(missingEnv.output, /environment variable NOPE \(header Authorization\) is not set/);
  const missingVar = await http.run(params({ url: `${server.url}/{{ labels.pod }}` }), actionContext({ vars }));
  assert.equal(missingVar.ok, false);
  assert.match(missingVar.output, /labels\.pod/);
});

test('http: a huge answer is cut to the output limit with a note', async () => {
  server.respond = () => ({ status: 200, body: 'x'.repeat(200_000) });
  const r = await http.run(params({ url: `${server.url}/big` }), actionContext());
  assert.equal(r.ok, true);
  assert.ok(r.output.length < 17_000, String(r.output.length));
  assert.match(r.output, /\n… \[output truncated: 183616 more bytes\]$/, 'Content-Length gives the exact count');
  // Without Content-Length the download stops early, so the count is a lower bound.
  server.respond = () => ({ status: 200, body: 'x'.repeat(200_000), chunked: true });
  const chunked = await http.run(params({ url: `${server.url}/big` }), actionContext());
  assert.match(chunked.output, /\n… \[output truncated: at least \d+ more bytes\]$/);
});

test('http: the schema refuses unknown keys and bad header names', () => {
  assert.equal(httpActionSchema.safeParse({ url: 'http://x', bogus: 1 }).success, false);
  assert.equal(httpActionSchema.safeParse({ url: 'http://x', headers: { 'bad header': 'v' } }).success, false);
  assert.equal(httpActionSchema.safeParse({ url: 'http://x', method: 'TRACE' }).success, false);
});
