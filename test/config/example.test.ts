import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configSchema, defaultConfig, loadConfig } from '../../src/config/index.js';
import { knownKeysAt } from '../../src/config/schema-keys.js';

// Compiled tests live in dist/test/config; the example is at the repository root.
const EXAMPLE = fileURLToPath(new URL('../../../vigil.example.yaml', import.meta.url));

test('vigil.example.yaml is valid and its values are the defaults', () => {
  const config = loadConfig(EXAMPLE, {});
  const { services, ...rest } = config;
  const { services: _none, ...defaults } = defaultConfig();
  assert.deepEqual(rest, defaults);
  assert.deepEqual(
    services.map((s) => s.name),
    ['postgres', 'redis', 'checkout-api', 'web'],
  );
  assert.deepEqual(services[3]!.dependsOn, [{ service: 'checkout-api', weight: 1 }]);
});

test('vigil.example.yaml mentions every option of every section', () => {
  const text = readFileSync(EXAMPLE, 'utf8');
  const paths: (string | number)[][] = [[], ...knownKeysAt(configSchema, []).map((k) => [k]), ['services', 0], ['services', 0, 'dependsOn', 0]];
  for (const path of paths) {
    for (const key of knownKeysAt(configSchema, path)) {
      assert.match(text, new RegExp(`^\\s*(- )?${key}:`, 'm'), `${[...path, key].join('.')} is not in the example`);
    }
  }
});
