import { createDemoData } from '@qdesk/core/memory';
import { describe, expect, it } from 'vitest';
import { fakeServerForFile } from '../test-support.js';
import { createAutotaskFake, FAKE_CREDENTIALS, startAutotaskFake } from './index.js';

const server = await fakeServerForFile({ contacts: 1200 });
const fake = server.state;

const auth = {
  ApiIntegrationCode: FAKE_CREDENTIALS.integrationCode,
  UserName: FAKE_CREDENTIALS.username,
  Secret: FAKE_CREDENTIALS.secret,
  'Content-Type': 'application/json',
};
const api = (path: string) => `${server.zoneUrl}V1.0/${path}`;
const post = (path: string, body: unknown, headers: Record<string, string> = auth) =>
  fetch(path.startsWith('http') ? path : api(path), { method: 'POST', headers, body: JSON.stringify(body) });
const query = async (entity: string, filter: unknown[]) => {
  const response = await post(`${entity}/query`, { filter });
  return ((await response.json()) as { items: Array<Record<string, unknown>> }).items;
};

describe('Autotask fake: zone discovery and auth quirks', () => {
  it('answers zone discovery for the API user and refuses other users', async () => {
    const ok = await fetch(
      `${server.url}v1.0/zoneInformation?user=${encodeURIComponent(FAKE_CREDENTIALS.username)}`,
    );
    expect(await ok.json()).toMatchObject({ url: server.zoneUrl });
    const unknown = await fetch(`${server.url}v1.0/zoneInformation?user=someone@else.example`);
    expect(unknown.status).toBe(500);
    expect(await unknown.json()).toEqual({ errors: ['Zone information could not be determined'] });
  });

  it('answers a bad user name or integration code with 500 and a bad secret with 401', async () => {
    expect((await fetch(api('Tickets/1001'), { headers: { ...auth, UserName: 'x@y.example' } })).status).toBe(
      500,
    );
    expect(
      (await fetch(api('Tickets/1001'), { headers: { ...auth, ApiIntegrationCode: 'NOPE' } })).status,
    ).toBe(500);
    expect((await fetch(api('Tickets/1001'), { headers: { ...auth, Secret: 'wrong' } })).status).toBe(401);
    expect((await fetch(api('Tickets/1001'), { headers: auth })).status).toBe(200);
  });
});

describe('Autotask fake: hourly limit and impersonation', () => {
  it('answers 429 past requestsPerHour, and 500 for an impersonation it does not allow', async () => {
    const limited = await startAutotaskFake({ requestsPerHour: 2, contacts: 5, tickets: 2 });
    try {
      const get = (headers: Record<string, string>) =>
        fetch(`${limited.zoneUrl}V1.0/Tickets/1001`, { headers }).then((r) => r.status);
      expect(await get({ ...auth, ImpersonationResourceId: '29682881' })).toBe(200);
      expect(await get(auth)).toBe(200);
      expect(await get(auth)).toBe(429);
    } finally {
      await limited.close();
    }
    expect(
      (await fetch(api('Tickets/1001'), { headers: { ...auth, ImpersonationResourceId: '1' } })).status,
    ).toBe(500);
  });

  it('offers conformance fixtures taken from the seeded data', () => {
    expect(fake.fixtures()).toMatchObject({
      readyTicketId: '1001',
      readyContactEmail: 'ana.silva@northwind.example',
      ticketWithoutContactId: '1005',
      ticketWithContactWithoutEmailId: '1006',
      companyCount: fake.tables.Companies.length,
      contactCount: fake.tables.Contacts.length,
    });
    const { secondaryEmail } = fake.fixtures();
    expect(fake.tables.Contacts.filter((c) => c.emailAddress2 === secondaryEmail)).toHaveLength(1);
  });
});

describe('Autotask fake: data', () => {
  it("keeps core's demo records with their ids and emails", async () => {
    const demo = createDemoData();
    for (const contact of demo.contacts) {
      const response = await fetch(api(`Contacts/${contact.id}`), { headers: auth });
      const { item } = (await response.json()) as { item: Record<string, unknown> };
      expect(item.emailAddress ?? null).toBe(contact.emails[0] ?? null);
      expect(item.isActive).toBe(1);
    }
    const company = (await (await fetch(api('Companies/101'), { headers: auth })).json()) as {
      item: unknown;
    };
    expect(company.item).toMatchObject({ companyName: 'Northwind Traders Inc.', isActive: true });
    expect(await (await fetch(api('Tickets/999999999'), { headers: auth })).json()).toEqual({ item: null });
  });

  it('generates the same data for the same seed and different data for another', () => {
    const a = createAutotaskFake({ seed: 7 }).tables.Contacts;
    const b = createAutotaskFake({ seed: 7 }).tables.Contacts;
    const c = createAutotaskFake({ seed: 8 }).tables.Contacts;
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('seeds secondary emails, mixed-case emails, inactive contacts and contacts without email', () => {
    const contacts = fake.tables.Contacts;
    expect(contacts.some((c) => c.emailAddress2)).toBe(true);
    expect(contacts.some((c) => c.emailAddress3)).toBe(true);
    expect(contacts.some((c) => typeof c.emailAddress === 'string' && /[A-Z]/.test(c.emailAddress))).toBe(
      true,
    );
    expect(contacts.some((c) => c.isActive === 0)).toBe(true);
    expect(contacts.some((c) => c.emailAddress === null)).toBe(true);
    expect(fake.tables.Tickets.some((t) => t.contactID === null)).toBe(true);
  });
});

describe('Autotask fake: query language', () => {
  it('implements every operator, case-insensitively for text', async () => {
    const ids = async (filter: unknown[]) => (await query('Contacts', filter)).map((c) => c.id).sort();
    expect(await ids([{ op: 'eq', field: 'emailaddress', value: 'ANA.SILVA@northwind.example' }])).toEqual([
      201,
    ]);
    expect(await ids([{ op: 'in', field: 'id', value: [201, 203, 99] }])).toEqual([201, 203]);
    expect(
      await ids([
        {
          op: 'and',
          items: [
            { op: 'gte', field: 'id', value: 202 },
            { op: 'lt', field: 'id', value: 204 },
          ],
        },
      ]),
    ).toEqual([202, 203]);
    expect(
      await ids([
        { op: 'gt', field: 'id', value: 204 },
        { op: 'lte', field: 'id', value: 206 },
      ]),
    ).toEqual([205, 206]);
    expect(
      await ids([
        { op: 'lte', field: 'id', value: 206 },
        { op: 'notExist', field: 'emailAddress' },
      ]),
    ).toEqual([205]);
    expect(
      await ids([
        { op: 'lte', field: 'id', value: 206 },
        { op: 'exist', field: 'mobilePhone' },
      ]),
    ).toEqual([201, 202, 203, 205, 206]);
    expect(
      await ids([
        { op: 'lte', field: 'id', value: 206 },
        { op: 'noteq', field: 'companyID', value: 101 },
        { op: 'notIn', field: 'id', value: [203] },
      ]),
    ).toEqual([204, 205, 206]);
    expect(
      await ids([
        { op: 'beginsWith', field: 'lastName', value: 'SIL' },
        { op: 'lte', field: 'id', value: 206 },
      ]),
    ).toEqual([201]);
    expect(
      await ids([
        { op: 'endsWith', field: 'emailAddress', value: '@FABRIKAM.example' },
        { op: 'lte', field: 'id', value: 206 },
      ]),
    ).toEqual([206]);
    expect(await ids([{ op: 'contains', field: 'firstName', value: 'hlo' }])).toEqual([203]);
    expect(
      await ids([
        {
          op: 'or',
          items: [
            { op: 'eq', field: 'id', value: 201 },
            { op: 'eq', field: 'id', value: 206 },
          ],
        },
      ]),
    ).toEqual([201, 206]);
  });

  it('refuses unknown fields, unknown operators and an empty filter with 500 errors', async () => {
    for (const filter of [
      [{ op: 'eq', field: 'nope', value: 1 }],
      [{ op: 'like', field: 'id', value: 1 }],
      [],
    ]) {
      const response = await post('Contacts/query', { filter });
      expect(response.status).toBe(500);
      expect(((await response.json()) as { errors: string[] }).errors.length).toBe(1);
    }
  });

  it('counts with query/count and projects IncludeFields', async () => {
    const count = await post('Contacts/query/count', { filter: [{ op: 'gte', field: 'id', value: 0 }] });
    expect(await count.json()).toEqual({ queryCount: fake.tables.Contacts.length });
    const page = await post('Companies/query', {
      filter: [{ op: 'eq', field: 'id', value: 101 }],
      IncludeFields: ['companyName'],
    });
    expect(((await page.json()) as { items: unknown[] }).items).toEqual([
      { companyName: 'Northwind Traders Inc.' },
    ]);
  });
});

describe('Autotask fake: paging and limits', () => {
  const all = { filter: [{ op: 'gte', field: 'id', value: 0 }] };

  it('pages by 500 with a nextPageUrl that needs a POST with the same body', async () => {
    const first = (await (await post('Contacts/query', all)).json()) as {
      items: unknown[];
      pageDetails: { nextPageUrl: string };
    };
    expect(first.items).toHaveLength(500);
    const next = first.pageDetails.nextPageUrl;
    expect(next.startsWith(server.zoneUrl)).toBe(true);
    expect((await fetch(next, { headers: auth })).status).toBe(405);
    expect((await post(next, { filter: [{ op: 'gte', field: 'id', value: 1 }] })).status).toBe(500);
    const second = (await (await post(next, all)).json()) as { items: Array<{ id: number }> };
    expect(second.items[0]!.id).toBeGreaterThan((first.items.at(-1) as { id: number }).id);
  });

  it('answers "Thread Threshold Exceeded" past 3 concurrent requests per endpoint, with the set status', async () => {
    fake.latencyMs = 60;
    fake.threadLimit = { max: 3, status: 429 };
    const statuses = await Promise.all(
      Array.from({ length: 5 }, () => fetch(api('Contacts/201'), { headers: auth }).then((r) => r.status)),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(2);
    expect(fake.maxInFlight('Contacts')).toBeGreaterThan(3);
    // Another endpoint is not affected by the Contacts lane.
    expect((await fetch(api('Companies/101'), { headers: auth })).status).toBe(200);
  });

  it('injects faults for the next N matching requests and logs every request', async () => {
    fake.failNext(2, { status: 503, body: 'Service Unavailable', endpoint: 'Tickets' });
    fake.rateLimitNext(1, { retryAfterSeconds: 7, endpoint: 'Companies' });
    expect((await fetch(api('Tickets/1001'), { headers: auth })).status).toBe(503);
    expect((await fetch(api('Contacts/201'), { headers: auth })).status).toBe(200);
    const limited = await fetch(api('Companies/101'), { headers: auth });
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '7']);
    expect((await fetch(api('Tickets/1001'), { headers: auth })).status).toBe(503);
    expect((await fetch(api('Tickets/1001'), { headers: auth })).status).toBe(200);
    expect(fake.requests.map((r) => `${r.endpoint}:${r.status}`)).toEqual([
      'Tickets:503',
      'Contacts:200',
      'Companies:429',
      'Tickets:503',
      'Tickets:200',
    ]);
  });

  it('creates notes only through /Tickets/{id}/Notes and refuses bad picklist values', async () => {
    expect(
      (await post('TicketNotes', { title: 't', description: 'd', noteType: 1, publish: 2 })).status,
    ).toBe(404);
    const bad = await post('Tickets/1001/Notes', { title: 't', description: 'd', noteType: 1, publish: 9 });
    expect(bad.status).toBe(500);
    const good = await post('Tickets/1002/Notes', { title: 't', description: 'd', noteType: 1, publish: 2 });
    const { itemId } = (await good.json()) as { itemId: number };
    expect(fake.notes('1002')).toEqual([
      { id: String(itemId), ticketId: '1002', title: 't', text: 'd', publish: 2, noteType: 1 },
    ]);
  });
});
