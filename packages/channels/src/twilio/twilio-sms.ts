import type { Channel } from '@qdesk/core';
import { z } from 'zod';
import { expectMessageFor, hasCode, type SmsMessage } from '../internal/expect-message.js';
import { type FetchFunction, post, readJson } from '../internal/http.js';
import { accepted, parseRetryAfter, permanentFailure, transientFailure } from '../internal/results.js';
import { baseUrlSchema, fn, loggerSchema, parseSettings } from '../internal/settings.js';
import { type ChannelLogger, silentLogger } from '../logger.js';
import { countSmsSegments } from '../sms-segments.js';
import { classifyTwilioRefusal } from './twilio-errors.js';
import { TWILIO_SESSION_PARAM, TWILIO_TENANT_PARAM } from './twilio-status-callback.js';

/** Settings for {@link createTwilioSms}. Give `authToken` or `apiKey`, and `from` or `messagingServiceSid`. @public */
export interface TwilioSmsSettings {
  /** Account SID (`AC` + 32 hex), from the Twilio Console home page. */
  accountSid: string;
  /** The account's auth token (Console home page). Also what signs status callbacks. */
  authToken?: string;
  /** An API key (Console > Account > API keys), preferred over the auth token for sending. */
  apiKey?: {
    /** The key's SID (`SK` + 32 hex). */
    sid: string;
    /** The key's secret, shown once when the key is created. */
    secret: string;
  };
  /** Sender: an E.164 Twilio number, a short code or an alphanumeric sender id. */
  from?: string;
  /** A Messaging Service SID (`MG` + 32 hex) that picks the sender for you. */
  messagingServiceSid?: string;
  /** Public URL of your status callback handler; the session and tenant ids are appended (`?sessionId=&tenantId=`). */
  statusCallbackUrl?: string;
  /** API origin (default `https://api.twilio.com`); point it at a fake in tests. */
  baseUrl?: string;
  /** Per-request timeout in ms (default 10 000). */
  timeoutMs?: number;
  /** Receives a warning when a text needs more than one SMS segment. */
  logger?: ChannelLogger;
  /** A `fetch` to use instead of the global one (a proxy, for instance). */
  fetch?: FetchFunction;
  /** The clock (epoch ms) the code's remaining lifetime is measured with (default `Date.now`). */
  now?: () => number;
}

/** The Twilio SMS channel. @public */
export interface TwilioSmsChannel extends Channel {
  /** Always `sms`. */
  readonly route: 'sms';
  /** Always `twilio`. */
  readonly name: 'twilio';
}

const sid = (prefix: string) =>
  z.string().regex(new RegExp(`^${prefix}[0-9a-fA-F]{32}$`), `expected ${prefix} followed by 32 hex digits`);

const schema = z
  .strictObject({
    accountSid: sid('AC'),
    authToken: z.string().min(1).optional(),
    apiKey: z.strictObject({ sid: sid('SK'), secret: z.string().min(1) }).optional(),
    from: z.string().min(1).optional(),
    messagingServiceSid: sid('MG').optional(),
    statusCallbackUrl: z.url({ protocol: /^https?$/, error: 'expected an absolute http(s) URL' }).optional(),
    baseUrl: baseUrlSchema.default('https://api.twilio.com'),
    timeoutMs: z.number().int().positive().default(10_000),
    logger: loggerSchema.optional(),
    fetch: fn<FetchFunction>('fetch').optional(),
    now: fn<() => number>('a clock').optional(),
  })
  .superRefine((value, ctx) => {
    if (!value.authToken && !value.apiKey) {
      ctx.addIssue({ code: 'custom', path: ['authToken'], message: 'give authToken or apiKey' });
    }
    if (!value.from === !value.messagingServiceSid) {
      ctx.addIssue({
        code: 'custom',
        path: ['from'],
        message: 'give exactly one of from or messagingServiceSid',
      });
    }
  });

const createdSchema = z.looseObject({ sid: z.string() });
const errorSchema = z.looseObject({ code: z.number().optional() });

/** Twilio's longest `ValidityPeriod`, in seconds: also its default queue validity (10 hours). */
const TWILIO_MAX_VALIDITY_SECONDS = 36_000;

/**
 * Whole seconds the message has left at `now` (a code's or a link's lifetime, a device notice's hour): what Twilio's
 * `ValidityPeriod` is set to, so an SMS still queued when it expires is dropped rather than delivered late. Capped at
 * Twilio's maximum; 0 or less means expired.
 */
function secondsLeft(context: SmsMessage['context'], now: number): number {
  // A caller on a core without `expiresAt` still bounds the SMS, by the minutes the text announces (if any).
  const expiresAt = Number.isFinite(context.expiresAt)
    ? context.expiresAt
    : now + (context.expiresInMinutes ?? TWILIO_MAX_VALIDITY_SECONDS / 60) * 60_000;
  return Math.min(TWILIO_MAX_VALIDITY_SECONDS, Math.floor((expiresAt - now) / 1000));
}

/** The permanent failure for a message that expired unsent: a code (or a reverse notice), or an account notice. */
const expired = (context: SmsMessage['context']) =>
  hasCode(context) || context.kind === 'reverse_notice'
    ? permanentFailure(
        'The code expired before it could be sent; start a new verification',
        'code_expired',
        'message',
      )
    : permanentFailure(
        'The account notice expired before it could be sent; send a new one (with a new link, for an enrolment link)',
        'notice_expired',
        'message',
      );

/**
 * Sends SMS codes and notices (reverse verification, account notices) through Twilio's Messages API. Each SMS
 * carries a `ValidityPeriod` of the message's remaining lifetime (`context.expiresAt`: the code's or the link's
 * expiry, a device notice's hour; whole seconds, at most 36,000), so Twilio drops an SMS still queued when it expires;
 * one already expired is not sent at all (a permanent failure in scope `message`, `code_expired`, or
 * `notice_expired` for an account notice). Refusals become delivery results: an invalid, landline or unsubscribed
 * number is a permanent failure; refused credentials (20003), the sender (21606, 21659) or geographic permissions
 * (21408) are permanent in scope `configuration`; a body too long (21617) in scope `message`; rate limiting (20429),
 * 5xx and network errors are transient. The Twilio error code is kept in `providerCode`; the reason is a fixed
 * description, never Twilio's message (which may quote the body). With `statusCallbackUrl`, each SMS asks Twilio to
 * report its delivery there, with the session and tenant ids in the URL for `readTwilioStatusCallback`; for an
 * account notice the "session" id is the notice's id (`notice-...`), which belongs to no verification session.
 * @example
 * ```ts
 * const sms = createTwilioSms({
 *   accountSid: process.env.TWILIO_ACCOUNT_SID!, authToken: process.env.TWILIO_AUTH_TOKEN!,
 *   messagingServiceSid: process.env.TWILIO_MESSAGING_SERVICE_SID!,
 *   statusCallbackUrl: 'https://qdesk.example.com/twilio/status',
 * });
 * ```
 * @throws ConfigError naming each invalid setting.
 * @public
 */
export function createTwilioSms(settings: TwilioSmsSettings): TwilioSmsChannel {
  const config = parseSettings('Twilio SMS settings', schema, settings);
  const logger = config.logger ?? silentLogger;
  const now = config.now ?? Date.now;
  const [user, password] = config.apiKey
    ? [config.apiKey.sid, config.apiKey.secret]
    : [config.accountSid, config.authToken ?? ''];
  const authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const endpoint = `${config.baseUrl}/2010-04-01/Accounts/${config.accountSid}/Messages.json`;

  const channel: TwilioSmsChannel = {
    specificationVersion: 'v1',
    route: 'sms',
    name: 'twilio',
    async send(message) {
      expectMessageFor(channel, message);
      const validity = secondsLeft(message.context, now());
      if (validity <= 0) return expired(message.context);
      const count = countSmsSegments(message.text);
      if (count.segments > 1) {
        // The text holds the code or an account notice's link, so only its shape is logged.
        logger.warn('SMS text needs more than one segment; it is billed per segment and may arrive split.', {
          sessionId: message.sessionId,
          segments: count.segments,
          encoding: count.encoding,
        });
      }
      const body = new URLSearchParams({
        To: message.to,
        Body: message.text,
        ValidityPeriod: String(validity),
      });
      if (config.messagingServiceSid) body.set('MessagingServiceSid', config.messagingServiceSid);
      else body.set('From', config.from ?? '');
      if (config.statusCallbackUrl) {
        const callback = new URL(config.statusCallbackUrl);
        callback.searchParams.set(TWILIO_SESSION_PARAM, message.sessionId);
        callback.searchParams.set(TWILIO_TENANT_PARAM, message.tenantId);
        body.set('StatusCallback', callback.toString());
      }

      const outcome = await post(endpoint, {
        headers: { authorization, accept: 'application/json' },
        body,
        timeoutMs: config.timeoutMs,
        fetch: config.fetch,
      });
      if ('networkError' in outcome) {
        return transientFailure(`Twilio could not be reached: ${outcome.networkError}`);
      }
      const { response } = outcome;
      const json = await readJson(response);
      if (response.ok) {
        const created = createdSchema.safeParse(json);
        return accepted(created.success ? created.data.sid : undefined);
      }
      const error = errorSchema.safeParse(json);
      return classifyTwilioRefusal({
        status: response.status,
        code: error.success ? error.data.code : undefined,
        retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
      });
    },
  };
  return channel;
}
