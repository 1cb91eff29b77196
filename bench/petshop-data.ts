import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Reader for the PetShop RCA dataset (../shared/datasets/petshop, layout in its README):
 * graph.csv adjacency (row calls column), metrics.csv with three header rows, issues with target.json.
 */

export interface MetricColumn {
  node: string;
  metric: string;
  statistic: string;
}

export interface MetricTable {
  columns: MetricColumn[];
  times: number[];
  /** values[c][row]; NaN where the cell is empty. */
  values: Float64Array[];
}

export interface PetshopIssue {
  scenario: string;
  split: 'train' | 'test';
  name: string;
  target: { node: string; metric: string; agg: string; timestamp: number };
  rootCause: string;
  metrics: MetricTable;
}

export interface PetshopScenario {
  name: string;
  nodes: string[];
  /** [caller, callee] pairs. */
  calls: Array<[string, string]>;
  noIssue?: MetricTable;
  issues: PetshopIssue[];
}

export const PETSHOP_SCENARIOS = ['low_traffic', 'high_traffic', 'temporal_traffic1', 'temporal_traffic2'] as const;

export function readScenario(root: string, name: string): PetshopScenario {
  const dir = join(root, name);
  const { nodes, calls } = readGraph(join(dir, 'graph.csv'));
  const noIssuePath = join(dir, 'noissue', 'metrics.csv');
  const issues: PetshopIssue[] = [];
  for (const split of ['train', 'test'] as const) {
    const splitDir = join(dir, split);
    if (!existsSync(splitDir)) continue;
    const names = readdirSync(splitDir).filter((d) => d.startsWith('issue_')).sort((a, b) => Number(a.slice(6)) - Number(b.slice(6)));
    for (const issue of names) {
      const t = JSON.parse(readFileSync(join(splitDir, issue, 'target.json'), 'utf8'));
      issues.push({ scenario: name, split, name: issue, target: t.target, rootCause: t.root_cause.node, metrics: readMetrics(join(splitDir, issue, 'metrics.csv')) });
    }
  }
  return { name, nodes, calls, ...(existsSync(noIssuePath) ? { noIssue: readMetrics(noIssuePath) } : {}), issues };
}

function readGraph(path: string): { nodes: string[]; calls: Array<[string, string]> } {
  const rows = parseCsvLines(readFileSync(path, 'utf8'));
  const nodes = rows[0].slice(1);
  const calls: Array<[string, string]> = [];
  for (const row of rows.slice(1)) {
    const from = row[0];
    row.slice(1).forEach((cell, j) => {
      if (Number(cell) === 1 && from !== nodes[j]) calls.push([from, nodes[j]]);
    });
  }
  return { nodes, calls };
}

export function readMetrics(path: string): MetricTable {
  const rows = parseCsvLines(readFileSync(path, 'utf8'));
  const [nodeRow, metricRow, statRow] = rows;
  const columns = nodeRow.slice(1).map((node, j) => ({ node, metric: metricRow[j + 1], statistic: statRow[j + 1] }));
  const data = rows.slice(3).filter((r) => r[0] !== 'unix_timestamp' && r[0] !== '');
  const values = columns.map(() => new Float64Array(data.length));
  const times = data.map((r, i) => {
    columns.forEach((_, j) => (values[j][i] = r[j + 1] === undefined || r[j + 1] === '' ? NaN : Number(r[j + 1])));
    return Number(r[0]) * 1000;
  });
  return { columns, times, values };
}

/** CSV with double-quoted cells (node names may contain commas). */
function parseCsvLines(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}
