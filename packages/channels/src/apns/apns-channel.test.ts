import { generateKeyPairSync } from 'node:crypto';
import { ConfigError, InputError } from '@qdesk/core';
import { createManualClock } from '@qdesk/core/memory';
import { runChannelConformance } from '@qdesk/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeApns, startFakeApns } from '../test-support/apns-server.js';
import { device, pushMessage, scopeOf } from '../test-support/messages.js';
import { closedPort } from '../test-support/smtp-server.js';
import { type ApnsChannel, type ApnsSettings, createApns } from './apns-channel.js';
import { PROVIDER_TOKEN_REFRESH_AFTER_MS } from './apns-provider-token.js';

const pem = (key: ReturnType<typeof generateKeyPairSync>['privateKey']) =>
  key.export({ type: 'pkcs8', format: 'pem' }).toString();
const keys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const teamId = 'TEAM123456';
const keyId = 'KEYID12345';
const good = 'a'.repeat(64);
const dead = 'd'.repeat(64);
const busy = 'b'.repeat(64);
const bad = 'c'.repeat(64);
const down = 'e'.repeat(64);
const otherApp = '0'.repeat(64);
const badTopic = '1'.repeat(64);
const badPriority = '2'.repeat(64);
const disallowed = '3'.repeat(64);
const idle = '4'.repeat(64);
const newReason = '5'.repeat(64);
const echo = '6'.repeat(64);
const badExpiry = '7'.repeat(64);

let apns: FakeApns;
beforeAll(async () => {
  apns = await startFakeApns(
    keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    keyId,
    teamId,
  );
  apns.replies.set(dead, { status: 410, reason: 'Unregistered' });
  apns.replies.set(busy, { status: 429, reason: 'TooManyRequests', headers: { 'retry-after': '5' } });
  apns.replies.set(bad, { status: 400, reason: 'BadDeviceToken' });
  apns.replies.set(down, { status: 503, reason: 'ServiceUnavailable' });
  apns.replies.set(otherApp, { status: 400, reason: 'DeviceTokenNotForTopic' });
  apns.replies.set(badTopic, { status: 400, reason: 'BadTopic' });
  apns.replies.set(badPriority, { status: 400, reason: 'BadPriority' });
  apns.replies.set(disallowed, { status: 400, reason: 'TopicDisallowed' });
  apns.replies.set(idle, { status: 400, reason: 'IdleTimeout' });
  apns.replies.set(newReason, { status: 400, reason: 'SomethingAppleAddsLater' });
  apns.replies.set(badExpiry, { status: 400, reason: 'BadExpirationDate' });
  // A misbehaving proxy in front of APNs that quotes the request body back as the reason.
  apns.replies.set(echo, (request) => ({ status: 400, reason: `Rejected: ${request.body}` }));
});
afterAll(() => apns.close());

const settings = (overrides: Partial<ApnsSettings> = {}): ApnsSettings => ({
  teamId,
  keyId,
  privateKey: pem(keys.privateKey),
  topic: 'com.example.qdesk',
  host: apns.origin,
  ...overrides,
});
const ios = (token: string) => device('ios', token);

runChannelConformance({
  name: 'apns',
  create: () => createApns(settings()),
  cleanup: (channel) => (channel as ApnsChannel).close(),
  acceptedMessage: () => pushMessage(ios(good)),
  permanentFailureMessage: () => pushMessage(ios(dead)),
  transientFailureMessage: () => pushMessage(ios(busy)),
  inspect: { received: async () => apns.requests.map((request) => request.body) },
});

describe('createApns', () => {
  it('posts an alert with the documented headers and a verifiable provider token', async () => {
    const clock = createManualClock(Date.UTC(2026, 0, 1, 12));
    const channel = createApns(settings({ clock }));
    const message = pushMessage(ios(good), { ttlSeconds: 60 });
    const result = await channel.send(message);
    await channel.close();

    const request = apns.requests.at(-1)!;
    expect(result).toEqual({ status: 'accepted', providerMessageId: request.apnsId });
    expect(request.path).toBe(`/3/device/${good}`);
    expect(request.headers).toMatchObject({
      ':method': 'POST',
      'apns-topic': 'com.example.qdesk',
      'apns-push-type': 'alert',
      'apns-priority': '10',
      'apns-expiration': String(Date.UTC(2026, 0, 1, 12) / 1000 + 60),
      'apns-collapse-id': message.challengeId,
    });
    expect(request.claims).toEqual({ iss: teamId, iat: Date.UTC(2026, 0, 1, 12) / 1000 });
    expect(JSON.parse(request.body)).toEqual({
      aps: { alert: { title: message.title, body: message.body }, sound: 'default' },
      qdesk: {
        type: 'qdesk.challenge',
        challengeId: message.challengeId,
        title: message.title,
        body: message.body,
        display: message.display,
      },
    });
  });

  it('reuses one HTTP/2 connection for many sends', async () => {
    const before = apns.sessions;
    const channel = createApns(settings());
    const results = await Promise.all(Array.from({ length: 5 }, () => channel.send(pushMessage(ios(good)))));
    await channel.send(pushMessage(ios(good)));
    await channel.close();
    expect(results.every((r) => r.status === 'accepted')).toBe(true);
    expect(apns.sessions - before).toBe(1);
  });

  it.each([
    [dead, 'permanent_failure', 'Unregistered', 'address'],
    [bad, 'permanent_failure', 'BadDeviceToken', 'address'],
    [otherApp, 'permanent_failure', 'DeviceTokenNotForTopic', 'configuration'],
    [badTopic, 'permanent_failure', 'BadTopic', 'configuration'],
    [disallowed, 'permanent_failure', 'TopicDisallowed', 'configuration'],
    [badPriority, 'permanent_failure', 'BadPriority', 'message'],
    [badExpiry, 'permanent_failure', 'BadExpirationDate', 'message'],
    [newReason, 'permanent_failure', 'SomethingAppleAddsLater', 'message'],
    [idle, 'transient_failure', 'IdleTimeout', undefined],
    [busy, 'transient_failure', 'TooManyRequests', undefined],
    [down, 'transient_failure', 'ServiceUnavailable', undefined],
  ])('maps the answer for %s to %s (%s, scope %s)', async (token, status, reason, scope) => {
    const channel = createApns(settings());
    const result = await channel.send(pushMessage(ios(token)));
    await channel.close();
    expect(result).toMatchObject({ status, providerCode: reason });
    expect(scopeOf(result)).toBe(scope);
    if (token === busy) expect(result).toMatchObject({ retryAfterMs: 5000 });
  });

  it('never quotes a reason that is not an APNs reason word, such as one echoing the payload', async () => {
    const channel = createApns(settings());
    const message = pushMessage(ios(echo));
    const result = await channel.send(message);
    await channel.close();
    expect(result).toMatchObject({ status: 'permanent_failure', providerCode: '400', scope: 'message' });
    expect(JSON.stringify(result)).not.toContain(message.body);
  });

  it('reports a token signed with the wrong key as InvalidProviderToken, permanent in scope configuration', async () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const channel = createApns(settings({ privateKey: pem(other.privateKey) }));
    const result = await channel.send(pushMessage(ios(good)));
    await channel.close();
    expect(result).toMatchObject({
      status: 'permanent_failure',
      providerCode: 'InvalidProviderToken',
      scope: 'configuration',
    });
    expect(result.status === 'permanent_failure' && result.reason).toMatch(
      /fix the configuration.*teamId, keyId/,
    );
  });

  it('keeps the provider token for 50 minutes, then mints a new one', async () => {
    const clock = createManualClock(Date.UTC(2026, 0, 1));
    const channel = createApns(settings({ clock }));
    const tokenOfNextSend = async () => {
      await channel.send(pushMessage(ios(good)));
      return apns.requests.at(-1)!.token;
    };
    const first = await tokenOfNextSend();
    clock.advance(20 * 60_000);
    expect(await tokenOfNextSend()).toBe(first);
    clock.advance(PROVIDER_TOKEN_REFRESH_AFTER_MS - 20 * 60_000 - 1);
    expect(await tokenOfNextSend()).toBe(first);
    clock.advance(1);
    const second = await tokenOfNextSend();
    expect(second).not.toBe(first);
    expect(apns.requests.at(-1)!.claims.iat).toBe(Date.UTC(2026, 0, 1, 0, 50) / 1000);
    await channel.close();
  });

  it('mints a new token at once and retries when APNs says ExpiredProviderToken', async () => {
    const clock = createManualClock(Date.UTC(2026, 0, 2));
    const refused = new Set<string>();
    const token = 'f'.repeat(64);
    // Refuses the first token it sees as expired, accepts any other.
    apns.replies.set(token, (request) => {
      if (refused.size === 0) refused.add(request.token);
      return refused.has(request.token) ? { status: 403, reason: 'ExpiredProviderToken' } : { status: 200 };
    });
    const channel = createApns(settings({ clock }));
    await channel.send(pushMessage(ios(good)));
    clock.advance(60_000);
    const before = apns.requests.length;
    expect(await channel.send(pushMessage(ios(token)))).toMatchObject({ status: 'accepted' });
    const [refusedRequest, retried] = apns.requests.slice(before);
    expect(retried!.token).not.toBe(refusedRequest!.token);
    expect(retried!.claims.iat).toBe(Date.UTC(2026, 0, 2, 0, 1) / 1000);
    await channel.close();
  });

  it('reports an unreachable host as transient, and a non-hex token as permanent without sending', async () => {
    const channel = createApns(settings({ host: `http://127.0.0.1:${await closedPort()}`, timeoutMs: 2000 }));
    expect(await channel.send(pushMessage(ios(good)))).toMatchObject({ status: 'transient_failure' });
    expect(await channel.send(pushMessage(ios('not-a-token')))).toMatchObject({
      status: 'permanent_failure',
      providerCode: 'BadDeviceToken',
    });
    await channel.close();
  });

  it('hashes a challenge id longer than 64 bytes into the collapse id', async () => {
    const channel = createApns(settings());
    await channel.send(pushMessage(ios(good), { challengeId: 'x'.repeat(80) }));
    await channel.close();
    expect(apns.requests.at(-1)!.headers['apns-collapse-id']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('throws for another platform and validates its settings', async () => {
    const channel = createApns(settings());
    await expect(channel.send(pushMessage(device('android', good)))).rejects.toBeInstanceOf(InputError);
    await channel.close();
    expect(() => createApns(settings({ teamId: 'short' }))).toThrow(/teamId/);
    expect(() => createApns(settings({ host: 'ftp://x' }))).toThrow(ConfigError);
    expect(createApns(settings({ host: 'sandbox' })).name).toBe('apns');
  });
});
