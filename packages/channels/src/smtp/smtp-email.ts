import type { Channel } from '@qdesk/core';
import { type EmailMessage, expectMessageFor } from '../internal/expect-message.js';
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

/**
 * Sends email codes over SMTP with nodemailer (a pooled transport built from `smtp`, or your own `transport`).
 * The subject and bodies come from core's message, or from your `template`. A 5xx reply is a permanent failure:
 * about the address when the recipient is refused (550 unknown mailbox), about the configuration (scope
 * `configuration`) when the login (535) or the sender is refused. A 4xx reply or a connection problem is transient.
 * A template that throws, or a missing `nodemailer` package, is a permanent failure in scope `configuration`.
 * @example
 * ```ts
 * const email = createSmtpEmail({
 *   from: 'Contoso IT <it-verify@contoso.example>',
 *   smtp: { host: 'smtp.example.com', auth: { user: 'apikey', pass: process.env.SMTP_PASSWORD! } },
 * });
 * // on shutdown: await email.close();
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

  /** The subject and bodies: core's wording, or the user's template (which may throw, being user code). */
  const render = async (message: EmailMessage): Promise<EmailContent> =>
    template
      ? template(message.context)
      : { subject: message.subject, text: message.text, html: message.html };

  const channel: SmtpEmailChannel = {
    specificationVersion: 'v1',
    route: 'email',
    name: 'smtp',
    async send(message) {
      expectMessageFor(channel, message);
      let content: EmailContent;
      try {
        content = await render(message);
      } catch (error) {
        return permanentFailure(
          `The email template threw (${describeError(error)}); fix the template function`,
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
      const mail: SmtpMail = {
        from: config.from,
        to: message.to,
        subject: content.subject,
        text: content.text,
        // RFC 3834: tells out-of-office responders not to answer a machine-sent code.
        headers: { 'Auto-Submitted': 'auto-generated', 'X-QDesk-Session': message.sessionId },
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
        return permanentFailure(
          `The mail server rejected the recipient: ${info.response ?? 'no reply text'}`,
        );
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
