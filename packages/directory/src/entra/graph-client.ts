import { setTimeout as delay } from 'node:timers/promises';
import { parseRetryAfter } from '@qdesk/core/ports';
import { z } from 'zod';
import type { ResolvedEntraConfig } from './entra-config.js';
import { type CallWhat, gaveUp, graphRefusal, loginRefusal, unexpectedResponse } from './graph-errors.js';

/** One call to Microsoft Graph. */
export interface GraphCall {
  what: CallWhat;
  method: 'GET' | 'POST';
  /** Absolute URL (already checked to be Graph's). */
  url: string;
  /** JSON body of a POST. */
  body?: unknown;
  signal: AbortSignal | undefined;
}

/** An answer that is not a throttling or transient failure (those are retried inside). */
export interface GraphAnswer {
  status: number;
  headers: Headers;
  /** The body as JSON, or `undefined` when empty or not JSON. */
  body: unknown;
}

/** Graph with the app's token: {@link GraphClient.call} answers a 2xx body or rejects with an `AdapterError`. */
export interface GraphClient {
  /** Sends `call` (retrying throttling, refreshing an expired token once) and returns the JSON body of a 2xx. */
  call(call: GraphCall): Promise<unknown>;
  /** Waits before a retry of a `$batch` sub-request: `null` when the retries are used up or the wait is too long. */
  retryDelay(retry: number, retryAfterMs: number | null): number | 'too_long' | null;
  /** Sleeps, cancelled by `signal`. */
  sleep(ms: number, signal: AbortSignal | undefined): Promise<void>;
  /** Reads a `Retry-After` value (seconds or a date) as milliseconds. */
  retryAfter(value: string | null | undefined): number | null;
}

/** Statuses worth another try: throttling, and gateways or services that are briefly down. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

type Outcome = GraphAnswer | { network: string };

const tokenSchema = z.looseObject({
  access_token: z.string().min(1),
  expires_in: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]),
});

/** How long before `expires_in` a token is replaced: five minutes, or half its life for short-lived tokens. */
const EARLY_REFRESH_MS = 5 * 60_000;

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text().catch(() => '');
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Creates the one HTTP path every Entra call takes: the token cache (client credentials), bounded retries that honour
 * `Retry-After`, and one token refresh on a 401. Neither the secret nor a token ever reaches an error message: errors
 * are built from statuses and Graph's error codes only.
 */
export function createGraphClient(settings: ResolvedEntraConfig): GraphClient {
  const now = settings.now ?? Date.now;
  const sleep = settings.sleep ?? ((ms: number, signal?: AbortSignal) => delay(ms, undefined, { signal }));
  const { maxRetries, baseDelayMs, maxDelayMs } = settings.retry;
  // Looked up per call, so that a `fetch` patched later (msw in tests) is the one used.
  const doFetch =
    settings.fetch ?? ((input: Request | string | URL, init?: RequestInit) => fetch(input, init));
  const tokenUrl = `${settings.loginUrl}/${encodeURIComponent(settings.tenantId)}/oauth2/v2.0/token`;
  const scope = `${new URL(settings.graphUrl).origin}/.default`;

  let cached: { token: string; until: number } | null = null;
  let pending: Promise<string> | null = null;

  const retryDelay = (retry: number, retryAfterMs: number | null): number | 'too_long' | null => {
    if (retry >= maxRetries) return null;
    if (retryAfterMs !== null) return retryAfterMs > maxDelayMs ? 'too_long' : retryAfterMs;
    return Math.min(maxDelayMs, baseDelayMs * 2 ** retry);
  };
  const retryAfter = (value: string | null | undefined) => parseRetryAfter(value, now()) ?? null;

  const exchange = async (
    url: string,
    init: RequestInit,
    signal: AbortSignal | undefined,
  ): Promise<Outcome> => {
    signal?.throwIfAborted();
    const timeout = AbortSignal.timeout(settings.timeoutMs);
    try {
      const response = await doFetch(url, {
        ...init,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      return { status: response.status, headers: response.headers, body: await readBody(response) };
    } catch (error) {
      signal?.throwIfAborted();
      if (timeout.aborted) return { network: `no answer within ${settings.timeoutMs} ms` };
      const inner = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
      return { network: `${error instanceof Error ? error.message : String(error)}${inner}` };
    }
  };

  /** Sends until an answer is not a throttling or transient failure, or the retries run out. */
  const withRetries = async (
    what: CallWhat,
    send: () => Promise<Outcome>,
    signal: AbortSignal | undefined,
  ): Promise<GraphAnswer> => {
    // Bounded: `retryDelay` answers null once `maxRetries` retries were made, which ends the loop with an error.
    for (let retry = 0; retry <= maxRetries; retry++) {
      const outcome = await send();
      if ('status' in outcome && !RETRYABLE_STATUSES.has(outcome.status)) return outcome;
      const status = 'status' in outcome ? outcome.status : null;
      const wait = 'status' in outcome ? retryAfter(outcome.headers.get('retry-after')) : null;
      const next = retryDelay(retry, wait);
      if (next === null || next === 'too_long') {
        const graphCode =
          'status' in outcome
            ? ((outcome.body as { error?: { code?: unknown } })?.error?.code ?? null)
            : null;
        throw gaveUp(
          what,
          {
            status,
            retryAfterMs: wait,
            network: 'network' in outcome ? outcome.network : null,
            graphCode: typeof graphCode === 'string' ? graphCode : null,
          },
          retry + 1,
          next === 'too_long',
        );
      }
      await sleep(next, signal);
    }
    throw gaveUp(
      what,
      { status: null, retryAfterMs: null, network: 'retries exhausted' },
      maxRetries + 1,
      false,
    );
  };

  const fetchToken = async (signal: AbortSignal | undefined): Promise<string> => {
    const form = new URLSearchParams({
      client_id: settings.clientId,
      client_secret: settings.clientSecret,
      scope,
      grant_type: 'client_credentials',
    });
    const answer = await withRetries(
      'token',
      () =>
        exchange(
          tokenUrl,
          {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
            body: form.toString(),
          },
          signal,
        ),
      signal,
    );
    if (answer.status < 200 || answer.status >= 300) throw loginRefusal(answer.status, answer.body, settings);
    const parsed = tokenSchema.safeParse(answer.body);
    if (!parsed.success) throw unexpectedResponse('token', 'no access_token and expires_in', answer.status);
    const lifeMs = parsed.data.expires_in * 1000;
    cached = {
      token: parsed.data.access_token,
      until: now() + lifeMs - Math.min(EARLY_REFRESH_MS, lifeMs / 2),
    };
    return parsed.data.access_token;
  };

  const token = async (signal: AbortSignal | undefined): Promise<string> => {
    if (cached !== null && now() < cached.until) return cached.token;
    // Concurrent calls share one token request.
    pending ??= fetchToken(signal).finally(() => {
      pending = null;
    });
    return pending;
  };

  const call = async (request: GraphCall): Promise<unknown> => {
    // Two passes at most: the second only after a 401, with a new token.
    for (let pass = 0; pass < 2; pass++) {
      const bearer = await token(request.signal);
      const answer = await withRetries(
        request.what,
        () =>
          exchange(
            request.url,
            {
              method: request.method,
              headers: {
                authorization: `Bearer ${bearer}`,
                accept: 'application/json',
                ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
              },
              ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
            },
            request.signal,
          ),
        request.signal,
      );
      if (answer.status >= 200 && answer.status < 300) {
        if (answer.body === undefined)
          throw unexpectedResponse(request.what, 'an empty or non-JSON body', answer.status);
        return answer.body;
      }
      if (answer.status === 401 && pass === 0) {
        // The token expired or was revoked early: forget it (unless another call already replaced it) and retry once.
        if (cached?.token === bearer) cached = null;
        continue;
      }
      throw graphRefusal(answer.status, answer.body, request.what);
    }
    throw graphRefusal(401, undefined, request.what);
  };

  return { call, retryDelay, sleep, retryAfter };
}
