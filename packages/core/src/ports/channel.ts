import type { Device, Route } from '../types.js';

/** What a code message is about, so a channel can render its own template. Never logged. @public */
export interface CodeMessageContext {
  /** The one-time code (digits). */
  code: string;
  /** The technician the caller should read it to. */
  technicianName: string;
  /** Ticket number, when the verification is bound to a ticket. */
  ticketNumber: string | null;
  /** Client company name, when known. */
  companyName: string | null;
  /** Minutes until the code expires (rounded up). */
  expiresInMinutes: number;
  /**
   * Epoch milliseconds after which the code is worthless. A channel whose provider queues messages should stop
   * trying at this moment (Twilio `ValidityPeriod`, an email's `Expires` header), so a late code is dropped rather
   * than delivered.
   */
  expiresAt: number;
}

/**
 * What a reverse-verification notice is about: a technician is calling the end-user, who has no app to receive the
 * request, so an SMS points them to the self-serve page. It carries no code. Never logged.
 * @public
 */
export interface NoticeMessageContext {
  /** The kind of notice. */
  kind: 'reverse_notice';
  /** The technician who is calling. */
  technicianName: string;
  /** The MSP they work for. */
  mspName: string;
  /** Ticket number, when the call is about one. */
  ticketNumber: string | null;
  /** The self-serve page where the request waits, or `null` when none is configured. */
  link: string | null;
  /** Minutes until the request expires (rounded up). */
  expiresInMinutes: number;
  /** Epoch milliseconds after which the notice is worthless (bound provider retries by it). */
  expiresAt: number;
}

/**
 * What an account notice is about: a message to the end-user that is not part of a verification and carries no code.
 * - `enrolment_link`: a single-use, short-lived link that signs the end-user in to the self-serve app, sent to the
 *   phone or email the directory already holds (for customers without their own identity provider). The link is the
 *   secret: anyone who has it can sign in as the end-user until it is used or expires. Never log it.
 * - `device_enrolled`: a new device was added to the end-user's account (NIST SP 800-63B rev 4, 4.1.2.1: binding a
 *   new authenticator SHALL notify the subscriber through an independent channel), with where to remove it.
 * - `phone_changed`: the mobile number on the account changed (a directory sync saw it): sent to the number it
 *   replaced and the email on file, so the end-user can say it was not them (a new number is a new authenticator,
 *   NIST SP 800-63B rev 4, 3.1.3.3 and 4.1.2.1). `link` and `deviceLabel` are `null`.
 *
 * Build the messages with `accountNoticeMessages`; render a text yourself with `accountNoticeSms` or
 * `accountNoticeEmail`. Never logged.
 * @public
 */
export interface AccountNoticeContext {
  /** The kind of notice. */
  kind: 'enrolment_link' | 'device_enrolled' | 'phone_changed';
  /** The MSP as the end-user knows their helpdesk ("Northwind IT"). */
  mspName: string;
  /**
   * enrolment_link: the single-use link (a secret: never log it); device_enrolled: the self-serve page where devices
   * are listed and removed (or null).
   */
  link: string | null;
  /**
   * device_enrolled: the new device's label ("Chrome on Android"); null for enrolment_link. Whoever added the device
   * may have chosen it, so messages quote it, clipped and stripped of anything that reads as a web or mail address.
   */
  deviceLabel: string | null;
  /** Minutes until the link expires (enrolment_link); null for device_enrolled. */
  expiresInMinutes: number | null;
  /**
   * Epoch ms after which the message is worthless (a provider stops retrying): the link's expiry, or for
   * device_enrolled the sending time + 1 hour.
   */
  expiresAt: number;
  /** Epoch ms the event happened (device_enrolled: when the device was added). */
  at: number;
}

/**
 * A message sent by SMS: a code, a reverse-verification notice (`context.kind === 'reverse_notice'`, no code) or an
 * account notice (`context.kind` `enrolment_link`, `device_enrolled` or `phone_changed`, no code). Tell them apart by
 * `'code' in context` or by `context.kind`.
 * @public
 */
export interface SmsMessage {
  /** The route: SMS. */
  route: 'sms';
  /** The tenant of the session (a status callback carries it back with the session id). */
  tenantId: string;
  /** E.164 number on file for the end-user. */
  to: string;
  /** Ready text, one segment where possible. */
  text: string;
  /**
   * The session it belongs to (for status callbacks). For an account notice, the notice's own id (`notice-...`),
   * which belongs to no verification session.
   */
  sessionId: string;
  /** Structured content of the message: a code, or a notice without one (reverse verification, account notice). */
  context: CodeMessageContext | NoticeMessageContext | AccountNoticeContext;
}

/**
 * A message sent by email: a code, or an account notice (`context.kind` `enrolment_link`, `device_enrolled` or `phone_changed`, no
 * code). Tell them apart by `'code' in context`.
 * @public
 */
export interface EmailMessage {
  /** The route: email. */
  route: 'email';
  /** The tenant of the session (a status callback carries it back with the session id). */
  tenantId: string;
  /** The end-user's email on file. */
  to: string;
  /** Subject line. */
  subject: string;
  /** Plain-text body. */
  text: string;
  /** HTML body rendered from the same template. */
  html: string;
  /**
   * The session it belongs to. For an account notice, the notice's own id (`notice-...`), which belongs to no
   * verification session.
   */
  sessionId: string;
  /** Structured content of the message: a code, or an account notice without one. */
  context: CodeMessageContext | AccountNoticeContext;
}

/** A push challenge. Carries the challenge id and display text only, never a code or a token. @public */
export interface PushMessage {
  /** The route: push. */
  route: 'push';
  /** The tenant of the session (a status callback carries it back with the session id). */
  tenantId: string;
  /** The device to reach. */
  device: Device;
  /** The session id the app uses to fetch the challenge. */
  challengeId: string;
  /** Notification title. */
  title: string;
  /** Notification body (technician, ticket, company). */
  body: string;
  /** Seconds the provider should keep trying (the push window). */
  ttlSeconds: number;
  /** Display fields for the app. */
  display: {
    technicianName: string;
    ticketNumber: string | null;
    companyName: string | null;
    method: string;
  };
}

/** Anything a channel can be asked to deliver. @public */
export type OutboundMessage = SmsMessage | EmailMessage | PushMessage;

/**
 * What a permanent failure is about, so the verifier knows what to give up on.
 * - `address` (the default): this phone, mailbox or push address can never take a message: drop it.
 * - `message`: this message cannot be delivered (too large), but the address is fine.
 * - `configuration`: the sender's credentials or settings are wrong (a bad APNs key, VAPID keys): fix them; every
 *   address is affected and none should be dropped.
 * @public
 */
export type FailureScope = 'address' | 'message' | 'configuration';

/**
 * What happened to a send.
 * - `accepted`: the provider took it (not proof of delivery).
 * - `permanent_failure`: it will never work for this address (invalid number, unsubscribed, dead token, bounced).
 * - `transient_failure`: try later or another route (rate limited, provider down).
 * @public
 */
export type DeliveryResult =
  | { status: 'accepted'; providerMessageId?: string }
  | { status: 'permanent_failure'; reason: string; providerCode?: string; scope?: FailureScope }
  | { status: 'transient_failure'; reason: string; providerCode?: string; retryAfterMs?: number };

/**
 * A provider that delivers messages of one route: SMS, email or push.
 *
 * ## Partner guide: write a channel
 *
 * A channel is a connection to an outside provider; it holds no tenant data and takes no tenant id. Declare
 * `specificationVersion: 'v1'` and run `runChannelConformance` from `@qdesk/core/testing` (see the "write a
 * channel" guide).
 * - `send` resolves with a {@link DeliveryResult} for every provider answer, including refusals and outages; it
 *   throws only for a message of another route (a programming error), before contacting the provider.
 * - Say what a permanent failure is about (`scope`): the verifier drops a push address only for `address`.
 * - Never log the message text or the code; a push carries the challenge id and display text, never a code.
 * - Not every SMS or email carries a code: a notice (reverse verification, account notice) has a `kind` and no
 *   `code`. Read `context.code` only after `'code' in context`; bound provider retries by `context.expiresAt`, which
 *   every context has. An account notice's `link` may sign the end-user in: never log it.
 * @public
 */
export interface Channel {
  /** The version of this port the implementation follows. */
  readonly specificationVersion: 'v1';
  /** Which route it serves. */
  readonly route: Route;
  /** Short name for logs ("twilio", "smtp", "fcm"). */
  readonly name: string;
  /** For push channels: the device platforms this channel reaches. */
  readonly platforms?: readonly ('ios' | 'android' | 'web')[];
  /** Delivers one message. */
  send(message: OutboundMessage): Promise<DeliveryResult>;
}

/**
 * A delivery status a provider reported after the send (for example a Twilio status callback). Feed it to
 * `verifier.reportDelivery` so it is audited and, when it failed, announced as `delivery.failed`.
 * @public
 */
export interface DeliveryStatusReport {
  /** The session the message belonged to. */
  sessionId: string;
  /** The tenant the session belongs to (a status callback URL carries it). */
  tenantId: string;
  /** The route. */
  route: Route;
  /** Provider name ("twilio"). */
  provider: string;
  /** The provider's message id. */
  providerMessageId: string;
  /** What the provider says happened. */
  status: 'sent' | 'delivered' | 'undelivered' | 'failed';
  /** For failures: whether retrying the same address can ever work. */
  permanent: boolean;
  /** Provider's reason, when failed. */
  reason?: string;
  /** Provider's error code, when failed. */
  providerCode?: string;
}
