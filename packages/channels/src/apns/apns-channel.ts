import { createHash } from 'node:crypto';
import type { Channel, Clock } from '@qdesk/core';
import { z } from 'zod';
import { expectMessageFor, type PushMessage } from '../internal/expect-message.js';
import {
  accepted,
  describeError,
  parseRetryAfter,
  permanentFailure,
  transientFailure,
} from '../internal/results.js';
import { parseSettings, withMethods } from '../internal/settings.js';
import { buildPushPayload } from '../push-payload.js';
import { classifyApnsRefusal } from './apns-errors.js';
import { createProviderTokenSource } from './apns-provider-token.js';
import { createHttp2Client, type Http2Answer } from './http2-client.js';

/** Apple's hosts for token-based provider connections. @public */
export const APNS_HOSTS: {
  /** For App Store, TestFlight and ad-hoc builds. */
  readonly production: 'https://api.push.apple.com';
  /** For builds signed with a development profile. */
  readonly sandbox: 'https://api.sandbox.push.apple.com';
} = {
  production: 'https://api.push.apple.com',
  sandbox: 'https://api.sandbox.push.apple.com',
};

/** Settings for {@link createApns}. @public */
export interface ApnsSettings {
  /** Your Apple Developer Team ID (10 characters, Membership details). */
  teamId: string;
  /** The Key ID of the APNs auth key (10 characters, Certificates, IDs & Profiles > Keys). */
  keyId: string;
  /** The contents of the `AuthKey_<keyId>.p8` file (PEM). */
  privateKey: string;
  /** The app's bundle id, sent as `apns-topic`. */
  topic: string;
  /** `production` (default), `sandbox` for development builds, or an origin such as `http://127.0.0.1:8443` (h2c) for tests. */
  host?: 'production' | 'sandbox' | (string & {});
  /** Per-request timeout in ms (default 10 000). */
  timeoutMs?: number;
  /** Time source for token age and `apns-expiration` (default the system clock). */
  clock?: Clock;
}

/** The APNs channel. @public */
export interface ApnsChannel extends Channel {
  /** Always `push`. */
  readonly route: 'push';
  /** Always `apns`. */
  readonly name: 'apns';
  /** Always `['ios']`. */
  readonly platforms: readonly ['ios'];
  /** Closes the HTTP/2 connection. */
  close(): Promise<void>;
}

const tenChars = (what: string) => z.string().regex(/^[A-Z0-9]{10}$/, `expected the 10-character ${what}`);

const schema = z.strictObject({
  teamId: tenChars('Team ID'),
  keyId: tenChars('Key ID'),
  privateKey: z
    .string()
    .refine((pem) => pem.includes('PRIVATE KEY'), 'expected the PEM contents of the .p8 file'),
  topic: z.string().min(1),
  host: z
    .union([
      z.enum(['production', 'sandbox']),
      z.url({ protocol: /^https?$/, error: 'expected production, sandbox or an http(s) origin' }),
    ])
    .default('production'),
  timeoutMs: z.number().int().positive().default(10_000),
  clock: withMethods<Clock>('a clock', ['now']).optional(),
});

const errorBody = z.looseObject({ reason: z.string() });

/** apns-collapse-id is limited to 64 bytes; a longer challenge id is hashed to exactly 64 hex characters. */
const collapseId = (challengeId: string) =>
  Buffer.byteLength(challengeId) <= 64 ? challengeId : createHash('sha256').update(challengeId).digest('hex');

function apnsPayload(message: PushMessage): string {
  const payload = buildPushPayload(message);
  return JSON.stringify({
    aps: { alert: { title: payload.title, body: payload.body }, sound: 'default' },
    qdesk: payload,
  });
}

const header = (answer: Http2Answer, name: string) => {
  const value = answer.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * Sends push challenges to iOS devices through APNs with token authentication over HTTP/2 (node:http2, one
 * reused connection). The ES256 provider token is signed with node:crypto and refreshed every 50 minutes, or at
 * once when APNs answers ExpiredProviderToken. 410 Unregistered, ExpiredToken and 400 BadDeviceToken are permanent
 * failures about the device; 403 InvalidProviderToken and the topic errors (DeviceTokenNotForTopic, BadTopic,
 * TopicDisallowed, MissingTopic) are permanent in scope `configuration`, so the verifier falls back without dropping
 * the device; the request errors (BadPriority, BadCollapseId, BadExpirationDate, PayloadEmpty, 413...) are permanent
 * in scope `message`; 429, 5xx and IdleTimeout are transient. Reasons never quote what APNs sent back.
 * @example
 * ```ts
 * const apns = createApns({
 *   teamId: 'ABCDE12345', keyId: 'KEY1234567', privateKey: readFileSync('AuthKey_KEY1234567.p8', 'utf8'),
 *   topic: 'com.example.qdesk', host: 'sandbox',
 * });
 * // on shutdown: await apns.close();
 * ```
 * @throws ConfigError naming each invalid setting.
 * @public
 */
export function createApns(settings: ApnsSettings): ApnsChannel {
  const config = parseSettings('APNs settings', schema, settings);
  const clock = config.clock ?? { now: () => Date.now() };
  const origin =
    config.host === 'production' || config.host === 'sandbox' ? APNS_HOSTS[config.host] : config.host;
  const tokens = createProviderTokenSource({ ...config, clock });
  const client = createHttp2Client(origin, config.timeoutMs);

  const post = (message: PushMessage, token: string) =>
    client.post(
      `/3/device/${message.device.pushAddress}`,
      {
        authorization: `bearer ${token}`,
        'apns-topic': config.topic,
        'apns-push-type': 'alert',
        'apns-priority': '10',
        'apns-expiration': String(Math.floor(clock.now() / 1000) + message.ttlSeconds),
        'apns-collapse-id': collapseId(message.challengeId),
        'content-type': 'application/json',
      },
      apnsPayload(message),
    );

  const channel: ApnsChannel = {
    specificationVersion: 'v1',
    route: 'push',
    name: 'apns',
    platforms: ['ios'],
    async send(message) {
      expectMessageFor(channel, message);
      if (!/^[0-9a-fA-F]{16,200}$/.test(message.device.pushAddress)) {
        return permanentFailure(
          `Device ${message.device.id} has no valid APNs token (expected hex digits); the app must register again`,
          'BadDeviceToken',
        );
      }
      let answer: Http2Answer;
      let reason: string | undefined;
      try {
        let token = tokens.get();
        answer = await post(message, token);
        reason = errorBody.safeParse(safeJson(answer.body)).data?.reason;
        if (answer.status === 403 && reason === 'ExpiredProviderToken') {
          tokens.expired(token);
          token = tokens.get();
          answer = await post(message, token);
          reason = errorBody.safeParse(safeJson(answer.body)).data?.reason;
        }
      } catch (error) {
        return transientFailure(`APNs could not be reached: ${describeError(error)}`);
      }
      if (answer.status === 200) return accepted(header(answer, 'apns-id'));
      return classifyApnsRefusal({
        status: answer.status,
        reason,
        retryAfterMs: parseRetryAfter(header(answer, 'retry-after'), clock.now()),
      });
    },
    close: () => client.close(),
  };
  return channel;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
