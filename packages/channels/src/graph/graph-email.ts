import type { Channel } from '@qdesk/core';
import { z } from 'zod';
import { isSingleEmailAddress, notASingleAddress } from '../internal/email-address.js';
import { type EmailMessage, expectMessageFor } from '../internal/expect-message.js';
import { type FetchFunction, post, readJson } from '../internal/http.js';
import { accepted, parseRetryAfter, transientFailure } from '../internal/results.js';
import { baseUrlSchema, fn, loggerSchema, parseSettings } from '../internal/settings.js';
import { type ChannelLogger, silentLogger } from '../logger.js';
import { classifyGraphRefusal } from './graph-errors.js';
import { createGraphTokenSource } from './graph-token.js';

/**
 * Settings for {@link createGraphEmail}: the app registration (Microsoft Entra admin center > App registrations) and
 * the mailbox to send as.
 * @example
 * ```ts
 * const settings: GraphEmailSettings = {
 *   tenantId: '3f8c2a1e-5b7d-4c9e-8a6f-2d1b0c9e7a54', // Directory (tenant) ID
 *   clientId: '0f5b3c2a-4d6e-4f70-8a9b-1c2d3e4f5a6b', // Application (client) ID
 *   clientSecret: process.env.ENTRA_CLIENT_SECRET!, // Certificates & secrets > Value
 *   sender: 'it-verify@contoso.example', // needs Mail.Send (application) with admin consent
 * };
 * ```
 * @public
 */
export interface GraphEmailSettings {
  /** The Microsoft Entra directory: the Directory (tenant) ID of the app registration, or a verified domain. */
  tenantId: string;
  /** The app registration's Application (client) ID. */
  clientId: string;
  /** A client secret of the app registration (its Value, not its Secret ID). */
  clientSecret: string;
  /** The mailbox to send as: its UPN (`it-verify@contoso.example`) or its object id. */
  sender: string;
  /** Identity platform origin (default `https://login.microsoftonline.com`; another cloud's for a national cloud). */
  authorityHost?: string;
  /** Graph origin (default `https://graph.microsoft.com`); the token is asked for `{graphHost}/.default`. */
  graphHost?: string;
  /** Per-request timeout in ms (default 10 000). */
  timeoutMs?: number;
  /** A `fetch` to use instead of the global one (a proxy, for instance). */
  fetch?: FetchFunction;
  /** The clock (epoch ms) token expiry is measured with (default `Date.now`). */
  now?: () => number;
  /** Receives a note when Graph refuses a cached token and a new one is fetched. */
  logger?: ChannelLogger;
}

/**
 * The Microsoft Graph email channel: give it to the verifier as the `email` channel.
 * @example
 * ```ts
 * const verifier = createVerifier({ secret, directory, channels: { email: createGraphEmail(settings) } });
 * ```
 * @public
 */
export interface GraphEmailChannel extends Channel {
  /** Always `email`. */
  readonly route: 'email';
  /** Always `graph`. */
  readonly name: 'graph';
}

const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const domain =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/i;

const schema = z.strictObject({
  tenantId: z
    .string()
    .refine(
      (v) => guid.test(v) || domain.test(v),
      'expected the Directory (tenant) ID, a GUID, or a verified domain',
    ),
  clientId: z.string().regex(guid, 'expected the Application (client) ID, a GUID'),
  clientSecret: z.string().min(1, 'expected a client secret'),
  sender: z
    .string()
    .refine((v) => isSingleEmailAddress(v) || guid.test(v), "expected the mailbox's UPN or object id"),
  authorityHost: baseUrlSchema.default('https://login.microsoftonline.com'),
  graphHost: baseUrlSchema.default('https://graph.microsoft.com'),
  timeoutMs: z.number().int().positive().default(10_000),
  fetch: fn<FetchFunction>('fetch').optional(),
  now: fn<() => number>('a clock').optional(),
  logger: loggerSchema.optional(),
});

/** The `sendMail` body Graph documents: one recipient, HTML body, not kept in Sent Items. */
const sendMailBody = (message: EmailMessage, address: string) =>
  JSON.stringify({
    message: {
      subject: message.subject,
      body: { contentType: 'HTML', content: message.html },
      toRecipients: [{ emailAddress: { address } }],
    },
    // A code or a sign-in link has no business in the shared mailbox's Sent Items.
    saveToSentItems: false,
  });

/**
 * Sends email codes and account notices (core's HTML body) through Microsoft Graph
 * (`POST /users/{sender}/sendMail`) as a mailbox of your Microsoft 365 tenant, with an app-only token (client
 * credentials; the app needs the Mail.Send application permission with admin consent, ideally limited to the sender
 * by an application access policy). Needs no SDK: `fetch` only. The token is
 * cached until five minutes before it expires and fetched once for concurrent sends; a 401 from Graph fetches a new
 * one and retries once.
 *
 * The stored address must be one plain email address, else the send is a permanent failure about the address and
 * Microsoft is never contacted. 202 is `accepted`, with Graph's `request-id` as `providerMessageId`. A recipient
 * Graph refuses is about the address; other 400s and an oversize message about the message; refused app credentials
 * (AADSTS7000215, AADSTS700016...), a missing permission (403) or an unknown sender (404) about the configuration;
 * 429 and 5xx are transient with `Retry-After`. Reasons name the provider's code and what to fix, never a secret,
 * a token or Graph's message text.
 * @example
 * ```ts
 * const email = createGraphEmail({
 *   tenantId: process.env.ENTRA_TENANT_ID!, // Directory (tenant) ID
 *   clientId: process.env.ENTRA_CLIENT_ID!, // Application (client) ID
 *   clientSecret: process.env.ENTRA_CLIENT_SECRET!,
 *   sender: 'it-verify@contoso.example',
 * });
 * ```
 * @throws ConfigError naming each invalid setting.
 * @public
 */
export function createGraphEmail(settings: GraphEmailSettings): GraphEmailChannel {
  const config = parseSettings('Microsoft Graph email settings', schema, settings);
  const logger = config.logger ?? silentLogger;
  const now = config.now ?? Date.now;
  const tokens = createGraphTokenSource({
    tokenUrl: `${config.authorityHost}/${encodeURIComponent(config.tenantId)}/oauth2/v2.0/token`,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    scope: `${config.graphHost}/.default`,
    timeoutMs: config.timeoutMs,
    now,
    fetch: config.fetch,
  });
  const endpoint = `${config.graphHost}/v1.0/users/${encodeURIComponent(config.sender)}/sendMail`;

  const attempt = (token: string, body: string) =>
    post(endpoint, {
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body,
      timeoutMs: config.timeoutMs,
      fetch: config.fetch,
    });

  const channel: GraphEmailChannel = {
    specificationVersion: 'v1',
    route: 'email',
    name: 'graph',
    async send(message) {
      expectMessageFor(channel, message);
      if (!isSingleEmailAddress(message.to)) return notASingleAddress();
      const body = sendMailBody(message, message.to);

      let token = await tokens.get();
      if (!token.ok) return token.failure;
      let outcome = await attempt(token.token, body);
      if (!('networkError' in outcome) && outcome.response.status === 401) {
        // Revoked or rotated before its expiry: a new token once, then the answer stands.
        logger.info('Microsoft Graph refused the cached access token; fetching a new one.', {
          sessionId: message.sessionId,
        });
        await outcome.response.text().catch(() => '');
        tokens.invalidate(token.token);
        token = await tokens.get();
        if (!token.ok) return token.failure;
        outcome = await attempt(token.token, body);
      }
      if ('networkError' in outcome) {
        return transientFailure(`Microsoft Graph could not be reached: ${outcome.networkError}`);
      }
      const { response } = outcome;
      if (response.ok) {
        // 202 has an empty body; reading it frees the connection.
        await response.text().catch(() => '');
        return accepted(response.headers.get('request-id') ?? undefined);
      }
      return classifyGraphRefusal({
        status: response.status,
        body: await readJson(response),
        retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), now()),
      });
    },
  };
  return channel;
}
