import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AlertEvent, Severity } from '../../src/core/index.js';

/** In notification tests a recording server plays the receiver: Slack, PagerDuty, a webhook endpoint. */
export { RecordingServer as Receiver, type RecordedRequest as Recorded } from '../helpers/recording-server.js';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function tempDir(prefix = 'vigil-notify-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

let seq = 0;
export function alert(over: Partial<AlertEvent> & { labels?: Record<string, string>; severity?: Severity } = {}): AlertEvent {
  seq++;
  return {
    kind: 'alert',
    fingerprint: over.fingerprint ?? `fp-${seq}`,
    source: 'vigil',
    state: 'firing',
    severity: 'critical',
    labels: { alertname: 'HighErrorRate', service: 'checkout', instance: `host-${seq}:9100`, env: 'prod' },
    annotations: { summary: 'Checkout error rate above 5%', description: 'The 5xx ratio is 12% over the last 5 minutes.', runbook_url: 'https://runbooks.example.com/checkout-errors' },
    startsAt: 1_700_000_000_000,
    ...over,
  };
}

/** Splits a MIME message into its leaf parts, decoding quoted-printable and base64 bodies. */
export function mimeParts(raw: string): { headers: string; parts: Array<{ contentType: string; body: string }> } {
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  const body = rest.join('\r\n\r\n');
  const unfolded = head!.replace(/\r?\n[ \t]+/g, ' ');
  const parts: Array<{ contentType: string; body: string }> = [];
  const walk = (headers: string, content: string) => {
    const ct = /^content-type:\s*([^;\r\n]+)(.*)$/im.exec(headers);
    const type = ct?.[1]?.trim().toLowerCase() ?? 'text/plain';
    if (type.startsWith('multipart/')) {
      const boundary = /boundary="?([^";\r\n]+)"?/i.exec(ct![2]!)?.[1];
      if (!boundary) return;
      for (const chunk of content.split(`--${boundary}`).slice(1)) {
        if (chunk.startsWith('--')) break;
        const [h, ...b] = chunk.replace(/^\r?\n/, '').split(/\r?\n\r?\n/);
        walk(h!.replace(/\r?\n[ \t]+/g, ' '), b.join('\r\n\r\n'));
      }
      return;
    }
    const enc = /^content-transfer-encoding:\s*(\S+)/im.exec(headers)?.[1]?.toLowerCase();
    let text = content;
    if (enc === 'base64') text = Buffer.from(content.replace(/\s+/g, ''), 'base64').toString('utf8');
    else if (enc === 'quoted-printable')
      text = Buffer.from(
        content.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
        'latin1',
      ).toString('utf8');
    parts.push({ contentType: type, body: text });
  };
  walk(unfolded, body);
  return { headers: unfolded, parts };
}

/** The value of one header in an unfolded header block, with RFC 2047 words decoded. */
export function header(headers: string, name: string): string | undefined {
  const m = new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(headers);
  if (!m) return undefined;
  return m[1]!.replace(/=\?utf-8\?([bq])\?([^?]*)\?=\s*/gi, (_w, enc: string, text: string) =>
    enc.toLowerCase() === 'b'
      ? Buffer.from(text, 'base64').toString('utf8')
      : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'),
  ).trim();
}
