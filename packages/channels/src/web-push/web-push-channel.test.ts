import { ConfigError, InputError } from '@qdesk/core';
import { runChannelConformance } from '@qdesk/core/testing';
import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import webpush from 'web-push';
import type { QdeskPushPayload } from '../push-payload.js';
import { device, pushMessage, scopeOf } from '../test-support/messages.js';
import { useMswServer } from '../test-support/msw.js';
import { createFakeSubscriber, verifyEs256 } from '../test-support/web-push-subscriber.js';
import { createWebPush, type WebPushLibrary } from './web-push-channel.js';

const vapid = { subject: 'mailto:it@msp.example', ...webpush.generateVAPIDKeys() };
const subscriber = createFakeSubscriber();
const origin = 'https://push.example.test';

interface Delivery {
  path: string;
  headers: Headers;
  payload: string;
}
const deliveries: Delivery[] = [];

/** Each subscription path makes the fake push service answer like a real one would. */
const answers: Record<string, () => Response> = {
  dead: () => new HttpResponse('push subscription has unsubscribed or expired.', { status: 410 }),
  missing: () => new HttpResponse(null, { status: 404 }),
  big: () => new HttpResponse('Payload Too Large', { status: 413 }),
  busy: () => new HttpResponse(null, { status: 429, headers: { 'retry-after': '30' } }),
  down: () => new HttpResponse(null, { status: 503 }),
  'wrong-vapid': () => new HttpResponse('invalid JWT provided', { status: 403 }),
  'bad-request': () => new HttpResponse('UnauthorizedRegistration', { status: 400 }),
  'no-vapid': () => new HttpResponse('missing VAPID Authorization header', { status: 401 }),
};

const server = useMswServer(
  http.post(`${origin}/wpush/:id`, async ({ request, params }) => {
    const id = String(params.id);
    const answer = answers[id];
    if (answer) return answer();
    deliveries.push({
      path: id,
      headers: request.headers,
      payload: subscriber.decrypt(await request.arrayBuffer()),
    });
    return new HttpResponse(null, { status: 201, headers: { location: `${origin}/m/${deliveries.length}` } });
  }),
);

const webDevice = (id: string) =>
  device('web', subscriber.subscription(`${origin}/wpush/${id}`), `dev_web_${id}`);

runChannelConformance({
  name: 'web-push',
  create: () => createWebPush({ vapid }),
  acceptedMessage: () => pushMessage(webDevice('ok')),
  permanentFailureMessage: () => pushMessage(webDevice('dead')),
  transientFailureMessage: () => pushMessage(webDevice('down')),
  inspect: { received: async () => deliveries.map((delivery) => delivery.payload) },
});

describe('createWebPush', () => {
  it('encrypts a payload the subscriber can decrypt, holding the challenge and display text only', async () => {
    const message = pushMessage(webDevice('ok'));
    const result = await createWebPush({ vapid }).send(message);
    expect(result).toEqual({ status: 'accepted', providerMessageId: `${origin}/m/${deliveries.length}` });

    const { headers, payload } = deliveries.at(-1)!;
    expect(JSON.parse(payload)).toEqual({
      type: 'qdesk.challenge',
      challengeId: message.challengeId,
      title: message.title,
      body: message.body,
      display: message.display,
    } satisfies QdeskPushPayload);
    expect(headers.get('content-encoding')).toBe('aes128gcm');
    expect(headers.get('ttl')).toBe(String(message.ttlSeconds));
    expect(headers.get('urgency')).toBe('high');
  });

  it('signs a VAPID JWT for the push service origin with the configured key', async () => {
    await createWebPush({ vapid }).send(pushMessage(webDevice('ok'), { ttlSeconds: 90 }));
    const { headers } = deliveries.at(-1)!;
    expect(headers.get('ttl')).toBe('90');
    const match = /^vapid t=([^,]+), k=(.+)$/.exec(headers.get('authorization') ?? '');
    expect(match?.[2]).toBe(vapid.publicKey);
    const claims = verifyEs256(match![1]!, vapid.publicKey);
    expect(claims).toMatchObject({ aud: origin, sub: vapid.subject });
    const exp = Number(claims?.exp) * 1000;
    expect(exp).toBeGreaterThan(Date.now());
    expect(exp).toBeLessThanOrEqual(Date.now() + 24 * 3600 * 1000);
    expect(verifyEs256(match![1]!, webpush.generateVAPIDKeys().publicKey)).toBeNull();
  });

  it.each([
    ['dead', 'permanent_failure', '410', 'address'],
    ['missing', 'permanent_failure', '404', 'address'],
    ['big', 'permanent_failure', '413', 'message'],
    ['wrong-vapid', 'permanent_failure', '403', 'configuration'],
    ['no-vapid', 'permanent_failure', '401', 'configuration'],
    ['bad-request', 'permanent_failure', '400', 'message'],
    ['down', 'transient_failure', '503', undefined],
  ])('maps a push service answer for /%s to %s (%s, scope %s)', async (id, status, code, scope) => {
    const result = await createWebPush({ vapid }).send(pushMessage(webDevice(id)));
    expect(result).toMatchObject({ status, providerCode: code });
    expect(scopeOf(result)).toBe(scope);
  });

  it('marks the subscription dead on 410 so the directory can drop it', async () => {
    const result = await createWebPush({ vapid }).send(pushMessage(webDevice('dead')));
    expect(result.status === 'permanent_failure' && result.reason).toMatch(
      /no longer exists.*remove the device/,
    );
  });

  it("keeps the push service's body out of the reason, even when it quotes the request", async () => {
    const message = pushMessage(webDevice('echo'), { body: 'Dana Reyes asks you to approve ticket T-0042' });
    server.use(
      http.post(`${origin}/wpush/echo`, () =>
        HttpResponse.text(`Payload too large: ${message.body} ${message.challengeId}`, { status: 413 }),
      ),
    );
    const result = await createWebPush({ vapid }).send(message);
    expect(result).toEqual({
      status: 'permanent_failure',
      providerCode: '413',
      scope: 'message',
      reason: 'The push payload is too large for the push service (413)',
    });
    expect(JSON.stringify(result)).not.toContain(message.body);
  });

  it('reports 429 as transient with Retry-After, and a network error as transient', async () => {
    expect(await createWebPush({ vapid }).send(pushMessage(webDevice('busy')))).toMatchObject({
      status: 'transient_failure',
      providerCode: '429',
      retryAfterMs: 30_000,
    });
    server.use(http.post(`${origin}/wpush/:id`, () => HttpResponse.error()));
    expect(await createWebPush({ vapid }).send(pushMessage(webDevice('ok')))).toMatchObject({
      status: 'transient_failure',
    });
  });

  it.each([
    ['not JSON', 'not json', /not JSON/],
    ['no keys', JSON.stringify({ endpoint: `${origin}/wpush/x` }), /keys/],
    ['http endpoint', subscriber.subscription('http://push.example.test/x'), /endpoint must be an https URL/],
    [
      'a key off the curve',
      JSON.stringify({
        endpoint: `${origin}/x`,
        keys: { p256dh: Buffer.alloc(65, 4).toString('base64url'), auth: 'AAAAAAAAAAAAAAAAAAAAAA' },
      }),
      /keys\.p256dh must be a base64url P-256/,
    ],
  ])(
    'reports a subscription with %s as a permanent failure without sending',
    async (_label, address, reason) => {
      const before = deliveries.length;
      const result = await createWebPush({ vapid }).send(pushMessage(device('web', address)));
      expect(result).toMatchObject({ status: 'permanent_failure', providerCode: 'invalid_subscription' });
      expect(result.status === 'permanent_failure' && result.reason).toMatch(reason);
      expect(deliveries.length).toBe(before);
    },
  );

  it('uses an injected library with the TTL, urgency and VAPID details', async () => {
    const calls: Parameters<WebPushLibrary['sendNotification']>[] = [];
    const library: WebPushLibrary = {
      sendNotification: async (...args) => {
        calls.push(args);
        return { statusCode: 201, headers: {} };
      },
    };
    const message = pushMessage(webDevice('ok'));
    expect(await createWebPush({ vapid, library }).send(message)).toEqual({ status: 'accepted' });
    expect(calls[0]![2]).toEqual({ TTL: 60, urgency: 'high', vapidDetails: vapid, timeout: 10_000 });
    expect(JSON.parse(calls[0]![1]).challengeId).toBe(message.challengeId);
    // The real module fits the injected shape.
    createWebPush({ vapid, library: webpush });
  });

  it('throws for a device of another platform, and validates the VAPID keys', async () => {
    const channel = createWebPush({ vapid });
    await expect(channel.send(pushMessage(device('ios', 'abc')))).rejects.toBeInstanceOf(InputError);
    expect(() => createWebPush({ vapid: { ...vapid, publicKey: 'short' } })).toThrow(ConfigError);
    expect(() => createWebPush({ vapid: { ...vapid, subject: 'it@msp.example' } })).toThrow(/vapid\.subject/);
  });
});
