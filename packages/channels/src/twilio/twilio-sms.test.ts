import { ConfigError } from '@qdesk/core';
import { runChannelConformance } from '@qdesk/core/testing';
import { HttpResponse, http } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { createRecordingLogger } from '../test-support/logger.js';
import { context, scopeOf, smsMessage, tenantId } from '../test-support/messages.js';
import { useMswServer } from '../test-support/msw.js';
import { createTwilioSms, type TwilioSmsSettings } from './twilio-sms.js';

const accountSid = `AC${'a'.repeat(32)}`;
const authToken = 'test-auth-token';
const messagingServiceSid = `MG${'b'.repeat(32)}`;
const messagesUrl = `https://api.twilio.com/2010-04-01/Accounts/${accountSid}/Messages.json`;

interface Received {
  authorization: string | null;
  contentType: string | null;
  form: URLSearchParams;
}
const received: Received[] = [];

/** Numbers the fake answers with Twilio's documented error bodies. */
const refusals: Record<string, { status: number; code: number; message: string; retryAfter?: string }> = {
  '+15005550001': {
    status: 400,
    code: 21211,
    message: "The 'To' number +15005550001 is not a valid phone number.",
  },
  '+15005550004': { status: 400, code: 21610, message: 'Attempt to send to unsubscribed recipient' },
  '+15005550009': { status: 400, code: 21614, message: "'To' number is not a valid mobile number" },
  '+15005550429': { status: 429, code: 20429, message: 'Too Many Requests', retryAfter: '2' },
  '+15005550401': { status: 401, code: 20003, message: 'Authenticate' },
  '+15005550408': {
    status: 400,
    code: 21408,
    message: 'Permission to send an SMS has not been enabled for the region indicated by the To number',
  },
  '+15005551617': {
    status: 400,
    code: 21617,
    message: 'The concatenated message body exceeds the 1600 character limit',
  },
  '+15005550500': { status: 503, code: 20500, message: 'Service Unavailable' },
  '+15005551606': {
    status: 400,
    code: 21606,
    message: "The 'From' phone number provided is not a valid message-capable Twilio phone number",
  },
  '+15005551659': { status: 400, code: 21659, message: "'From' +15017122661 is not a Twilio phone number" },
  '+15005559999': { status: 400, code: 29999, message: 'Something Twilio adds one day' },
};

const server = useMswServer(
  http.post(messagesUrl, async ({ request }) => {
    const form = new URLSearchParams(await request.text());
    received.push({
      authorization: request.headers.get('authorization'),
      contentType: request.headers.get('content-type'),
      form,
    });
    const refusal = refusals[form.get('To') ?? ''];
    if (refusal) {
      return HttpResponse.json(
        {
          code: refusal.code,
          message: refusal.message,
          more_info: `https://www.twilio.com/docs/errors/${refusal.code}`,
          status: refusal.status,
        },
        { status: refusal.status, headers: refusal.retryAfter ? { 'retry-after': refusal.retryAfter } : {} },
      );
    }
    return HttpResponse.json(
      { sid: `SM${'c'.repeat(32)}`, status: 'accepted', to: form.get('To'), error_code: null },
      { status: 201 },
    );
  }),
);

const settings: TwilioSmsSettings = { accountSid, authToken, messagingServiceSid };
const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

const kitLogger = createRecordingLogger();
runChannelConformance({
  name: 'twilio',
  create: () => createTwilioSms({ ...settings, logger: kitLogger }),
  acceptedMessage: () => smsMessage(),
  permanentFailureMessage: () => smsMessage({ to: '+15005550001' }),
  transientFailureMessage: () => smsMessage({ to: '+15005550429' }),
  inspect: {
    received: async () => received.map((r) => r.form.get('Body') ?? ''),
    logs: kitLogger.lines,
  },
});

describe('createTwilioSms', () => {
  it('posts the form Twilio documents, with basic auth and the session and tenant in the callback URL', async () => {
    const now = Date.UTC(2026, 0, 1, 12);
    const channel = createTwilioSms({
      ...settings,
      statusCallbackUrl: 'https://qdesk.example.com/twilio/status?t=1',
      now: () => now,
    });
    const message = smsMessage({ sessionId: 'sess 42&x', context: { ...context, expiresAt: now + 600_000 } });
    const result = await channel.send(message);

    expect(result).toEqual({ status: 'accepted', providerMessageId: `SM${'c'.repeat(32)}` });
    const request = received.at(-1)!;
    expect(request.authorization).toBe(basic(accountSid, authToken));
    expect(request.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    expect(Object.fromEntries(request.form)).toEqual({
      To: '+15005550006',
      Body: smsMessage().text,
      ValidityPeriod: '600',
      MessagingServiceSid: messagingServiceSid,
      StatusCallback: `https://qdesk.example.com/twilio/status?t=1&sessionId=sess+42%26x&tenantId=${tenantId}`,
    });
    const callback = new URL(request.form.get('StatusCallback')!).searchParams;
    expect(callback.get('sessionId')).toBe('sess 42&x');
    expect(callback.get('tenantId')).toBe(tenantId);
  });

  it('authenticates with an API key and sends From when no messaging service is set', async () => {
    const apiKey = { sid: `SK${'d'.repeat(32)}`, secret: 'key-secret' };
    const channel = createTwilioSms({ accountSid, apiKey, from: '+15017122661' });
    await channel.send(smsMessage());
    const request = received.at(-1)!;
    expect(request.authorization).toBe(basic(apiKey.sid, apiKey.secret));
    expect(request.form.get('From')).toBe('+15017122661');
    expect(request.form.has('MessagingServiceSid')).toBe(false);
    expect(request.form.has('StatusCallback')).toBe(false);
  });

  it.each([
    ['the whole seconds the code has left', 299_999, '299'],
    ['one second when one second is left', 1_000, '1'],
    ["Twilio's maximum of 36,000 for a code valid longer", 11 * 3_600_000, '36000'],
  ])('sets ValidityPeriod to %s', async (_label, left, expected) => {
    const now = Date.UTC(2026, 0, 1, 12);
    const channel = createTwilioSms({ ...settings, now: () => now });
    await channel.send(smsMessage({ context: { ...context, expiresAt: now + left } }));
    expect(received.at(-1)!.form.get('ValidityPeriod')).toBe(expected);
  });

  it.each([
    ['already expired', -5_000],
    ['with less than a second left', 999],
  ])('does not call Twilio for a code %s, a permanent failure of the message', async (_label, left) => {
    const now = Date.UTC(2026, 0, 1, 12);
    const before = received.length;
    const channel = createTwilioSms({ ...settings, now: () => now });
    const result = await channel.send(smsMessage({ context: { ...context, expiresAt: now + left } }));
    expect(result).toEqual({
      status: 'permanent_failure',
      providerCode: 'code_expired',
      scope: 'message',
      reason: expect.stringContaining('The code expired before it could be sent'),
    });
    expect(received.length).toBe(before);
  });

  it('uses a configurable base URL', async () => {
    server.use(
      http.post(`http://127.0.0.1:9/fake/2010-04-01/Accounts/${accountSid}/Messages.json`, () =>
        HttpResponse.json({ sid: 'SMfake' }, { status: 201 }),
      ),
    );
    const channel = createTwilioSms({ ...settings, baseUrl: 'http://127.0.0.1:9/fake/' });
    expect(await channel.send(smsMessage())).toEqual({ status: 'accepted', providerMessageId: 'SMfake' });
  });

  it.each([
    ['+15005550001', '21211', 'address'],
    ['+15005550004', '21610', 'address'],
    ['+15005550009', '21614', 'address'],
    ['+15005550401', '20003', 'configuration'],
    ['+15005550408', '21408', 'configuration'],
    ['+15005551617', '21617', 'message'],
    ['+15005551606', '21606', 'configuration'],
    ['+15005551659', '21659', 'configuration'],
    ['+15005559999', '29999', 'message'],
  ])('reports %s as a permanent failure with Twilio code %s, scope %s', async (to, code, scope) => {
    const result = await createTwilioSms(settings).send(smsMessage({ to }));
    expect(result).toMatchObject({ status: 'permanent_failure', providerCode: code });
    expect(scopeOf(result)).toBe(scope);
  });

  it.each([
    [400, 21617, 'permanent_failure'],
    [400, 21999, 'permanent_failure'],
    [401, 20003, 'permanent_failure'],
    [503, 20500, 'transient_failure'],
  ])(
    "keeps Twilio's message out of the reason when a %s (%s) quotes the body and its code",
    async (status, code, expected) => {
      server.use(
        http.post(messagesUrl, async ({ request }) => {
          const body = new URLSearchParams(await request.text()).get('Body');
          return HttpResponse.json(
            { code, message: `Cannot send the message "${body}"`, status },
            { status },
          );
        }),
      );
      const result = await createTwilioSms(settings).send(smsMessage());
      expect(result).toMatchObject({ status: expected, providerCode: String(code) });
      expect(JSON.stringify(result)).not.toContain(context.code);
    },
  );

  it('reports rate limiting as transient, keeping code 20429 and Retry-After', async () => {
    const result = await createTwilioSms(settings).send(smsMessage({ to: '+15005550429' }));
    expect(result).toEqual({
      status: 'transient_failure',
      providerCode: '20429',
      retryAfterMs: 2000,
      reason: expect.stringContaining('rate limiting'),
    });
  });

  it('reports a 5xx and a 5xx without a JSON body as transient', async () => {
    expect(await createTwilioSms(settings).send(smsMessage({ to: '+15005550500' }))).toMatchObject({
      status: 'transient_failure',
      providerCode: '20500',
    });
    server.use(http.post(messagesUrl, () => new HttpResponse('<html>Bad gateway</html>', { status: 502 })));
    expect(await createTwilioSms(settings).send(smsMessage())).toMatchObject({
      status: 'transient_failure',
      providerCode: '502',
    });
  });

  it('reports a network error as transient', async () => {
    server.use(http.post(messagesUrl, () => HttpResponse.error()));
    const result = await createTwilioSms(settings).send(smsMessage());
    expect(result.status).toBe('transient_failure');
    expect(result).not.toHaveProperty('providerCode');
  });

  it('warns through the logger when the text needs several segments, without logging the text', async () => {
    const logger = { info: vi.fn(), warn: vi.fn() };
    const channel = createTwilioSms({ ...settings, logger });
    await channel.send(smsMessage());
    expect(logger.warn).not.toHaveBeenCalled();

    await channel.send(smsMessage({ text: `Code ${context.code} ✅ ${'x'.repeat(70)}` }));
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn.mock.calls[0]![1]).toEqual({
      sessionId: 'sess_sms_1',
      segments: 2,
      encoding: 'UCS-2',
    });
    expect(JSON.stringify(logger.warn.mock.calls)).not.toContain(context.code);
  });

  it('refuses settings without a sender or credentials, naming the fields', () => {
    const attempt = () => createTwilioSms({ accountSid: 'AC123' } as TwilioSmsSettings);
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const paths = (error as ConfigError).issues.map((issue) => issue.path);
      expect(paths).toEqual(expect.arrayContaining(['accountSid', 'authToken', 'from']));
    }
    expect(() => createTwilioSms({ ...settings, from: '+15017122661' })).toThrow(
      /from or messagingServiceSid/,
    );
    expect(() => createTwilioSms({ ...settings, fromNumber: '+1' } as TwilioSmsSettings)).toThrow(
      /fromNumber/,
    );
  });
});
