import { createHmac, timingSafeEqual } from 'node:crypto';
import { AuthenticationError, InputError } from '@qdesk/core';
import { fieldIssues } from '@qdesk/core/ports';
import { z } from 'zod';

/** The header Autotask signs webhook callouts with. @public */
export const AUTOTASK_SIGNATURE_HEADER = 'X-Hook-Signature';

const toBytes = (value: string | Uint8Array): Buffer =>
  typeof value === 'string'
    ? Buffer.from(value, 'utf8')
    : Buffer.from(value.buffer, value.byteOffset, value.length);

/**
 * Checks an Autotask webhook signature: `X-Hook-Signature: sha1=<base64 HMAC-SHA1(secretKey, raw body)>`.
 *
 * Pass the body exactly as received (the raw bytes, or the string before any JSON parsing): re-serialised JSON
 * does not match. The comparison runs in constant time. Returns `false` for a missing or malformed header.
 *
 * @example
 * ```ts
 * app.post('/autotask/hooks', express.raw({ type: 'application/json' }), (req, res) => {
 *   if (!verifyAutotaskWebhook(req.body, req.get('X-Hook-Signature'), process.env.AUTOTASK_HOOK_SECRET!)) {
 *     return res.sendStatus(401);
 *   }
 *   const event = parseAutotaskWebhook(req.body);
 *   // ...refresh the contact event.Id
 *   res.sendStatus(200);
 * });
 * ```
 * @public
 */
export function verifyAutotaskWebhook(
  rawBody: string | Uint8Array,
  signatureHeader: string | null | undefined,
  secretKey: string,
): boolean {
  if (typeof signatureHeader !== 'string' || typeof secretKey !== 'string' || secretKey.length === 0)
    return false;
  const match = /^\s*sha1=([A-Za-z0-9+/]+={0,2})\s*$/i.exec(signatureHeader);
  if (!match) return false;
  const given = Buffer.from(match[1]!, 'base64');
  const expected = createHmac('sha1', secretKey).update(toBytes(rawBody)).digest();
  // Equal lengths first: timingSafeEqual throws otherwise, and a SHA-1 digest's length is no secret.
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * The value Autotask would send in `X-Hook-Signature` for `rawBody`: for testing your own webhook endpoint.
 * @public
 */
export function signAutotaskWebhook(rawBody: string | Uint8Array, secretKey: string): string {
  return `sha1=${createHmac('sha1', secretKey).update(toBytes(rawBody)).digest('base64')}`;
}

const numericId = z.union([
  z.number().int().nonnegative(),
  z
    .string()
    .regex(/^\d+$/)
    .transform((s) => Number(s)),
]);

/** Schema of an Autotask webhook callout body (Contacts, Companies, Tickets, TicketNotes). @public */
export const autotaskWebhookSchema = z.looseObject({
  /** `Create`, `Update`, `Delete` (and whatever Autotask adds later). */
  Action: z.string().min(1),
  /** Unique id of this callout. */
  Guid: z.string().min(1),
  /** The entity type (for example `Contact`). */
  EntityType: z.string().min(1),
  /** The changed record's id. */
  Id: numericId,
  /** The subscribed and always-displayed fields with their values (empty on a delete). */
  Fields: z
    .record(z.string(), z.unknown())
    .nullish()
    .transform((f) => f ?? {}),
  /** When the change happened (as Autotask formats it). */
  EventTime: z.string().min(1),
  /** Increases per webhook: use it to drop out-of-order or replayed callouts. */
  SequenceNumber: z.number().int(),
  /** The resource (or contact) who made the change, when known. */
  PersonID: numericId.nullish().transform((p) => p ?? null),
});

/** A parsed webhook callout. @public */
export type AutotaskWebhookPayload = z.output<typeof autotaskWebhookSchema>;

/**
 * Parses a webhook body. Throws core's `InputError` naming the bad field when the body is not a callout. Verify the
 * signature first with {@link verifyAutotaskWebhook}.
 * @public
 */
export function parseAutotaskWebhook(rawBody: string | Uint8Array): AutotaskWebhookPayload {
  let json: unknown;
  try {
    json = JSON.parse(toBytes(rawBody).toString('utf8'));
  } catch (cause) {
    throw new InputError('The Autotask webhook body is not JSON; pass the raw body as received.', {
      cause,
      issues: [{ path: '(root)', message: 'not JSON' }],
    });
  }
  const parsed = autotaskWebhookSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  throw InputError.fromIssues('parseAutotaskWebhook', fieldIssues(parsed.error));
}

/**
 * Verifies then parses a callout in one step. Throws core's `AuthenticationError` (code `unauthorized`) when the
 * signature is missing or wrong, and `InputError` when the body is not a callout.
 * @public
 */
export function readAutotaskWebhook(
  rawBody: string | Uint8Array,
  signatureHeader: string | null | undefined,
  secretKey: string,
): AutotaskWebhookPayload {
  if (!verifyAutotaskWebhook(rawBody, signatureHeader, secretKey)) {
    throw new AuthenticationError(
      `The webhook's ${AUTOTASK_SIGNATURE_HEADER} is missing or does not match: check that the secretKey ` +
        "configured here is the webhook's secret key in Autotask, and that the raw body is verified unparsed.",
    );
  }
  return parseAutotaskWebhook(rawBody);
}
