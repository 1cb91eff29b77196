import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PrometheusApiError, backfillFromPrometheus, seconds, unionQuery } from '../../src/ingest/prometheus-backfill.js';
import { runVigil } from '../helpers/cli-run.js';

/** A local HTTP server speaking the two Prometheus API calls the backfill uses, scripted per test. */
async function fakePrometheus(handle: (path: string, form: URLSearchParams, res: ServerResponse) => void) {
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => handle(req.url!.split('?')[0]!, new URLSearchParams(body), res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

test('unionQuery keeps series that differ only by metric name apart', () => {
  const q = unionQuery([
    { __name__: 'a', cpu: '0' },
    { __name__: 'b', cpu: '0', mode: 'idle' },
  ]);
  assert.equal(q, '{__name__="a",cpu="0"} or on(__name__,cpu,mode) {__name__="b",cpu="0",mode="idle"}');
  assert.equal(seconds(1_700_000_000_500), '1700000000.5');
  assert.equal(seconds(0), '0');
});

test('transient Prometheus failures are retried with backoff; a bad selector fails at once with its message', async () => {
  let rangeCalls = 0;
  const prom = await fakePrometheus((path, form, res) => {
    if (path === '/api/v1/series') {
      if (form.get('match[]') === '{bad') return json(res, 400, { status: 'error', errorType: 'bad_data', error: 'parse error: unexpected end of input' });
      return json(res, 200, { status: 'success', data: [{ __name__: 'up', job: 'x' }] });
    }
    rangeCalls++;
    if (rangeCalls === 1) return json(res, 503, { status: 'error', errorType: 'unavailable', error: 'busy' });
    const start = Number(form.get('start'));
    json(res, 200, { status: 'success', data: { resultType: 'matrix', result: [{ metric: { __name__: 'up', job: 'x' }, values: [[start, '1']] }] } });
  });
  try {
    const sleeps: number[] = [];
    const got: Array<[number, string]> = [];
    const summary = await backfillFromPrometheus({
      prometheusUrl: prom.url,
      match: 'up',
      startMs: 1_000_000,
      endMs: 1_000_000,
      stepMs: 15_000,
      sleep: async (ms) => void sleeps.push(ms),
      sink: async (b) => void got.push(...b[0]!.samples),
    });
    assert.deepEqual(summary, { series: 1, samples: 1, requests: 3, retries: 1 });
    assert.deepEqual(sleeps, [500]);
    assert.deepEqual(got, [[1_000_000, '1']]);

    await assert.rejects(
      backfillFromPrometheus({ prometheusUrl: prom.url, match: '{bad', startMs: 0, endMs: 1, stepMs: 1, sink: async () => {} }),
      (e: unknown) => e instanceof PrometheusApiError && !e.transient && /400 to \/api\/v1\/series: bad_data: parse error/.test(e.message),
    );
  } finally {
    await prom.close();
  }
});

test('vigil backfill --prometheus names the flag that is wrong', async () => {
  const noMatch = await runVigil(['backfill', '--prometheus', 'http://127.0.0.1:1', '--since', '1h']);
  assert.equal(noMatch.code, 2, noMatch.stderr);
  assert.match(noMatch.stderr, /--match: required with --prometheus/);
  const both = await runVigil(['backfill', 'x.csv', '--prometheus', 'http://127.0.0.1:1', '--match', 'up', '--since', '1h']);
  assert.match(both.stderr, /either a CSV file or --prometheus/);
  const step = await runVigil(['backfill', '--prometheus', 'http://127.0.0.1:1', '--match', 'up', '--since', '1h', '--step', 'fast']);
  assert.match(step.stderr, /--step: /);
  const csvOnly = await runVigil(['backfill', 'x.csv', '--since', '1h']);
  assert.match(csvOnly.stderr, /--since: only with --prometheus/);
});
