import { HttpResponse } from 'msw';
import { beforeEach, describe, expect, it } from 'vitest';
import { createFakeGraph, graphError, tokenError } from '../test-support/fake-graph.js';
import { createRecordingLogger } from '../test-support/logger.js';
import { emailMessage } from '../test-support/messages.js';
import { useMswServer } from '../test-support/msw.js';
import { createGraphEmail, type GraphEmailSettings } from './graph-email.js';

const app = {
  tenantId: '3f8c2a1e-5b7d-4c9e-8a6f-2d1b0c9e7a54',
  clientId: '0f5b3c2a-4d6e-4f70-8a9b-1c2d3e4f5a6b',
  clientSecret: 'Zq8~fake.client.secret-value_0123456789',
  sender: 'it-verify@contoso.example',
};
const fake = createFakeGraph(app);
useMswServer(...fake.handlers);
beforeEach(() => fake.reset());

/** A channel on a manual clock. */
function channelAt(start: number, overrides: Partial<GraphEmailSettings> = {}) {
  const clock = { at: start };
  const channel = createGraphEmail({ ...app, now: () => clock.at, ...overrides });
  return { channel, clock };
}

const secretsIn = (value: unknown) =>
  [app.clientSecret, ...fake.issued].filter((secret) => JSON.stringify(value).includes(secret));

describe('the Graph access token', () => {
  it('is reused until five minutes before it expires, then renewed', async () => {
    const { channel, clock } = channelAt(Date.UTC(2026, 0, 1));
    await channel.send(emailMessage());
    clock.at += 3599_000 - 5 * 60_000 - 1;
    await channel.send(emailMessage());
    expect(fake.calls.token).toHaveLength(1);
    clock.at += 1;
    await channel.send(emailMessage());
    expect(fake.calls.token).toHaveLength(2);
    const bearers = fake.calls.sendMail.map((call) => call.authorization);
    expect(bearers[0]).toBe(bearers[1]);
    expect(bearers[2]).not.toBe(bearers[1]);
  });

  it('is fetched once for concurrent sends', async () => {
    const { channel } = channelAt(Date.UTC(2026, 0, 1));
    const results = await Promise.all(Array.from({ length: 5 }, () => channel.send(emailMessage())));
    expect(results.every((r) => r.status === 'accepted')).toBe(true);
    expect(fake.calls.token).toHaveLength(1);
    expect(fake.calls.sendMail).toHaveLength(5);
  });

  it('is renewed once when Graph refuses it (401), and the send retried', async () => {
    const logger = createRecordingLogger();
    const { channel } = channelAt(Date.UTC(2026, 0, 1), { logger });
    await channel.send(emailMessage());
    fake.revoked.add(fake.issued.at(-1)!);
    expect(await channel.send(emailMessage())).toMatchObject({ status: 'accepted' });
    expect(fake.calls.token).toHaveLength(2);
    expect(fake.calls.sendMail.map((call) => call.authorization)).toEqual([
      `Bearer ${fake.issued.at(-2)}`,
      `Bearer ${fake.issued.at(-2)}`,
      `Bearer ${fake.issued.at(-1)}`,
    ]);
    const logs = await logger.lines();
    expect(logs.join('\n')).toContain('fetching a new one');
    expect(secretsIn(logs)).toEqual([]);
  });

  it('gives up after one renewal: a second 401 is a configuration failure', async () => {
    const { channel } = channelAt(Date.UTC(2026, 0, 1));
    const refuse = () => graphError(401, 'InvalidAuthenticationToken', 'Access token validation failure.');
    fake.answerSendMail(refuse);
    fake.answerSendMail(refuse);
    const result = await channel.send(emailMessage());
    expect(result).toMatchObject({
      status: 'permanent_failure',
      providerCode: 'InvalidAuthenticationToken',
      scope: 'configuration',
    });
    expect(fake.calls.sendMail).toHaveLength(2);
    expect(fake.calls.token).toHaveLength(2);
    expect(secretsIn(result)).toEqual([]);
  });

  it.each([
    ['a wrong client secret', { clientSecret: 'not-the-secret' }, 'AADSTS7000215', /check clientSecret/],
    [
      'an unknown client id',
      { clientId: '11111111-2222-4333-8444-555555555555' },
      'AADSTS700016',
      /check clientId and tenantId/,
    ],
    ['an unknown tenant', { tenantId: 'fabrikam.onmicrosoft.com' }, 'AADSTS90002', /check tenantId/],
  ])(
    'reports %s as a configuration failure with its AADSTS code, naming the setting',
    async (_l, over, code, fix) => {
      const { channel } = channelAt(Date.UTC(2026, 0, 1), over);
      const result = await channel.send(emailMessage());
      expect(result).toMatchObject({
        status: 'permanent_failure',
        providerCode: code,
        scope: 'configuration',
      });
      expect(result.status === 'permanent_failure' && result.reason).toMatch(fix);
      expect(JSON.stringify(result)).not.toMatch(/not-the-secret|Trace ID/);
      expect(secretsIn(result)).toEqual([]);
      expect(fake.calls.sendMail).toEqual([]);
    },
  );

  it('reports an OAuth error without an AADSTS code by its error, and never quotes the description', async () => {
    fake.answerToken(() =>
      HttpResponse.json(
        { error: 'unauthorized_client', error_description: `client ${app.clientSecret} may not` },
        { status: 400 },
      ),
    );
    const result = await channelAt(0).channel.send(emailMessage());
    expect(result).toMatchObject({
      status: 'permanent_failure',
      providerCode: 'unauthorized_client',
      scope: 'configuration',
    });
    expect(secretsIn(result)).toEqual([]);
  });

  it('reports a token endpoint that is down or throttling as transient, and tries again on the next send', async () => {
    fake.answerToken(() => tokenError(503, 'temporarily_unavailable', 50196, 'The server is busy.'));
    const { channel } = channelAt(Date.UTC(2026, 0, 1));
    expect(await channel.send(emailMessage())).toMatchObject({
      status: 'transient_failure',
      providerCode: 'AADSTS50196',
    });
    fake.answerToken(() => new HttpResponse(null, { status: 429, headers: { 'retry-after': '3' } }));
    expect(await channel.send(emailMessage())).toMatchObject({
      status: 'transient_failure',
      providerCode: '429',
      retryAfterMs: 3000,
    });
    expect(await channel.send(emailMessage())).toMatchObject({ status: 'accepted' });
    expect(fake.calls.token).toHaveLength(3);
  });
});
