import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { EmailChannel, buildNotification } from '../../src/notify/index.js';
import { alert, header, mimeParts } from './helpers.js';

interface Received {
  from: string;
  to: string[];
  raw: string;
  user: string | undefined;
}

async function startSmtp(opts: { password: string; reject?: number }): Promise<{ port: number; mails: Received[]; close: () => Promise<void> }> {
  const mails: Received[] = [];
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === 'vigil' && auth.password === opts.password) cb(null, { user: auth.username });
      else cb(new Error('Invalid username or password'));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (opts.reject) {
          const err = Object.assign(new Error('mailbox unavailable'), { responseCode: opts.reject });
          return cb(err);
        }
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          user: session.user,
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

test('email: one SMTP message with subject, text and HTML parts, recipients from config, authenticated', async () => {
  const password = 'smtp-pa55word-from-env';
  const smtp = await startSmtp({ password });
  const ch = new EmailChannel({
    name: 'mail',
    smtp: { host: '127.0.0.1', port: smtp.port, secure: false, auth: { user: 'vigil', password } },
    from: 'Vigil <vigil@example.com>',
    to: ['oncall@example.com', 'sre@example.com'],
    cc: ['lead@example.com'],
  });
  try {
    const n = buildNotification({
      channel: 'mail',
      kind: 'firing',
      alerts: [alert({ severity: 'high', annotations: { summary: 'Disk <almost> full & rising', description: 'Disk at 93%', runbook_url: 'https://runbooks.example.com/disk' } })],
      links: { vigil: 'https://vigil.example.com/a/1', ack: 'https://vigil.example.com/ack/1?sig=x' },
      annotations: { recommended_actions: ['Delete old logs'] },
    });
    const r = await ch.send(n, AbortSignal.timeout(10_000));
    assert.equal(r.status, 'delivered', JSON.stringify(r));
    assert.equal(smtp.mails.length, 1);
    const mail = smtp.mails[0]!;
    assert.equal(mail.user, 'vigil');
    assert.equal(mail.from, 'vigil@example.com');
    assert.deepEqual(mail.to.sort(), ['lead@example.com', 'oncall@example.com', 'sre@example.com']);
    const { headers, parts } = mimeParts(mail.raw);
    assert.equal(header(headers, 'Subject'), '[Vigil] [FIRING] HIGH: Disk <almost> full & rising');
    assert.equal(header(headers, 'Message-ID'), `<${n.id}@vigil>`);
    assert.equal(header(headers, 'X-Vigil-Delivery-Id'), n.id);
    assert.match(header(headers, 'Content-Type')!, /^multipart\/alternative/);
    const text = parts.find((p) => p.contentType === 'text/plain')!;
    const html = parts.find((p) => p.contentType === 'text/html')!;
    assert.ok(text && html, `parts: ${parts.map((p) => p.contentType).join(', ')}`);
    assert.match(text.body, /\[FIRING\] HIGH: Disk <almost> full & rising/);
    assert.match(text.body, /Acknowledge: https:\/\/vigil\.example\.com\/ack\/1\?sig=x/);
    assert.match(text.body, /1\. Delete old logs/);
    assert.match(html.body, /Disk &lt;almost&gt; full &amp; rising/, 'HTML is escaped');
    assert.match(html.body, /border-left:6px solid #e85d04/);
    assert.match(html.body, /<a href="https:\/\/vigil\.example\.com\/ack\/1\?sig=x">Acknowledge<\/a>/);
    assert.ok(!JSON.stringify(ch.describe()).includes(password));
  } finally {
    ch.close();
    await smtp.close();
  }
});

test('email: a wrong password fails permanently, a 4xx answer is retryable, a dead server is retryable; no password in errors', async () => {
  const password = 'right-password-1234';
  const smtp = await startSmtp({ password });
  const n = buildNotification({ channel: 'mail', kind: 'test', alerts: [alert()] });
  const wrong = new EmailChannel({ name: 'mail', smtp: { host: '127.0.0.1', port: smtp.port, auth: { user: 'vigil', password: 'wrong-password-5678' } }, from: 'v@example.com', to: ['o@example.com'] });
  const bad = await wrong.send(n, AbortSignal.timeout(10_000));
  wrong.close();
  assert.equal(bad.status, 'failed');
  assert.ok(bad.status === 'failed' && bad.error.startsWith('mail: ') && !bad.error.includes('wrong-password-5678'), JSON.stringify(bad));
  await smtp.close();

  const busy = await startSmtp({ password, reject: 451 });
  const ch = new EmailChannel({ name: 'mail', smtp: { host: '127.0.0.1', port: busy.port, auth: { user: 'vigil', password } }, from: 'v@example.com', to: ['o@example.com'] });
  assert.equal((await ch.send(n, AbortSignal.timeout(10_000))).status, 'retry');
  ch.close();
  await busy.close();

  const dead = new EmailChannel({ name: 'mail', smtp: { host: '127.0.0.1', port: busy.port }, from: 'v@example.com', to: ['o@example.com'], timeoutMs: 2000 });
  assert.equal((await dead.send(n, AbortSignal.timeout(5000))).status, 'retry');
  dead.close();
});
