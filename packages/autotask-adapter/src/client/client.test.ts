import { InputError } from '@qdesk/core';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isAutotaskError } from '../errors.js';
import { buildQuery } from '../query/build-query.js';
import { where } from '../query/filter.js';
import { fastRetries } from '../test-support.js';
import { FAKE_CREDENTIALS } from '../testing/index.js';
import { createAutotaskClient } from './client.js';

const ZONE = 'https://webservices15.autotask.net/ATServicesRest/';
const API = `${ZONE}V1.0/`;
const msw = setupServer();
beforeAll(() => msw.listen({ onUnhandledRequest: 'error' }));
afterEach(() => msw.resetHandlers());
afterAll(() => msw.close());

const client = () => createAutotaskClient({ ...FAKE_CREDENTIALS, zoneUrl: ZONE, ...fastRetries() });
const contact = {
  id: 7,
  companyID: 3,
  firstName: 'Ana',
  lastName: 'Silva',
  emailAddress: 'a@b.example',
  isActive: 1,
};
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (e: unknown) => e,
  );

describe('zod-typed records', () => {
  it('reads a Contact with isActive 0/1 and keeps fields it does not know', async () => {
    msw.use(
      http.get(`${API}Contacts/7`, () => HttpResponse.json({ item: { ...contact, roomNumber: '12B' } })),
    );
    const record = await client().get('Contacts', 7);
    expect(record).toMatchObject({ id: 7, isActive: 1, roomNumber: '12B' });
  });

  it('refuses a Contact whose isActive is a boolean, naming the field', async () => {
    msw.use(http.get(`${API}Contacts/7`, () => HttpResponse.json({ item: { ...contact, isActive: true } })));
    const error = await failure(client().get('Contacts', 7));
    expect(isAutotaskError(error, 'unexpected_response')).toBe(true);
    expect((error as Error).message).toContain('isActive');
  });

  it('reads a Company whose isActive is a boolean and refuses 0/1 there', async () => {
    msw.use(
      http.get(`${API}Companies/3`, () =>
        HttpResponse.json({ item: { id: 3, companyName: 'X', isActive: false } }),
      ),
      http.get(`${API}Companies/4`, () =>
        HttpResponse.json({ item: { id: 4, companyName: 'Y', isActive: 1 } }),
      ),
    );
    expect((await client().get('Companies', 3))?.isActive).toBe(false);
    expect(isAutotaskError(await failure(client().get('Companies', 4)), 'unexpected_response')).toBe(true);
  });

  it('returns null for {"item": null} and reads text/json answers', async () => {
    msw.use(
      http.get(`${API}Tickets/1`, () => HttpResponse.json({ item: null })),
      http.get(
        `${API}Tickets/2`,
        () =>
          new HttpResponse(JSON.stringify({ item: { id: 2, ticketNumber: 'T1', title: 'x' } }), {
            headers: { 'content-type': 'text/json' },
          }),
      ),
    );
    expect(await client().get('Tickets', 1)).toBeNull();
    expect((await client().get('Tickets', 2))?.ticketNumber).toBe('T1');
  });

  it('refuses a 200 whose body is not JSON', async () => {
    msw.use(http.get(`${API}Tickets/1`, () => new HttpResponse('<html>login</html>', { status: 200 })));
    expect(isAutotaskError(await failure(client().get('Tickets', 1)), 'unexpected_response')).toBe(true);
  });
});

describe('requests on the wire', () => {
  it('posts the query body, then the same body to nextPageUrl', async () => {
    const bodies: unknown[] = [];
    const next = `${API}Contacts/query/next?paging=abc`;
    msw.use(
      http.post(`${API}Contacts/query`, async ({ request }) => {
        bodies.push(await request.json());
        return HttpResponse.json({ items: [contact], pageDetails: { count: 1, nextPageUrl: next } });
      }),
      http.post(`${API}Contacts/query/next`, async ({ request }) => {
        bodies.push(await request.json());
        return HttpResponse.json({
          items: [{ ...contact, id: 8 }],
          pageDetails: { count: 1, nextPageUrl: null },
        });
      }),
    );
    const query = buildQuery(
      [
        where.eq('isActive', 1),
        where.or(where.beginsWith('lastName', 'S'), where.notIn('companyID', [1, 2])),
      ],
      { includeFields: ['firstName'], maxRecords: 1 },
    );
    const ids: number[] = [];
    for await (const record of client().query('Contacts', query)) ids.push(record.id);
    expect(ids).toEqual([7, 8]);
    expect(bodies).toEqual([query, query]);
    expect(bodies[0]).toEqual({
      filter: [
        { op: 'eq', field: 'isActive', value: 1 },
        {
          op: 'or',
          items: [
            { op: 'beginsWith', field: 'lastName', value: 'S' },
            { op: 'notIn', field: 'companyID', value: [1, 2] },
          ],
        },
      ],
      IncludeFields: ['firstName', 'id'],
      MaxRecords: 1,
    });
  });

  it('counts with POST query/count', async () => {
    msw.use(
      http.post(`${API}Companies/query/count`, async ({ request }) => {
        expect(await request.json()).toEqual({ filter: [{ op: 'exist', field: 'webAddress' }] });
        return HttpResponse.json({ queryCount: 42 });
      }),
    );
    expect(await client().count('Companies', [where.exist('webAddress')])).toBe(42);
  });

  it('creates and returns the new id, and never retries a create by itself', async () => {
    let calls = 0;
    msw.use(
      http.post(`${API}Tickets/5/Notes`, () => HttpResponse.json({ itemId: 99 })),
      http.post(`${API}Tickets/6/Notes`, () => {
        calls += 1;
        return new HttpResponse('', { status: 503 });
      }),
    );
    expect(await client().create('Tickets/5/Notes', { title: 't' })).toBe(99);
    const error = await failure(client().create('Tickets/6/Notes', { title: 't' }));
    expect(isAutotaskError(error, 'server')).toBe(true);
    expect((error as { retryable: boolean }).retryable).toBe(true);
    expect(calls).toBe(1);
  });

  it('refuses bad entity names, ids and create paths before sending anything', async () => {
    await expect(client().get('Tickets/../Contacts', 1)).rejects.toBeInstanceOf(InputError);
    await expect(client().get('Tickets', -1)).rejects.toBeInstanceOf(InputError);
    await expect(client().get('Tickets', 1.5)).rejects.toBeInstanceOf(InputError);
    await expect(client().create('Tickets/abc/Notes', {})).rejects.toBeInstanceOf(InputError);
  });
});

describe('onRequest', () => {
  it('reports every attempt, and a throwing hook does not fail the call', async () => {
    let calls = 0;
    msw.use(
      http.get(`${API}Tickets/3`, () => {
        calls += 1;
        return calls === 1
          ? new HttpResponse('', { status: 503 })
          : HttpResponse.json({ item: { id: 3, ticketNumber: 'T3', title: 't' } });
      }),
    );
    const events: Array<{
      attempt: number;
      status: number | null;
      errorKind: string | null;
      endpoint: string;
    }> = [];
    const c = createAutotaskClient({
      ...FAKE_CREDENTIALS,
      zoneUrl: ZONE,
      ...fastRetries(),
      onRequest: (event) => {
        events.push(event);
        throw new Error('broken metrics');
      },
    });
    expect((await c.get('Tickets', 3))?.id).toBe(3);
    expect(
      events.map(({ attempt, status, errorKind, endpoint }) => ({ attempt, status, errorKind, endpoint })),
    ).toEqual([
      { attempt: 1, status: 503, errorKind: 'server', endpoint: 'Tickets' },
      { attempt: 2, status: 200, errorKind: null, endpoint: 'Tickets' },
    ]);
  });
});
