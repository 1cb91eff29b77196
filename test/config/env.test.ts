import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENV_OVERRIDES, parseConfig, resolveConfig, substituteEnv } from '../../src/config/index.js';
import { configErrors } from './helpers.js';

test('${VAR} and ${VAR:-default} are replaced inside string values', () => {
  const config = parseConfig(
    `
server:
  listen: \${VIGIL_HOST:-127.0.0.1}:\${VIGIL_PORT}
storage:
  dir: \${DATA_ROOT}/vigil
`,
    'vigil.yaml',
    { VIGIL_PORT: '9999', DATA_ROOT: '/srv' },
  );
  assert.equal(config.server.listen, '127.0.0.1:9999');
  assert.equal(config.storage.dir, '/srv/vigil');
});

test('substitution follows the shell: ":-" also covers an empty variable, and $${ is a literal', () => {
  assert.equal(substituteEnv('${A:-x}', { A: '' }).value, 'x');
  assert.equal(substituteEnv('${A}', { A: '' }).value, '');
  assert.equal(substituteEnv('$${A} costs $5', {}).value, '${A} costs $5');
  assert.match(substituteEnv('${A', {}).problems[0]!, /malformed/);
});

test('an unset variable without a default is an error at its file:line', () => {
  const errors = configErrors('storage:\n  dir: /data\nserver:\n  listen: ${VIGIL_ADDR}\n');
  assert.deepEqual(errors, [
    'vigil.yaml:4:11: server.listen: environment variable VIGIL_ADDR is not set (and has no default; write ${VIGIL_ADDR:-default} to give one)',
  ]);
});

test('VIGIL_LISTEN, VIGIL_STORAGE_DIR and VIGIL_LOG_LEVEL override the file', () => {
  const text = 'server:\n  listen: 127.0.0.1:9470\n  logLevel: info\n';
  const env = { VIGIL_LISTEN: '0.0.0.0:80', VIGIL_STORAGE_DIR: '/var/lib/vigil', VIGIL_LOG_LEVEL: 'debug' };
  const config = parseConfig(text, 'vigil.yaml', env);
  assert.equal(config.server.port, 80);
  assert.equal(config.storage.dir, '/var/lib/vigil', 'the section need not be in the file');
  assert.equal(config.server.logLevel, 'debug');
  assert.equal(parseConfig(text, 'vigil.yaml', { VIGIL_LISTEN: '' }).server.port, 9470, 'empty means unset');
  assert.deepEqual(
    ENV_OVERRIDES.map((o) => o.env),
    ['VIGIL_LISTEN', 'VIGIL_STORAGE_DIR', 'VIGIL_LOG_LEVEL'],
  );
});

test('a bad override is blamed on the variable, not on the file', () => {
  assert.deepEqual(configErrors('', { VIGIL_LISTEN: 'everywhere' }), [
    '$VIGIL_LISTEN: server.listen: invalid listen address "everywhere" (expected host:port, e.g. 127.0.0.1:9470, [::1]:9470 or :9470) (set by environment variable VIGIL_LISTEN)',
  ]);
});

test('without a file, the defaults apply with the environment on top', () => {
  assert.equal(resolveConfig(undefined, { VIGIL_LOG_LEVEL: 'warn' }).server.logLevel, 'warn');
  assert.equal(resolveConfig(undefined, {}).server.logLevel, 'info');
});
