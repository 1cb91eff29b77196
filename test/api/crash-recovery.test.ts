import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startVigilProcess, tempDir, waitForExit, writeConfig } from '../helpers/vigil-process.js';

/**
 * The durability promise end to end: every write the server acknowledged is
 * still there after the process is killed with SIGKILL mid-traffic and restarted.
 */
test('every acknowledged sample survives kill -9 and a restart', { timeout: 60_000 }, async () => {
  const dir = tempDir();
  const config = writeConfig(
    dir,
    `server:\n  listen: 127.0.0.1:0\n  logLevel: info\nstorage:\n  dir: ${dir}/data\n  fsync: interval\n`,
  );
  const first = await startVigilProcess(['--config', config]);

  const acked: Array<{ host: string; t: number; v: number }> = [];
  const t0 = 1_700_000_000_000;
  let inFlight: Promise<unknown> | undefined;
  for (let batch = 0; batch < 200; batch++) {
    const series = [];
    for (let h = 0; h < 20; h++) {
      const samples: Array<[number, number]> = [];
      for (let k = 0; k < 5; k++) samples.push([t0 + (batch * 5 + k) * 1000, batch * 1000 + h * 10 + k + 0.25]);
      series.push({ labels: { __name__: 'crash_test_value', host: `h${h}` }, samples });
    }
    const req = fetch(`${first.url}/api/v1/samples`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ series }) });
    if (batch === 150) {
      // Kill while this request is in flight: it may or may not be stored, but nothing before it may be lost.
      inFlight = req.catch(() => undefined);
      first.child.kill('SIGKILL');
      break;
    }
    const res = await req;
    assert.equal(res.status, 200, await res.text());
    for (const s of series) for (const [t, v] of s.samples) acked.push({ host: s.labels.host, t, v });
  }
  await inFlight;
  const exit = await waitForExit(first.child);
  assert.equal(exit.signal, 'SIGKILL');
  assert.equal(acked.length, 150 * 20 * 5);

  const second = await startVigilProcess(['--config', config]);
  try {
    const q = new URLSearchParams({ 'match[]': 'crash_test_value', start: String(t0 / 1000 - 1), end: String(t0 / 1000 + 2000) });
    const res = await fetch(`${second.url}/api/v1/samples?${q}`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { data: { result: Array<{ metric: { host: string }; values: Array<[number, string]> }> } };
    const stored = new Map<string, string>();
    for (const s of body.data.result) for (const [ts, v] of s.values) stored.set(`${s.metric.host}@${Math.round(ts * 1000)}`, v);
    let missing = 0;
    for (const a of acked) {
      const v = stored.get(`${a.host}@${a.t}`);
      if (v === undefined || Number(v) !== a.v) missing++;
    }
    assert.equal(missing, 0, `${missing} acknowledged samples lost after kill -9`);
  } finally {
    second.child.kill('SIGTERM');
    const e = await waitForExit(second.child);
    assert.equal(e.code, 0, 'a SIGTERM stops vigil cleanly');
  }
});
