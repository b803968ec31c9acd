import { ConfigError } from '@qdesk/core';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import type { ParsedSmtpServerSettings, SmtpTransport } from './smtp-settings.js';

type Nodemailer = typeof import('nodemailer');

/**
 * Loads nodemailer only when the channel must build its own transport, so a user who injects a transport (or
 * never imports this subpath) does not need the package installed.
 */
async function loadNodemailer(): Promise<Nodemailer> {
  try {
    const mod = (await import('nodemailer')) as Nodemailer & { default?: Nodemailer };
    // CommonJS through ESM: the API may sit on the namespace or on its default export.
    return typeof mod.createTransport === 'function' ? mod : (mod.default as Nodemailer);
  } catch (cause) {
    throw new ConfigError(
      'createSmtpEmail: the smtp setting needs the "nodemailer" package. Install it (pnpm add nodemailer) or pass your own transport.',
      [{ path: 'smtp', message: 'nodemailer is not installed' }],
      { cause },
    );
  }
}

/** Builds the nodemailer transport (pooled by default) described by the channel's `smtp` settings. */
export async function createNodemailerTransport(server: ParsedSmtpServerSettings): Promise<SmtpTransport> {
  const nodemailer = await loadNodemailer();
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
