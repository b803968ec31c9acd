import type SMTPPool from 'nodemailer/lib/smtp-pool';
import { loadOptionalPeer } from '../internal/optional-peer.js';
import type { ParsedSmtpServerSettings, SmtpTransport } from './smtp-settings.js';

type Nodemailer = typeof import('nodemailer');

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
    ...(server.auth ? { auth: server.auth } : {}),
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
