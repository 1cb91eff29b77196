import type { Severity } from '../core/index.js';
import type { Notification, NotificationKind } from './types.js';

/** Colour of each severity (Slack's attachment bar, the e-mail header). */
export const SEVERITY_COLORS: Readonly<Record<Severity, string>> = {
  critical: '#d00000',
  high: '#e85d04',
  medium: '#f4a261',
  low: '#2a9d8f',
  info: '#8d99ae',
};

export const KIND_LABELS: Readonly<Record<NotificationKind, string>> = {
  firing: 'FIRING',
  resolved: 'RESOLVED',
  acknowledged: 'ACKNOWLEDGED',
  escalated: 'ESCALATED',
  test: 'TEST',
};

/** Cuts to at most `max` characters (code units), marking the cut with an ellipsis. */
export function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  if (max <= 1) return s.slice(0, max);
  // Do not split a surrogate pair.
  let end = max - 1;
  const c = s.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return s.slice(0, end) + '…';
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** `[FIRING] CRITICAL: title`: subject lines, Slack's fallback text. */
export function headline(n: Notification): string {
  return `[${KIND_LABELS[n.kind]}] ${n.severity.toUpperCase()}: ${n.title}`;
}

/** Labels as `k=v` pairs, `__name__` first, for compact display. */
export function labelPairs(labels: Readonly<Record<string, string>>): string[] {
  return Object.entries(labels)
    .filter(([, v]) => v !== '')
    .sort(([a], [b]) => (a === '__name__' ? -1 : b === '__name__' ? 1 : a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`);
}

/** Plain-text body shared by e-mail and any text-only receiver. */
export function plainText(n: Notification): string {
  const lines = [headline(n), '', n.summary, ''];
  if (n.annotations.description && n.annotations.description !== n.summary) lines.push(n.annotations.description, '');
  lines.push(`Severity: ${n.severity}`);
  if (n.labels.service) lines.push(`Service: ${n.labels.service}`);
  const labels = labelPairs(n.labels);
  if (labels.length) lines.push(`Labels: ${labels.join(', ')}`);
  if (n.annotations.recommended_actions?.length) {
    lines.push('', 'Recommended actions:');
    n.annotations.recommended_actions.forEach((a, i) => lines.push(`  ${i + 1}. ${a}`));
  }
  lines.push('', `Alerts (${n.alerts.length}):`);
  for (const a of n.alerts.slice(0, 50))
    lines.push(`  - [${a.state}] ${a.severity} ${labelPairs(a.labels).join(', ')} since ${iso(a.startsAt)}${a.annotations.summary ? `: ${a.annotations.summary}` : ''}`);
  if (n.alerts.length > 50) lines.push(`  ... and ${n.alerts.length - 50} more`);
  lines.push('');
  if (n.links.vigil) lines.push(`Open in Vigil: ${n.links.vigil}`);
  if (n.links.ack) lines.push(`Acknowledge: ${n.links.ack}`);
  if (n.annotations.runbook_url) lines.push(`Runbook: ${n.annotations.runbook_url}`);
  lines.push('', `Notification ${n.id} (group ${n.dedupKey}) at ${iso(n.createdAt)}`);
  return lines.join('\n');
}
