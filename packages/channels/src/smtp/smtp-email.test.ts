import { generateKeyPairSync } from 'node:crypto';
import { ConfigError } from '@qdesk/core';
import { runChannelConformance } from '@qdesk/core/testing';
import type { AddressObject } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRecordingLogger } from '../test-support/logger.js';
import { context, emailMessage } from '../test-support/messages.js';
import { closedPort, type LocalSmtpServer, startLocalSmtpServer } from '../test-support/smtp-server.js';
import { createSmtpEmail, type SmtpEmailChannel } from './smtp-email.js';
import type { SmtpEmailSettings, SmtpMail } from './smtp-settings.js';

let server: LocalSmtpServer;
beforeAll(async () => {
  server = await startLocalSmtpServer();
  server.refuse.set('gone@contoso.example', 550);
  server.refuse.set('busy@contoso.example', 451);
});
afterAll(() => server.close());

const from = 'Contoso IT <it-verify@msp.example>';
const smtpSettings = (overrides: Partial<SmtpEmailSettings> = {}): SmtpEmailSettings => ({
  from,
  smtp: { host: '127.0.0.1', port: server.port, ignoreTLS: true, connectionTimeoutMs: 2000 },
  ...overrides,
});
const addresses = (value: AddressObject | AddressObject[] | undefined) =>
  (Array.isArray(value) ? value : value ? [value] : []).flatMap((a) => a.value.map((v) => v.address));

const kitLogger = createRecordingLogger();
runChannelConformance({
  name: 'smtp',
  create: () => createSmtpEmail(smtpSettings({ logger: kitLogger })),
  cleanup: (channel) => (channel as SmtpEmailChannel).close(),
  acceptedMessage: () => emailMessage(),
  permanentFailureMessage: () => emailMessage({ to: 'gone@contoso.example' }),
  transientFailureMessage: () => emailMessage({ to: 'busy@contoso.example' }),
  inspect: { received: async () => server.received.map((mail) => mail.text ?? ''), logs: kitLogger.lines },
});

describe('createSmtpEmail', () => {
  it('delivers subject, text, html, to and from as a mail client parses them', async () => {
    const channel = createSmtpEmail(smtpSettings({ replyTo: 'helpdesk@msp.example' }));
    const message = emailMessage();
    const result = await channel.send(message);
    await channel.close();

    expect(result).toEqual({ status: 'accepted', providerMessageId: expect.stringMatching(/^<.+@.+>$/) });
    const mail = server.received.at(-1)!;
    expect(mail.subject).toBe(message.subject);
    expect(mail.text?.trim()).toBe(message.text);
    expect(mail.html).toBe(message.html);
    expect(addresses(mail.to)).toEqual([message.to]);
    expect(mail.from?.value).toEqual([{ name: 'Contoso IT', address: 'it-verify@msp.example' }]);
    expect(addresses(mail.replyTo)).toEqual(['helpdesk@msp.example']);
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
    expect(mail.headers.get('x-qdesk-session')).toBe(message.sessionId);
    expect(mail.messageId).toBe(result.status === 'accepted' ? result.providerMessageId : undefined);
  });

  it('renders the subject and bodies with the user template from the message context', async () => {
    const channel = createSmtpEmail(
      smtpSettings({
        template: (ctx) => ({
          subject: `Code for ticket ${ctx.ticketNumber}`,
          text: `Read ${ctx.code} to ${ctx.technicianName} within ${ctx.expiresInMinutes} minutes.`,
        }),
      }),
    );
    await channel.send(emailMessage());
    await channel.close();
    const mail = server.received.at(-1)!;
    expect(mail.subject).toBe(`Code for ticket ${context.ticketNumber}`);
    expect(mail.text?.trim()).toBe(`Read ${context.code} to Dana Reyes within 10 minutes.`);
    expect(mail.html).toBe(false);
  });

  it('signs with DKIM when configured', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const smtp = { host: '127.0.0.1', port: server.port, ignoreTLS: true };
    const channel = createSmtpEmail({
      from,
      smtp: { ...smtp, dkim: { domainName: 'msp.example', keySelector: 'qdesk', privateKey: pem } },
    });
    await channel.send(emailMessage());
    await channel.close();
    const signature = server.received.at(-1)!.headerLines.find((h) => h.key === 'dkim-signature')?.line ?? '';
    expect(signature).toMatch(/^DKIM-Signature: v=1; a=rsa-sha256;/);
    expect(signature).toContain('d=msp.example');
    expect(signature).toContain('s=qdesk');
  });

  it('reports a 550 rejection at RCPT TO as permanent and a 451 as transient', async () => {
    const channel = createSmtpEmail(smtpSettings());
    try {
      expect(await channel.send(emailMessage({ to: 'gone@contoso.example' }))).toEqual({
        status: 'permanent_failure',
        providerCode: '550',
        scope: 'address',
        reason: expect.stringContaining('rejected the recipient'),
      });
      expect(await channel.send(emailMessage({ to: 'busy@contoso.example' }))).toMatchObject({
        status: 'transient_failure',
        providerCode: '451',
      });
    } finally {
      await channel.close();
    }
  });

  it('reports a closed port as a transient failure', async () => {
    const smtp = { host: '127.0.0.1', port: await closedPort(), ignoreTLS: true, pool: false };
    const channel = createSmtpEmail({ from, smtp });
    const result = await channel.send(emailMessage());
    await channel.close();
    expect(result).toMatchObject({
      status: 'transient_failure',
      reason: expect.stringContaining('ECONNREFUSED'),
    });
  });

  it('sends through an injected transport and leaves it open on close', async () => {
    const sent: SmtpMail[] = [];
    let closed = false;
    const transport = {
      sendMail: async (mail: SmtpMail) => {
        sent.push(mail);
        return { messageId: '<injected@test>', rejected: [] };
      },
      close: () => {
        closed = true;
      },
    };
    const channel = createSmtpEmail({ from, transport });
    expect(await channel.send(emailMessage())).toEqual({
      status: 'accepted',
      providerMessageId: '<injected@test>',
    });
    await channel.close();
    expect(closed).toBe(false);
    expect(sent[0]).toMatchObject({
      from,
      to: { address: emailMessage().to, name: '' },
      envelope: { from, to: [emailMessage().to] },
      subject: emailMessage().subject,
    });
  });

  it('classifies errors thrown by an injected transport the way nodemailer shapes them', async () => {
    const failing = (error: object) =>
      createSmtpEmail({
        from,
        transport: {
          sendMail: async () => {
            throw Object.assign(new Error('failed'), error);
          },
        },
      });
    const send = (error: object) => failing(error).send(emailMessage());
    expect(await send({ code: 'EENVELOPE', responseCode: 550, command: 'RCPT TO' })).toMatchObject({
      status: 'permanent_failure',
      providerCode: '550',
    });
    expect(await send({ code: 'EAUTH', responseCode: 535, command: 'AUTH PLAIN' })).toMatchObject({
      status: 'permanent_failure',
      providerCode: '535',
      scope: 'configuration',
      reason: expect.stringContaining('check smtp.auth'),
    });
    expect(await send({ code: 'EENVELOPE', responseCode: 553, command: 'MAIL FROM' })).toMatchObject({
      status: 'permanent_failure',
      scope: 'configuration',
      reason: expect.stringContaining('check the from setting'),
    });
    expect(await send({ code: 'EMESSAGE', responseCode: 552, command: 'DATA' })).toMatchObject({
      status: 'permanent_failure',
      scope: 'message',
    });
    expect(await send({ code: 'ETIMEDOUT' })).toMatchObject({
      status: 'transient_failure',
      providerCode: 'ETIMEDOUT',
    });
    expect(await send({ code: 'EENVELOPE' })).toMatchObject({
      status: 'permanent_failure',
      providerCode: 'EENVELOPE',
    });
  });

  it('treats login and session refusals as configuration, never as the recipient', async () => {
    const failing = (error: object) =>
      createSmtpEmail({
        from,
        transport: {
          sendMail: async () => {
            throw Object.assign(new Error('failed'), error);
          },
        },
      }).send(emailMessage());
    // nodemailer's own EAUTH, with no reply: credentials missing for the chosen method.
    expect(await failing({ code: 'EAUTH', command: 'API' })).toMatchObject({
      status: 'permanent_failure',
      providerCode: 'EAUTH',
      scope: 'configuration',
    });
    // 530 "authentication required", answered to MAIL FROM or RCPT TO alike.
    expect(
      await failing({
        code: 'EENVELOPE',
        responseCode: 530,
        response: '530 5.7.0 Authentication required',
        command: 'RCPT TO',
      }),
    ).toMatchObject({ status: 'permanent_failure', providerCode: '530', scope: 'configuration' });
    // Refused at the greeting: this server will not take mail from this host.
    expect(
      await failing({
        code: 'EPROTOCOL',
        responseCode: 554,
        response: '554 5.7.1 no SMTP service here',
        command: 'CONN',
      }),
    ).toMatchObject({ status: 'permanent_failure', providerCode: '554', scope: 'configuration' });
  });

  it('reports a throwing template as a permanent configuration failure, without sending', async () => {
    const sent: SmtpMail[] = [];
    const channel = createSmtpEmail({
      from,
      transport: {
        sendMail: async (mail: SmtpMail) => {
          sent.push(mail);
          return {};
        },
      },
      template: () => {
        throw new Error('bad template');
      },
    });
    expect(await channel.send(emailMessage())).toEqual({
      status: 'permanent_failure',
      providerCode: 'template_failed',
      scope: 'configuration',
      reason: expect.stringContaining('bad template'),
    });
    expect(sent).toEqual([]);
  });

  it("keeps a throwing template's words in the reason, but not the code it saw", async () => {
    const channel = createSmtpEmail({
      from,
      transport: { sendMail: async () => ({}) },
      template: (ctx) => {
        throw new Error(`cannot render code ${ctx.code}`);
      },
    });
    const result = await channel.send(emailMessage());
    expect(result).toMatchObject({
      status: 'permanent_failure',
      reason: expect.stringContaining('cannot render'),
    });
    expect(JSON.stringify(result)).not.toContain(context.code);
  });

  it('needs exactly one of smtp or transport, and rejects contradictory TLS settings', () => {
    expect(() => createSmtpEmail({ from })).toThrow(ConfigError);
    expect(() => createSmtpEmail({ from, smtp: { host: 'h', ignoreTLS: true, requireTLS: true } })).toThrow(
      /smtp\.ignoreTLS/,
    );
    expect(() =>
      createSmtpEmail({ from, smtp: { host: 'h', prot: 25 } } as unknown as SmtpEmailSettings),
    ).toThrow(/smtp: Unrecognized key: "prot"/);
  });
});
