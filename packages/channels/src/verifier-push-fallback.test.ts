import { createHmac, generateKeyPairSync } from 'node:crypto';
import { type Actor, createVerifier, type EndUser, type VerifierEventMap } from '@qdesk/core';
import { createMemoryAuditLog, createMemoryDirectory } from '@qdesk/core/memory';
import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { createFcm } from './fcm/index.js';
import { useMswServer } from './test-support/msw.js';
import { createTwilioSms, createTwilioStatusCallbackHandler } from './twilio/index.js';

// End to end through core's verifier: real channels, providers faked at the HTTP boundary with msw.
const accountSid = `AC${'1'.repeat(32)}`;
const twilioUrl = `https://api.twilio.com/2010-04-01/Accounts/${accountSid}/Messages.json`;
const fcmUrl = 'https://fcm.googleapis.com/v1/projects/qdesk-e2e/messages:send';
const smsSent: URLSearchParams[] = [];
const pushTokens: string[] = [];

useMswServer(
  http.post('https://oauth2.googleapis.com/token', () =>
    HttpResponse.json({ access_token: 'ya29.e2e', expires_in: 3599, token_type: 'Bearer' }),
  ),
  http.post(fcmUrl, async ({ request }) => {
    const body = (await request.json()) as { message: { token: string } };
    pushTokens.push(body.message.token);
    return HttpResponse.json(
      {
        error: {
          code: 404,
          message: 'Requested entity was not found.',
          status: 'NOT_FOUND',
          details: [
            { '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: 'UNREGISTERED' },
          ],
        },
      },
      { status: 404 },
    );
  }),
  http.post(twilioUrl, async ({ request }) => {
    smsSent.push(new URLSearchParams(await request.text()));
    return HttpResponse.json({ sid: `SM${'9'.repeat(32)}`, status: 'queued' }, { status: 201 });
  }),
);

const tenantId = 'msp-e2e';
const endUser: EndUser = {
  id: 'user-jo',
  tenantId,
  email: 'jo@contoso.example',
  displayName: 'Jo User',
  mobilePhone: '+15005550006',
  devices: [
    { id: 'pixel-1', platform: 'android', pushAddress: 'dead-fcm-token', notificationPermission: 'granted' },
  ],
};
const actor: Actor = { tenantId, technicianId: 'tech-1', technicianName: 'Sam Rivera' };

describe('a push to a dead device through the verifier', () => {
  it('falls back to an SMS code, audits the reason and drops the dead device', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const push = createFcm({
      serviceAccount: {
        client_email: 'sender@qdesk-e2e.iam.gserviceaccount.com',
        private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        project_id: 'qdesk-e2e',
      },
    });
    const sms = createTwilioSms({
      accountSid,
      authToken: 'e2e-token',
      from: '+15017122661',
      statusCallbackUrl: 'https://qdesk.example.com/twilio/status',
    });
    const directory = createMemoryDirectory([endUser]);
    const audit = createMemoryAuditLog();
    const verifier = createVerifier({
      secret: 'e2e-secret-0123456789-abcdefghijklmnop',
      directory,
      audit,
      channels: { sms, push },
    });

    const fellBack: VerifierEventMap['session.fell_back'][] = [];
    verifier.events.on('session.fell_back', (event) => void fellBack.push(event));

    const { session: started } = await verifier.startForEndUser({ actor, endUserId: endUser.id });
    const { session } = await verifier.send({ actor, sessionId: started.id, method: 'number_match' });

    expect(pushTokens).toEqual(['dead-fcm-token']);
    expect(session.status).toBe('sent');
    expect(session.method).toBe('sms');
    expect(session.fallbacks[0]?.reason).toBe('push_failed_permanently');
    expect(session.fallbacks[0]).toMatchObject({ from: 'number_match', to: 'sms' });
    expect(fellBack).toMatchObject([
      { sessionId: session.id, tenantId, from: 'number_match', to: 'sms', reason: 'push_failed_permanently' },
    ]);

    expect(smsSent).toHaveLength(1);
    expect(smsSent[0]!.get('To')).toBe(endUser.mobilePhone);
    expect(smsSent[0]!.get('Body')).toMatch(/\d{6}/);

    const records = await audit.query(tenantId, { sessionId: session.id });
    const fallback = records.find((r) => r.action === 'fall_back');
    expect(fallback?.detail).toMatchObject({
      from: 'number_match',
      to: 'sms',
      reason: 'push_failed_permanently',
    });
    const failure = records.find((r) => r.action === 'delivery_failed');
    expect(failure?.detail).toMatchObject({ route: 'push', providerCode: 'UNREGISTERED', scope: 'address' });

    expect((await directory.getById(tenantId, endUser.id))?.devices).toEqual([]);

    // Later Twilio calls back: the SMS was undelivered to an unknown handset. The signed callback URL carries the
    // session and its tenant back, and reaches the verifier as a permanent delivery failure for this session.
    const failures: { sessionId: string; route: string; permanent: boolean }[] = [];
    verifier.events.on('delivery.failed', (event) => void failures.push(event));
    const handler = createTwilioStatusCallbackHandler({
      authToken: 'e2e-token',
      onReport: (report) => verifier.reportDelivery(report),
    });
    const callbackUrl = smsSent[0]!.get('StatusCallback')!;
    expect(new URL(callbackUrl).searchParams.get('tenantId')).toBe(tenantId);
    const params = {
      MessageSid: `SM${'9'.repeat(32)}`,
      MessageStatus: 'undelivered',
      ErrorCode: '30005',
      To: '+15005550006',
    };
    const signed =
      callbackUrl +
      Object.keys(params)
        .sort()
        .map((k) => k + params[k as keyof typeof params])
        .join('');
    const response = await handler(
      new Request(callbackUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': createHmac('sha1', 'e2e-token').update(signed).digest('base64'),
        },
        body: new URLSearchParams(params).toString(),
      }),
    );
    expect(response.status).toBe(204);
    expect(failures).toMatchObject([{ sessionId: session.id, tenantId, route: 'sms', permanent: true }]);
    const reports = await audit.query(tenantId, { sessionId: session.id });
    expect(reports.find((r) => r.action === 'delivery_report')).toMatchObject({
      result: 'undelivered',
      detail: {
        route: 'sms',
        provider: 'twilio',
        permanent: true,
        reason: 'the provider could not deliver it (provider code 30005)',
      },
    });
  });
});
