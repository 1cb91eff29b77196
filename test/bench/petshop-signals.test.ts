import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MetricTable, PetshopIssue, PetshopScenario } from '../../bench/petshop-data.js';
import { DEFAULT_PETSHOP_SIGNALS, issueSignals, ROW_MS, tailScale } from '../../bench/petshop-signals.js';

const T0 = 1_700_000_000_000;
const COLUMNS = [
  { node: 'Site', metric: 'latency', statistic: 'Average' },
  { node: 'Spiky', metric: 'latency', statistic: 'Average' },
  { node: 'Steady', metric: 'latency', statistic: 'Average' },
];

function table(rows: number, start: number, value: (column: number, row: number) => number): MetricTable {
  return {
    columns: COLUMNS,
    times: Array.from({ length: rows }, (_, r) => start + r * ROW_MS),
    values: COLUMNS.map((_, c) => Float64Array.from({ length: rows }, (_, r) => value(c, r))),
  };
}

// Normal operation: every column near its level; Spiky jumps to 4x on every fifth row (a Lambda
// whose latency often spikes), Steady never does.
const level = [1, 100, 100];
const normal = table(200, T0, (c, r) => (c === 1 && r % 5 === 0 ? 400 : level[c] + ((r % 5) - 2) * 0.01 * level[c]));
// The issue: from the third row on, the target slows and both Spiky and Steady sit at 4x.
const windowStart = T0 + 300 * ROW_MS;
const window = table(5, windowStart, (c, r) => (r < 2 ? level[c] : 4 * level[c]));
const issue: PetshopIssue = {
  scenario: 's',
  split: 'test',
  name: 'issue_0',
  target: { node: 'Site', metric: 'latency', agg: 'Average', timestamp: (windowStart + 2 * ROW_MS) / 1000 },
  rootCause: 'Steady',
  metrics: window,
};
const scenario = (noIssue?: MetricTable): PetshopScenario => ({
  name: 's',
  nodes: ['Site', 'Spiky', 'Steady'],
  calls: [
    ['Site', 'Spiky'],
    ['Site', 'Steady'],
  ],
  ...(noIssue ? { noIssue } : {}),
  issues: [issue],
});

const strength = (sc: PetshopScenario, tailQuantile: number | undefined) => {
  const signals = issueSignals(sc, issue, { ...DEFAULT_PETSHOP_SIGNALS, tailQuantile });
  return (node: string) => signals.find((s) => s.service === node)?.score ?? 0;
};

test('tailScale: the scale at which Gaussian noise reaches the normal quantile', () => {
  // Deviations 0..99: the 95th percentile is 94.05, and 1.645 sigma of Gaussian noise reaches it.
  const xs = Array.from({ length: 100 }, (_, i) => i);
  assert.ok(Math.abs(tailScale(xs, 0.95, false) - 94.05 / 1.6449) < 0.01);
  // Two-sided: the 95th percentile of |deviation| is where 1.96 sigma is.
  assert.ok(Math.abs(tailScale(xs, 0.95, true) - 94.05 / 1.96) < 0.01);
  // No deviation in the bad direction at that quantile: no floor.
  assert.equal(tailScale([0, 0, 0, -5, -3, 1], 0.5, false), 0);
  assert.equal(tailScale([NaN, NaN], 0.95, false), 0);
});

test('issueSignals: a column whose normal data often shows the deviation gives a weak signal or none', () => {
  const withFloor = strength(scenario(normal), 0.95);
  const without = strength(scenario(normal), undefined);
  // Without the floor the MAD sees only the body of Spiky's normal data: both look strongly anomalous.
  assert.ok(without('Spiky') > 0.9 && without('Steady') > 0.9);
  // With it, Spiky's 4x is what it does on a fifth of its normal rows: no signal; Steady is unchanged.
  assert.equal(withFloor('Spiky'), 0);
  assert.ok(Math.abs(withFloor('Steady') - without('Steady')) < 1e-9);
});

test('issueSignals: no tail floor from other issues\u2019 windows (they hold incidents, not noise)', () => {
  // Without a normal period the baseline is the other issues' windows: here four, in one of which
  // Steady was the root, at 4x on three rows. The tail of that is another incident.
  const others = [1, 2, 3, 4].map(
    (k): PetshopIssue => ({ ...issue, name: `issue_${k}`, metrics: table(5, T0 + k * 10 * ROW_MS, (c, r) => (k === 1 && c === 2 && r >= 2 ? 400 : level[c] + ((r % 5) - 2) * 0.01 * level[c])) }),
  );
  const sc: PetshopScenario = { ...scenario(), issues: [issue, ...others] };
  const floor = strength(sc, 0.95);
  const none = strength(sc, undefined);
  assert.ok(none('Steady') > 0);
  assert.equal(floor('Steady'), none('Steady'));
  // Taking the floor from those windows as well (the variant) would hide the root.
  const fromIssues = issueSignals(sc, issue, { ...DEFAULT_PETSHOP_SIGNALS, tailQuantile: 0.95, tailFromIssues: true });
  assert.equal(fromIssues.find((s) => s.service === 'Steady')?.score ?? 0, 0);
});
