import { createPrivateKey, type KeyObject, sign } from 'node:crypto';
import type { Clock } from '@qdesk/core';
import { z } from 'zod';
import { type FetchFunction, post, readJson } from '../internal/http.js';
import { signJwt } from '../internal/jwt.js';

const SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
/** Refresh this long before expiry, so a token never expires mid-request. */
export const ACCESS_TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;

/** The token endpoint refused or could not be reached; the reason is safe to log. */
export class AccessTokenError extends Error {
  override readonly name = 'AccessTokenError';
}

export interface AccessTokenSourceOptions {
  clientEmail: string;
  privateKey: string;
  privateKeyId: string | undefined;
  tokenUrl: string;
  timeoutMs: number;
  clock: Clock;
  fetch: FetchFunction | undefined;
}

/** A cached OAuth access token for FCM. */
export interface AccessTokenSource {
  /** A valid token, from the cache unless it is within the refresh margin of expiry. */
  get(): Promise<string>;
  /** Drops the cached token (FCM said it is no longer accepted). */
  invalidate(): void;
}

const tokenResponse = z.looseObject({ access_token: z.string().min(1), expires_in: z.number().positive() });
const tokenError = z.looseObject({ error: z.string(), error_description: z.string().optional() });

/**
 * Exchanges a service-account JWT (RS256, signed with node:crypto) for an access token at the token URI, as
 * Google's OAuth 2.0 server-to-server flow describes, and caches it. Concurrent sends share one exchange.
 */
export function createAccessTokenSource(options: AccessTokenSourceOptions): AccessTokenSource {
  const key: KeyObject = createPrivateKey(options.privateKey);
  let cached: { token: string; expiresAt: number } | undefined;
  let pending: Promise<string> | undefined;

  const exchange = async (): Promise<string> => {
    const iat = Math.floor(options.clock.now() / 1000);
    const header = {
      alg: 'RS256',
      typ: 'JWT',
      ...(options.privateKeyId ? { kid: options.privateKeyId } : {}),
    };
    const claims = { iss: options.clientEmail, scope: SCOPE, aud: options.tokenUrl, iat, exp: iat + 3600 };
    const assertion = signJwt(header, claims, (input) => sign('sha256', input, key));
    const outcome = await post(options.tokenUrl, {
      headers: { accept: 'application/json' },
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }),
      timeoutMs: options.timeoutMs,
      fetch: options.fetch,
    });
    if ('networkError' in outcome) {
      throw new AccessTokenError(`the token endpoint could not be reached: ${outcome.networkError}`);
    }
    const json = await readJson(outcome.response);
    const ok = tokenResponse.safeParse(json);
    if (outcome.response.ok && ok.success) {
      cached = { token: ok.data.access_token, expiresAt: options.clock.now() + ok.data.expires_in * 1000 };
      return ok.data.access_token;
    }
    const error = tokenError.safeParse(json);
    const detail = error.success
      ? `${error.data.error}${error.data.error_description ? ` (${error.data.error_description})` : ''}`
      : `HTTP ${outcome.response.status}`;
    throw new AccessTokenError(`the token endpoint refused the service account: ${detail}`);
  };

  return {
    get() {
      if (cached && options.clock.now() < cached.expiresAt - ACCESS_TOKEN_REFRESH_MARGIN_MS) {
        return Promise.resolve(cached.token);
      }
      if (!pending) {
        pending = exchange().finally(() => {
          pending = undefined;
        });
      }
      return pending;
    },
    invalidate() {
      cached = undefined;
    },
  };
}
