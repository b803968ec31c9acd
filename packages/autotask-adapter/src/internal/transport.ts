import ky, { isTimeoutError, type KyInstance } from 'ky';
import type { RequestBudget } from '../client/budget.js';
import type { AutotaskRequestEvent } from '../config.js';
import { AutotaskError } from '../errors.js';
import { type BackoffSettings, backoffDelay } from './backoff.js';
import { classifyResponse } from './classify.js';
import type { KeyedLimiter } from './limiter.js';

/** Everything a transport needs, already defaulted. */
export interface TransportSettings {
  headers: Record<string, string>;
  timeoutMs: number;
  retry: BackoffSettings;
  limiter: KeyedLimiter;
  budget: RequestBudget | undefined;
  fetch: typeof globalThis.fetch | undefined;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  random: () => number;
  now: () => number;
  onRequest: ((event: AutotaskRequestEvent) => void) | undefined;
  /** Called on a credentials error, so a cached zone is looked up again next time. */
  onAuthFailure: () => void;
}

/** One call. `idempotent: false` (a create) is never retried here: the caller owns that decision. */
export interface SendRequest {
  method: 'GET' | 'POST';
  url: URL;
  /** Path below `V1.0/`, for errors, events and the limiter key. */
  path: string;
  endpoint: string;
  body?: unknown;
  idempotent: boolean;
  signal?: AbortSignal;
}

export type Transport = (request: SendRequest) => Promise<unknown>;

const RETRYABLE = new Set(['rate_limited', 'thread_limit', 'server', 'timeout', 'network']);

export function createTransport(settings: TransportSettings): Transport {
  const api: KyInstance = ky.create({
    retry: 0,
    throwHttpErrors: false,
    timeout: settings.timeoutMs,
    ...(settings.fetch ? { fetch: settings.fetch } : {}),
  });

  const attempt = async (request: SendRequest, number: number): Promise<unknown> => {
    const budget = settings.budget?.take() ?? { ok: true as const };
    if (!budget.ok) {
      throw new AutotaskError(
        `This app's Autotask request budget (${settings.budget!.perHour} per hour) is used up; the next ` +
          `request is allowed in ${Math.ceil(budget.retryAfterMs / 1000)} s. Raise perHour on ` +
          'createRequestBudget() if the tenant can spare it, or retry later.',
        {
          kind: 'budget_exhausted',
          retryAfterMs: budget.retryAfterMs,
          method: request.method,
          path: request.path,
        },
      );
    }
    const release = await settings.limiter.acquire(request.endpoint, request.signal);
    const started = settings.now();
    let status: number | null = null;
    let outcome: { body: unknown } | AutotaskError;
    try {
      const response = await api(request.url, {
        method: request.method,
        headers: settings.headers,
        ...(request.body === undefined ? {} : { json: request.body }),
        ...(request.signal ? { signal: request.signal } : {}),
      });
      status = response.status;
      const text = await response.text();
      const classified = classifyResponse(response.status, response.headers, text, {
        method: request.method,
        path: request.path,
        endpoint: request.endpoint,
        now: settings.now(),
      });
      outcome = classified.ok ? { body: classified.body } : classified.error;
    } catch (error) {
      if (request.signal?.aborted) throw request.signal.reason;
      outcome = transportError(error, request, settings.timeoutMs);
    } finally {
      release();
    }
    try {
      settings.onRequest?.({
        method: request.method,
        path: request.path,
        endpoint: request.endpoint,
        attempt: number,
        status,
        durationMs: settings.now() - started,
        errorKind: outcome instanceof AutotaskError ? outcome.kind : null,
      });
    } catch {
      // A broken metrics hook must not fail the call it observes.
    }
    if (outcome instanceof AutotaskError) throw outcome;
    return outcome.body;
  };

  return async (request) => {
    for (let retry = 0; ; retry++) {
      try {
        return await attempt(request, retry + 1);
      } catch (error) {
        if (!(error instanceof AutotaskError)) throw error;
        if (error.kind === 'auth') settings.onAuthFailure();
        const canRetry = request.idempotent && RETRYABLE.has(error.kind) && retry < settings.retry.maxRetries;
        // A Retry-After longer than we are willing to wait ends the call; the error carries it for the caller.
        if (!canRetry || (error.retryAfterMs ?? 0) > settings.retry.maxDelayMs) throw error;
        const delay = Math.max(error.retryAfterMs ?? 0, backoffDelay(retry, settings.retry, settings.random));
        await settings.sleep(delay, request.signal);
      }
    }
  };
}

function transportError(error: unknown, request: SendRequest, timeoutMs: number): AutotaskError {
  const where = { method: request.method, path: request.path, retryable: true, cause: error };
  if (isTimeoutError(error)) {
    return new AutotaskError(
      `Autotask did not answer ${request.method} ${request.path} within ${timeoutMs} ms. Autotask slows down ` +
        'near its hourly limit; retry later or raise timeoutMs.',
      { ...where, kind: 'timeout' },
    );
  }
  const reason =
    error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : '';
  return new AutotaskError(
    `Could not reach Autotask at ${request.url.origin} (${reason || 'network error'}). Check outbound HTTPS ` +
      'access to *.autotask.net and the zone URL.',
    { ...where, kind: 'network' },
  );
}
