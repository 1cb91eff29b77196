import { postJson } from '../http.js';
import { KIND_LABELS, SEVERITY_COLORS, headline, iso, labelPairs, truncate } from '../render.js';
import { SecretScrubber, redactUrl } from '../secrets.js';
import type { DeliveryResult, Notification, NotificationChannel } from '../types.js';

/**
 * Slack incoming webhook: Block Kit message (header, summary and fields,
 * context, link buttons back to Vigil) plus a legacy attachment that carries
 * the severity colour bar and the list of alerts, and `text` as the fallback
 * for notifications and clients without blocks.
 *
 * Slack cannot deduplicate: a retry after a lost response, or a re-send after
 * a crash mid-request, posts the message twice (the notification id is shown
 * in the context line so duplicates are recognisable).
 */
export interface SlackChannelOptions {
  name: string;
  /** `https://hooks.slack.com/services/T…/B…/…` (a secret). */
  webhookUrl: string;
  timeoutMs?: number;
  concurrency?: number;
}

// Block Kit limits (api.slack.com/reference/block-kit).
export const SLACK_LIMITS = {
  headerText: 150,
  sectionText: 3000,
  fieldText: 2000,
  fields: 10,
  contextElements: 10,
  buttonText: 75,
  buttonUrl: 3000,
  blocks: 50,
} as const;

const EMOJI: Record<string, string> = { critical: ':red_circle:', high: ':large_orange_circle:', medium: ':large_yellow_circle:', low: ':large_green_circle:', info: ':white_circle:' };

export class SlackChannel implements NotificationChannel {
  readonly type = 'slack';
  readonly name: string;
  readonly timeoutMs?: number;
  readonly concurrency?: number;
  private readonly url: string;
  private readonly scrubber: SecretScrubber;

  constructor(o: SlackChannelOptions) {
    this.name = o.name;
    this.url = o.webhookUrl;
    this.timeoutMs = o.timeoutMs;
    this.concurrency = o.concurrency;
    this.scrubber = new SecretScrubber([o.webhookUrl]);
  }

  send(n: Notification, signal: AbortSignal): Promise<DeliveryResult> {
    return postJson({ channel: this.name, url: this.url, body: JSON.stringify(slackPayload(n)), headers: {}, signal, scrubber: this.scrubber });
  }

  describe(): Record<string, unknown> {
    return { name: this.name, type: this.type, webhookUrl: redactUrl(this.url) };
  }
}

type Text = { type: 'plain_text' | 'mrkdwn'; text: string; emoji?: boolean };

/** The webhook body. Exported for tests and previews. */
export function slackPayload(n: Notification): Record<string, unknown> {
  const color = SEVERITY_COLORS[n.severity];
  const fields: Text[] = [
    { type: 'mrkdwn', text: `*Severity*\n${cap(n.severity)}` },
    { type: 'mrkdwn', text: `*Status*\n${cap(KIND_LABELS[n.kind].toLowerCase())}` },
  ];
  if (n.labels.service) fields.push({ type: 'mrkdwn', text: `*Service*\n${esc(n.labels.service)}` });
  fields.push({ type: 'mrkdwn', text: `*Alerts*\n${n.alerts.length}` });
  const labels = labelPairs(n.labels).filter((p) => !p.startsWith('service=') && !p.startsWith('severity='));
  if (labels.length) fields.push({ type: 'mrkdwn', text: truncate(`*Labels*\n${labels.map((l) => `\`${esc(l)}\``).join(' ')}`, SLACK_LIMITS.fieldText) });

  const blocks: Array<Record<string, unknown>> = [
    { type: 'header', text: { type: 'plain_text', text: truncate(`[${KIND_LABELS[n.kind]}] ${n.title}`, SLACK_LIMITS.headerText), emoji: true } },
    { type: 'section', text: { type: 'mrkdwn', text: truncate(`${EMOJI[n.severity]} ${esc(n.summary)}`, SLACK_LIMITS.sectionText) }, fields: fields.slice(0, SLACK_LIMITS.fields) },
  ];
  const desc = n.annotations.description;
  const actions = n.annotations.recommended_actions;
  if ((desc && desc !== n.summary) || actions?.length) {
    let text = desc && desc !== n.summary ? esc(desc) : '';
    if (actions?.length) text += `${text ? '\n\n' : ''}*Recommended actions*\n${actions.map((a, i) => `${i + 1}. ${esc(a)}`).join('\n')}`;
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(text, SLACK_LIMITS.sectionText) } });
  }
  const started = Math.min(...n.alerts.map((a) => a.startsAt));
  blocks.push({
    type: 'context',
    elements: [
      { type: 'mrkdwn', text: `Vigil · since <!date^${Math.floor(started / 1000)}^{date_short_pretty} {time}|${iso(started)}>` },
      { type: 'mrkdwn', text: `group \`${esc(n.dedupKey)}\` · notification \`${esc(n.id)}\`` },
    ],
  });
  const buttons: Array<Record<string, unknown>> = [];
  const button = (text: string, url: string | undefined, actionId: string, style?: 'primary' | 'danger') => {
    if (!url || url.length > SLACK_LIMITS.buttonUrl) return;
    buttons.push({ type: 'button', text: { type: 'plain_text', text, emoji: true }, url, action_id: actionId, ...(style ? { style } : {}) });
  };
  button('Open in Vigil', n.links.vigil, 'vigil_open');
  if (n.kind !== 'resolved' && n.kind !== 'acknowledged') button('Acknowledge', n.links.ack, 'vigil_ack', 'primary');
  button('Runbook', n.annotations.runbook_url, 'vigil_runbook');
  if (buttons.length) blocks.push({ type: 'actions', elements: buttons });

  const alertLines = n.alerts.slice(0, 20).map((a) => `• *${a.state}* ${esc(labelPairs(a.labels).join(', '))}${a.annotations.summary ? ` — ${esc(a.annotations.summary)}` : ''}`);
  if (n.alerts.length > 20) alertLines.push(`… and ${n.alerts.length - 20} more`);
  const fallback = truncate(`${headline(n)} — ${n.summary}`, 3000);
  return {
    text: fallback,
    blocks,
    attachments: [{ color, fallback, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: truncate(alertLines.join('\n'), SLACK_LIMITS.sectionText) } }] }],
  };
}

/** Slack's mrkdwn needs only &, < and > escaped. */
function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
