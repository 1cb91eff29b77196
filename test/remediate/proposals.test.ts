import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { parseConfig } from '../../src/config/load.js';
import { proposeRule } from '../../src/remediate/index.js';
import { incident } from './fixtures.js';

test('a resolution note that says what fixed it becomes a dry-run rule proposal that validates', () => {
  const inc = { ...incident({ id: 'inc-9', service: 'checkout', type: 'deployment_regression' }), state: 'resolved' as const, resolution: { by: 'alice', at: 1, note: 'Rolled back the 14:02 deploy of checkout' } };
  const p = proposeRule(inc, 1000)!;
  assert.match(p.reason, /rollback of checkout for a deployment regression incident/);
  const doc = parse(p.yaml) as { rules: Array<{ dryRun: boolean; trigger: unknown }> };
  assert.equal(doc.rules[0]!.dryRun, true, 'never enabled by itself');
  assert.deepEqual(doc.rules[0]!.trigger, { incident: { types: ['deployment_regression'], rootCause: 'checkout', minSeverity: 'medium' } });
  // What it proposes is a valid remediation section.
  const text = `remediation:\n${p.yaml.replace(/^/gm, '  ')}`;
  assert.equal(parseConfig(text, 'proposal.yaml').remediation.rules[0]!.runbook, 'rollback-checkout');
  assert.equal(proposeRule(inc, 1000)!.id, p.id, 'the same incident proposes the same id');
});

test('notes that name no recognised fix, and Vigil\'s own resolutions, propose nothing', () => {
  const base = incident({ id: 'inc-1', service: 'cart' });
  assert.equal(proposeRule({ ...base, resolution: { by: 'bob', at: 1, note: 'went away by itself' } }, 1), undefined);
  assert.equal(proposeRule({ ...base, resolution: { by: 'vigil', at: 1, note: 'restarted automatically' } }, 1), undefined);
  assert.match(proposeRule({ ...base, resolution: { by: 'bob', at: 1, note: 'restarted the cart pods' } }, 1)!.yaml, /rollout_restart/);
});
