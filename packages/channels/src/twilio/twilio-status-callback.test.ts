import { createHmac } from 'node:crypto';
import type { DeliveryStatusReport } from '@qdesk/core';
import { describe, expect, it } from 'vitest';
import { computeTwilioSignature, isValidTwilioSignature } from './twilio-signature.js';
import { createTwilioStatusCallbackHandler, readTwilioStatusCallback } from './twilio-status-callback.js';

const authToken = 'f0e1d2c3b4a5968778695a4b3c2d1e0f';
const callbackUrl = 'https://qdesk.example.com/twilio/status?sessionId=sess_sms_1&tenantId=msp-contoso';

/** Twilio's documented algorithm, written out independently of the implementation. */
function referenceSignature(token: string, url: string, params: Record<string, string>): string {
  const names = Object.keys(params).sort();
  const data = url + names.map((name) => name + params[name]).join('');
  return createHmac('sha1', token).update(data).digest('base64');
}

const callback = (overrides: Record<string, string> = {}) => ({
  AccountSid: `AC${'a'.repeat(32)}`,
  ApiVersion: '2010-04-01',
  From: '+15017122661',
  MessageSid: `SM${'c'.repeat(32)}`,
  MessageStatus: 'delivered',
  SmsSid: `SM${'c'.repeat(32)}`,
  SmsStatus: 'delivered',
  To: '+15005550006',
  ...overrides,
});

describe('Twilio signature', () => {
  it("matches the examples published in Twilio's security docs", () => {
    const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
    const params = (caller: string) => ({
      CallSid: 'CA1234567890ABCDE',
      Caller: caller,
      Digits: '1234',
      From: caller,
      To: '+18005551212',
    });
    expect(computeTwilioSignature('12345', url, params('+14158675310'))).toBe('GvWf1cFY/Q7PnoempGyD5oXAezc=');
    expect(computeTwilioSignature('12345', url, params('+14158675309'))).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
  });

  it('matches an HMAC-SHA1 computed independently, whatever the parameter order', () => {
    const params = callback({ ErrorCode: '30005', NewParameterTwilioAddedLater: 'yes' });
    const expected = referenceSignature(authToken, callbackUrl, params);
    const reversed = new URLSearchParams(Object.entries(params).reverse());
    expect(computeTwilioSignature(authToken, callbackUrl, reversed)).toBe(expected);
    expect(
      isValidTwilioSignature({ authToken, url: callbackUrl, params: reversed, signature: expected }),
    ).toBe(true);
  });

  it('rejects a tampered parameter, another URL, another token, or no signature', () => {
    const params = callback();
    const signature = referenceSignature(authToken, callbackUrl, params);
    const check = (over: Partial<Parameters<typeof isValidTwilioSignature>[0]>) =>
      isValidTwilioSignature({ authToken, url: callbackUrl, params, signature, ...over });
    expect(check({})).toBe(true);
    expect(check({ params: { ...params, MessageStatus: 'failed' } })).toBe(false);
    expect(check({ url: callbackUrl.replace('sess_sms_1', 'sess_other') })).toBe(false);
    expect(check({ authToken: 'another-token' })).toBe(false);
    expect(check({ signature: undefined })).toBe(false);
    expect(check({ signature: `${signature}x` })).toBe(false);
  });

  it('accepts a URL signed with or without its default port', () => {
    const params = callback();
    const withPort = 'https://qdesk.example.com:443/twilio/status?sessionId=sess_sms_1&tenantId=msp-contoso';
    const signedWithPort = referenceSignature(authToken, withPort, params);
    expect(isValidTwilioSignature({ authToken, url: callbackUrl, params, signature: signedWithPort })).toBe(
      true,
    );
    const signedWithout = referenceSignature(authToken, callbackUrl, params);
    expect(isValidTwilioSignature({ authToken, url: withPort, params, signature: signedWithout })).toBe(true);
  });
});

describe('readTwilioStatusCallback', () => {
  const read = (params: Record<string, string>, url = callbackUrl) =>
    readTwilioStatusCallback(authToken, {
      url,
      params: new URLSearchParams(params),
      signature: referenceSignature(authToken, url, params),
    });

  it('turns a delivered callback into a delivery report for the session and tenant in the URL', () => {
    expect(read(callback({ UnknownFutureField: 'x' }))).toEqual({
      ok: true,
      report: {
        sessionId: 'sess_sms_1',
        tenantId: 'msp-contoso',
        route: 'sms',
        provider: 'twilio',
        providerMessageId: `SM${'c'.repeat(32)}`,
        status: 'delivered',
        permanent: false,
      } satisfies DeliveryStatusReport,
    });
  });

  it('marks an undelivered SMS to an unknown handset (30005) as permanent, keeping the code', () => {
    const result = read(
      callback({ MessageStatus: 'undelivered', SmsStatus: 'undelivered', ErrorCode: '30005' }),
    );
    expect(result).toMatchObject({
      ok: true,
      report: { status: 'undelivered', permanent: true, providerCode: '30005' },
    });
  });

  it('marks a failure for an unreachable handset (30003) as not permanent', () => {
    const result = read(callback({ MessageStatus: 'failed', SmsStatus: 'failed', ErrorCode: '30003' }));
    expect(result).toMatchObject({
      ok: true,
      report: { status: 'failed', permanent: false, providerCode: '30003' },
    });
    if (result.ok) expect(result.report?.reason).toContain('30003');
  });

  it('describes a known error code in words of its own, never copying a free-text parameter', () => {
    const result = read(
      callback({
        MessageStatus: 'undelivered',
        SmsStatus: 'undelivered',
        ErrorCode: '30005',
        ErrorMessage: 'Unknown destination handset for "QDesk code 482913"',
      }),
    );
    expect(result).toMatchObject({
      ok: true,
      report: {
        reason:
          'Twilio reported the SMS undelivered (error 30005): the destination handset is unknown or no longer exists',
      },
    });
  });

  it('ignores statuses QDesk does not track and callbacks without a session or tenant id', () => {
    expect(read(callback({ MessageStatus: 'queued', SmsStatus: 'queued' }))).toEqual({
      ok: true,
      report: null,
    });
    const status = 'https://qdesk.example.com/twilio/status';
    expect(read(callback(), status)).toEqual({ ok: true, report: null });
    expect(read(callback(), `${status}?sessionId=sess_sms_1`)).toEqual({ ok: true, report: null });
    expect(read(callback(), `${status}?tenantId=msp-contoso`)).toEqual({ ok: true, report: null });
  });

  it('reads the tenant Twilio signed: another tenant in the URL breaks the signature', () => {
    const params = callback();
    const signature = referenceSignature(authToken, callbackUrl, params);
    const forged = callbackUrl.replace('msp-contoso', 'msp-other');
    expect(
      readTwilioStatusCallback(authToken, { url: forged, params: new URLSearchParams(params), signature }),
    ).toEqual({ ok: false, reason: 'invalid_signature' });
  });

  it('refuses a callback with a missing or wrong signature', () => {
    const params = new URLSearchParams(callback());
    expect(readTwilioStatusCallback(authToken, { url: callbackUrl, params, signature: null })).toEqual({
      ok: false,
      reason: 'missing_signature',
    });
    expect(readTwilioStatusCallback(authToken, { url: callbackUrl, params, signature: 'AAAA' })).toEqual({
      ok: false,
      reason: 'invalid_signature',
    });
  });
});

describe('createTwilioStatusCallbackHandler', () => {
  const request = (url: string, params: Record<string, string>, signature: string) =>
    new Request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      body: new URLSearchParams(params).toString(),
    });

  it('reports a signed callback and answers 204', async () => {
    const reports: DeliveryStatusReport[] = [];
    const handler = createTwilioStatusCallbackHandler({ authToken, onReport: (r) => void reports.push(r) });
    const params = callback({ MessageStatus: 'undelivered', ErrorCode: '21610' });
    const response = await handler(
      request(callbackUrl, params, referenceSignature(authToken, callbackUrl, params)),
    );
    expect(response.status).toBe(204);
    expect(reports).toMatchObject([
      { sessionId: 'sess_sms_1', tenantId: 'msp-contoso', status: 'undelivered', permanent: true },
    ]);
  });

  it('validates against the public origin when the server sits behind a proxy', async () => {
    const reports: DeliveryStatusReport[] = [];
    const handler = createTwilioStatusCallbackHandler({
      authToken,
      publicOrigin: 'https://qdesk.example.com',
      onReport: (r) => void reports.push(r),
    });
    const params = callback();
    const signature = referenceSignature(authToken, callbackUrl, params);
    const internal = 'http://10.0.0.5:8080/twilio/status?sessionId=sess_sms_1&tenantId=msp-contoso';
    expect((await handler(request(internal, params, signature))).status).toBe(204);
    expect(reports).toHaveLength(1);
  });

  it('answers 403 to a forged callback, 400 to a non-form body, 500 when recording fails', async () => {
    const params = callback();
    const signature = referenceSignature(authToken, callbackUrl, params);
    const onReport = () => {
      throw new Error('store down');
    };
    const handler = createTwilioStatusCallbackHandler({ authToken, onReport });
    expect((await handler(request(callbackUrl, params, 'forged'))).status).toBe(403);
    const json = new Request(callbackUrl, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect((await handler(json)).status).toBe(400);
    expect((await handler(request(callbackUrl, params, signature))).status).toBe(500);
  });
});
