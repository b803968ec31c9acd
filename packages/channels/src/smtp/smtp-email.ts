import { AdapterError, type Channel } from '@qdesk/core';
import { expectKind } from '../internal/expect-message.js';
import { accepted, permanentFailure } from '../internal/results.js';
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
  readonly kind: 'email';
  /** Always `smtp`. */
  readonly name: 'smtp';
  /** Closes the pooled connections the channel opened (an injected transport is left to its owner). */
  close(): Promise<void>;
}

/**
 * Sends email codes over SMTP with nodemailer (a pooled transport built from `smtp`, or your own `transport`).
 * The subject and bodies come from core's message, or from your `template`. A 5xx reply (550 unknown mailbox)
 * is a permanent failure; a 4xx reply or a connection problem is transient.
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
  const config = parseSettings('createSmtpEmail', smtpSettingsSchema, settings);
  const logger = config.logger ?? silentLogger;
  const owned = config.transport === undefined;
  let transport: Promise<SmtpTransport> | undefined = config.transport
    ? Promise.resolve(config.transport)
    : undefined;

  const getTransport = (): Promise<SmtpTransport> => {
    if (!transport) {
      const created = createNodemailerTransport(config.smtp!);
      // Forget a failed creation so a later send tries again instead of replaying the same rejection.
      created.catch(() => {
        if (transport === created) transport = undefined;
      });
      transport = created;
    }
    return transport;
  };

  const render = async (context: Parameters<NonNullable<SmtpEmailSettings['template']>>[0]) => {
    try {
      return await config.template!(context);
    } catch (cause) {
      throw new AdapterError('adapter_failed', 'The SMTP email template threw; fix the template function.', {
        cause,
      });
    }
  };

  return {
    kind: 'email',
    name: 'smtp',
    async send(message) {
      expectKind('smtp', message, 'email');
      const content: EmailContent = config.template
        ? await render(message.context)
        : { subject: message.subject, text: message.text, html: message.html };
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

      const sender = await getTransport();
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
      if (!owned || !transport) return;
      const current = transport;
      transport = undefined;
      const opened = await current.catch(() => undefined);
      opened?.close?.();
    },
  };
}
