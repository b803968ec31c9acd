import { z } from 'zod';
import { fieldIssues, InputError } from './errors.js';
import { text } from './internal/text.js';
import type { AccountNoticeContext, EmailMessage, SmsMessage } from './ports/channel.js';
import { escapeHtml, plainText } from './verifier/messages.js';

// Account notices go to the end-user outside any verification: a sign-in link for the self-serve app, or the news
// that a device was added to their account. They carry no code; an enrolment link is itself the secret.

const KINDS = ['enrolment_link', 'device_enrolled', 'phone_changed'] as const;
const epochMs = z
  .number()
  .int('must be whole epoch milliseconds')
  .min(0, 'must be epoch milliseconds')
  .max(8.64e15, 'must be a date JavaScript can hold');
const link = z
  .url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' })
  .max(2048, 'must be at most 2048 characters')
  .regex(/^[^\s\p{Cc}]+$/u, 'must not contain spaces or control characters');

const contextSchema = z
  .object({
    kind: z.enum(KINDS, { error: `must be one of ${KINDS.join(', ')}` }),
    // Display text is made plain where it is shown, not refused: a name with a stray control character must not stop
    // a security notice.
    mspName: z
      .string()
      .max(500, 'must be at most 500 characters')
      .refine((v) => plainText(v, 500) !== '', 'must not be empty'),
    link: link.nullable(),
    deviceLabel: z.string().max(500, 'must be at most 500 characters').nullable(),
    expiresInMinutes: z
      .number()
      .int('must be whole minutes')
      .min(1, 'must be at least 1')
      .max(1440, 'must be at most 1440 (a day): a sign-in link must be short-lived')
      .nullable(),
    expiresAt: epochMs,
    at: epochMs,
  })
  .superRefine((c, ctx) => {
    if (c.kind !== 'enrolment_link') return;
    if (c.link === null) {
      ctx.addIssue({
        code: 'custom',
        path: ['link'],
        message: 'give the single-use sign-in link for an enrolment_link notice',
      });
    }
    if (c.expiresInMinutes === null) {
      ctx.addIssue({
        code: 'custom',
        path: ['expiresInMinutes'],
        message: 'give the minutes until the link expires for an enrolment_link notice',
      });
    }
  });

/** The context checked; messages never repeat a rejected value (it may be the link, a secret). */
function parseContext(context: unknown, operation: string, prefix: string): AccountNoticeContext {
  const parsed = contextSchema.safeParse(context);
  if (!parsed.success) throw InputError.fromIssues(operation, fieldIssues(parsed.error, prefix));
  return parsed.data;
}

/** Cuts text to `max` characters with a GSM-7 ellipsis, so a clipped name does not push an SMS into UCS-2. */
const clip = (value: string, max: number) =>
  value.length <= max ? value : `${value.slice(0, max - 3).trimEnd()}...`;

/** The MSP's name, plain and clipped. */
const msp = (c: AccountNoticeContext, max: number) => clip(plainText(c.mspName, 500), max);

/**
 * The device label, quoted in messages. Whoever added the device may have named it, so it is clipped and keeps only
 * letters, digits, spaces and `. , ' ( ) + _ # -`: no slash, colon or at sign, so it cannot pose as a web or mail
 * address beside the real link.
 */
const deviceLabel = (c: AccountNoticeContext) => {
  const label = plainText(c.deviceLabel ?? '', 500)
    .replace(/[^\p{L}\p{M}\p{N} .,'()+_#-]+/gu, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
  return label ? clip(label, 40) : 'unnamed device';
};

/** The moment, to the minute, in UTC: `2026-11-30 12:34 UTC`. */
const utcMinute = (epoch: number) => `${new Date(epoch).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/**
 * The SMS text of an account notice: who sends it, what happened, what to do. GSM-7 only for names and labels in the
 * GSM alphabet. A device notice fits one segment with a short link (up to about 30 characters) or none; an enrolment
 * link fits one with a link up to about 30 characters, and two GSM-7 segments hold one of up to about 180.
 *
 * Note: the enrolment link is the secret (anyone who has it signs in as the end-user until it is used or expires):
 * never log the text. It is the only secret in the message.
 * @example
 * ```ts
 * accountNoticeSms({
 *   kind: 'device_enrolled', mspName: 'Northwind IT', link: 'https://it.northwind.example/d',
 *   deviceLabel: 'Chrome on Android', expiresInMinutes: null, expiresAt: now + 3_600_000, at: now,
 * });
 * // 'Northwind IT: new device "Chrome on Android" added to your account 2026-11-30 12:34 UTC. Not you? Call your
 * //  helpdesk. Remove it: https://it.northwind.example/d' (159 characters: one segment)
 * ```
 * @throws InputError naming each invalid field of `context` (an enrolment link without a link, a link that is not an
 * http(s) URL...), without repeating its value.
 * @public
 */
export function accountNoticeSms(context: AccountNoticeContext): string {
  const c = parseContext(context, 'accountNoticeSms', 'context');
  if (c.kind === 'enrolment_link') {
    return `${msp(c, 30)}: sign in to your self-serve app with ${c.link} (single use, expires in ${c.expiresInMinutes} min). Didn't ask? Ignore it, tell your helpdesk.`;
  }
  if (c.kind === 'phone_changed') {
    return `${msp(c, 30)}: the mobile number on your account was changed ${utcMinute(c.at)}. This number gets no more codes. Not you? Call your helpdesk now.`;
  }
  const remove = c.link ? `Call your helpdesk. Remove it: ${c.link}` : 'Call your helpdesk now to remove it.';
  return `${msp(c, 30)}: new device "${deviceLabel(c)}" added to your account ${utcMinute(c.at)}. Not you? ${remove}`;
}

/**
 * The email of an account notice, subject, plain text and HTML from the same lines; every outside value is escaped
 * in the HTML and the link is its only anchor.
 *
 * Note: for an enrolment link the link is the secret: never log the text or the HTML.
 * @example
 * ```ts
 * const { subject, text, html } = accountNoticeEmail({
 *   kind: 'enrolment_link', mspName: 'Northwind IT', link: 'https://help.northwind.example/enrol#t=Qm9...',
 *   deviceLabel: null, expiresInMinutes: 15, expiresAt: now + 15 * 60_000, at: now,
 * });
 * // subject: 'Your sign-in link for the Northwind IT self-serve app'
 * ```
 * @throws InputError naming each invalid field of `context`, without repeating its value.
 * @public
 */
export function accountNoticeEmail(context: AccountNoticeContext): {
  subject: string;
  text: string;
  html: string;
} {
  const c = parseContext(context, 'accountNoticeEmail', 'context');
  const name = msp(c, 100);
  // Each paragraph as [text before the link, the link or null, text after it].
  const paragraphs: [string, string | null, string][] = [];
  let subject: string;
  if (c.kind === 'enrolment_link') {
    subject = `Your sign-in link for the ${name} self-serve app`;
    paragraphs.push(
      [`${name} sent you this link to sign in to your self-serve app:`, null, ''],
      ['', c.link, ''],
      [
        `It works once and expires in ${c.expiresInMinutes} minutes. Do not forward it or read it out to anyone, your helpdesk included: whoever has it can sign in as you.`,
        null,
        '',
      ],
      ['If you did not ask for this, ignore this email and tell your helpdesk.', null, ''],
    );
  } else if (c.kind === 'phone_changed') {
    subject = `${name}: the mobile number on your account was changed`;
    paragraphs.push(
      [
        `The mobile number on your account was changed on ${utcMinute(c.at)}. Codes from your helpdesk now go to the new number; this one gets no more.`,
        null,
        '',
      ],
      [
        'If you did not ask for this change, call your helpdesk now: someone may be trying to take over your account.',
        null,
        '',
      ],
      [`Sent by ${name} to the contact details on file for your account before the change.`, null, ''],
    );
  } else {
    subject = `${name}: a new device was added to your account`;
    paragraphs.push(
      [
        `A new device, "${deviceLabel(c)}", was added to your account on ${utcMinute(c.at)}. If it was you, there is nothing to do.`,
        null,
        '',
      ],
      c.link
        ? ['If it was not you, call your helpdesk now, and remove the device here: ', c.link, '']
        : ['If it was not you, call your helpdesk now: they will remove the device.', null, ''],
      [`Sent by ${name} to the address on file for your account.`, null, ''],
    );
  }
  const text = paragraphs.map(([before, url, after]) => `${before}${url ?? ''}${after}`).join('\n\n');
  const html = paragraphs
    .map(([before, url, after]) => {
      const anchor = url ? `<a href="${escapeHtml(url)}">${escapeHtml(url)}</a>` : '';
      return `<p>${escapeHtml(before)}${anchor}${escapeHtml(after)}</p>`;
    })
    .join('\n');
  return { subject, text, html };
}

const noticeInput = z
  .object({
    tenantId: text(128),
    context: z.unknown(),
    phone: z
      .string()
      .regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 number (+ country code and number, digits only)')
      .nullable(),
    email: z.email('must be one plain email address').max(254, 'must be at most 254 characters').nullable(),
    noticeId: z
      .string()
      .min(1, 'must not be empty')
      .max(100, 'must be at most 100 characters')
      .regex(/^[A-Za-z0-9_-]+$/, 'must be letters, digits, _ and - (make it like notice-<random>)'),
  })
  .strict();

/**
 * The ready SMS and email of an account notice, for the end-user's phone and email on file: `null` for a route
 * without an address (both `null` when the end-user has neither: nothing can be sent, and the caller should record
 * that). Send each message that is not `null` through the channel of its route: a `device_enrolled` notice on every
 * route (NIST SP 800-63B rev 4 asks that the end-user hear of a new authenticator through an independent channel);
 * an `enrolment_link` on the route the end-user chose.
 *
 * Each message's `sessionId` is `noticeId` (make it like `notice-<random>`, unique per notice). A provider's status
 * callback for the message (Twilio's) carries that id back with the tenant: it belongs to no verification session,
 * so do not hand it to `verifier.reportDelivery`.
 *
 * Note: an enrolment link is the secret; the messages hold it in `text`, `html` and `context.link`: never log them.
 * @example
 * ```ts
 * const { sms, email } = accountNoticeMessages({
 *   tenantId: 'msp-northwind',
 *   noticeId: `notice-${crypto.randomUUID()}`,
 *   phone: endUser.mobilePhone,
 *   email: endUser.email,
 *   context: { kind: 'device_enrolled', mspName: 'Northwind IT', link: 'https://help.northwind.example/devices',
 *     deviceLabel: 'Chrome on Android', expiresInMinutes: null, expiresAt: now + 3_600_000, at: now },
 * });
 * if (sms) await channels.sms.send(sms);
 * if (email) await channels.email.send(email);
 * ```
 * @throws InputError naming each invalid field: a phone that is not E.164, an email that is not one plain address,
 * an invalid context (see {@link accountNoticeSms}), a malformed tenant or notice id. No value is repeated.
 * @public
 */
export function accountNoticeMessages(input: {
  tenantId: string;
  context: AccountNoticeContext;
  phone: string | null;
  email: string | null;
  noticeId: string;
}): { sms: SmsMessage | null; email: EmailMessage | null } {
  const parsed = noticeInput.safeParse(input);
  if (!parsed.success) throw InputError.fromIssues('accountNoticeMessages', fieldIssues(parsed.error));
  const { tenantId, phone, email, noticeId } = parsed.data;
  const context = parseContext(parsed.data.context, 'accountNoticeMessages', 'context');
  const base = { tenantId, sessionId: noticeId };
  return {
    sms:
      phone === null
        ? null
        : { route: 'sms', ...base, to: phone, text: accountNoticeSms(context), context: { ...context } },
    email:
      email === null
        ? null
        : { route: 'email', ...base, to: email, ...accountNoticeEmail(context), context: { ...context } },
  };
}
