import { accountNoticeMessages, accountNoticeSms } from '@qdesk/core';
import type { AccountNoticeContext, EmailMessage, SmsMessage } from '@qdesk/core/ports';
import { HttpResponse, http } from 'msw';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsoleChannel } from './console/console-channel.js';
import { createGraphEmail } from './graph/graph-email.js';
import { countSmsSegments } from './sms-segments.js';
import { createSmtpEmail } from './smtp/smtp-email.js';
import { createFakeGraph } from './test-support/fake-graph.js';
import { createRecordingLogger } from './test-support/logger.js';
import { useMswServer } from './test-support/msw.js';
import { type LocalSmtpServer, startLocalSmtpServer } from './test-support/smtp-server.js';
import { createTwilioSms } from './twilio/twilio-sms.js';

// Account notices (a sign-in link, a new device) through every SMS and email channel, built with core's public
// builder: no code in them, so nothing may assume one. Providers are faked at their boundary only.

const now = Date.UTC(2026, 10, 30, 12, 34, 56);
const enrolLink =
  'https://help.northwind.example/self-serve/enrol#t=Zk3qL9vXw2Rt7YpB4nHs8DcE1gMu6JaQ5oVi0TfN';
// The two kinds that carry a link; a phone_changed notice (no link, one segment) has a test of its own below.
const contexts: Record<Exclude<AccountNoticeContext['kind'], 'phone_changed'>, AccountNoticeContext> = {
  enrolment_link: {
    kind: 'enrolment_link',
    mspName: 'Northwind IT',
    link: enrolLink,
    deviceLabel: null,
    expiresInMinutes: 15,
    expiresAt: now + 15 * 60_000,
    at: now,
  },
  device_enrolled: {
    kind: 'device_enrolled',
    mspName: 'Northwind IT',
    link: 'https://help.northwind.example/devices',
    deviceLabel: 'Chrome on Android',
    expiresInMinutes: null,
    expiresAt: now + 60 * 60_000,
    at: now,
  },
};
const kinds = Object.keys(contexts) as (keyof typeof contexts)[];

/** The SMS and email of a notice of `kind` for one end-user, as the app builds them. */
const notice = (kind: keyof typeof contexts, context: Partial<AccountNoticeContext> = {}) => {
  const { sms, email } = accountNoticeMessages({
    tenantId: 'msp-northwind',
    context: { ...contexts[kind], ...context },
    phone: '+15005550006',
    email: 'jo.user@contoso.example',
    noticeId: `notice-${kind}-1`,
  });
  return { sms: sms as SmsMessage, email: email as EmailMessage };
};

// Twilio's Messages API and Microsoft Graph, behind one msw server.
const accountSid = `AC${'a'.repeat(32)}`;
const twilioForms: URLSearchParams[] = [];
const graph = createFakeGraph({
  tenantId: '3f8c2a1e-5b7d-4c9e-8a6f-2d1b0c9e7a54',
  clientId: '0f5b3c2a-4d6e-4f70-8a9b-1c2d3e4f5a6b',
  clientSecret: 'Zq8~fake.client.secret-value_0123456789',
  sender: 'it-verify@contoso.example',
});
useMswServer(
  ...graph.handlers,
  http.post(`https://api.twilio.com/2010-04-01/Accounts/${accountSid}/Messages.json`, async ({ request }) => {
    twilioForms.push(new URLSearchParams(await request.text()));
    return HttpResponse.json({ sid: `SM${'c'.repeat(32)}`, status: 'accepted' }, { status: 201 });
  }),
);

let smtp: LocalSmtpServer;
beforeAll(async () => {
  smtp = await startLocalSmtpServer();
});
afterAll(() => smtp.close());

describe('account notices by SMS', () => {
  it.each(kinds)(
    'Twilio sends a %s notice, bounded by its expiry, its callback naming the notice',
    async (kind) => {
      const logger = createRecordingLogger();
      const channel = createTwilioSms({
        accountSid,
        authToken: 'test-auth-token',
        from: '+15017122661',
        statusCallbackUrl: 'https://qdesk.example.com/twilio/status',
        logger,
        now: () => now,
      });
      const { sms } = notice(kind);
      expect(await channel.send(sms)).toEqual({
        status: 'accepted',
        providerMessageId: `SM${'c'.repeat(32)}`,
      });
      const form = twilioForms.at(-1)!;
      expect(form.get('Body')).toBe(sms.text);
      expect(form.get('ValidityPeriod')).toBe(String((contexts[kind].expiresAt - now) / 1000));
      const callback = new URL(form.get('StatusCallback')!).searchParams;
      expect([callback.get('sessionId'), callback.get('tenantId')]).toEqual([
        `notice-${kind}-1`,
        'msp-northwind',
      ]);
      // Both texts take two segments with these links, so the channel warns: with ids and counts, never the link.
      expect(countSmsSegments(sms.text).segments).toBe(2);
      const logged = (await logger.lines()).join('\n');
      expect(logged).toContain('segment');
      expect(logged).toContain(`notice-${kind}-1`);
      expect(logged).not.toContain(contexts[kind].link!);
    },
  );

  it('Twilio sends a phone_changed notice (no link) to the old number in one segment', async () => {
    const channel = createTwilioSms({ accountSid, authToken: 't', from: '+15017122661', now: () => now });
    const { sms } = accountNoticeMessages({
      tenantId: 'msp-northwind',
      context: { ...contexts.device_enrolled, kind: 'phone_changed', link: null, deviceLabel: null },
      phone: '+15005550006',
      email: null,
      noticeId: 'notice-phone-1',
    });
    expect(await channel.send(sms!)).toMatchObject({ status: 'accepted' });
    expect(twilioForms.at(-1)!.get('Body')).toBe(sms!.text);
    expect(countSmsSegments(sms!.text).segments).toBe(1);
  });

  it('Twilio drops a notice that expired before it could be sent, as a notice', async () => {
    const before = twilioForms.length;
    const channel = createTwilioSms({
      accountSid,
      authToken: 't',
      from: '+15017122661',
      now: () => now + 61 * 60_000,
    });
    expect(await channel.send(notice('device_enrolled').sms)).toEqual({
      status: 'permanent_failure',
      providerCode: 'notice_expired',
      scope: 'message',
      reason: expect.stringContaining('The account notice expired before it could be sent'),
    });
    expect(twilioForms.length).toBe(before);
  });

  it('the console channel prints a notice under its notice id', async () => {
    const lines: string[] = [];
    const channel = createConsoleChannel('sms', { logger: { info: (line) => void lines.push(line) } });
    const { sms } = notice('device_enrolled');
    expect(await channel.send(sms)).toMatchObject({ status: 'accepted' });
    expect(lines).toEqual([
      `[console-sms] SMS to +15005550006 (notice notice-device_enrolled-1) accepted\n    ${sms.text}`,
    ]);
  });
});

describe('account notice SMS segments', () => {
  const segments = (context: Partial<AccountNoticeContext>, kind: keyof typeof contexts) =>
    countSmsSegments(accountNoticeSms({ ...contexts[kind], ...context }));

  it('fits a device notice in one GSM-7 segment with a short link or none', () => {
    expect(segments({ link: 'https://it.northwind.example/d' }, 'device_enrolled')).toMatchObject({
      encoding: 'GSM-7',
      segments: 1,
    });
    expect(segments({ link: null }, 'device_enrolled')).toMatchObject({ encoding: 'GSM-7', segments: 1 });
  });

  it('fits an enrolment link in one GSM-7 segment when short, and two for a typical 90-character link', () => {
    expect(segments({ link: 'https://it.northwind.example/e' }, 'enrolment_link')).toMatchObject({
      encoding: 'GSM-7',
      segments: 1,
    });
    expect(segments({}, 'enrolment_link')).toMatchObject({ encoding: 'GSM-7', segments: 2 });
  });

  it('stays in GSM-7 when a long MSP name or device label is clipped', () => {
    const long = { mspName: 'Northwind Managed IT Services and Support', deviceLabel: 'Firefox '.repeat(10) };
    const count = segments(long, 'device_enrolled');
    expect(count.encoding).toBe('GSM-7');
    expect(count.segments).toBeLessThanOrEqual(2);
  });
});

describe('account notices by email', () => {
  const smtpSettings = { from: 'Northwind IT <it-verify@msp.example>' };

  it.each(kinds)('SMTP sends a %s notice with its Expires and X-QDesk-Session headers', async (kind) => {
    const channel = createSmtpEmail({
      ...smtpSettings,
      smtp: { host: '127.0.0.1', port: smtp.port, ignoreTLS: true },
    });
    const { email } = notice(kind);
    try {
      expect(await channel.send(email)).toMatchObject({ status: 'accepted' });
    } finally {
      await channel.close();
    }
    const mail = smtp.received.at(-1)!;
    expect(mail.subject).toBe(email.subject);
    expect(mail.text?.trim()).toBe(email.text);
    expect(mail.html).toBe(email.html);
    expect(mail.headers.get('x-qdesk-session')).toBe(`notice-${kind}-1`);
    expect(Date.parse(String(mail.headers.get('expires')))).toBe(contexts[kind].expiresAt);
  });

  it('SMTP renders a notice in core wording, never through the code template', async () => {
    const seen: string[] = [];
    const channel = createSmtpEmail({
      ...smtpSettings,
      smtp: { host: '127.0.0.1', port: smtp.port, ignoreTLS: true },
      template: (ctx) => {
        seen.push(ctx.code);
        return { subject: `Code ${ctx.code}`, text: `Read ${ctx.code} to ${ctx.technicianName}.` };
      },
    });
    const { email } = notice('enrolment_link');
    try {
      expect(await channel.send(email)).toMatchObject({ status: 'accepted' });
    } finally {
      await channel.close();
    }
    expect(seen).toEqual([]);
    const mail = smtp.received.at(-1)!;
    expect(mail.subject).toBe(email.subject);
    expect(mail.text).toContain(enrolLink);
  });

  it.each(kinds)('Microsoft Graph sends a %s notice as its HTML, not kept in Sent Items', async (kind) => {
    const channel = createGraphEmail({
      tenantId: '3f8c2a1e-5b7d-4c9e-8a6f-2d1b0c9e7a54',
      clientId: '0f5b3c2a-4d6e-4f70-8a9b-1c2d3e4f5a6b',
      clientSecret: 'Zq8~fake.client.secret-value_0123456789',
      sender: 'it-verify@contoso.example',
    });
    const { email } = notice(kind);
    expect(await channel.send(email)).toMatchObject({ status: 'accepted' });
    expect(graph.delivered.at(-1)!.body).toEqual({
      message: {
        subject: email.subject,
        body: { contentType: 'HTML', content: email.html },
        toRecipients: [{ emailAddress: { address: 'jo.user@contoso.example' } }],
      },
      saveToSentItems: false,
    });
  });

  it('the console channel prints an email notice under its notice id', async () => {
    const lines: string[] = [];
    const channel = createConsoleChannel('email', { logger: { info: (line) => void lines.push(line) } });
    const { email } = notice('enrolment_link');
    await channel.send(email);
    expect(lines[0]).toMatch(
      /^\[console-email\] Email to jo\.user@contoso\.example \(notice notice-enrolment_link-1\) accepted/,
    );
    expect(lines[0]).toContain(enrolLink);
  });
});
