/**
 * `@qdesk/channels/smtp`: email codes over SMTP with nodemailer (an optional peer dependency, loaded only when
 * the channel builds its own transport).
 *
 * @packageDocumentation
 */

export type { SmtpEmailChannel } from './smtp-email.js';
export { createSmtpEmail } from './smtp-email.js';
export type {
  EmailContent,
  SmtpEmailSettings,
  SmtpMail,
  SmtpSendInfo,
  SmtpServerSettings,
  SmtpTransport,
} from './smtp-settings.js';
