// NAB timestamps: `YYYY-MM-DD HH:MM:SS`, optionally with a fraction (the label file uses `.000000`), read as UTC.

const PATTERN = /^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?$/;

/** Milliseconds since the epoch; a fraction finer than 1 ms is dropped. */
export function parseNabTimestamp(text: string): number {
  const m = PATTERN.exec(text);
  if (!m) throw new Error(`not a NAB timestamp: ${JSON.stringify(text)}`);
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, ms);
}

/** `YYYY-MM-DD HH:MM:SS`, the form of NAB's data and result files. */
export function formatNabTimestamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}
