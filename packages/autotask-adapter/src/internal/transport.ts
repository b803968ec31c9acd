import ky, {
  type AfterResponseHook,
  type BeforeRequestHook,
  type BeforeRetryHook,
  HTTPError,
  isHTTPError,
  isTimeoutError,
  type NormalizedOptions,
  type RetryOptions,
} from 'ky';
import type { RequestBudget } from '../client/budget.js';
import type { AutotaskRequestEvent } from '../config.js';
import { AutotaskError, isAutotaskError } from '../errors.js';
import { type CallInfo, type Classified, classifyResponse } from './classify.js';
import type { KeyedLimiter } from './limiter.js';

/** Retry timing, already defaulted: ky's `limit`, the first `delay` step and the `backoffLimit`. */
export interface RetrySettings {
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Everything a transport needs, already defaulted. Without `limiter` and `budget` calls are not capped. */
export interface TransportSettings {
  headers: Record<string, string>;
  timeoutMs: number;
  retry: RetrySettings;
  /** Jitter source in [0, 1). */
  random: () => number;
  fetch?: typeof globalThis.fetch | undefined;
  limiter?: KeyedLimiter;
  budget?: RequestBudget | undefined;
  now: () => number;
  onRequest?: ((event: AutotaskRequestEvent) => void) | undefined;
  /** Called on a credentials error, so a cached zone is looked up again next time. */
  onAuthFailure?: () => void;
}

/** One call. */
export interface SendRequest {
  method: 'GET' | 'POST';
  url: URL;
  /** Path below `V1.0/`, for errors, events and the limiter key. */
  path: string;
  endpoint: string;
  body?: unknown;
  /** Headers for this call only, added to (and overriding) the transport's own. */
  headers?: Record<string, string>;
  /** `false` for a create: sent once, unless `checkBeforeRetry` is given. */
  idempotent: boolean;
  /**
   * Makes a create retryable: before each retry it is asked whether an earlier attempt took effect after all (its
   * answer was lost); a body it returns is the call's answer instead of a retry.
   */
  checkBeforeRetry?: () => Promise<unknown>;
  /** Reads an answer (default {@link classifyResponse}). */
  classify?: (status: number, headers: Headers, text: string, call: CallInfo) => Classified;
  signal?: AbortSignal | undefined;
}

export type Transport = (request: SendRequest) => Promise<unknown>;

/** One call's state, handed to the hooks as ky's `context.call`. */
interface Call extends SendRequest {
  /** The `ImpersonationResourceId` this call carries (its own or the transport's), or `null`. */
  impersonationResourceId: string | null;
  attempt: Attempt | null;
  /** The parsed body of the answer that ended the call. */
  body: unknown;
}

interface Attempt {
  number: number;
  started: number;
  ended: number | null;
  release: () => void;
  reported: boolean;
}

/** Autotask's header naming the resource a call acts as. */
export const IMPERSONATION_HEADER = 'ImpersonationResourceId';

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);
const callOf = (options: NormalizedOptions) => options.context.call as Call;

/**
 * Creates the one HTTP path every Autotask call takes: a ky instance whose own retry options decide what is retried
 * and how long to wait, and whose hooks add the request budget, the per-endpoint thread limit, the reading of
 * Autotask's answers and the `onRequest` events.
 *
 * Note: retries are ky's. The hooks only say what an answer means: a refusal retrying cannot fix is thrown as an
 * {@link AutotaskError} (ky's `shouldRetry` stops there); a retryable one goes back to ky as an HTTP error, a
 * "Thread Threshold Exceeded" as a 429 whatever status Autotask gave it, so that `statusCodes`,
 * `afterStatusCodes` (`Retry-After`), `backoffLimit` and `delay` apply.
 */
export function createTransport(settings: TransportSettings): Transport {
  const { now, retry } = settings;
  // Looked up per call, so that a `fetch` patched later (msw in tests) is the one used.
  const baseFetch =
    settings.fetch ?? ((input: Request | string | URL, init?: RequestInit) => fetch(input, init));
  /** Retryable refusals by the response handed back to ky, so the final HTTP error maps back to its reason. */
  const refusals = new WeakMap<Response, AutotaskError>();
  /** The attempt each outgoing request belongs to, for the `fetch` below. */
  const attempts = new WeakMap<Request, Attempt>();

  const report = (call: Call, status: number | null, errorKind: string | null) => {
    const attempt = call.attempt;
    if (attempt === null || attempt.reported) return;
    attempt.reported = true;
    try {
      settings.onRequest?.({
        method: call.method,
        path: call.path,
        endpoint: call.endpoint,
        attempt: attempt.number,
        status,
        durationMs: (attempt.ended ?? now()) - attempt.started,
        errorKind,
      });
    } catch {
      // A broken metrics hook must not fail the call it observes.
    }
  };

  // Budget first (nothing is sent past it), then a slot: waiting for one is not part of ky's timeout.
  const takeBudgetAndSlot: BeforeRequestHook = async (request, options, { retryCount }) => {
    const call = callOf(options);
    const decision = settings.budget?.take() ?? { ok: true as const };
    if (!decision.ok) throw budgetError(call, settings.budget!.perHour, decision.retryAfterMs);
    // `request.signal`, not `options.signal`: after a timed-out attempt ky renews the request's signal, but the
    // options it hands to hooks still hold the old, aborted one (ky 1.14).
    const release = settings.limiter
      ? await settings.limiter.acquire(call.endpoint, request.signal)
      : () => undefined;
    const attempt = { number: retryCount + 1, started: now(), ended: null, release, reported: false };
    call.attempt = attempt;
    attempts.set(request, attempt);
  };

  // The slot is held until the whole answer has arrived (or the attempt failed), as Autotask counts it.
  const fetchAttempt = async (input: Request | string | URL, init?: RequestInit) => {
    const attempt = input instanceof Request ? attempts.get(input) : undefined;
    try {
      const response = await baseFetch(input, init);
      const body = NULL_BODY_STATUSES.has(response.status) ? null : await response.arrayBuffer();
      return new Response(body, response);
    } finally {
      if (attempt) {
        attempt.ended = now();
        attempt.release();
      }
    }
  };

  const readAnswer: AfterResponseHook = async (request, options, response) => {
    const call = callOf(options);
    const text = await response.text();
    const classify = call.classify ?? classifyResponse;
    const cause = new HTTPError(response, request, options);
    const info = {
      method: call.method,
      path: call.path,
      endpoint: call.endpoint,
      now: now(),
      cause,
      impersonationResourceId: call.impersonationResourceId,
    };
    const classified = classify(response.status, response.headers, text, info);
    report(call, response.status, classified.ok ? null : classified.error.kind);
    if (classified.ok) {
      call.body = classified.body;
      return;
    }
    const failure = classified.error;
    if (!failure.retryable) throw failure;
    const status = failure.kind === 'thread_limit' ? 429 : response.status;
    const retryable = new Response(text, { status, headers: response.headers });
    refusals.set(retryable, failure);
    return retryable;
  };

  const beforeRetry: BeforeRetryHook = async ({ options, error }) => {
    const call = callOf(options);
    report(call, null, noAnswerKind(error));
    const found = await call.checkBeforeRetry?.();
    if (found === undefined || found === null) return;
    // The earlier attempt reached Autotask: its result is the answer, and nothing is sent again.
    call.body = found;
    return new Response(null, { status: 204 });
  };

  const retryOptions: RetryOptions = {
    limit: retry.maxRetries,
    // POST carries queries and counts as well as creates; a create opts out per call (limit 0).
    methods: ['get', 'post'],
    statusCodes: [429, 500, 502, 503, 504],
    afterStatusCodes: [429, 503],
    maxRetryAfter: retry.maxDelayMs,
    backoffLimit: retry.maxDelayMs,
    delay: (attemptCount) => retry.baseDelayMs * 2 ** (attemptCount - 1),
    // Half fixed, half random: never retry at once, and several clients hit by one 429 do not return together.
    jitter: (delay) => {
      const ceiling = Math.min(delay, retry.maxDelayMs);
      return Math.round(ceiling / 2 + (settings.random() * ceiling) / 2);
    },
    retryOnTimeout: true,
    shouldRetry: ({ error }) => {
      if (isHTTPError(error)) {
        // A Retry-After longer than we are willing to wait ends the call; the error carries it for the caller.
        const refusal = refusals.get(error.response);
        return refusal === undefined || (refusal.retryAfterMs ?? 0) > retry.maxDelayMs ? false : undefined;
      }
      // Timeouts and fetch's network failures (a TypeError) are retried; our own refusals and aborts are not.
      return isTimeoutError(error) || error instanceof TypeError ? undefined : false;
    },
  };

  const api = ky.create({
    headers: settings.headers,
    timeout: settings.timeoutMs,
    fetch: fetchAttempt,
    retry: retryOptions,
    hooks: { beforeRequest: [takeBudgetAndSlot], afterResponse: [readAnswer], beforeRetry: [beforeRetry] },
  });

  return async (request) => {
    const impersonationResourceId =
      request.headers?.[IMPERSONATION_HEADER] ?? settings.headers[IMPERSONATION_HEADER] ?? null;
    const call: Call = { ...request, impersonationResourceId, attempt: null, body: undefined };
    const retries = request.idempotent || request.checkBeforeRetry !== undefined;
    try {
      const response = await api(request.url, {
        method: request.method,
        json: request.body,
        signal: request.signal,
        ...(request.headers ? { headers: request.headers } : {}),
        context: { call },
        ...(retries ? {} : { retry: { limit: 0 } }),
      });
      await response.body?.cancel();
      return call.body;
    } catch (error) {
      if (request.signal?.aborted) throw request.signal.reason;
      report(call, null, noAnswerKind(error));
      const failure = isHTTPError(error)
        ? (refusals.get(error.response) ?? unreadable(call, error))
        : isAutotaskError(error)
          ? error
          : noAnswerError(error, call, settings.timeoutMs);
      if (failure.kind === 'auth') settings.onAuthFailure?.();
      throw failure;
    }
  };
}

const noAnswerKind = (error: unknown) => (isTimeoutError(error) ? 'timeout' : 'network');

function budgetError(call: Call, perHour: number, retryAfterMs: number): AutotaskError {
  return new AutotaskError(
    `This app's Autotask request budget (${perHour} per hour) is used up; the next request is allowed in ` +
      `${Math.ceil(retryAfterMs / 1000)} s. Raise perHour on createRequestBudget() if the tenant can spare it, ` +
      'or retry later.',
    { kind: 'budget_exhausted', retryAfterMs, method: call.method, path: call.path },
  );
}

function unreadable(call: Call, error: unknown): AutotaskError {
  return new AutotaskError(
    `Autotask answered ${call.method} ${call.path} in a way this adapter cannot read.`,
    {
      kind: 'unexpected_response',
      method: call.method,
      path: call.path,
      cause: error,
    },
  );
}

function noAnswerError(error: unknown, call: Call, timeoutMs: number): AutotaskError {
  const where = { method: call.method, path: call.path, retryable: true, cause: error };
  if (isTimeoutError(error)) {
    return new AutotaskError(
      `Autotask did not answer ${call.method} ${call.path} within ${timeoutMs} ms. Autotask slows down ` +
        'near its hourly limit; retry later or raise timeoutMs.',
      { ...where, kind: 'timeout' },
    );
  }
  return new AutotaskError(
    `Could not reach Autotask at ${call.url.origin} (${networkReason(error)}). Check outbound HTTPS ` +
      'access to *.autotask.net and the zone URL.',
    { ...where, kind: 'network' },
  );
}

/** What `fetch` said when it got no answer: undici hides the socket's reason in `cause`. */
export function networkReason(error: unknown): string {
  const reason =
    error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : '';
  return reason || 'network error';
}
