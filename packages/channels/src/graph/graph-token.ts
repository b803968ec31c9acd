import { z } from 'zod';
import { type FetchFunction, post, readJson } from '../internal/http.js';
import { type FailureResult, parseRetryAfter, transientFailure } from '../internal/results.js';
import { classifyTokenRefusal } from './graph-errors.js';

/** A token is renewed this long before it expires, so it never expires mid-request. */
export const GRAPH_TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;

/** What the token source needs: the app registration and where to ask. */
export interface GraphTokenSourceOptions {
  /** `{authorityHost}/{tenantId}/oauth2/v2.0/token`. */
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** `{graphHost}/.default`: every application permission granted to the app. */
  scope: string;
  timeoutMs: number;
  now: () => number;
  fetch: FetchFunction | undefined;
}

/** A token, or why none could be had (a delivery result the channel returns as is). */
export type GraphTokenOutcome = { ok: true; token: string } | { ok: false; failure: FailureResult };

/** A cached client-credentials access token for Microsoft Graph. */
export interface GraphTokenSource {
  /** The cached token, or a new one when it is within five minutes of expiry. Concurrent callers share one request. */
  get(): Promise<GraphTokenOutcome>;
  /** Forgets `token` if it is still the cached one (Graph refused it); a newer token is kept. */
  invalidate(token: string): void;
}

const tokenResponse = z.looseObject({
  token_type: z.string().optional(),
  access_token: z.string().min(1),
  // The v2.0 endpoint sends a number; v1.0 sent a string.
  expires_in: z.coerce.number().positive(),
});

/**
 * Gets app-only tokens with the OAuth 2.0 client credentials grant (`client_id`, `client_secret`, `scope`,
 * `grant_type=client_credentials`) and caches each until five minutes before it expires.
 *
 * Note: neither the secret nor a token is ever put in a failure reason or a log line.
 */
export function createGraphTokenSource(options: GraphTokenSourceOptions): GraphTokenSource {
  let cached: { token: string; expiresAt: number } | undefined;
  let pending: Promise<GraphTokenOutcome> | undefined;

  const request = async (): Promise<GraphTokenOutcome> => {
    const outcome = await post(options.tokenUrl, {
      headers: { accept: 'application/json' },
      body: new URLSearchParams({
        client_id: options.clientId,
        client_secret: options.clientSecret,
        scope: options.scope,
        grant_type: 'client_credentials',
      }),
      timeoutMs: options.timeoutMs,
      fetch: options.fetch,
    });
    if ('networkError' in outcome) {
      return {
        ok: false,
        failure: transientFailure(
          `Microsoft Entra ID could not be reached for a Graph token: ${outcome.networkError}`,
          'token_unreachable',
        ),
      };
    }
    const { response } = outcome;
    const json = await readJson(response);
    const issued = tokenResponse.safeParse(json);
    if (response.ok && issued.success) {
      cached = {
        token: issued.data.access_token,
        expiresAt: options.now() + issued.data.expires_in * 1000,
      };
      return { ok: true, token: issued.data.access_token };
    }
    if (response.ok) {
      return {
        ok: false,
        failure: transientFailure(
          'Microsoft Entra ID answered without a usable Graph token',
          'token_unreadable',
        ),
      };
    }
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), options.now());
    return {
      ok: false,
      failure: classifyTokenRefusal({ status: response.status, body: json, retryAfterMs }),
    };
  };

  return {
    get() {
      if (cached && options.now() < cached.expiresAt - GRAPH_TOKEN_REFRESH_MARGIN_MS) {
        return Promise.resolve({ ok: true, token: cached.token });
      }
      if (!pending) {
        pending = request().finally(() => {
          pending = undefined;
        });
      }
      return pending;
    },
    invalidate(token) {
      if (cached?.token === token) cached = undefined;
    },
  };
}
