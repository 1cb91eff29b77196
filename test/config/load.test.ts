import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, defaultConfig, loadConfig, parseConfig, toStoreOptions } from '../../src/config/index.js';
import { configErrors } from './helpers.js';

test('a small file loads, and everything it leaves out takes the default', () => {
  const config = parseConfig(
    `
server:
  listen: 0.0.0.0:8080
storage:
  retention: 30d
  fsync: always
`,
    'vigil.yaml',
    {},
  );
  assert.equal(config.server.host, '0.0.0.0');
  assert.equal(config.server.port, 8080);
  assert.equal(config.server.maxBodyBytes, 10 * 1024 * 1024, 'default 10MiB');
  assert.equal(config.storage.retentionMs, 30 * 24 * 3_600_000);
  assert.equal(config.storage.fsync, 'always');
  assert.equal(config.storage.headWindowMs, 2 * 3_600_000, 'default 2h');
  assert.deepEqual(config.limits, defaultConfig().limits);
  assert.deepEqual(config.services, []);
});

test('the defaults, with durations in ms and sizes in bytes', () => {
  const d = defaultConfig();
  assert.deepEqual(d.server, { listen: '127.0.0.1:9470', host: '127.0.0.1', port: 9470, maxBodyBytes: 10_485_760, logLevel: 'info', externalUrl: '', ackLinkSecret: '', ackLinkTtlMs: 604_800_000 });
  assert.deepEqual(d.storage, {
    dir: './data',
    retentionMs: 15 * 86_400_000,
    headWindowMs: 7_200_000,
    fsync: 'interval',
    fsyncIntervalMs: 1000,
    outOfOrderWindowMs: 0,
    chunkSamples: 120,
  });
  assert.equal(d.limits.maxSeries, 1_000_000);
  assert.equal(d.simulator.enabled, false);
  assert.equal(d.simulator.intervalMs, 10_000);
  // The storage section is the store's options, plus the series limit.
  assert.equal(toStoreOptions(d.storage, d.limits.maxSeries).maxSeries, 1_000_000);
});

test('an empty file, or a section with every line commented out, means all defaults', () => {
  assert.deepEqual(parseConfig('', 'vigil.yaml', {}), defaultConfig());
  assert.deepEqual(parseConfig('# nothing yet\nstorage:\n  # retention: 30d\n', 'vigil.yaml', {}), defaultConfig());
});

test('an unknown key is reported at its line, with a suggestion when it looks like a typo', () => {
  const errors = configErrors(`
storage:
  dir: /var/lib/vigil
  retension: 30d
  compression: zstd
`);
  assert.deepEqual(errors, [
    'vigil.yaml:4:3: storage.retension: unknown key "retension", did you mean "retention"?',
    'vigil.yaml:5:3: storage.compression: unknown key "compression" (expected one of: dir, retention, headWindow, fsync, fsyncInterval, outOfOrderWindow, chunkSamples)',
  ]);
});

test('an unknown section is an error too', () => {
  assert.deepEqual(configErrors('sever:\n  listen: :80\n'), ['vigil.yaml:1:1: sever: unknown key "sever", did you mean "server"?']);
});

test('a value of the wrong type is reported at file:line:col with its dotted path', () => {
  const errors = configErrors(`
limits:
  maxSeries: lots
storage:
  retention: 15x
  fsync: sometimes
`);
  assert.deepEqual(errors, [
    'vigil.yaml:3:14: limits.maxSeries: Invalid input: expected number, received string ("lots")',
    'vigil.yaml:5:14: storage.retention: invalid duration "15x" (expected e.g. 15d, 1h30m)',
    'vigil.yaml:6:10: storage.fsync: Invalid option: expected one of "always"|"interval"|"never"',
  ]);
});

test('a misspelt choice gets a suggestion', () => {
  assert.match(configErrors('server:\n  logLevel: debg\n')[0]!, /^vigil\.yaml:2:13: server\.logLevel: .*did you mean "debug"\?$/);
});

test('a bare number where a duration belongs asks for a unit', () => {
  assert.deepEqual(configErrors('storage:\n  fsyncInterval: 5\n'), ['vigil.yaml:2:18: storage.fsyncInterval: invalid duration 5 (a unit is required, e.g. 5s)']);
});

test('errors inside lists name the index', () => {
  const errors = configErrors(`
services:
  - name: db
    type: database
  - name: api
    type: application
    criticality: urgent
    dependsOn:
      - service: db
        weight: 2
`);
  assert.equal(errors.length, 2);
  assert.match(errors[0]!, /^vigil\.yaml:7:18: services\.1\.criticality: /);
  assert.match(errors[1]!, /^vigil\.yaml:10:17: services\.1\.dependsOn\.0\.weight: Too big/);
});

test('a missing required field is reported at its parent entry', () => {
  const errors = configErrors(`
services:
  - name: db
`);
  assert.deepEqual(errors, ['vigil.yaml:3:5: services.0.type: required field is missing (one of: database, cache, queue, application, web, network, etl)']);
});

test('service dependencies must name services in the catalogue', () => {
  const errors = configErrors(`
services:
  - name: api
    type: application
    dependsOn: [db, api]
  - name: api
    type: web
`);
  assert.deepEqual(errors, [
    'vigil.yaml:5:17: services.0.dependsOn.0.service: unknown service "db" (not in the services list)',
    'vigil.yaml:5:21: services.0.dependsOn.1.service: service "api" cannot depend on itself',
    'vigil.yaml:6:11: services.1.name: duplicate service name "api"',
  ]);
});

test('a YAML syntax error reports its line', () => {
  const errors = configErrors('server:\n  listen: "127.0.0.1:9470\nstorage:\n  dir: x\n');
  assert.equal(errors.length >= 1, true);
  assert.match(errors[0]!, /^vigil\.yaml:\d+:\d+: YAML syntax error: /);
  assert.deepEqual(configErrors('storage:\n  dir: a\n  dir: b\n'), ['vigil.yaml:3:3: YAML syntax error: Map keys must be unique']);
});

test('the top level must be a mapping', () => {
  assert.match(configErrors('- server\n')[0]!, /^vigil\.yaml:1:1: expected a mapping of sections/);
});

test('loadConfig reads a file and names it in errors; a missing file is a ConfigError too', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-config-'));
  const file = join(dir, 'vigil.yaml');
  writeFileSync(file, 'storage:\n  chunkSamples: 0\n');
  assert.throws(
    () => loadConfig(file, {}),
    (e: unknown) => e instanceof ConfigError && e.message === `${file}:2:17: storage.chunkSamples: Too small: expected number to be >=1`,
  );
  writeFileSync(file, 'storage:\n  chunkSamples: 240\n');
  assert.equal(loadConfig(file, {}).storage.chunkSamples, 240);
  assert.throws(
    () => loadConfig(join(dir, 'nope.yaml'), {}),
    (e: unknown) => e instanceof ConfigError && e.issues[0]!.line === 0 && /nope\.yaml: cannot read config: file not found/.test(e.message),
  );
});

test('every issue is also available as data, for the API and editors', () => {
  try {
    parseConfig('storage:\n  retention: 1x\n', 'conf/vigil.yaml', {});
    assert.fail('expected an error');
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    assert.deepEqual(e.issues, [
      { file: 'conf/vigil.yaml', line: 2, column: 14, path: 'storage.retention', message: 'invalid duration "1x" (expected e.g. 15d, 1h30m)' },
    ]);
  }
});

test('YAML anchors and merge keys work, with shared blocks kept under top-level x- keys', () => {
  const config = parseConfig(
    `
x-durable: &durable
  fsync: always
  retention: 90d
storage:
  <<: *durable
  dir: /data
`,
    'vigil.yaml',
    {},
  );
  assert.equal(config.storage.fsync, 'always');
  assert.equal(config.storage.retentionMs, 90 * 86_400_000);
});
