import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CommandRefusedError, allowedProgram, createActionHandlers } from '../../../src/remediate/handlers/index.js';
import { actionContext } from './helpers.js';

/**
 * Real processes only: a "service" that the test breaks by killing it, and an
 * allow-listed restart command (node running a restart script) that brings it back.
 */
const node = process.execPath;
let dir: string;
const started = new Set<number>();

const SCRIPTS: Record<string, string> = {
  // The service: records its pid and stays up. The pid file appears whole (written aside,
  // then renamed): a reader polling for it could otherwise read it still empty (seen in CI).
  'service.mjs': `
    import { renameSync, writeFileSync } from 'node:fs';
    writeFileSync(process.argv[2] + '.tmp', String(process.pid));
    renameSync(process.argv[2] + '.tmp', process.argv[2]);
    setInterval(() => {}, 1000);
  `,
  // The restart command: starts the service detached (it outlives this script) and waits for its pid file.
  'restart-service.mjs': `
    import { spawn } from 'node:child_process';
    import { existsSync, readFileSync, rmSync } from 'node:fs';
    const [pidFile, serviceScript] = process.argv.slice(2);
    rmSync(pidFile, { force: true });
    const child = spawn(process.execPath, [serviceScript, pidFile], { detached: true, stdio: 'ignore' });
    child.unref();
    for (let i = 0; i < 200 && !existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 25));
    console.log('service started, pid ' + readFileSync(pidFile, 'utf8'));
  `,
  'print-args.mjs': `console.log(JSON.stringify(process.argv.slice(2)));`,
  'print-env.mjs': `console.log(JSON.stringify(process.env)); console.error('token on stderr: ' + process.env.SERVICE_TOKEN);`,
  'exit-3.mjs': `console.log('partial'); process.exit(3);`,
  // A parent that ignores SIGTERM and a child in the same process group; both record their pids.
  'stubborn-tree.mjs': `
    import { spawn } from 'node:child_process';
    import { writeFileSync } from 'node:fs';
    const [dir] = process.argv.slice(2);
    process.on('SIGTERM', () => {});
    const child = spawn(process.execPath, ['-e', 'process.on("SIGTERM", () => {}); require("fs").writeFileSync(process.argv[1], String(process.pid)); setInterval(() => {}, 1000)', dir + '/child.pid'], { stdio: 'ignore' });
    writeFileSync(dir + '/parent.pid', String(process.pid));
    console.log('running');
    setInterval(() => {}, 1000);
  `,
  'sleep.mjs': `setInterval(() => {}, 1000);`,
  'print-cwd.mjs': `console.log(process.cwd());`,
  // Exits at once, leaving a background child that still holds stdout.
  'leave-child.mjs': `
    import { spawn } from 'node:child_process';
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: ['ignore', 'inherit', 'inherit'], detached: true });
    console.log('child ' + child.pid);
    process.exit(0);
  `,
};

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-command-'));
  for (const [name, text] of Object.entries(SCRIPTS)) writeFileSync(join(dir, name), text);
});

after(() => {
  for (const pid of started) if (alive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(check: () => boolean, ms = 5000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(25)) if (check()) return true;
  return check();
}

const readPid = (file: string) => Number(readFileSync(file, 'utf8'));

const handlers = createActionHandlers({ commandAllowList: [node] });
const command = handlers.get('command')!;
const params = (p: Record<string, unknown>) => command.schema.parse(p);

test('command: restarts a killed service by running an allow-listed restart command', async () => {
  const pidFile = join(dir, 'service.pid');
  // The service is running...
  const first = spawn(node, [join(dir, 'service.mjs'), pidFile], { detached: true, stdio: 'ignore' });
  first.unref();
  assert.ok(await waitFor(() => existsSync(pidFile)));
  const before = readPid(pidFile);
  started.add(before);
  // ...and breaks.
  process.kill(before, 'SIGKILL');
  assert.ok(await waitFor(() => !alive(before)), 'the service is down');

  const step = params({ argv: [node, '{{ scripts }}/restart-service.mjs', '{{ scripts }}/service.pid', '{{ scripts }}/service.mjs'] });
  const vars = { scripts: dir };
  assert.deepEqual(command.targets(step, vars), [`command:${node} ${dir}/restart-service.mjs ${dir}/service.pid ${dir}/service.mjs`]);
  assert.equal(command.describe(step, vars), `run ${node} ${dir}/restart-service.mjs ${dir}/service.pid ${dir}/service.mjs`);
  const r = await command.run(step, actionContext({ vars }));
  assert.equal(r.ok, true, r.output);
  assert.deepEqual(r.changed, { exitCode: 0 });
  const after = readPid(pidFile);
  started.add(after);
  assert.notEqual(after, before);
  assert.ok(alive(after), 'the service is running again');
  assert.match(r.output, new RegExp(`exited with code 0\\n\\[stdout\\]\\nservice started, pid ${after}`));
});

test('command: a program outside the allow-list is refused, when loading the runbook and when running it', async () => {
  const parsed = command.schema.safeParse({ argv: ['/bin/sh', '-c', 'reboot'] });
  assert.equal(parsed.success, false);
  assert.match(parsed.error!.issues[0]!.message, /\/bin\/sh is not in the command allow-list \(allowed: /);

  // A templated program can only be checked once rendered.
  const step = params({ argv: ['{{ program }}', '-c', 'reboot'] });
  const vars = { program: '/bin/sh' };
  assert.throws(() => command.targets(step, vars), CommandRefusedError);
  assert.throws(() => command.describe(step, vars), /not in the command allow-list/);
  const r = await command.run(step, actionContext({ vars }));
  assert.equal(r.ok, false);
  assert.match(r.output, /^command: \/bin\/sh is not in the command allow-list/);
});

test('command: programs are compared by resolved absolute path', () => {
  assert.equal(allowedProgram(`${dirname(node)}/../${basename(dirname(node))}/${basename(node)}`, undefined, [node]), node);
  if (basename(node) === 'node') assert.equal(allowedProgram('node', undefined, [node], dirname(node)), node);
  assert.throws(() => allowedProgram('no-such-program-vigil', undefined, [node], dirname(node)), /was not found on PATH/);
  assert.throws(() => allowedProgram(node, undefined, []), /the allow-list is empty/);
});

test('command: no shell ever — ; $(...) and * stay literal arguments', async () => {
  const marker = join(dir, 'pwned');
  const args = [`x; touch ${marker}`, '$(touch ' + marker + ')', '`id`', '*', '{{ text }}'];
  const r = await command.run(params({ argv: [node, join(dir, 'print-args.mjs'), ...args] }), actionContext({ vars: { text: '&& echo hi | cat' } }));
  assert.equal(r.ok, true, r.output);
  const printed = JSON.parse(r.output.split('\n')[2]!) as string[];
  assert.deepEqual(printed, [...args.slice(0, 4), '&& echo hi | cat']);
  assert.equal(existsSync(marker), false);
});

test('command: only PATH and the named variables reach the program; their values (secrets, as all of ctx.env) are scrubbed from the output', async () => {
  const env = { PATH: '/usr/bin:/bin', SERVICE_TOKEN: 'svc-token-9c1d2e3f', LOG_LEVEL: 'debug', DATABASE_PASSWORD: 'not-for-this-command' };
  const r = await command.run(params({ argv: [node, join(dir, 'print-env.mjs')], env: ['SERVICE_TOKEN', 'LOG_LEVEL', 'NOT_SET'] }), actionContext({ env }));
  assert.equal(r.ok, true, r.output);
  const seen = JSON.parse(r.output.split('\n')[2]!) as Record<string, string>;
  assert.deepEqual(Object.keys(seen).sort(), ['LOG_LEVEL', 'PATH', 'SERVICE_TOKEN']);
  assert.equal(seen.PATH, '/usr/bin:/bin');
  assert.equal(seen.LOG_LEVEL, '<redacted>');
  assert.equal(seen.SERVICE_TOKEN, '<redacted>');
  assert.ok(!r.output.includes('svc-token-9c1d2e3f'), r.output);
  assert.match(r.output, /\[stderr\]\ntoken on stderr: <redacted>/);
});

test('command: runs in the templated working directory', async () => {
  const r = await command.run(params({ argv: [node, join(dir, 'print-cwd.mjs')], cwd: '{{ workdir }}' }), actionContext({ vars: { workdir: tmpdir() } }));
  assert.equal(r.ok, true, r.output);
  assert.equal(r.output.split('\n')[2], realpathSync(tmpdir()));
});

test('command: a program that exits while its background child holds the output pipe still finishes', async () => {
  const t0 = Date.now();
  const r = await command.run(params({ argv: [node, join(dir, 'leave-child.mjs')] }), actionContext());
  assert.equal(r.ok, true, r.output);
  assert.ok(Date.now() - t0 < 3000, 'does not wait for the child');
  const child = Number(/child (\d+)/.exec(r.output)![1]);
  started.add(child);
  assert.ok(alive(child), 'a command that ends normally keeps what it started');
});

test('command: a non-zero exit is ok:false with the output; okExitCodes widens success', async () => {
  const step = { argv: [node, join(dir, 'exit-3.mjs')] };
  const r = await command.run(params(step), actionContext());
  assert.equal(r.ok, false);
  assert.match(r.output, /exited with code 3\n\[stdout\]\npartial/);
  assert.deepEqual(r.changed, { exitCode: 3 });
  assert.equal((await command.run(params({ ...step, okExitCodes: [0, 3] }), actionContext())).ok, true);
});

test('command: the timeout kills the whole process group, SIGKILL after the grace period when SIGTERM is ignored', async () => {
  const t0 = Date.now();
  const r = await command.run(params({ argv: [node, join(dir, 'stubborn-tree.mjs'), dir], timeout: '1500ms', killGrace: '300ms' }), actionContext());
  assert.equal(r.ok, false);
  assert.match(r.output, /timed out after 1500 ms; process group killed\n\[stdout\]\nrunning/);
  assert.ok(Date.now() - t0 < 5000);
  const parent = readPid(join(dir, 'parent.pid'));
  const child = readPid(join(dir, 'child.pid'));
  started.add(parent).add(child);
  assert.ok(await waitFor(() => !alive(parent), 2000), 'the command is gone');
  assert.ok(await waitFor(() => !alive(child), 2000), 'and so is its child');
});

test('command: the runner signal (kill switch) aborts a running command promptly', async () => {
  const kill = new AbortController();
  setTimeout(() => kill.abort(new Error('kill switch engaged')), 200);
  const t0 = Date.now();
  const r = await command.run(params({ argv: [node, join(dir, 'sleep.mjs')] }), actionContext({ signal: kill.signal }));
  assert.equal(r.ok, false);
  assert.match(r.output, /aborted: kill switch engaged; process group killed/);
  assert.ok(Date.now() - t0 < 3000);
});

test('command: a program that cannot start is ok:false', async () => {
  const missing = join(dir, 'missing-binary');
  const h = createActionHandlers({ commandAllowList: [missing] }).get('command')!;
  const r = await h.run(h.schema.parse({ argv: [missing] }), actionContext());
  assert.equal(r.ok, false);
  assert.match(r.output, /could not be started: .*ENOENT/);
});

test('command: output is bounded', async () => {
  const r = await command.run(params({ argv: [node, '-e', 'process.stdout.write("y".repeat(1e6))'] }), actionContext());
  assert.equal(r.ok, true);
  assert.ok(r.output.length < 17_000, String(r.output.length));
  assert.match(r.output, /\n… \[output truncated: 991808 more bytes\]$/);
});
