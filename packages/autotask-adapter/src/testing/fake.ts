import { endpointKey } from '../internal/endpoint-key.js';
import { createFakeTables, FAKE_API_USER_RESOURCE_ID } from './fake-data.js';
import { fixturesOf } from './fake-fixtures.js';
import { apiErrors, type FakeResponse, json, route } from './fake-routes.js';
import type {
  AutotaskFake,
  AutotaskFakeCredentials,
  AutotaskFakeOptions,
  FakeFault,
  FakeImpersonationRights,
  FakePsaOperation,
  FakeRequest,
  FakeRequestLogEntry,
} from './fake-types.js';

/** The credentials the fake accepts unless told otherwise. Not secret: they only open the fake. @public */
export const FAKE_CREDENTIALS: Readonly<AutotaskFakeCredentials> = Object.freeze({
  username: 'qdesk-api@qdesk-msp.example',
  secret: 'fake-secret-for-tests-only',
  integrationCode: 'QDESKFAKEINTEGRATIONCODE',
});

/** The first request each PSA operation makes, as a fault target. */
const PSA_FAULT_TARGETS: Record<FakePsaOperation, Pick<FakeFault, 'endpoint' | 'method'>> = {
  getTicketContext: { endpoint: 'Tickets', method: 'GET' },
  getContact: { endpoint: 'Contacts', method: 'GET' },
  writeVerificationNote: { endpoint: 'TicketNotes' },
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const header = (r: FakeRequest, name: string) => r.headers[name.toLowerCase()];

/**
 * Creates the in-memory Autotask. Serve it with {@link startAutotaskFake} (real HTTP on 127.0.0.1) or with
 * `createAutotaskMswHandlers` from `@qdesk/autotask-adapter/testing/msw`.
 * @public
 */
export function createAutotaskFake(options: AutotaskFakeOptions = {}): AutotaskFake {
  const credentials = options.credentials ?? { ...FAKE_CREDENTIALS };
  const tables = createFakeTables(options);
  const faults: Array<FakeFault & { left: number }> = [];
  const inFlight = new Map<string, number>();
  const maxima = new Map<string, number>();
  let log: FakeRequestLogEntry[] = [];
  let hourly: number[] = [];
  let createDelays: number[] = [];
  let createDrops = 0;
  const pageSize = options.pageSize ?? 500;

  const takeFault = (method: string, endpoint: string, path: string) => {
    const index = faults.findIndex(
      (f) =>
        (f.endpoint === undefined || f.endpoint === endpoint) &&
        (f.method === undefined || f.method === method) &&
        (f.path === undefined || path.toLowerCase().startsWith(f.path.toLowerCase())),
    );
    if (index < 0) return null;
    const fault = faults[index]!;
    fault.left -= 1;
    if (fault.left <= 0) faults.splice(index, 1);
    const body = fault.body ?? { errors: ['Injected failure'] };
    return {
      status: fault.status,
      headers: { 'content-type': 'application/json; charset=utf-8', ...fault.headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    };
  };

  const impersonation: FakeImpersonationRights = {
    apiUserMayImpersonate: options.impersonation?.apiUserMayImpersonate ?? true,
    notImpersonable: new Set(options.impersonation?.notImpersonable ?? []),
  };

  const impersonatedIdOf = (request: FakeRequest): number | null => {
    const value = header(request, 'ImpersonationResourceId');
    return value === undefined ? null : Number(value);
  };

  /** Why a note create as `resourceId` is refused (Autotask's "does not have adequate permissions"), or `null`. */
  const impersonationRefusal = (resourceId: number): string | null => {
    const resource = tables.Resources.find((r) => r.id === resourceId);
    if (!impersonation.apiUserMayImpersonate) {
      return 'The logged in user does not have adequate permissions to impersonate a resource for TicketNote.';
    }
    if (resource?.isActive !== true || impersonation.notImpersonable.has(resourceId)) {
      return `Resource ${resourceId} does not have adequate permissions to be impersonated for TicketNote.`;
    }
    return null;
  };

  const authenticate = (request: FakeRequest): FakeResponse | null => {
    const user = header(request, 'UserName');
    if (user?.toLowerCase() !== credentials.username.toLowerCase()) {
      return apiErrors(500, 'Unable to find an API user with the user name in the UserName header.');
    }
    if (header(request, 'ApiIntegrationCode') !== credentials.integrationCode) {
      return apiErrors(500, 'IntegrationCode is invalid.');
    }
    if (header(request, 'Secret') !== credentials.secret) {
      return json(401, { Message: 'Authorization has been denied for this request.' });
    }
    const impersonate = header(request, 'ImpersonationResourceId');
    if (impersonate !== undefined && !tables.Resources.some((r) => String(r.id) === impersonate)) {
      return apiErrors(500, `Impersonation of resource ${impersonate} is not allowed for this API user.`);
    }
    return null;
  };

  const serve = async (request: FakeRequest, url: URL, apiPath: string): Promise<FakeResponse> => {
    const endpoint = endpointKey(apiPath);
    const denied = authenticate(request);
    if (denied) return denied;
    const now = Date.now();
    hourly = hourly.filter((t) => t > now - 3_600_000);
    if (hourly.length >= (options.requestsPerHour ?? Number.POSITIVE_INFINITY)) {
      return apiErrors(429, 'The request threshold for this database has been reached.');
    }
    hourly.push(now);
    const running = (inFlight.get(endpoint) ?? 0) + 1;
    inFlight.set(endpoint, running);
    maxima.set(endpoint, Math.max(maxima.get(endpoint) ?? 0, running));
    try {
      if (running > fake.threadLimit.max) {
        return apiErrors(
          fake.threadLimit.status,
          `Thread Threshold Exceeded: ${fake.threadLimit.max} requests are already running on ${endpoint} for this integration.`,
        );
      }
      if (fake.latencyMs > 0) await sleep(fake.latencyMs);
      const injected = takeFault(request.method, endpoint, apiPath);
      if (injected) return injected;
      const isCreate = request.method === 'POST' && endpoint === 'TicketNotes' && !/query/i.test(apiPath);
      const impersonatedId = impersonatedIdOf(request);
      if (isCreate && impersonatedId !== null) {
        const refusal = impersonationRefusal(impersonatedId);
        if (refusal) return apiErrors(500, refusal);
      }
      const segments = apiPath.split('?')[0]!.split('/').filter(Boolean);
      const response = route(
        request.method,
        segments,
        url.searchParams,
        request.body,
        {
          tables,
          pageSize,
          nextPageBase: () => {
            const base = new URL('V1.0/', fake.zoneUrl);
            return fake.nextPageOrigin ? `${fake.nextPageOrigin}${base.pathname}` : base.toString();
          },
          now: Date.now,
          resourceId: FAKE_API_USER_RESOURCE_ID,
          impersonatedId,
        },
        url.pathname,
      );
      // The note is stored already; only the answer is late, as when Autotask is slow and the client gives up.
      if (isCreate && createDelays.length > 0) await sleep(createDelays.shift()!);
      if (isCreate && response.status === 200 && createDrops > 0) {
        createDrops -= 1;
        return { ...response, dropConnection: true };
      }
      return response;
    } finally {
      inFlight.set(endpoint, (inFlight.get(endpoint) ?? 1) - 1);
    }
  };

  const fake: AutotaskFake = {
    credentials,
    zoneUrl: options.zoneUrl ?? 'https://webservices15.autotask.net/ATServicesRest/',
    latencyMs: options.latencyMs ?? 0,
    threadLimit: { max: options.threadLimit ?? 3, status: options.threadLimitStatus ?? 500 },
    nextPageOrigin: null,
    impersonation,
    tables,
    get requests() {
      return log;
    },
    async handle(request) {
      const url = new URL(request.url);
      const at = Date.now();
      const lower = url.pathname.toLowerCase();
      const zonePath = new URL(fake.zoneUrl).pathname.toLowerCase().replace(/\/?$/, '/v1.0/');
      let response: FakeResponse;
      let path: string;
      let endpoint: string;
      if (lower.endsWith('/v1.0/zoneinformation')) {
        path = `zoneInformation${url.search}`;
        endpoint = 'zoneInformation';
        const user = url.searchParams.get('user') ?? '';
        response =
          takeFault(request.method, endpoint, path) ??
          (request.method !== 'GET'
            ? json(405, {
                Message: `The requested resource does not support http method '${request.method}'.`,
              })
            : user.toLowerCase() === credentials.username.toLowerCase()
              ? json(200, {
                  zoneName: 'QDesk Fake Zone',
                  url: fake.zoneUrl,
                  webUrl: 'https://ww15.autotask.net/',
                  ci: 15,
                })
              : apiErrors(500, 'Zone information could not be determined'));
      } else if (lower.startsWith(zonePath)) {
        path = `${url.pathname.slice(zonePath.length)}${url.search}`;
        endpoint = endpointKey(path);
        response = await serve(request, url, path);
      } else {
        path = url.pathname;
        endpoint = '(none)';
        response = json(404, {
          Message: `No HTTP resource was found that matches the request URI '${url.pathname}'.`,
        });
      }
      const withCredentials = ['username', 'secret', 'apiintegrationcode'].some(
        (h) => request.headers[h] !== undefined,
      );
      const status = response.dropConnection ? 0 : response.status;
      const impersonationResourceId = request.headers.impersonationresourceid ?? null;
      log.push({
        at,
        method: request.method,
        path,
        endpoint,
        status,
        withCredentials,
        impersonationResourceId,
      });
      return response;
    },
    failNext(count, fault) {
      if (count > 0) faults.push({ ...fault, left: count });
    },
    rateLimitNext(count, opts = {}) {
      const headers: Record<string, string> =
        opts.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(opts.retryAfterSeconds) };
      fake.failNext(count, {
        status: 429,
        body: { errors: ['Too many requests. Please retry later.'] },
        headers,
        ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
      });
    },
    delayNextCreateResponse(ms) {
      createDelays.push(ms);
    },
    dropNextCreateAnswer() {
      createDrops += 1;
    },
    psaFaults: {
      failNext(operation) {
        fake.failNext(1, {
          status: 500,
          body: { errors: [`Injected failure of ${operation}.`] },
          ...PSA_FAULT_TARGETS[operation],
        });
      },
      loseNextNoteAnswer: () => fake.dropNextCreateAnswer(),
    },
    maxInFlight: (endpoint) =>
      endpoint === undefined ? Math.max(0, ...maxima.values()) : (maxima.get(endpoint) ?? 0),
    resetObservations() {
      log = [];
      maxima.clear();
    },
    clearFaults() {
      faults.length = 0;
      createDelays = [];
      createDrops = 0;
    },
    notes: (ticketId) =>
      tables.TicketNotes.filter((n) => String(n.ticketID) === String(ticketId)).map((n) => ({
        id: String(n.id),
        ticketId: String(n.ticketID),
        title: String(n.title),
        text: String(n.description),
        publish: Number(n.publish),
        noteType: Number(n.noteType),
      })),
    noteAuthor(noteId) {
      const note = tables.TicketNotes.find((n) => String(n.id) === String(noteId));
      if (!note) return null;
      const impersonator = note.impersonatorCreatorResourceID;
      return {
        creatorResourceId: Number(note.creatorResourceID),
        impersonatorResourceId:
          impersonator === null || impersonator === undefined ? null : Number(impersonator),
      };
    },
    fixtures: () => fixturesOf(tables, pageSize),
  };
  return fake;
}
