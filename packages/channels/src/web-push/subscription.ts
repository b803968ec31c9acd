import { ECDH } from 'node:crypto';
import { z } from 'zod';

/** A browser's push subscription, as `PushSubscription.toJSON()` serialises it. @public */
export interface WebPushSubscription {
  /** The push service URL for this browser. */
  endpoint: string;
  /** The browser's keys for payload encryption (RFC 8291). */
  keys: {
    /** P-256 public key, base64url (65 bytes uncompressed). */
    p256dh: string;
    /** Authentication secret, base64url (16 bytes). */
    auth: string;
  };
  /** When the subscription expires (epoch ms), if the browser said. */
  expirationTime?: number | null;
}

const base64urlBytes = (value: string) =>
  /^[A-Za-z0-9_-]+={0,2}$/.test(value) ? Buffer.from(value, 'base64url') : Buffer.alloc(0);

function isP256Point(value: string): boolean {
  const bytes = base64urlBytes(value);
  if (bytes.length !== 65 || bytes[0] !== 0x04) return false;
  try {
    // Encryption would fail later on a point off the curve; find out now and say why.
    ECDH.convertKey(bytes, 'prime256v1');
    return true;
  } catch {
    return false;
  }
}

const subscriptionSchema = z.looseObject({
  endpoint: z.url({ protocol: /^https$/, error: 'must be an https URL' }),
  keys: z.looseObject({
    p256dh: z.string().refine(isP256Point, 'must be a base64url P-256 public key (65 bytes)'),
    auth: z.string().refine((v) => base64urlBytes(v).length === 16, 'must be 16 bytes, base64url'),
  }),
  expirationTime: z.number().nullable().optional(),
});

/** A subscription read from a device's `pushAddress`, or why it cannot be used. */
export type ParsedSubscription =
  | { ok: true; subscription: WebPushSubscription }
  | { ok: false; problem: string };

/** Reads the subscription JSON stored as a device's `pushAddress`. */
export function parseSubscription(pushAddress: string): ParsedSubscription {
  let json: unknown;
  try {
    json = JSON.parse(pushAddress);
  } catch {
    return { ok: false, problem: 'it is not JSON' };
  }
  const result = subscriptionSchema.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join('.') || 'subscription'} ${issue.message}`,
    );
    return { ok: false, problem: problems.join('; ') };
  }
  const { endpoint, keys, expirationTime } = result.data;
  const subscription: WebPushSubscription = { endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth } };
  if (expirationTime !== undefined) subscription.expirationTime = expirationTime;
  return { ok: true, subscription };
}
