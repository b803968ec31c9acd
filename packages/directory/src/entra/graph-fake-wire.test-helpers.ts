/**
 * The wire formats of the Microsoft Graph fake: Graph's error body, the token endpoint's answers and refusals, the
 * phone methods list, the `$batch` payload, and the injected faults.
 */
import type { FakeGraphUser } from './graph-fake-data.test-helpers.js';

/** What a request was, for the request log and for faults. */
export type FakeRequestKind = 'token' | 'delta' | 'batch' | 'methods' | 'user' | 'other';

/** A failure to inject into the next matching request(s). */
export interface FakeFault {
  on: Exclude<FakeRequestKind, 'other'>;
  /** HTTP status (default 429). */
  status?: number;
  /** `Retry-After` header value, in seconds. */
  retryAfter?: string;
  /** Graph's error code (or the token endpoint's `error`). */
  code?: string;
  /** How many matching requests fail (default 1). */
  times?: number;
  /** Matching requests let through before the fault applies (default 0). */
  skip?: number;
  /** For `methods` and `user`: only this user's requests. */
  userId?: string;
  /** Drop the connection instead of answering (top-level requests; inside a `$batch` it reads as a 503). */
  network?: boolean;
}

/** One answer before it becomes a `Response` (or a `$batch` sub-response). */
export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

let requestSerial = 0;

/** Graph's error body: `{ error: { code, message, innerError: { date, request-id } } }`. */
export function graphError(
  status: number,
  code: string,
  message: string,
  headers?: Record<string, string>,
): Answer {
  return {
    status,
    ...(headers ? { headers } : {}),
    body: {
      error: {
        code,
        message,
        innerError: { date: '2025-01-01T00:00:00', 'request-id': `fake-request-${++requestSerial}` },
      },
    },
  };
}

const DEFAULT_CODES: Record<number, string> = {
  400: 'BadRequest',
  403: 'Authorization_RequestDenied',
  404: 'Request_ResourceNotFound',
  429: 'TooManyRequests',
  500: 'generalException',
  503: 'serviceNotAvailable',
  504: 'gatewayTimeout',
};

/** What an injected fault answers. */
export function faultAnswer(fault: FakeFault): Answer {
  const status = fault.status ?? 429;
  const headers: Record<string, string> = fault.retryAfter ? { 'Retry-After': fault.retryAfter } : {};
  if (fault.on === 'token') {
    const error = fault.code ?? 'temporarily_unavailable';
    return { status, headers, body: { error, error_description: 'Injected failure.', error_codes: [] } };
  }
  return graphError(
    status,
    fault.code ?? DEFAULT_CODES[status] ?? 'UnknownError',
    'Injected failure.',
    headers,
  );
}

/** Which endpoint a Graph path (below the versioned root) is, and whose user it names. */
export function classify(method: string, path: string): { kind: FakeRequestKind; userId: string | null } {
  if (method === 'GET' && path === '/users/delta') return { kind: 'delta', userId: null };
  if (method === 'POST' && path === '/$batch') return { kind: 'batch', userId: null };
  const methods = /^\/users\/([^/]+)\/authentication\/phoneMethods$/.exec(path);
  if (method === 'GET' && methods) return { kind: 'methods', userId: decodeURIComponent(methods[1]!) };
  const user = /^\/users\/([^/]+)$/.exec(path);
  if (method === 'GET' && user) return { kind: 'user', userId: decodeURIComponent(user[1]!) };
  return { kind: 'other', userId: null };
}

/** The app registration the token endpoint knows. */
export interface FakeCredentials {
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

/**
 * `POST {login}/{tenant}/oauth2/v2.0/token` with the client credentials grant: the token, or the identity platform's
 * refusal (`{ error, error_description, error_codes }`) for an unknown tenant, client or secret.
 */
export function tokenAnswer(
  url: URL,
  form: URLSearchParams,
  expected: FakeCredentials & { scope: string },
  issue: () => { token: string; lifetime: number },
): Answer {
  const refuse = (status: number, error: string, code: number, description: string): Answer => ({
    status,
    body: {
      error,
      error_description: `AADSTS${code}: ${description}`,
      error_codes: [code],
      trace_id: 'fake',
      correlation_id: 'fake',
    },
  });
  const tenant = decodeURIComponent(url.pathname.split('/')[1] ?? '');
  if (tenant !== expected.tenantId)
    return refuse(400, 'invalid_request', 90002, `Tenant '${tenant}' not found.`);
  if (form.get('grant_type') !== 'client_credentials') {
    return refuse(400, 'unsupported_grant_type', 70003, 'Unsupported grant type.');
  }
  if (form.get('client_id') !== expected.clientId) {
    const description = `Application with identifier '${form.get('client_id')}' was not found in the directory.`;
    return refuse(400, 'unauthorized_client', 700016, description);
  }
  if (form.get('client_secret') !== expected.clientSecret) {
    return refuse(401, 'invalid_client', 7000215, 'Invalid client secret provided.');
  }
  if (form.get('scope') !== expected.scope)
    return refuse(400, 'invalid_scope', 70011, 'The provided scope is not valid.');
  const { token, lifetime } = issue();
  return {
    status: 200,
    body: { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: token },
  };
}

const METHOD_IDS = {
  mobile: '3179e48a-750b-4051-897c-87b9720928f7',
  alternateMobile: 'b6332ec1-7057-4abe-9331-3d72feddfe41',
  office: 'e37fc753-ff3b-4958-9484-eaa9425c82bc',
} as const;

/** `GET /users/{id}/authentication/phoneMethods`. */
export function phoneMethodsAnswer(user: FakeGraphUser, graphUrl: string): Answer {
  return {
    status: 200,
    body: {
      '@odata.context': `${graphUrl}/$metadata#users('${user.id}')/authentication/phoneMethods`,
      value: user.phoneMethods.map((m) => ({
        id: METHOD_IDS[m.phoneType],
        phoneNumber: m.phoneNumber,
        phoneType: m.phoneType,
        smsSignInState: 'notAllowedByPolicy',
      })),
    },
  };
}

/** A delta or page link that can no longer be used: 410 Gone with a fresh-start `Location`, or `syncStateNotFound`. */
export function expiredLinkAnswer(how: 'gone' | 'sync_state_not_found', graphUrl: string): Answer {
  return how === 'gone'
    ? graphError(410, 'resyncRequired', 'Resync required. Replace any local items with the server version.', {
        Location: `${graphUrl}/users/delta?$deltatoken=`,
      })
    : graphError(400, 'syncStateNotFound', 'The sync state generation is not found.');
}

/** One GET of a `$batch` payload. */
export interface BatchSubRequest {
  id: string;
  method: string;
  url: string;
}

/** The `$batch` payload's requests, or Graph's 400 for a payload it would refuse (none, more than 20, duplicate ids). */
export function parseBatch(text: string): BatchSubRequest[] | Answer {
  let requests: unknown;
  try {
    requests = (JSON.parse(text) as { requests?: unknown }).requests;
  } catch {
    return graphError(400, 'BadRequest', 'Invalid batch payload format.');
  }
  if (!Array.isArray(requests) || requests.length === 0) {
    return graphError(400, 'BadRequest', 'Invalid batch payload format.');
  }
  if (requests.length > 20)
    return graphError(400, 'BadRequest', 'The number of batch requests cannot exceed 20.');
  const valid = requests.every(
    (r: { id?: unknown; url?: unknown }) =>
      typeof r.id === 'string' && typeof r.url === 'string' && r.url.startsWith('/'),
  );
  if (!valid) return graphError(400, 'BadRequest', 'Each batch request needs an id and a relative url.');
  const subs = requests as Array<{ id: string; url: string; method?: unknown }>;
  if (new Set(subs.map((r) => r.id)).size !== subs.length) {
    return graphError(400, 'BadRequest', 'Batch request ids must be unique.');
  }
  return subs.map((r) => ({ id: r.id, url: r.url, method: typeof r.method === 'string' ? r.method : 'GET' }));
}

/** How many sub-requests a `$batch` body holds (0 when unreadable), for the request log. */
export function batchSizeOf(body: string): number {
  const parsed = parseBatch(body);
  return Array.isArray(parsed) ? parsed.length : 0;
}
