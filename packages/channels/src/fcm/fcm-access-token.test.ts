import { createManualClock } from '@qdesk/core/memory';
import { HttpResponse, http } from 'msw';
import { beforeEach, describe, expect, it } from 'vitest';
import { createFakeFcm } from '../test-support/fake-fcm.js';
import { device, pushMessage } from '../test-support/messages.js';
import { useMswServer } from '../test-support/msw.js';
import { createFcm, type FcmSettings } from './fcm-channel.js';

const fake = createFakeFcm();
const server = useMswServer(...fake.handlers);
beforeEach(() => fake.reset());

const settings: FcmSettings = { serviceAccount: fake.serviceAccount };
const android = (token: string) => device('android', token);

describe('FCM access token', () => {
  it('fetches one access token for many sends, and a new one near expiry', async () => {
    const clock = createManualClock(Date.UTC(2026, 0, 1));
    const channel = createFcm({ ...settings, clock });
    await Promise.all([1, 2, 3].map(() => channel.send(pushMessage(android('good-token')))));
    await channel.send(pushMessage(android('good-token')));
    expect(fake.issued()).toEqual(['ya29.token-1']);

    clock.advance(3599_000 - 6 * 60_000); // six minutes before expiry: still cached
    await channel.send(pushMessage(android('good-token')));
    expect(fake.issued()).toHaveLength(1);

    clock.advance(2 * 60_000); // four minutes before expiry: refreshed
    await channel.send(pushMessage(android('good-token')));
    expect(fake.issued()).toEqual(['ya29.token-1', 'ya29.token-2']);
    expect(fake.sends.at(-1)!.authorization).toBe('Bearer ya29.token-2');
  });

  it('fetches a fresh token once when FCM refuses the cached one', async () => {
    const channel = createFcm(settings);
    await channel.send(pushMessage(android('good-token')));
    fake.revoked.add('ya29.token-1');
    expect(await channel.send(pushMessage(android('good-token')))).toMatchObject({ status: 'accepted' });
    expect(fake.issued()).toEqual(['ya29.token-1', 'ya29.token-2']);
  });

  it('does not refresh the token for THIRD_PARTY_AUTH_ERROR (a 401 about APNs credentials)', async () => {
    await createFcm(settings).send(pushMessage(android('apns-auth')));
    expect(fake.issued()).toHaveLength(1);
  });

  it('reports a refused service account and a network error as transient', async () => {
    server.use(
      http.post('https://oauth2.googleapis.com/token', () =>
        HttpResponse.json({ error: 'invalid_grant' }, { status: 400 }),
      ),
    );
    expect(await createFcm(settings).send(pushMessage(android('good-token')))).toMatchObject({
      status: 'transient_failure',
      providerCode: 'access_token',
      reason: expect.stringContaining('invalid_grant'),
    });
    server.resetHandlers();
    server.use(http.post(fake.sendUrl, () => HttpResponse.error()));
    expect(await createFcm(settings).send(pushMessage(android('good-token')))).toMatchObject({
      status: 'transient_failure',
    });
  });

  it('uses configurable token and FCM URLs, and accepts the key file as JSON text', async () => {
    const base = 'http://127.0.0.1:9';
    const seen: string[] = [];
    server.use(
      http.post(`${base}/token`, async ({ request }) => {
        const claims = JSON.parse(
          Buffer.from(
            (new URLSearchParams(await request.text()).get('assertion') ?? '').split('.')[1]!,
            'base64url',
          ).toString(),
        );
        seen.push(`token aud=${claims.aud}`);
        return HttpResponse.json({ access_token: 'local', expires_in: 3600 });
      }),
      http.post(`${base}/v1/projects/other/messages:send`, ({ request }) => {
        seen.push(`send ${request.headers.get('authorization')}`);
        return HttpResponse.json({ name: 'projects/other/messages/1' });
      }),
    );
    const channel = createFcm({
      serviceAccount: JSON.stringify({
        ...fake.serviceAccount,
        private_key: fake.serviceAccount.private_key.replace(/\n/g, '\\n'),
      }),
      projectId: 'other',
      tokenUrl: `${base}/token`,
      baseUrl: base,
    });
    expect(await channel.send(pushMessage(android('good-token')))).toMatchObject({ status: 'accepted' });
    expect(seen).toEqual([`token aud=${base}/token`, 'send Bearer local']);
  });
});
