import { type SendMailOptions, type Transporter, createTransport } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { KIND_LABELS, SEVERITY_COLORS, headline, iso, labelPairs, plainText } from '../render.js';
import { SecretScrubber, REDACTED } from '../secrets.js';
import { type DeliveryResult, type Notification, type NotificationChannel, delivered, failed, retry } from '../types.js';

/**
 * E-mail over SMTP (nodemailer): a multipart/alternative message with a text
 * and an HTML part; the subject carries the kind, severity and title.
 *
 * SMTP cannot deduplicate: a retry after a lost answer, or a re-send after a
 * crash mid-transaction, can deliver twice. Every message has the Message-ID
 * `<notification id@vigil>` (the same on every attempt, so clients that drop
 * duplicate Message-IDs will) and references `<dedupKey@vigil>` so one alert
 * group's messages thread together.
 */
export interface EmailChannelOptions {
  name: string;
  smtp: {
    host: string;
    port?: number;
    /** TLS from the start (port 465). Otherwise STARTTLS is used when the server offers it. */
    secure?: boolean;
    /** Refuse to send unless STARTTLS succeeds. */
    requireTls?: boolean;
    auth?: { user: string; password: string };
    /** Accept self-signed certificates (testing only). */
    tlsInsecure?: boolean;
  };
  from: string;
  to: string[];
  cc?: string[];
  /** Prepended to the subject. Default "[Vigil]". */
  subjectPrefix?: string;
  timeoutMs?: number;
  concurrency?: number;
}

export class EmailChannel implements NotificationChannel {
  readonly type = 'email';
  readonly name: string;
  readonly timeoutMs?: number;
  readonly concurrency?: number;
  private readonly o: EmailChannelOptions;
  private readonly scrubber: SecretScrubber;
  private transport: Transporter<SMTPTransport.SentMessageInfo> | undefined;

  constructor(o: EmailChannelOptions) {
    if (o.to.length === 0) throw new RangeError(`${o.name}: at least one recipient is required`);
    this.o = o;
    this.name = o.name;
    this.timeoutMs = o.timeoutMs;
    this.concurrency = o.concurrency;
    this.scrubber = new SecretScrubber([o.smtp.auth?.password]);
  }

  private getTransport(): Transporter<SMTPTransport.SentMessageInfo> {
    if (!this.transport) {
      const s = this.o.smtp;
      const t = this.timeoutMs ?? 30_000;
      const opts: SMTPTransport.Options = {
        host: s.host,
        port: s.port ?? (s.secure ? 465 : 587),
        secure: s.secure ?? false,
        requireTLS: s.requireTls ?? false,
        connectionTimeout: t,
        greetingTimeout: t,
        socketTimeout: t,
        disableFileAccess: true,
        disableUrlAccess: true,
        ...(s.auth ? { auth: { user: s.auth.user, pass: s.auth.password } } : {}),
        ...(s.tlsInsecure ? { tls: { rejectUnauthorized: false } } : {}),
      };
      this.transport = createTransport(opts);
    }
    return this.transport;
  }

  async send(n: Notification, signal: AbortSignal): Promise<DeliveryResult> {
    if (signal.aborted) return retry(`${this.name}: aborted before sending`);
    const message = emailMessage(n, this.o);
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<DeliveryResult>((resolve) => {
      onAbort = () => {
        const reason = signal.reason as { name?: string } | undefined;
        resolve(retry(`${this.name}: ${reason?.name === 'TimeoutError' ? 'timed out' : 'aborted'}`));
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
    const sending = this.getTransport()
      .sendMail(message)
      .then((info): DeliveryResult => (info.rejected.length && !info.accepted.length ? failed(`${this.name}: every recipient was rejected`) : delivered(this.scrubber.scrub(String(info.response ?? '')).slice(0, 200))))
      .catch((e: unknown) => this.classify(e));
    try {
      // nodemailer has no AbortSignal: on abort the attempt is abandoned (its socket times out on its own).
      return await Promise.race([sending, aborted]);
    } finally {
      signal.removeEventListener('abort', onAbort!);
    }
  }

  /** SMTP 4xx and connection problems are transient; 5xx and authentication failures are not. */
  private classify(e: unknown): DeliveryResult {
    const err = e as { code?: string; responseCode?: number; message?: string };
    const msg = `${this.name}: ${this.scrubber.scrub(err.message ?? String(e)).replace(/\s+/g, ' ').slice(0, 300)}`;
    if (err.code === 'EAUTH' || err.code === 'ENOAUTH') return failed(msg);
    if (typeof err.responseCode === 'number') return err.responseCode >= 500 ? failed(msg) : retry(msg);
    return retry(msg);
  }

  describe(): Record<string, unknown> {
    const s = this.o.smtp;
    return {
      name: this.name,
      type: this.type,
      smtp: { host: s.host, port: s.port ?? (s.secure ? 465 : 587), secure: s.secure ?? false, ...(s.auth ? { auth: { user: s.auth.user, password: REDACTED } } : {}) },
      from: this.o.from,
      to: this.o.to,
      ...(this.o.cc?.length ? { cc: this.o.cc } : {}),
    };
  }

  close(): void {
    this.transport?.close();
    this.transport = undefined;
  }
}

/** The message nodemailer sends. Exported for tests and previews. */
export function emailMessage(n: Notification, o: Pick<EmailChannelOptions, 'from' | 'to' | 'cc' | 'subjectPrefix'>): SendMailOptions {
  const prefix = o.subjectPrefix ?? '[Vigil]';
  const subject = `${prefix ? prefix + ' ' : ''}${headline(n)}`.replace(/[\r\n]+/g, ' ');
  const domain = 'vigil';
  return {
    from: o.from,
    to: o.to,
    ...(o.cc?.length ? { cc: o.cc } : {}),
    subject,
    text: plainText(n),
    html: emailHtml(n),
    messageId: `<${n.id}@${domain}>`,
    references: [`<${n.dedupKey}@${domain}>`],
    headers: { 'X-Vigil-Delivery-Id': n.id, 'X-Vigil-Dedup-Key': n.dedupKey, 'X-Vigil-Severity': n.severity, 'X-Vigil-Event': n.kind },
  };
}

export function emailHtml(n: Notification): string {
  const color = SEVERITY_COLORS[n.severity];
  const row = (k: string, v: string) => `<tr><th align="left" style="padding:2px 12px 2px 0;color:#555">${h(k)}</th><td>${v}</td></tr>`;
  const rows = [row('Severity', h(n.severity)), row('Status', h(KIND_LABELS[n.kind].toLowerCase()))];
  if (n.labels.service) rows.push(row('Service', h(n.labels.service)));
  const labels = labelPairs(n.labels);
  if (labels.length) rows.push(row('Labels', labels.map((l) => `<code>${h(l)}</code>`).join(' ')));
  const links: string[] = [];
  if (n.links.vigil) links.push(`<a href="${h(n.links.vigil)}">Open in Vigil</a>`);
  if (n.links.ack && n.kind !== 'resolved' && n.kind !== 'acknowledged') links.push(`<a href="${h(n.links.ack)}">Acknowledge</a>`);
  if (n.annotations.runbook_url) links.push(`<a href="${h(n.annotations.runbook_url)}">Runbook</a>`);
  const desc = n.annotations.description && n.annotations.description !== n.summary ? `<p>${h(n.annotations.description)}</p>` : '';
  const actions = n.annotations.recommended_actions?.length ? `<h3>Recommended actions</h3><ol>${n.annotations.recommended_actions.map((a) => `<li>${h(a)}</li>`).join('')}</ol>` : '';
  const alerts = n.alerts
    .slice(0, 50)
    .map((a) => `<li><b>${h(a.state)}</b> ${h(a.severity)} <code>${h(labelPairs(a.labels).join(', '))}</code> since ${h(iso(a.startsAt))}${a.annotations.summary ? ` — ${h(a.annotations.summary)}` : ''}</li>`)
    .join('');
  return `<!doctype html>
<html><body style="font-family:sans-serif;font-size:14px">
<div style="border-left:6px solid ${color};padding:4px 12px">
<h2 style="margin:4px 0">${h(headline(n))}</h2>
<p>${h(n.summary)}</p>${desc}
<table>${rows.join('')}</table>${actions}
<h3>Alerts (${n.alerts.length})</h3><ul>${alerts}${n.alerts.length > 50 ? `<li>… and ${n.alerts.length - 50} more</li>` : ''}</ul>
<p>${links.join(' · ')}</p>
<p style="color:#888;font-size:12px">Notification ${h(n.id)} · group ${h(n.dedupKey)} · ${h(iso(n.createdAt))}</p>
</div>
</body></html>`;
}

function h(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
