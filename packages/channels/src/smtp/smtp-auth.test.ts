import { ConfigError } from '@qdesk/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRecordingLogger } from '../test-support/logger.js';
import { emailMessage } from '../test-support/messages.js';
import { type LocalSmtpServer, startLocalSmtpServer } from '../test-support/smtp-server.js';
import { createSmtpEmail, type SmtpEmailChannel } from './smtp-email.js';
import type { SmtpAccessTokenRequest, SmtpEmailSettings, SmtpServerSettings } from './smtp-settings.js';

const from = 'Contoso IT <it-verify@msp.example>';
const mailbox = 'it-verify@msp.example';
const password = 'correct horse battery staple';
const goodTokens = new Set(['ya29.fresh-token', 'eyJ0.static-token']);

let passwordServer: LocalSmtpServer;
let oauthServer: LocalSmtpServer;
beforeAll(async () => {
  passwordServer = await startLocalSmtpServer({
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth: (auth) =>
      auth.username === mailbox && auth.password === password
        ? mailbox
        : Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }),
    refuseSenders: new Map([['spoof@msp.example', 553]]),
  });
  oauthServer = await startLocalSmtpServer({
    authMethods: ['XOAUTH2'],
    // Refuses an unknown token the way Exchange does, so nodemailer asks for a renewed one once.
    onAuth: (auth) =>
      auth.method === 'XOAUTH2' && auth.username === mailbox && goodTokens.has(auth.accessToken ?? '')
        ? mailbox
        : null,
  });
});
afterAll(async () => {
  await passwordServer.close();
  await oauthServer.close();
});

const opened: SmtpEmailChannel[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((channel) => channel.close()));
});
const channelOn = (
  server: LocalSmtpServer,
  auth: SmtpServerSettings['auth'],
  overrides: Partial<SmtpEmailSettings> = {},
  pool = true,
) => {
  const smtp = { host: '127.0.0.1', port: server.port, ignoreTLS: true, pool, auth };
  const channel = createSmtpEmail({ from, smtp, ...overrides });
  opened.push(channel);
  return channel;
};

describe('SMTP login', () => {
  it('sends after a password login', async () => {
    const channel = channelOn(passwordServer, { user: mailbox, pass: password });
    expect(await channel.send(emailMessage())).toMatchObject({ status: 'accepted' });
    expect(passwordServer.logins.at(-1)).toMatchObject({ username: mailbox });
  });

  it('reports a refused login (535) as a configuration failure naming smtp.auth, without the password', async () => {
    const channel = channelOn(passwordServer, { user: mailbox, pass: 'wrong password' });
    const result = await channel.send(emailMessage());
    expect(result).toEqual({
      status: 'permanent_failure',
      providerCode: '535',
      scope: 'configuration',
      reason: 'The mail server refused the credentials; check smtp.auth (535 5.7.8)',
    });
  });

  it('reports a refused sender at MAIL FROM as a configuration failure, not the recipient', async () => {
    const channel = channelOn(
      passwordServer,
      { user: mailbox, pass: password },
      { from: 'spoof@msp.example' },
    );
    const result = await channel.send(emailMessage());
    expect(result).toMatchObject({
      status: 'permanent_failure',
      providerCode: '553',
      scope: 'configuration',
      reason: expect.stringContaining('check the from setting'),
    });
  });
});

describe('SMTP OAuth2 (XOAUTH2)', () => {
  it('logs in with a fixed access token', async () => {
    const channel = channelOn(oauthServer, {
      type: 'oauth2',
      user: mailbox,
      accessToken: 'eyJ0.static-token',
    });
    expect(await channel.send(emailMessage())).toMatchObject({ status: 'accepted' });
    expect(oauthServer.logins.at(-1)).toEqual({
      method: 'XOAUTH2',
      username: mailbox,
      accessToken: 'eyJ0.static-token',
    });
  });

  it('asks getAccessToken for the mailbox, and for a renewed token once the server refuses one', async () => {
    const requests: SmtpAccessTokenRequest[] = [];
    const logger = createRecordingLogger();
    const getAccessToken = async (request: SmtpAccessTokenRequest) => {
      requests.push(request);
      return request.renew ? 'ya29.fresh-token' : 'ya29.stale-token';
    };
    const channel = channelOn(oauthServer, { type: 'oauth2', user: mailbox, getAccessToken }, { logger });
    const before = oauthServer.deliveries.length;
    expect(await channel.send(emailMessage())).toMatchObject({ status: 'accepted' });
    expect(requests).toEqual([
      { user: mailbox, renew: false },
      { user: mailbox, renew: true },
    ]);
    expect(oauthServer.logins.slice(-2).map((login) => login.accessToken)).toEqual([
      'ya29.stale-token',
      'ya29.fresh-token',
    ]);
    expect(oauthServer.deliveries.length).toBe(before + 1);
    expect((await logger.lines()).join('\n')).not.toMatch(/ya29/);
  });

  it('asks getAccessToken at every login, so a token past its lifetime is never reused', async () => {
    const requests: SmtpAccessTokenRequest[] = [];
    const getAccessToken = async (request: SmtpAccessTokenRequest) => {
      requests.push(request);
      return 'ya29.fresh-token';
    };
    // Without pooling every send logs in on a new connection.
    const channel = channelOn(oauthServer, { type: 'oauth2', user: mailbox, getAccessToken }, {}, false);
    expect(await channel.send(emailMessage())).toMatchObject({ status: 'accepted' });
    expect(await channel.send(emailMessage())).toMatchObject({ status: 'accepted' });
    expect(requests).toEqual([
      { user: mailbox, renew: false },
      { user: mailbox, renew: false },
    ]);
  });

  it('reports a token the server keeps refusing as a configuration failure, without the token', async () => {
    const channel = channelOn(oauthServer, {
      type: 'oauth2',
      user: mailbox,
      accessToken: 'eyJ0.revoked-token',
    });
    const result = await channel.send(emailMessage());
    expect(result).toMatchObject({
      status: 'permanent_failure',
      providerCode: '535',
      scope: 'configuration',
    });
    expect(JSON.stringify(result)).not.toContain('revoked-token');
  });

  it('reports a getAccessToken that rejects as transient, without its error text', async () => {
    const getAccessToken = () => Promise.reject(new Error('token endpoint down: client_secret=s3cr3t'));
    const channel = channelOn(oauthServer, { type: 'oauth2', user: mailbox, getAccessToken });
    const result = await channel.send(emailMessage());
    expect(result).toMatchObject({ status: 'transient_failure', providerCode: 'access_token' });
    expect(JSON.stringify(result)).not.toContain('s3cr3t');
  });

  it('refuses OAuth2 settings without exactly one of accessToken and getAccessToken', () => {
    const smtp = (auth: unknown) =>
      ({ from, smtp: { host: 'smtp.office365.com', auth } }) as unknown as SmtpEmailSettings;
    expect(() => createSmtpEmail(smtp({ type: 'oauth2', user: mailbox }))).toThrow(ConfigError);
    expect(() =>
      createSmtpEmail(
        smtp({ type: 'oauth2', user: mailbox, accessToken: 't', getAccessToken: async () => 't' }),
      ),
    ).toThrow(/smtp\.auth/);
    expect(() => createSmtpEmail(smtp({ type: 'oauth2', user: mailbox, getAccessToken: 'token' }))).toThrow(
      ConfigError,
    );
    const error = (() => {
      try {
        createSmtpEmail(smtp({ type: 'oauth2', user: mailbox, accessToken: '' }));
      } catch (caught) {
        return caught as ConfigError;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
  });
});
