import type SMTPPool from 'nodemailer/lib/smtp-pool';
import { loadOptionalPeer } from '../internal/optional-peer.js';
import type { ParsedSmtpServerSettings, SmtpAccessTokenProvider, SmtpTransport } from './smtp-settings.js';

type Nodemailer = typeof import('nodemailer');

/**
 * Wraps a rejection of the user's `getAccessToken`. nodemailer hands it back from `sendMail` as an `EAUTH` error
 * (the same object, with `code` and `command` set), and the classifier reads it by `name` as an unavailable token
 * rather than a refused login.
 */
export class SmtpAccessTokenError extends Error {
  override readonly name = 'SmtpAccessTokenError';
}

/**
 * nodemailer's `provisionCallback`, calling the user's `getAccessToken` (with `renew` after a refused token).
 *
 * Note: nodemailer caches a provisioned token until its `expires` (epoch ms; 0 means forever). Answering with an
 * expiry already past makes it ask again at every login, so `getAccessToken` (which caches as its token source
 * sees fit) is the one place that decides when a token is stale. `transport.set('oauth2_provision_cb')` is not used:
 * in nodemailer 7 a non-pooled transport builds its login before that setting can be read.
 */
function provisionWith(getAccessToken: SmtpAccessTokenProvider) {
  return (
    user: string,
    renew: boolean,
    callback: (error: Error | null, token: string, expires: number) => void,
  ) => {
    const failed = (cause?: unknown) =>
      callback(new SmtpAccessTokenError('getAccessToken did not return an access token', { cause }), '', 0);
    // A throwing or non-async function must not throw inside nodemailer's socket handling.
    Promise.resolve()
      .then(() => getAccessToken({ user, renew }))
      .then(
        (token: unknown) => (typeof token === 'string' && token ? callback(null, token, 1) : failed()),
        failed,
      );
  };
}

/** The nodemailer `auth` option: a password login as given, or XOAUTH2 with a fixed token or a token source. */
function authOption(auth: NonNullable<ParsedSmtpServerSettings['auth']>): SMTPPool.Options['auth'] {
  if (!('type' in auth)) return { user: auth.user, pass: auth.pass };
  if ('accessToken' in auth) return { type: 'OAuth2', user: auth.user, accessToken: auth.accessToken };
  return { type: 'OAuth2', user: auth.user, provisionCallback: provisionWith(auth.getAccessToken) };
}

/**
 * Builds the nodemailer transport (pooled by default) described by the channel's `smtp` settings. nodemailer is
 * loaded here, on the first send, so a user who injects a transport does not need the package installed.
 */
export async function createNodemailerTransport(server: ParsedSmtpServerSettings): Promise<SmtpTransport> {
  const nodemailer = await loadOptionalPeer<Nodemailer>(() => import('nodemailer'), {
    name: 'nodemailer',
    exports: 'createTransport',
    setting: 'smtp',
    instead: 'pass your own transport',
  });
  const options: SMTPPool.Options = {
    pool: true,
    host: server.host,
    port: server.port ?? (server.secure ? 465 : 587),
    secure: server.secure,
    // Codes must not cross the network in clear text, so STARTTLS is required unless told otherwise.
    requireTLS: server.requireTLS ?? (!server.secure && !server.ignoreTLS),
    ignoreTLS: server.ignoreTLS,
    maxConnections: server.maxConnections,
    maxMessages: server.maxMessages,
    connectionTimeout: server.connectionTimeoutMs,
    greetingTimeout: server.greetingTimeoutMs,
    socketTimeout: server.socketTimeoutMs,
    ...(server.auth ? { auth: authOption(server.auth) } : {}),
    ...(server.tls ? { tls: server.tls } : {}),
    ...(server.dkim ? { dkim: server.dkim } : {}),
  };
  if (!server.pool) {
    // Same options without pooling: one connection per message.
    const { pool: _pool, maxConnections: _c, maxMessages: _m, ...single } = options;
    return nodemailer.createTransport(single);
  }
  return nodemailer.createTransport(options);
}
