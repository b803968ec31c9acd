import { InputError } from '@qdesk/core';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isAutotaskError } from '../errors.js';
import { buildQuery } from '../query/build-query.js';
import { where } from '../query/filter.js';
import { fastRetries } from '../test-support.js';
import { FAKE_CREDENTIALS } from '../testing/index.js';
import { createAutotaskClient } from './client.js';

const ZONE = 'https://webservices15.autotask.net/ATServicesRest/';
const API = `${ZONE}V1.0/`;
const msw = setupServer();
const seen: Array<{ method: string; path: string; actingAs: string | null }> = [];
msw.events.on('request:start', ({ request }) => {
  seen.push({
    method: request.method,
    path: new URL(request.url).pathname.replace('/ATServicesRest/V1.0/', ''),
    actingAs: request.headers.get('ImpersonationResourceId'),
  });
});
beforeAll(() => msw.listen({ onUnhandledRequest: 'error' }));
beforeEach(() => {
  seen.length = 0;
});
afterEach(() => msw.resetHandlers());
afterAll(() => msw.close());

const client = (overrides = {}) =>
  createAutotaskClient({ ...FAKE_CREDENTIALS, zoneUrl: ZONE, ...fastRetries(), ...overrides });
const refusal = {
  errors: ['The logged in user does not have adequate permissions to impersonate a resource.'],
};
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (e: unknown) => e,
  );
const emptyPage = { items: [], pageDetails: { count: 0, requestCount: 500, nextPageUrl: null } };

describe('a create sent as a resource (impersonateResourceId)', () => {
  it('sends ImpersonationResourceId on the create and its retry only, never on the duplicate check', async () => {
    let creates = 0;
    msw.use(
      http.post(`${API}Tickets/1001/Notes`, () =>
        ++creates === 1 ? new HttpResponse('', { status: 503 }) : HttpResponse.json({ itemId: 42 }),
      ),
      http.post(`${API}TicketNotes/query`, () => HttpResponse.json(emptyPage)),
      http.get(`${API}Tickets/1001`, () =>
        HttpResponse.json({ item: { id: 1001, ticketNumber: 'T1', title: 't' } }),
      ),
    );
    const c = client();
    const findExisting = async () => {
      for await (const _ of c.query('TicketNotes', buildQuery([where.eq('ticketID', 1001)]))) return 1;
      return null;
    };
    const id = await c.create(
      'Tickets/1001/Notes',
      { title: 't' },
      { findExisting, impersonateResourceId: 77 },
    );
    await c.get('Tickets', 1001);
    expect(id).toBe(42);
    expect(seen.map((s) => `${s.method} ${s.path} ${s.actingAs}`)).toEqual([
      'POST Tickets/1001/Notes 77',
      'POST TicketNotes/query null',
      'POST Tickets/1001/Notes 77',
      'GET Tickets/1001 null',
    ]);
  });

  it("overrides the client's impersonationResourceId on that create only", async () => {
    msw.use(
      http.post(`${API}Tickets/1001/Notes`, () => HttpResponse.json({ itemId: 5 })),
      http.post(`${API}TicketNotes/query/count`, () => HttpResponse.json({ queryCount: 0 })),
    );
    const c = client({ impersonationResourceId: 11 });
    await c.create('Tickets/1001/Notes', {}, { impersonateResourceId: 22 });
    await c.create('Tickets/1001/Notes', {});
    await c.count('TicketNotes', [where.eq('ticketID', 1001)]);
    expect(seen.map((s) => s.actingAs)).toEqual(['22', '11', '11']);
  });

  it('reads a refused impersonation as impersonation_refused, sent once, saying which settings to check', async () => {
    msw.use(http.post(`${API}Tickets/1001/Notes`, () => HttpResponse.json(refusal, { status: 500 })));
    const error = await failure(
      client().create(
        'Tickets/1001/Notes',
        {},
        { impersonateResourceId: 77, findExisting: async () => null },
      ),
    );
    expect(isAutotaskError(error, 'impersonation_refused')).toBe(true);
    expect(error).toMatchObject({ code: 'unauthorized', status: 500, retryable: false });
    expect((error as Error).message).toContain('resource 77');
    expect((error as Error).message).toContain("API user's security level");
    expect((error as Error).message).toContain("resource's security level");
    expect(seen).toHaveLength(1);
  });

  it('reads a 403 on an impersonated call as impersonation_refused too', async () => {
    msw.use(http.post(`${API}Tickets/1001/Notes`, () => new HttpResponse('', { status: 403 })));
    const error = await failure(client().create('Tickets/1001/Notes', {}, { impersonateResourceId: 77 }));
    expect(isAutotaskError(error, 'impersonation_refused')).toBe(true);
  });

  it('keeps other answers to an impersonated call as they were: bad credentials, invalid data', async () => {
    msw.use(
      http.post(`${API}Tickets/1001/Notes`, () =>
        HttpResponse.json({ errors: ['IntegrationCode is invalid.'] }, { status: 500 }),
      ),
      http.post(`${API}Tickets/1002/Notes`, () =>
        HttpResponse.json({ errors: ['publish must be one of 1, 2.'] }, { status: 500 }),
      ),
    );
    const c = client();
    expect(
      isAutotaskError(
        await failure(c.create('Tickets/1001/Notes', {}, { impersonateResourceId: 7 })),
        'auth',
      ),
    ).toBe(true);
    expect(
      isAutotaskError(
        await failure(c.create('Tickets/1002/Notes', {}, { impersonateResourceId: 7 })),
        'validation',
      ),
    ).toBe(true);
  });

  it('reads the same permission text on a call that impersonates no one as a validation error', async () => {
    msw.use(http.post(`${API}Tickets/1001/Notes`, () => HttpResponse.json(refusal, { status: 500 })));
    const error = await failure(client().create('Tickets/1001/Notes', {}));
    expect(isAutotaskError(error, 'validation')).toBe(true);
  });

  it('refuses an impersonateResourceId that is not a resource id, before any request', async () => {
    for (const bad of [0, -3, 1.5, Number.NaN]) {
      await expect(
        client().create('Tickets/1001/Notes', {}, { impersonateResourceId: bad }),
      ).rejects.toBeInstanceOf(InputError);
    }
    expect(seen).toHaveLength(0);
  });
});
