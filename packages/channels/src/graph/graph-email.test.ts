import { ConfigError } from '@qdesk/core';
import { runChannelConformance } from '@qdesk/core/testing';
import { HttpResponse, http } from 'msw';
import { beforeEach, describe, expect, it } from 'vitest';
import { createFakeGraph, graphError } from '../test-support/fake-graph.js';
import { createRecordingLogger } from '../test-support/logger.js';
import { context, emailMessage, scopeOf } from '../test-support/messages.js';
import { useMswServer } from '../test-support/msw.js';
import { createGraphEmail, type GraphEmailSettings } from './graph-email.js';

const app = {
  tenantId: '3f8c2a1e-5b7d-4c9e-8a6f-2d1b0c9e7a54',
  clientId: '0f5b3c2a-4d6e-4f70-8a9b-1c2d3e4f5a6b',
  clientSecret: 'Zq8~fake.client.secret-value_0123456789',
  sender: 'it-verify@contoso.example',
};
const fake = createFakeGraph(app);
const server = useMswServer(...fake.handlers);
beforeEach(() => fake.reset());

fake.recipients.set('gone@contoso.example', () =>
  graphError(
    400,
    'ErrorInvalidRecipients',
    "At least one recipient isn't valid., Recipient 'gone@contoso.example' isn't resolved.",
  ),
);
fake.recipients.set('busy@contoso.example', () =>
  graphError(429, 'ApplicationThrottled', 'Application is over its MailboxConcurrency limit.', {
    'retry-after': '7',
  }),
);

const settings: GraphEmailSettings = { ...app };

const kitLogger = createRecordingLogger();
runChannelConformance({
  name: 'graph',
  create: () => createGraphEmail({ ...settings, logger: kitLogger }),
  acceptedMessage: () => emailMessage(),
  permanentFailureMessage: () => emailMessage({ to: 'gone@contoso.example' }),
  transientFailureMessage: () => emailMessage({ to: 'busy@contoso.example' }),
  inspect: {
    received: async () => fake.delivered.map((call) => call.body.message.body.content),
    logs: kitLogger.lines,
  },
});

describe('createGraphEmail', () => {
  it('gets an app-only token and posts the documented sendMail body as the sender', async () => {
    const message = emailMessage();
    const result = await createGraphEmail(settings).send(message);

    expect(result).toEqual({ status: 'accepted', providerMessageId: expect.stringMatching(/^5f0c1b2a-/) });
    expect(fake.calls.token).toEqual([
      {
        path: `/${app.tenantId}/oauth2/v2.0/token`,
        contentType: expect.stringMatching(/^application\/x-www-form-urlencoded/),
        form: {
          client_id: app.clientId,
          client_secret: app.clientSecret,
          scope: 'https://graph.microsoft.com/.default',
          grant_type: 'client_credentials',
        },
      },
    ]);
    expect(fake.calls.sendMail).toEqual([
      {
        path: '/v1.0/users/it-verify%40contoso.example/sendMail',
        authorization: `Bearer ${fake.issued.at(-1)}`,
        contentType: 'application/json',
        body: {
          message: {
            subject: message.subject,
            body: { contentType: 'HTML', content: message.html },
            toRecipients: [{ emailAddress: { address: message.to } }],
          },
          saveToSentItems: false,
        },
      },
    ]);
  });

  it.each([
    ['a list', 'jo.user@contoso.example, eve@evil.example'],
    ['a display name', '"jo.user@contoso.example" <eve@evil.example>'],
  ])('refuses %s as not a single address without contacting Microsoft', async (_label, to) => {
    const result = await createGraphEmail(settings).send(emailMessage({ to }));
    expect(result).toMatchObject({
      status: 'permanent_failure',
      providerCode: 'invalid_address',
      scope: 'address',
    });
    expect(fake.calls).toEqual({ token: [], sendMail: [] });
  });

  it.each([
    [400, 'ErrorInvalidRecipients', 'permanent_failure', 'address'],
    [400, 'ErrorInvalidRequest', 'permanent_failure', 'message'],
    [400, 'RequestBodyRead', 'permanent_failure', 'message'],
    [400, 'ErrorMessageSizeExceeded', 'permanent_failure', 'message'],
    [413, 'ErrorMessageSizeExceeded', 'permanent_failure', 'message'],
    [403, 'ErrorAccessDenied', 'permanent_failure', 'configuration'],
    [404, 'ErrorInvalidUser', 'permanent_failure', 'configuration'],
    [404, 'MailboxNotEnabledForRESTAPI', 'permanent_failure', 'configuration'],
    [404, 'ResourceNotFound', 'permanent_failure', 'configuration'],
    [429, 'ErrorExceededMessageLimit', 'transient_failure', undefined],
    [500, 'ErrorInternalServerError', 'transient_failure', undefined],
    [503, 'ServiceUnavailable', 'transient_failure', undefined],
  ])('maps HTTP %s %s to %s (scope %s)', async (status, code, expected, scope) => {
    fake.answerSendMail(() => graphError(status, code, 'Graph says something about the request.'));
    const result = await createGraphEmail(settings).send(emailMessage());
    expect(result).toMatchObject({ status: expected, providerCode: code });
    expect(scopeOf(result)).toBe(scope);
  });

  it('reports throttling as transient with Retry-After', async () => {
    expect(await createGraphEmail(settings).send(emailMessage({ to: 'busy@contoso.example' }))).toEqual({
      status: 'transient_failure',
      providerCode: 'ApplicationThrottled',
      retryAfterMs: 7000,
      reason: expect.stringContaining('throttling'),
    });
  });

  it("says what to fix when the permission is missing, without Graph's message", async () => {
    fake.answerSendMail(() =>
      graphError(
        403,
        'ErrorAccessDenied',
        'Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings.',
      ),
    );
    const result = await createGraphEmail(settings).send(emailMessage());
    expect(result.status === 'permanent_failure' && result.reason).toMatch(
      /Mail\.Send.*application access policy/,
    );
    expect(JSON.stringify(result)).not.toContain('RAOP');
  });

  it("keeps Graph's message out of the reason, even when it quotes the body and its code", async () => {
    fake.answerSendMail((call) =>
      graphError(400, 'ErrorInvalidRequest', `Cannot process the body: ${call.body.message.body.content}`),
    );
    const result = await createGraphEmail(settings).send(emailMessage());
    expect(result).toEqual({
      status: 'permanent_failure',
      providerCode: 'ErrorInvalidRequest',
      scope: 'message',
      reason:
        'Microsoft Graph refused the email (ErrorInvalidRequest): Graph could not accept the message as built',
    });
    expect(JSON.stringify(result)).not.toContain(context.code);
  });

  it('reports a non-JSON error and a network error as transient', async () => {
    fake.answerSendMail(() => new HttpResponse('<html>Bad gateway</html>', { status: 502 }));
    expect(await createGraphEmail(settings).send(emailMessage())).toMatchObject({
      status: 'transient_failure',
      providerCode: '502',
    });
    fake.answerSendMail(() => HttpResponse.error());
    expect(await createGraphEmail(settings).send(emailMessage())).toMatchObject({
      status: 'transient_failure',
    });
  });

  it("uses configurable authority and Graph hosts, asking for that Graph host's scope", async () => {
    const channel = createGraphEmail({
      ...settings,
      authorityHost: 'https://login.microsoftonline.us/',
      graphHost: 'https://graph.microsoft.us',
    });
    server.use(
      http.post(`https://login.microsoftonline.us/${app.tenantId}/oauth2/v2.0/token`, async ({ request }) =>
        HttpResponse.json({
          token_type: 'Bearer',
          expires_in: 3599,
          access_token: `gov-${new URLSearchParams(await request.text()).get('scope')}`,
        }),
      ),
      http.post('https://graph.microsoft.us/v1.0/users/:sender/sendMail', ({ request }) =>
        request.headers.get('authorization') === 'Bearer gov-https://graph.microsoft.us/.default'
          ? new HttpResponse(null, { status: 202 })
          : new HttpResponse(null, { status: 401 }),
      ),
    );
    expect(await channel.send(emailMessage())).toEqual({ status: 'accepted' });
  });

  it('validates its settings, naming each bad field', () => {
    const attempt = () =>
      createGraphEmail({
        ...settings,
        tenantId: 'not a tenant/../x',
        clientId: 'app',
        sender: 'Eve <eve@x.y>',
      });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const paths = (error as ConfigError).issues.map((issue) => issue.path);
      expect(paths).toEqual(expect.arrayContaining(['tenantId', 'clientId', 'sender']));
      expect((error as Error).message).not.toContain(app.clientSecret);
    }
    expect(() => createGraphEmail({ ...settings, clientSecret: '' })).toThrow(/clientSecret/);
    expect(createGraphEmail({ ...settings, tenantId: 'contoso.onmicrosoft.com' }).name).toBe('graph');
    expect(createGraphEmail({ ...settings, sender: '8a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d' }).name).toBe(
      'graph',
    );
  });
});
