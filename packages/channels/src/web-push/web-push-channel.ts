import type { Channel } from '@qdesk/core';
import { z } from 'zod';
import { expectMessageFor } from '../internal/expect-message.js';
import { lazy, loadOptionalPeer } from '../internal/optional-peer.js';
import { accepted, describeError, permanentFailure, transientFailure } from '../internal/results.js';
import { parseSettings, withMethods } from '../internal/settings.js';
import { buildPushPayload } from '../push-payload.js';
import { parseSubscription, type WebPushSubscription } from './subscription.js';
import { classifyPushServiceRefusal, isPushServiceRefusal } from './web-push-errors.js';

/** VAPID identity of your application server (RFC 8292). @public */
export interface VapidDetails {
  /** A `mailto:` or `https:` contact the push service can reach you at. */
  subject: string;
  /** Public key, base64url (65 bytes); the same key the app passes to `pushManager.subscribe`. */
  publicKey: string;
  /** Private key, base64url (32 bytes). Generate the pair once with `npx web-push generate-vapid-keys`. */
  privateKey: string;
}

/** Per-send options the channel passes to the library. @public */
export interface WebPushSendOptions {
  /** Seconds the push service keeps trying: the message's `ttlSeconds`. */
  TTL: number;
  /** Always `high`: a caller is waiting on the phone. */
  urgency: 'high';
  /** Your VAPID identity, per call so no global library state is touched. */
  vapidDetails: VapidDetails;
  /** Request timeout in ms. */
  timeout: number;
}

/** The part of the `web-push` package the channel uses; inject it, or a compatible implementation. @public */
export interface WebPushLibrary {
  /** Encrypts and posts one notification; rejects with a `WebPushError` (`statusCode`, `body`, `headers`). */
  sendNotification(
    subscription: WebPushSubscription,
    payload: string,
    options: WebPushSendOptions,
  ): Promise<{
    /** The push service's HTTP status (201 when accepted). */
    statusCode: number;
    /** Response headers; `location` names the created push message. */
    headers?: Record<string, string | string[] | undefined>;
  }>;
}

/** Settings for {@link createWebPush}. @public */
export interface WebPushSettings {
  /** Your VAPID keys and contact. */
  vapid: VapidDetails;
  /** The `web-push` module (`import webpush from 'web-push'`); loaded on first send when left out. */
  library?: WebPushLibrary;
  /** Request timeout in ms (default 10 000). */
  timeoutMs?: number;
}

/** The Web Push channel. @public */
export interface WebPushChannel extends Channel {
  /** Always `push`. */
  readonly route: 'push';
  /** Always `web-push`. */
  readonly name: 'web-push';
  /** Always `['web']`. */
  readonly platforms: readonly ['web'];
}

const keyOfLength = (bytes: number, name: string) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, `${name} must be base64url without padding`)
    .refine((v) => Buffer.from(v, 'base64url').length === bytes, `${name} must decode to ${bytes} bytes`);

const schema = z.strictObject({
  vapid: z.strictObject({
    subject: z.string().regex(/^(mailto:|https:\/\/)/, 'expected a mailto: or https:// contact'),
    publicKey: keyOfLength(65, 'the public key'),
    privateKey: keyOfLength(32, 'the private key'),
  }),
  library: withMethods<WebPushLibrary>('the web-push library', ['sendNotification']).optional(),
  timeoutMs: z.number().int().positive().default(10_000),
});

/**
 * Sends push challenges to browsers with Web Push and VAPID. The device's `pushAddress` is the subscription
 * JSON; the encrypted payload is `QdeskPushPayload` (challenge id and display text, never a code or
 * token), sent with the message's TTL and urgency `high`. 404 / 410 (subscription gone) and a malformed
 * subscription are permanent failures about the address; 401 / 403 (a VAPID problem that hits every subscription
 * alike) are permanent in scope `configuration`, so the verifier falls back without dropping the device; 400, 413
 * and any other 4xx are permanent in scope `message`. 429, 5xx and network errors are transient. Reasons never quote
 * the push service's body.
 * @example
 * ```ts
 * import webpush from 'web-push';
 * const push = createWebPush({
 *   vapid: { subject: 'mailto:it@msp.example', publicKey: process.env.VAPID_PUBLIC_KEY!,
 *            privateKey: process.env.VAPID_PRIVATE_KEY! },
 *   library: webpush,
 * });
 * ```
 * @throws ConfigError naming each invalid setting.
 * @public
 */
export function createWebPush(settings: WebPushSettings): WebPushChannel {
  const config = parseSettings('Web Push settings', schema, settings);
  const injected = config.library;
  const library = lazy(() =>
    loadOptionalPeer<WebPushLibrary>(() => import('web-push'), {
      name: 'web-push',
      exports: 'sendNotification',
      setting: 'library',
      instead: 'pass it as library',
    }),
  );

  const channel: WebPushChannel = {
    specificationVersion: 'v1',
    route: 'push',
    name: 'web-push',
    platforms: ['web'],
    async send(message) {
      expectMessageFor(channel, message);
      const parsed = parseSubscription(message.device.pushAddress);
      if (!parsed.ok) {
        return permanentFailure(
          `Device ${message.device.id} has an unusable Web Push subscription (${parsed.problem}); the browser must subscribe again`,
          'invalid_subscription',
        );
      }
      let webPush: WebPushLibrary;
      try {
        webPush = injected ?? (await library.get());
      } catch (error) {
        return permanentFailure(describeError(error), 'library_missing', 'configuration');
      }
      const payload = JSON.stringify(buildPushPayload(message));
      try {
        const response = await webPush.sendNotification(parsed.subscription, payload, {
          TTL: message.ttlSeconds,
          urgency: 'high',
          vapidDetails: config.vapid,
          timeout: config.timeoutMs,
        });
        // RFC 8030: the Location header names the push message resource.
        const location = response.headers?.location;
        return accepted(Array.isArray(location) ? location[0] : location);
      } catch (error) {
        if (isPushServiceRefusal(error)) return classifyPushServiceRefusal(error);
        return transientFailure(`The push service could not be reached: ${describeError(error)}`);
      }
    },
  };
  return channel;
}
