import type { Channel } from '@qdesk/core';
import { isSingleEmailAddress, notASingleAddress } from '../internal/email-address.js';
import { type EmailMessage, expectMessageFor, hasCode } from '../internal/expect-message.js';
import { lazy } from '../internal/optional-peer.js';
import { accepted, describeError, permanentFailure } from '../internal/results.js';
import { parseSettings } from '../internal/settings.js';
import { silentLogger } from '../logger.js';
import { createNodemailerTransport } from './nodemailer-transport.js';
import { classifySmtpError } from './smtp-errors.js';
import {
  type EmailContent,
  type SmtpEmailSettings,
  type SmtpMail,
  type SmtpTransport,
  smtpSettingsSchema,
} from './smtp-settings.js';

/** The SMTP email channel. @public */
export interface SmtpEmailChannel extends Channel {
  /** Always `email`. */
  readonly route: 'email';
  /** Always `smtp`. */
  readonly name: 'smtp';
  /** Closes the pooled connections the channel opened (an injected transport is left to its owner). */
  close(): Promise<void>;
}

/** An RFC 5322 date-time (`Thu, 01 Jan 2026 00:10:00 +0000`), as the `Expires` header (RFC 4021) takes it. */
const rfc5322Date = (epochMs: number) => new Date(epochMs).toUTCString().replace(/GMT$/, '+0000');

/**
 * Sends email codes and account notices over SMTP with nodemailer (a pooled transport built from `smtp`, or your own
 * `transport`). The subject and bodies come from core's message, or, for a code, from your `template` (an account
 * notice always uses core's wording). The stored address must be one plain email address: a list or a display-name
 * form (`a@x, b@y`, `"x" <eve@evil.example>`) is a permanent failure about the address, and the server is never
 * contacted. The email carries an `Expires` header at `context.expiresAt` (the code's or the link's expiry, a device
 * notice's hour) and an `X-QDesk-Session` header with the session id (an account notice's own id for a notice).
 * A 5xx reply is a permanent failure: about the address when the recipient is refused at RCPT TO (550 unknown
 * mailbox), about the configuration (scope `configuration`) when the login (535, 534, 530) or the sender (MAIL
 * FROM) is refused, about the message at DATA. A 4xx reply, a connection problem or an OAuth2 token that could not
 * be had is transient. A template that throws, or a missing `nodemailer` package, is a permanent failure in scope
 * `configuration`. Reasons name the reply code, never the server's reply text (which may quote the message).
 * @example
 * ```ts
 * const email = createSmtpEmail({
 *   from: 'Contoso IT <it-verify@contoso.example>',
 *   smtp: { host: 'smtp.example.com', auth: { user: 'apikey', pass: process.env.SMTP_PASSWORD! } },
 * });
 * // Exchange Online with OAuth2 (XOAUTH2), a token from MSAL or any OAuth2 client:
 * const exchange = createSmtpEmail({
 *   from: 'it-verify@contoso.example',
 *   smtp: {
 *     host: 'smtp.office365.com',
 *     auth: { type: 'oauth2', user: 'it-verify@contoso.example', getAccessToken: async () => fetchToken() },
 *   },
 * });
 * // on shutdown: await email.close(); await exchange.close();
 * ```
 * @throws ConfigError naming each invalid setting.
 * @public
 */
export function createSmtpEmail(settings: SmtpEmailSettings): SmtpEmailChannel {
  const config = parseSettings('SMTP email settings', smtpSettingsSchema, settings);
  const logger = config.logger ?? silentLogger;
  const injected = config.transport;
  // An injected transport belongs to the caller; only one built from `smtp` is created here and closed by close().
  const transport = lazy<SmtpTransport>(() => createNodemailerTransport(config.smtp!));
  const template = config.template;

  /**
   * The subject and bodies: core's wording, or the user's template (which may throw, being user code). The template
   * renders code emails only; an account notice, which has no code, always goes out in core's wording.
   */
  const render = async (message: EmailMessage): Promise<EmailContent> =>
    template && hasCode(message.context)
      ? template(message.context)
      : { subject: message.subject, text: message.text, html: message.html };

  const channel: SmtpEmailChannel = {
    specificationVersion: 'v1',
    route: 'email',
    name: 'smtp',
    async send(message) {
      expectMessageFor(channel, message);
      const address = message.to;
      if (!isSingleEmailAddress(address)) return notASingleAddress();
      let content: EmailContent;
      try {
        content = await render(message);
      } catch (error) {
        // The template is user code that sees the code: keep its error's words, never the code.
        const code = hasCode(message.context) ? message.context.code : '';
        const thrown = code ? describeError(error).replaceAll(code, '[code]') : describeError(error);
        return permanentFailure(
          `The email template threw (${thrown}); fix the template function`,
          'template_failed',
          'configuration',
        );
      }
      let sender: SmtpTransport;
      try {
        sender = injected ?? (await transport.get());
      } catch (error) {
        return permanentFailure(
          `The SMTP transport could not be created: ${describeError(error)}`,
          'transport_unavailable',
          'configuration',
        );
      }
      const headers: Record<string, string> = {
        // RFC 3834: tells out-of-office responders not to answer a machine-sent code.
        'Auto-Submitted': 'auto-generated',
        'X-QDesk-Session': message.sessionId,
      };
      // RFC 4021: mail clients may hide or mark a message past this date, so a stale code or link is not used.
      if (Number.isFinite(message.context.expiresAt)) {
        headers.Expires = rfc5322Date(message.context.expiresAt);
      }
      const mail: SmtpMail = {
        from: config.from,
        // An address object and an explicit envelope: nodemailer never parses the stored string as a list.
        to: { address, name: '' },
        envelope: { from: config.from, to: [address] },
        subject: content.subject,
        text: content.text,
        headers,
      };
      if (content.html !== undefined) mail.html = content.html;
      if (config.replyTo) mail.replyTo = config.replyTo;

      let info: Awaited<ReturnType<SmtpTransport['sendMail']>>;
      try {
        info = await sender.sendMail(mail);
      } catch (error) {
        return classifySmtpError(error);
      }
      if (info.rejected && info.rejected.length > 0) {
        logger.warn('The mail server refused the recipient after accepting the connection.', {
          sessionId: message.sessionId,
        });
        // The reply text is left out: it may quote the address or the message.
        return permanentFailure('The mail server rejected the recipient after accepting the connection');
      }
      return accepted(info.messageId);
    },
    async close() {
      const opened = await transport.take()?.catch(() => undefined);
      opened?.close?.();
    },
  };
  return channel;
}
