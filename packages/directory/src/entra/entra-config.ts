import { ConfigError } from '@qdesk/core';
import { fieldIssues } from '@qdesk/core/ports';
import { z } from 'zod';

/** A `fetch` as the source calls it (the global one by default). @public */
export type EntraFetch = (input: Request | string | URL, init?: RequestInit) => Promise<Response>;

/**
 * Something the source could not read, reported once per `read` through
 * {@link EntraSourceConfig.onWarning}; the read goes on.
 *
 * - `mfa_phones_forbidden`: Microsoft Graph refused to list a user's phone authentication methods (403), which
 *   means the app lacks the `UserAuthenticationMethod.Read.All` application permission or its admin consent in this
 *   tenant. The rest of that read asks for no more methods: its records carry the directory's phones
 *   (`mobilePhone`, `businessPhones`) and no `mfa` phone. Treat the missing MFA phones as unknown, not as removed.
 * @public
 */
export interface EntraWarning {
  /** What could not be read. */
  code: 'mfa_phones_forbidden';
  /** What happened and what to do; holds no secret and no token. */
  message: string;
}

/**
 * Retry settings for throttling (429) and transient failures (502, 503, 504, timeouts, network errors) from Microsoft
 * Graph and the token endpoint. A `Retry-After` header is honoured; without one, waits double from `baseDelayMs`.
 * @public
 */
export interface EntraRetryConfig {
  /** Retries after the first attempt, per request and per `$batch` sub-request (default 5, at most 10). */
  maxRetries?: number;
  /** First backoff step in ms when the answer has no `Retry-After` (default 1,000). */
  baseDelayMs?: number;
  /**
   * Longest single wait in ms (default 120,000). A `Retry-After` longer than this fails the read with an
   * `AdapterError` (reason `throttled`), so a scheduler can run it again later from the last stored cursor.
   */
  maxDelayMs?: number;
}

/**
 * Configuration of `createEntraSource`: one customer's Microsoft Entra ID tenant, read with app-only
 * (client credentials) access to Microsoft Graph.
 *
 * ## Permissions the app needs (application permissions, with admin consent in the customer's tenant)
 * - `User.Read.All`: the users (`/users/delta`).
 * - `UserAuthenticationMethod.Read.All`: the phone numbers registered for MFA (`/users/{id}/authentication/phoneMethods`).
 *   Without it the read still works; {@link EntraSourceConfig.onWarning} says so and no `mfa` phones are read.
 *
 * ## Getting access to each customer tenant
 * An MSP registers one multi-tenant app (Entra admin center > App registrations > "Accounts in any organizational
 * directory") in its own tenant, adds the two application permissions above and creates a client secret. Then, per
 * customer, either:
 * - an administrator of the customer's tenant grants admin consent once, by opening
 *   `https://login.microsoftonline.com/{customer-tenant}/adminconsent?client_id={clientId}`, which creates the app's
 *   service principal in that tenant with the consented permissions; or
 * - the MSP uses its partner relationship (a CSP partner with granular delegated admin privileges) to consent the
 *   app in the customer's tenant on the customer's behalf, through Partner Center's application consent API.
 * Either way the source then uses the customer's tenant id (or a verified domain) with the MSP's `clientId` and
 * `clientSecret`.
 * @public
 */
export interface EntraSourceConfig {
  /** The customer's tenant: its directory (tenant) id, a GUID, or one of its verified domains (`contoso.com`). */
  tenantId: string;
  /** Application (client) id of the MSP's multi-tenant app registration. */
  clientId: string;
  /** A client secret of that app. Never logged, never in an error message. */
  clientSecret: string;
  /** `fetch` to use (default the global one, looked up per call). */
  fetch?: EntraFetch;
  /** Microsoft Graph's versioned root (default `https://graph.microsoft.com/v1.0`); a national cloud's, or a fake. */
  graphUrl?: string;
  /** The Microsoft identity platform's host (default `https://login.microsoftonline.com`). */
  loginUrl?: string;
  /**
   * Users per delta page, sent as `$top` on the first request of a full read (1 to 999; default 999). Graph may
   * answer with smaller pages; its page links keep the size.
   */
  pageSize?: number;
  /** Read the phone numbers registered for MFA (default `true`); `false` sends no `$batch` request at all. */
  includeMfaPhones?: boolean;
  /** `$batch` requests in flight at once while reading MFA phones (1 to 4; default 2). */
  batchConcurrency?: number;
  /** Per-request timeout in ms (default 30,000); a timeout is retried like a 503. */
  timeoutMs?: number;
  /** Throttling and transient-failure retries. */
  retry?: EntraRetryConfig;
  /** Receives what the source could not read but read on without (see {@link EntraWarning}). A hook that throws is ignored. */
  onWarning?: (warning: EntraWarning) => void;
  /** The clock (epoch ms) the access token's lifetime is measured with (default `Date.now`). */
  now?: () => number;
  /** Waits between retries (default a timer that the read's `signal` cancels); tests pass a fake one. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const fn = <T>(what: string) =>
  z.custom<T>((value) => typeof value === 'function', { error: `expected ${what} (a function)` });

const baseUrl = (fallback: string) =>
  z
    .url({ protocol: /^https?$/, error: 'expected an absolute http(s) URL' })
    .default(fallback)
    .transform((url) => url.replace(/\/+$/, ''));

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN = /^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

const schema = z.strictObject({
  tenantId: z
    .string()
    .trim()
    .refine((value) => GUID.test(value) || DOMAIN.test(value), {
      error: "expected the customer's tenant id (a GUID) or one of its verified domains (contoso.com)",
    }),
  clientId: z.string().trim().regex(GUID, "expected the app registration's application (client) id, a GUID"),
  clientSecret: z.string().min(1, 'expected a client secret of the app registration'),
  fetch: fn<EntraFetch>('fetch').optional(),
  graphUrl: baseUrl('https://graph.microsoft.com/v1.0'),
  loginUrl: baseUrl('https://login.microsoftonline.com'),
  pageSize: z.number().int().min(1).max(999).default(999),
  includeMfaPhones: z.boolean().default(true),
  batchConcurrency: z.number().int().min(1).max(4).default(2),
  timeoutMs: z.number().int().positive().default(30_000),
  retry: z
    .strictObject({
      maxRetries: z.number().int().min(0).max(10).default(5),
      baseDelayMs: z.number().int().min(0).default(1_000),
      maxDelayMs: z.number().int().min(0).default(120_000),
    })
    .default({ maxRetries: 5, baseDelayMs: 1_000, maxDelayMs: 120_000 }),
  onWarning: fn<(warning: EntraWarning) => void>('a warning hook').optional(),
  now: fn<() => number>('a clock').optional(),
  sleep: fn<(ms: number, signal?: AbortSignal) => Promise<void>>('a sleep function').optional(),
});

/** {@link EntraSourceConfig} with every default applied. */
export type ResolvedEntraConfig = z.output<typeof schema>;

/**
 * Validates the settings and applies defaults; a bad field throws core's `ConfigError` naming it. The secret is
 * never part of the message (zod's messages above do not quote values).
 */
export function parseEntraConfig(input: EntraSourceConfig): ResolvedEntraConfig {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw ConfigError.fromIssues('Entra ID source settings', fieldIssues(result.error));
}
