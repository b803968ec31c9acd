import { ConfigError, InputError } from '@qdesk/core';
import { createManualClock } from '@qdesk/core/memory';
import { runChannelConformance } from '@qdesk/core/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { createFakeFcm } from '../test-support/fake-fcm.js';
import { createRecordingLogger } from '../test-support/logger.js';
import { device, pushMessage, scopeOf } from '../test-support/messages.js';
import { useMswServer } from '../test-support/msw.js';
import { createFcm, type FcmSettings } from './fcm-channel.js';

const fake = createFakeFcm();
useMswServer(...fake.handlers);
beforeEach(() => fake.reset());

const settings: FcmSettings = { serviceAccount: fake.serviceAccount };
const android = (token: string) => device('android', token);

const kitLogger = createRecordingLogger();
runChannelConformance({
  name: 'fcm',
  create: () => createFcm({ ...settings, logger: kitLogger }),
  acceptedMessage: () => pushMessage(android('good-token')),
  permanentFailureMessage: () => pushMessage(android('dead-token')),
  transientFailureMessage: () => pushMessage(android('unavailable')),
  // What the device receives: the notification and the data map (the request's `token` field only addresses it).
  inspect: {
    received: async () =>
      fake.sends.map(({ body }) =>
        JSON.stringify({ notification: body.message.notification, data: body.message.data }),
      ),
    logs: kitLogger.lines,
  },
});

describe('createFcm', () => {
  it('sends the documented v1 body with a bearer token, string data and the push TTL', async () => {
    const message = pushMessage(android('good-token'), { ttlSeconds: 45 });
    const result = await createFcm(settings).send(message);
    expect(result).toEqual({
      status: 'accepted',
      providerMessageId: `projects/qdesk-test/messages/${fake.sends.length}`,
    });
    const sent = fake.sends.at(-1)!;
    expect(sent.authorization).toBe('Bearer ya29.token-1');
    expect(sent.body).toEqual({
      message: {
        token: 'good-token',
        notification: { title: message.title, body: message.body },
        data: {
          type: 'qdesk.challenge',
          challengeId: message.challengeId,
          title: message.title,
          body: message.body,
          technicianName: 'Dana Reyes',
          ticketNumber: 'T20260101.0042',
          companyName: 'Contoso Dental',
          method: 'push',
        },
        android: { priority: 'HIGH', ttl: '45s' },
      },
    });
    expect(Object.values(sent.body.message.data as object).every((v) => typeof v === 'string')).toBe(true);
  });

  it('adds APNs headers for an iOS device when ios is enabled', async () => {
    const clock = createManualClock(Date.UTC(2026, 0, 1));
    const channel = createFcm({ ...settings, platforms: ['android', 'ios'], clock });
    await channel.send(
      pushMessage(device('ios', 'good-token'), {
        display: { ...pushMessage(android('x')).display, ticketNumber: null },
      }),
    );
    const message = fake.sends.at(-1)!.body.message;
    expect(message.apns).toEqual({
      headers: {
        'apns-priority': '10',
        'apns-push-type': 'alert',
        'apns-expiration': String(Date.UTC(2026, 0, 1) / 1000 + 60),
      },
      payload: { aps: { sound: 'default' } },
    });
    expect(message.data).not.toHaveProperty('ticketNumber');
    await expect(createFcm(settings).send(pushMessage(device('ios', 'good-token')))).rejects.toBeInstanceOf(
      InputError,
    );
  });

  it.each([
    ['dead-token', 'permanent_failure', 'UNREGISTERED', 'address'],
    ['bad-token', 'permanent_failure', 'INVALID_ARGUMENT', 'address'],
    ['other-project', 'permanent_failure', 'SENDER_ID_MISMATCH', 'configuration'],
    ['apns-auth', 'permanent_failure', 'THIRD_PARTY_AUTH_ERROR', 'configuration'],
    ['bad-ttl', 'permanent_failure', 'INVALID_ARGUMENT', 'message'],
    ['no-permission', 'permanent_failure', 'PERMISSION_DENIED', 'configuration'],
    ['unavailable', 'transient_failure', 'UNAVAILABLE', undefined],
    ['internal', 'transient_failure', 'INTERNAL', undefined],
  ])('maps a send to %s to %s (%s, scope %s)', async (token, status, code, scope) => {
    const result = await createFcm(settings).send(pushMessage(android(token)));
    expect(result).toMatchObject({ status, providerCode: code });
    expect(scopeOf(result)).toBe(scope);
  });

  it("keeps FCM's message out of the reason, even when it quotes the notification", async () => {
    const message = pushMessage(android('echo-value'), {
      body: 'Dana Reyes asks you to approve ticket T-0042',
    });
    const result = await createFcm(settings).send(message);
    expect(result).toEqual({
      status: 'permanent_failure',
      providerCode: 'INVALID_ARGUMENT',
      scope: 'message',
      reason: 'FCM rejected the message as invalid (not the token); no retry will help',
    });
    expect(JSON.stringify(result)).not.toContain(message.body);
  });

  it('backs off at least a minute on QUOTA_EXCEEDED', async () => {
    expect(await createFcm(settings).send(pushMessage(android('quota')))).toMatchObject({
      status: 'transient_failure',
      providerCode: 'QUOTA_EXCEEDED',
      retryAfterMs: 60_000,
    });
  });

  it('refuses a service account without a usable key or project', () => {
    expect(() => createFcm({ serviceAccount: { ...fake.serviceAccount, private_key: 'nope' } })).toThrow(
      /serviceAccount\.private_key/,
    );
    const { project_id: _, ...withoutProject } = fake.serviceAccount;
    expect(() => createFcm({ serviceAccount: withoutProject })).toThrow(ConfigError);
  });
});
