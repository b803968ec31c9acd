/**
 * A fake of Microsoft Graph and of the Microsoft identity platform's token endpoint, for tests and benchmarks of
 * `createEntraSource` (not part of the public API). It follows Graph's documented shapes: the client credentials
 * token response and its errors (`invalid_client`, `unauthorized_client`), `/users/delta` paging and delta links
 * with `@removed`, `/users/{id}/authentication/phoneMethods`, JSON batching (`POST /$batch`, at most 20 requests,
 * answers in any order), Graph's error body `{ error: { code, message, innerError } }`, 401 for an expired token,
 * 429 with `Retry-After`, and 410 Gone or `syncStateNotFound` for a delta link that expired.
 *
 * Use it through msw (`setupServer(...fake.handlers())`) or pass `fake.fetch` as the source's `fetch`.
 * @example
 * ```ts
 * const fake = createGraphFake();
 * fake.data.generateUsers(20_000);
 * const source = createEntraSource({ ...fake.credentials, fetch: fake.fetch });
 * ```
 */
import { type HttpHandler, HttpResponse, http } from 'msw';
import { FakeDirectoryData } from './graph-fake-data.test-helpers.js';
import {
  ALL_PROPERTIES,
  answerDelta,
  type FakeUpdateStyle,
  represent,
} from './graph-fake-delta.test-helpers.js';
import {
  type Answer,
  batchSizeOf,
  classify,
  expiredLinkAnswer,
  type FakeFault,
  type FakeRequestKind,
  faultAnswer,
  graphError,
  parseBatch,
  phoneMethodsAnswer,
  tokenAnswer,
} from './graph-fake-wire.test-helpers.js';

export type { FakeChange, FakeGraphUser, FakePhoneMethod } from './graph-fake-data.test-helpers.js';
export {
  FakeDirectoryData,
  fictionalPhone,
  methodStyle,
  seededRandom,
} from './graph-fake-data.test-helpers.js';
export type { FakeUpdateStyle } from './graph-fake-delta.test-helpers.js';
export type { FakeFault, FakeRequestKind } from './graph-fake-wire.test-helpers.js';

/** One request the fake answered (a `$batch` sub-request has `inBatch: true`). */
export interface FakeRequestRecord {
  kind: FakeRequestKind;
  method: string;
  url: string;
  status: number;
  inBatch: boolean;
  /** Sub-requests in a `$batch`. */
  batchSize?: number;
}

/** Settings of {@link createGraphFake}. */
export interface GraphFakeOptions {
  graphUrl?: string;
  loginUrl?: string;
  /** Seconds a token lives (default 3599). */
  tokenLifetimeSeconds?: number;
  /** The fake's clock for token expiry (default `Date.now`). */
  now?: () => number;
  /** How updated users look in delta-link rounds (default `whole`, Graph's documented default). */
  updates?: FakeUpdateStyle;
  /** Page size without `$top` (default 100). */
  defaultTop?: number;
}

/** The fake: its data, switches, faults and request log. */
export interface GraphFake {
  readonly credentials: { tenantId: string; clientId: string; clientSecret: string };
  readonly graphUrl: string;
  readonly loginUrl: string;
  readonly data: FakeDirectoryData;
  /** Application permissions the app was granted (both by default). */
  readonly permissions: { users: boolean; methods: boolean };
  /** Every request answered, in order. */
  readonly requests: FakeRequestRecord[];
  /** Counts answered requests of a kind (top-level ones, unless `inBatch` is true). */
  count(kind: FakeRequestKind, inBatch?: boolean): number;
  /** Forgets the request log. */
  resetRequests(): void;
  /** Queues a fault. */
  fail(fault: FakeFault): void;
  /** `false` makes Graph answer 401 to every token, even a fresh one (default `true`). */
  tokensAccepted: boolean;
  /** Makes every access token issued so far invalid (the next Graph call gets a 401). */
  expireTokens(): void;
  /** Makes every delta and page link handed out so far unusable: 410 Gone, or 400 `syncStateNotFound`. */
  expireDeltaLinks(how?: 'gone' | 'sync_state_not_found'): void;
  /** How updated users look in delta-link rounds. */
  updates: FakeUpdateStyle;
  /** Answers one request (what the msw handlers and `fetch` call). */
  handle(request: Request): Promise<Response | 'network_error'>;
  /** A `fetch` served by the fake; a dropped connection rejects like the real one. */
  fetch(input: Request | string | URL, init?: RequestInit): Promise<Response>;
  /** msw handlers for the login and Graph origins. */
  handlers(): HttpHandler[];
}

/** Creates a fake tenant with its app registration (fixed, fictional ids and a test secret). */
export function createGraphFake(options: GraphFakeOptions = {}): GraphFake {
  const graphUrl = options.graphUrl ?? 'https://graph.microsoft.com/v1.0';
  const loginUrl = options.loginUrl ?? 'https://login.microsoftonline.com';
  const now = options.now ?? Date.now;
  const lifetime = options.tokenLifetimeSeconds ?? 3599;
  const credentials = {
    tenantId: '11111111-2222-4333-8444-555555555555',
    clientId: '66666666-7777-4888-9999-aaaaaaaaaaaa',
    clientSecret: 'fake~Secret.Value_0123456789abcdefghij',
  };
  const graphRoot = new URL(graphUrl);
  const rootPath = graphRoot.pathname.replace(/\/$/, '');
  const tokens = new Map<string, number>();
  const faults: Array<FakeFault & { times: number; skip: number }> = [];
  let epoch = 1;
  let expiredAs: 'gone' | 'sync_state_not_found' = 'gone';
  let tokenSerial = 0;

  const fake: GraphFake = {
    credentials,
    graphUrl,
    loginUrl,
    data: new FakeDirectoryData(),
    permissions: { users: true, methods: true },
    requests: [],
    tokensAccepted: true,
    updates: options.updates ?? 'whole',
    count: (kind, inBatch = false) =>
      fake.requests.filter((r) => r.kind === kind && r.inBatch === inBatch).length,
    resetRequests: () => {
      fake.requests.length = 0;
    },
    fail: (fault) => {
      faults.push({ ...fault, times: fault.times ?? 1, skip: fault.skip ?? 0 });
    },
    expireTokens: () => tokens.clear(),
    expireDeltaLinks: (how = 'gone') => {
      epoch++;
      expiredAs = how;
    },
    handle,
    fetch: async (input, init) => {
      const answer = await handle(new Request(input, init));
      if (answer === 'network_error') {
        throw new TypeError('fetch failed', { cause: new Error('socket hang up') });
      }
      return answer;
    },
    handlers: () =>
      [new URL(loginUrl).origin, graphRoot.origin].map((origin) =>
        http.all(`${origin}/*`, async ({ request }) => {
          const answer = await handle(request);
          return answer === 'network_error' ? HttpResponse.error() : answer;
        }),
      ),
  };

  /** The first queued fault matching, consumed; `null` when none applies. */
  function takeFault(kind: FakeRequestKind, userId: string | null): FakeFault | null {
    const index = faults.findIndex((f) => f.on === kind && (f.userId === undefined || f.userId === userId));
    const fault = faults[index];
    if (!fault) return null;
    if (fault.skip > 0) {
      fault.skip--;
      return null;
    }
    if (--fault.times <= 0) faults.splice(index, 1);
    return fault;
  }

  /** A Graph request below the versioned root (`/users/delta?...`), after authentication. */
  async function route(
    method: string,
    url: URL,
    body: string,
    inBatch: boolean,
  ): Promise<Answer | 'network_error'> {
    const { kind, userId } = classify(method, url.pathname.slice(rootPath.length));
    const fault = takeFault(kind, userId);
    if (fault?.network && !inBatch) return 'network_error';
    const answer = fault
      ? faultAnswer(fault.network ? { ...fault, status: 503 } : fault)
      : await serve(kind, userId, url, body);
    const record: FakeRequestRecord = { kind, method, url: url.toString(), status: answer.status, inBatch };
    if (kind === 'batch') record.batchSize = batchSizeOf(body);
    fake.requests.push(record);
    return answer;
  }

  async function serve(
    kind: FakeRequestKind,
    userId: string | null,
    url: URL,
    body: string,
  ): Promise<Answer> {
    const denied = graphError(
      403,
      'Authorization_RequestDenied',
      'Insufficient privileges to complete the operation.',
    );
    const user = fake.data.users.get(userId ?? '');
    const missing = graphError(404, 'Request_ResourceNotFound', `Resource '${userId}' does not exist.`);
    switch (kind) {
      case 'delta': {
        if (!fake.permissions.users) return denied;
        const defaultTop = options.defaultTop ?? 100;
        const answer = answerDelta(fake.data, url, { graphUrl, epoch, updates: fake.updates, defaultTop });
        if (answer.kind === 'page') return { status: 200, body: answer.body };
        if (answer.kind === 'bad_token') return graphError(400, 'BadRequest', 'Invalid delta or skip token.');
        return expiredLinkAnswer(expiredAs, graphUrl);
      }
      case 'methods':
        if (!fake.permissions.methods) return graphError(403, 'accessDenied', 'Request Authorization failed');
        return user ? phoneMethodsAnswer(user, graphUrl) : missing;
      case 'user': {
        if (!fake.permissions.users) return denied;
        if (!user) return missing;
        const selected = url.searchParams.get('$select')?.split(',');
        const include = selected ? ALL_PROPERTIES.filter((p) => selected.includes(p)) : ALL_PROPERTIES;
        // A plain GET (not delta) writes unset properties as null.
        return { status: 200, body: represent(user, include, new Set(include)) };
      }
      case 'batch':
        return batch(body);
      default:
        return graphError(400, 'BadRequest', `Resource not found for the segment '${url.pathname}'.`);
    }
  }

  async function batch(text: string): Promise<Answer> {
    const requests = parseBatch(text);
    if (!Array.isArray(requests)) return requests;
    const responses = [];
    for (const sub of requests) {
      const answer = (await route(sub.method, new URL(`${graphUrl}${sub.url}`), '', true)) as Answer;
      const headers = { 'Content-Type': 'application/json', ...answer.headers };
      responses.push({ id: sub.id, status: answer.status, headers, body: answer.body });
    }
    // Graph does not promise any order: answer in reverse, so a client matching by position fails.
    return { status: 200, body: { responses: responses.reverse() } };
  }

  function token(url: URL, body: string): Answer | 'network_error' {
    const fault = takeFault('token', null);
    if (fault?.network) return 'network_error';
    const answer = fault
      ? faultAnswer(fault)
      : tokenAnswer(
          url,
          new URLSearchParams(body),
          { ...credentials, scope: `${graphRoot.origin}/.default` },
          () => {
            const issued = `fake-access-token-${++tokenSerial}`;
            tokens.set(issued, now() + lifetime * 1000);
            return { token: issued, lifetime };
          },
        );
    fake.requests.push({
      kind: 'token',
      method: 'POST',
      url: url.toString(),
      status: answer.status,
      inBatch: false,
    });
    return answer;
  }

  async function handle(request: Request): Promise<Response | 'network_error'> {
    const url = new URL(request.url);
    const body = request.method === 'GET' ? '' : await request.text();
    let answer: Answer | 'network_error';
    if (url.origin === new URL(loginUrl).origin) {
      answer = token(url, body);
    } else {
      const bearer = /^Bearer (.+)$/.exec(request.headers.get('authorization') ?? '')?.[1];
      const until = bearer === undefined ? undefined : tokens.get(bearer);
      if (until === undefined || until <= now() || !fake.tokensAccepted) {
        answer = graphError(
          401,
          'InvalidAuthenticationToken',
          'Access token has expired or is not yet valid.',
        );
        const { kind } = classify(request.method, url.pathname.slice(rootPath.length));
        fake.requests.push({
          kind,
          method: request.method,
          url: url.toString(),
          status: 401,
          inBatch: false,
        });
      } else {
        answer = await route(request.method, url, body, false);
      }
    }
    if (answer === 'network_error') return answer;
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
      status: answer.status,
      headers: { 'content-type': 'application/json', ...answer.headers },
    });
  }

  return fake;
}
