import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../../src/config/errors.js';
import { loadRules, parseRuleFile } from '../../../src/alerting/rules/index.js';
import { configSchema } from '../../../src/config/schema.js';
import { ruleEvaluationSchema, rulesSchema } from '../../../src/config/sections/rules.js';

function errors(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
    return e.message.split('\n');
  }
  return assert.fail('expected the rules to be refused');
}

test('every problem in a rule file is reported as file:line:column: path: problem', () => {
  const lines = errors(() =>
    parseRuleFile(
      `rules:
  - name: HighCpu
    type: threshold
    severity: hihg
    selector: 'cpu{host=~"a"'
    op: '>'
    value: 90
    for: 5x
  - name: Slow
    type: treshold
    severity: low
  - name: Anom
    type: anomaly
    severity: low
    selector: latency
    op: '>'
    levle: 0.5
  - name: Missing
    type: absence
    severity: info
    selector: up
    annotations:
      title: '{{ $labels.job'
`,
      'rules/cpu.yaml',
    ),
  );
  assert.deepEqual(lines, [
    'rules/cpu.yaml:4:15: rules.0.severity: Invalid option: expected one of "critical"|"high"|"medium"|"low"|"info"; did you mean "high"?',
    'rules/cpu.yaml:5:15: rules.0.selector: invalid selector "cpu{host=~\\"a\\"" at position 13: expected "," or "}"',
    'rules/cpu.yaml:8:10: rules.0.for: invalid duration "5x" (expected e.g. 15d, 1h30m)',
    'rules/cpu.yaml:10:11: rules.1.type: Invalid option: expected one of "threshold"|"anomaly"|"absence"|"rate_of_change"|"forecast"|"composite"; did you mean "threshold"?',
    'rules/cpu.yaml:16:9: rules.2.op: "op" does not apply to anomaly rules (they take: selector, level, consecutive, lookback, within, by)',
    'rules/cpu.yaml:17:5: rules.2.levle: unknown key "levle", did you mean "level"?',
    'rules/cpu.yaml:23:14: rules.3.annotations.title: template: unclosed "{{" at position 0',
  ]);
});

test('keys of another rule type, missing keys and bad composite conditions point at the rule', () => {
  const lines = errors(() =>
    parseRuleFile(
      `rules:
  - name: Anom
    type: anomaly
    severity: low
    selector: latency
    op: '>'
  - name: Thr
    type: threshold
    severity: low
    selector: cpu
  - name: Combo
    type: composite
    severity: high
    when: { and: [Anom, { nor: Thr }] }
`,
      'r.yaml',
    ),
  );
  assert.deepEqual(lines, [
    'r.yaml:6:9: rules.0.op: "op" does not apply to anomaly rules (they take: selector, level, consecutive, lookback, within, by)',
    'r.yaml:7:5: rules.1.op: threshold rules need "op"',
    'r.yaml:7:5: rules.1.value: threshold rules need "value"',
    'r.yaml:14:25: rules.2.when.and.1: expected exactly one of and, or, not (got "nor")',
  ]);
});

test('loadRules checks names and composite references across vigil.yaml rules and rule files', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rulefiles-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'a.rules.yaml'), 'rules:\n  - { name: HighCpu, type: threshold, severity: high, selector: cpu, op: ">", value: 90 }\n');
  writeFileSync(
    join(dir, 'b.rules.yaml'),
    `rules:
  - { name: HighCpu, type: threshold, severity: low, selector: cpu, op: ">", value: 50 }
  - name: Combo
    type: composite
    severity: high
    when: { and: [HighCpu, HighMem] }
`,
  );
  const lines = errors(() => loadRules({ ruleFiles: ['*.rules.yaml'], baseDir: dir }));
  assert.deepEqual(lines, [
    `${join(dir, 'b.rules.yaml')}:2:13: rules.0.name: duplicate rule name "HighCpu" (also defined in ${join(dir, 'a.rules.yaml')} (rules.0))`,
    `${join(dir, 'b.rules.yaml')}:6:11: rules.1.when: unknown rule "HighMem" (no rule has that name)`,
  ]);
  writeFileSync(join(dir, 'b.rules.yaml'), 'rules:\n  - { name: Combo, type: composite, severity: high, when: { not: HighCpu } }\n');
  const configRules = rulesSchema.parse([{ name: 'Other', type: 'absence', severity: 'info', selector: 'up', absentFor: '5m' }]);
  assert.deepEqual(
    loadRules({ rules: configRules, ruleFiles: ['*.rules.yaml', 'none-*.yaml'], baseDir: dir }).map((r) => r.name),
    ['Other', 'HighCpu', 'Combo'],
  );
  assert.deepEqual(errors(() => loadRules({ ruleFiles: ['nope.yaml'], baseDir: dir })), [`${join(dir, 'nope.yaml')}: cannot read rule file: file not found`]);
});

test('composite cycles are refused', () => {
  const lines = errors(() =>
    loadRules({
      rules: rulesSchema.parse([
        { name: 'A', type: 'composite', severity: 'low', when: { and: ['B'] } },
        { name: 'B', type: 'composite', severity: 'low', when: { or: ['A'] } },
      ]),
    }),
  );
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /cycle: A -> B -> A$/);
});

test('the evaluation settings section has sensible defaults (the lead wires it into vigil.yaml)', () => {
  assert.deepEqual(ruleEvaluationSchema.parse(undefined), {
    evaluationIntervalMs: 15_000,
    keepResolvedMs: 900_000,
    flapping: { maxFlips: 6, windowMs: 3_600_000, coolDownMs: 900_000 },
  });
  assert.equal(ruleEvaluationSchema.parse({ flapping: { enabled: false } }).flapping, false);
  assert.ok(configSchema); // not part of vigil.yaml until wired
});
