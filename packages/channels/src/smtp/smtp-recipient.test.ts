import type { AddressObject } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { context, emailMessage } from '../test-support/messages.js';
import { type LocalSmtpServer, startLocalSmtpServer } from '../test-support/smtp-server.js';
import { createSmtpEmail, type SmtpEmailChannel } from './smtp-email.js';

// Messages whose text mentions the code are refused at the end of DATA with a reply that quotes it, as content
// filters do.
let server: LocalSmtpServer;
beforeAll(async () => {
  server = await startLocalSmtpServer({
    onMessage: (mail) =>
      mail.subject === 'filtered'
        ? Object.assign(new Error(`5.7.1 Message rejected: spam content "${mail.text?.trim()}"`), {
            responseCode: 554,
          })
        : undefined,
  });
});
afterAll(() => server.close());

const from = 'Contoso IT <it-verify@msp.example>';
let channel: SmtpEmailChannel;
beforeAll(() => {
  channel = createSmtpEmail({ from, smtp: { host: '127.0.0.1', port: server.port, ignoreTLS: true } });
});
afterAll(() => channel.close());

const addresses = (value: AddressObject | AddressObject[] | undefined) =>
  (Array.isArray(value) ? value : value ? [value] : []).flatMap((a) => a.value.map((v) => v.address));

describe('the SMTP recipient', () => {
  it('reaches exactly the one stored address, in the envelope and the To header', async () => {
    const before = server.deliveries.length;
    const to = "o'brien+it@contoso.example";
    expect(await channel.send(emailMessage({ to }))).toMatchObject({ status: 'accepted' });
    const deliveries = server.deliveries.slice(before);
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]!.rcptTo).toEqual([to]);
    expect(deliveries[0]!.mailFrom).toBe('it-verify@msp.example');
    expect(addresses(deliveries[0]!.mail.to)).toEqual([to]);
    expect(deliveries[0]!.mail.to).toMatchObject({ value: [{ name: '' }] });
  });

  it.each([
    ['a list', 'jo.user@contoso.example, eve@evil.example'],
    ['a list with semicolons', 'jo.user@contoso.example; eve@evil.example'],
    ['a display name hiding another address', 'jo.user@contoso.example <eve@evil.example>'],
    ['a quoted display name', '"jo.user@contoso.example" <eve@evil.example>'],
    ['a group', 'staff: eve@evil.example;'],
    ['a comment', 'jo.user(eve@evil.example)@contoso.example'],
    ['a header injection', 'jo.user@contoso.example\r\nBcc: eve@evil.example'],
    ['two @', 'jo.user@eve@evil.example'],
    ['whitespace', 'jo user@contoso.example'],
    ['no domain', 'jo.user@'],
    ['an over-long local part', `${'a'.repeat(65)}@contoso.example`],
  ])('refuses %s as not a single address and sends it to nobody', async (_label, to) => {
    const before = server.deliveries.length;
    const result = await channel.send(emailMessage({ to }));
    expect(result).toEqual({
      status: 'permanent_failure',
      providerCode: 'invalid_address',
      scope: 'address',
      reason: expect.stringContaining('not a single email address'),
    });
    expect(server.deliveries.length).toBe(before);
  });

  it("carries an Expires header at the code's expiry", async () => {
    const expiresAt = Date.UTC(2026, 0, 1, 12, 10, 30, 250);
    await channel.send(emailMessage({ context: { ...context, expiresAt } }));
    const mail = server.deliveries.at(-1)!.mail;
    expect(mail.headerLines.find((h) => h.key === 'expires')?.line).toBe(
      'Expires: Thu, 01 Jan 2026 12:10:30 +0000',
    );
    expect(Date.parse(String(mail.headers.get('expires')))).toBe(Date.UTC(2026, 0, 1, 12, 10, 30));
  });

  it("reports a refusal at DATA that quotes the message by its reply code, without the server's text", async () => {
    const result = await channel.send(emailMessage({ subject: 'filtered' }));
    expect(result).toEqual({
      status: 'permanent_failure',
      providerCode: '554',
      scope: 'message',
      reason: 'The mail server refused the message (554 5.7.1)',
    });
    expect(JSON.stringify(result)).not.toContain(context.code);
  });
});
