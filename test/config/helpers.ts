import assert from 'node:assert/strict';
import { ConfigError, parseConfig } from '../../src/config/index.js';
import type { Env } from '../../src/config/index.js';

/** The lines of the ConfigError that parsing `text` as vigil.yaml raises. */
export function configErrors(text: string, env: Env = {}): string[] {
  try {
    parseConfig(text, 'vigil.yaml', env);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
    assert.equal(e.code, 'CONFIG_INVALID');
    return e.message.split('\n');
  }
  return assert.fail('expected the config to be refused');
}
