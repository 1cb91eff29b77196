/**
 * Severities as used by Alertmanager routing conventions and PagerDuty:
 * critical pages now; info is recorded only.
 */
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

const RANK: Record<Severity, number> = { critical: 4, high: 3, medium: 2, low: 1, info: 0 };

export function severityRank(s: Severity): number {
  return RANK[s];
}

export function isSeverity(s: unknown): s is Severity {
  return typeof s === 'string' && (SEVERITIES as readonly string[]).includes(s);
}

/** The more severe of two. */
export function maxSeverity(a: Severity, b: Severity): Severity {
  return RANK[a] >= RANK[b] ? a : b;
}

/** Common aliases from other tools (PagerDuty's "error"/"warning", Alertmanager's "warning"/"page"). */
export function parseSeverity(s: string): Severity | undefined {
  const x = s.trim().toLowerCase();
  if (isSeverity(x)) return x;
  switch (x) {
    case 'page':
    case 'fatal':
    case 'emergency':
      return 'critical';
    case 'error':
    case 'major':
      return 'high';
    case 'warning':
    case 'warn':
    case 'minor':
      return 'medium';
    case 'notice':
      return 'low';
    case 'informational':
    case 'none':
      return 'info';
    default:
      return undefined;
  }
}
