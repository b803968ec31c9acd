/**
 * `@qdesk/channels/smtp`: email codes over SMTP with nodemailer (an optional peer dependency, loaded only when
 * the channel builds its own transport), logging in with a password or OAuth2 (XOAUTH2).
 *
 * @packageDocumentation
 */

export type { SmtpEmailChannel } from './smtp-email.js';
export { createSmtpEmail } from './smtp-email.js';
export type {
  EmailContent,
  SmtpAccessTokenProvider,
  SmtpAccessTokenRequest,
  SmtpEmailSettings,
  SmtpMail,
  SmtpOAuth2Auth,
  SmtpPasswordAuth,
  SmtpSendInfo,
  SmtpServerSettings,
  SmtpTransport,
} from './smtp-settings.js';
