// The plain CSV of NAB files: a header row, no quoting, LF or CRLF line ends.
import { readFileSync } from 'node:fs';

export interface CsvTable {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

export function readCsv(path: string): CsvTable {
  const text = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
  const lines = text.split('\n');
  const header = lines[0]!.trimEnd().split(',');
  const rows: string[][] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trimEnd();
    if (line !== '') rows.push(line.split(','));
  }
  return { header, rows };
}

/** Index of a named column; a missing one is an error naming the file. */
export function columnIndex(table: CsvTable, name: string, path: string): number {
  const i = table.header.indexOf(name);
  if (i < 0) throw new Error(`${path}: no column "${name}" (header: ${table.header.join(',')})`);
  return i;
}
