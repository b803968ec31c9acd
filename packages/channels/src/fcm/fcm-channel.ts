import type { Channel, Clock } from '@qdesk/core';
import { z } from 'zod';
import { expectMessageFor, type PushMessage } from '../internal/expect-message.js';
import { type FetchFunction, post, readJson } from '../internal/http.js';
import { accepted, parseRetryAfter, transientFailure } from '../internal/results.js';
import { baseUrlSchema, fn, loggerSchema, parseSettings, withMethods } from '../internal/settings.js';
import { type ChannelLogger, silentLogger } from '../logger.js';
import { buildPushPayload, flattenPushPayload } from '../push-payload.js';
import { AccessTokenError, createAccessTokenSource } from './fcm-access-token.js';
import { classifyFcmRefusal, fcmErrorCode } from './fcm-errors.js';
import { type FcmServiceAccount, serviceAccountSchema } from './service-account.js';

/** Settings for {@link createFcm}. @public */
export interface FcmSettings {
  /** The service-account key file, parsed or as its JSON text. */
  serviceAccount: FcmServiceAccount | string;
  /** Firebase project id (default: the key file's `project_id`). */
  projectId?: string;
  /** Device platforms reached through FCM (default `['android']`; add `ios` if your iOS app uses FCM). */
  platforms?: readonly ('android' | 'ios')[];
  /** OAuth token endpoint (default: the key file's `token_uri`, else Google's). */
  tokenUrl?: string;
  /** FCM origin (default `https://fcm.googleapis.com`); point it at a fake in tests. */
  baseUrl?: string;
  /** Per-request timeout in ms (default 10 000). */
  timeoutMs?: number;
  /** Time source for token expiry (default the system clock). */
  clock?: Clock;
  /** A `fetch` to use instead of the global one. */
  fetch?: FetchFunction;
  /** Receives a note when the channel fetches a new access token. */
  logger?: ChannelLogger;
}

/** The FCM channel. @public */
export interface FcmChannel extends Channel {
  /** Always `push`. */
  readonly route: 'push';
  /** Always `fcm`. */
  readonly name: 'fcm';
  /** The platforms from the settings. */
  readonly platforms: readonly ('android' | 'ios')[];
}

const schema = z
  .strictObject({
    serviceAccount: serviceAccountSchema,
    projectId: z.string().min(1).optional(),
    platforms: z
      .array(z.enum(['android', 'ios']))
      .min(1)
      .default(['android']),
    tokenUrl: z.url({ protocol: /^https?$/ }).optional(),
    baseUrl: baseUrlSchema.default('https://fcm.googleapis.com'),
    timeoutMs: z.number().int().positive().default(10_000),
    clock: withMethods<Clock>('a clock', ['now']).optional(),
    fetch: fn<FetchFunction>('fetch').optional(),
    logger: loggerSchema.optional(),
  })
  .refine((s) => s.projectId ?? s.serviceAccount.project_id, {
    error: 'give projectId, or a service account with project_id',
    path: ['projectId'],
  });

const sendResponse = z.looseObject({ name: z.string() });

/** The FCM v1 message: notification for display, string-only data for the app, per-platform delivery hints. */
function fcmMessage(message: PushMessage, now: number) {
  const payload = buildPushPayload(message);
  return {
    message: {
      token: message.device.pushAddress,
      notification: { title: payload.title, body: payload.body },
      data: flattenPushPayload(payload),
      android: { priority: 'HIGH', ttl: `${message.ttlSeconds}s` },
      ...(message.device.platform === 'ios'
        ? {
            apns: {
              headers: {
                'apns-priority': '10',
                'apns-push-type': 'alert',
                'apns-expiration': String(Math.floor(now / 1000) + message.ttlSeconds),
              },
              payload: { aps: { sound: 'default' } },
            },
          }
        : {}),
    },
  };
}

/**
 * Sends push challenges through Firebase Cloud Messaging (HTTP v1) with a service-account access token (an RS256
 * JWT signed with node:crypto, exchanged at the token URI and cached until five minutes before expiry). UNREGISTERED
 * and an INVALID_ARGUMENT naming the token are permanent failures about the device; SENDER_ID_MISMATCH and
 * THIRD_PARTY_AUTH_ERROR and a refused service account (401 after a fresh token, 403) are permanent in scope
 * `configuration` (the device is kept), any other INVALID_ARGUMENT or 4xx in scope `message`. Quota (retry after at
 * least 60 s), UNAVAILABLE, INTERNAL, other 5xx and an unavailable access token are transient. Reasons never quote
 * FCM's message, which echoes field values.
 * @example
 * ```ts
 * const fcm = createFcm({ serviceAccount: process.env.FCM_SERVICE_ACCOUNT_JSON! });
 * ```
 * @throws ConfigError naming each invalid setting.
 * @public
 */
export function createFcm(settings: FcmSettings): FcmChannel {
  const config = parseSettings('FCM settings', schema, settings);
  const clock = config.clock ?? { now: () => Date.now() };
  const logger = config.logger ?? silentLogger;
  const account = config.serviceAccount;
  const projectId = config.projectId ?? account.project_id ?? '';
  const endpoint = `${config.baseUrl}/v1/projects/${encodeURIComponent(projectId)}/messages:send`;
  const tokens = createAccessTokenSource({
    clientEmail: account.client_email,
    privateKey: account.private_key,
    privateKeyId: account.private_key_id,
    tokenUrl: config.tokenUrl ?? account.token_uri ?? 'https://oauth2.googleapis.com/token',
    timeoutMs: config.timeoutMs,
    clock,
    fetch: config.fetch,
  });
  const platforms = Object.freeze([...config.platforms]);

  /** One send with the current token; the body is read here so a 401 can be inspected before retrying. */
  const attempt = async (body: string) => {
    const token = await tokens.get();
    const outcome = await post(endpoint, {
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json; charset=utf-8' },
      body,
      timeoutMs: config.timeoutMs,
      fetch: config.fetch,
    });
    if ('networkError' in outcome) return outcome;
    const { response } = outcome;
    return { status: response.status, headers: response.headers, json: await readJson(response) };
  };

  const channel: FcmChannel = {
    specificationVersion: 'v1',
    route: 'push',
    name: 'fcm',
    platforms,
    async send(message) {
      expectMessageFor(channel, message);
      const body = JSON.stringify(fcmMessage(message, clock.now()));
      let outcome: Awaited<ReturnType<typeof attempt>>;
      try {
        outcome = await attempt(body);
        if (
          'status' in outcome &&
          outcome.status === 401 &&
          fcmErrorCode(outcome.json) !== 'THIRD_PARTY_AUTH_ERROR'
        ) {
          // The access token was revoked or rotated early: fetch a fresh one once before giving up.
          logger.info('FCM refused the cached access token; fetching a new one.', { projectId });
          tokens.invalidate();
          outcome = await attempt(body);
        }
      } catch (error) {
        if (error instanceof AccessTokenError) {
          return transientFailure(`FCM access token unavailable: ${error.message}`, 'access_token');
        }
        throw error;
      }
      if ('networkError' in outcome)
        return transientFailure(`FCM could not be reached: ${outcome.networkError}`);
      if (outcome.status >= 200 && outcome.status < 300) {
        const sent = sendResponse.safeParse(outcome.json);
        return accepted(sent.success ? sent.data.name : undefined);
      }
      return classifyFcmRefusal({
        status: outcome.status,
        body: outcome.json,
        retryAfterMs: parseRetryAfter(outcome.headers.get('retry-after')),
      });
    },
  };
  return channel;
}
