import { ConfigError, InputError } from '@qdesk/core';
import type { ListOptions } from '@qdesk/core/ports';
import { describe, expect, it } from 'vitest';
import { createAutotaskAdapter } from './adapter.js';
import { fakeAdapter, fakeServerForFile } from './test-support.js';
import { FAKE_CREDENTIALS } from './testing/index.js';

type ListProgress = Parameters<NonNullable<ListOptions['onProgress']>>[0];

const server = await fakeServerForFile({ contacts: 1_100 });
const fake = server.state;

const configError = (config: unknown) => {
  try {
    createAutotaskAdapter(config as never);
  } catch (error) {
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
};

describe('configuration', () => {
  it.each([
    ['secret', { ...FAKE_CREDENTIALS, secret: '  ' }],
    ['integrationCode', { username: 'a@b.example', secret: 's' }],
    ['zoneUrl', { ...FAKE_CREDENTIALS, zoneUrl: 'ftp://zone.example/' }],
    ['maxInFlightPerEntity', { ...FAKE_CREDENTIALS, maxInFlightPerEntity: 4 }],
    ['notes.publish', { ...FAKE_CREDENTIALS, notes: { publish: 0 } }],
    ['pageSize', { ...FAKE_CREDENTIALS, pageSize: 1_000 }],
    ['retry.maxRetries', { ...FAKE_CREDENTIALS, retry: { maxRetries: -1 } }],
    ['budget', { ...FAKE_CREDENTIALS, budget: { perHour: 5 } }],
  ])('throws a ConfigError naming %s', (field, config) => {
    const error = configError(config);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.code).toBe('config_invalid');
    expect(error.issues.map((i) => i.path)).toContain(field);
    expect(error.message).toContain(field);
  });

  it('names unknown options', () => {
    expect(configError({ ...FAKE_CREDENTIALS, zoneURL: 'x' }).message).toContain('zoneURL');
  });
});

describe('ticket context', () => {
  it('costs 3 requests in 2 round trips: the ticket, then company and contact together', async () => {
    fake.latencyMs = 60;
    const adapter = fakeAdapter(server, { zoneUrl: server.zoneUrl });
    const context = await adapter.getTicketContext('1001');
    expect(context?.contact?.emails).toEqual(['ana.silva@northwind.example']);
    const [ticket, ...rest] = fake.requests;
    expect(fake.requests.map((r) => r.path).sort()).toEqual([
      'Companies/101',
      'Contacts/201',
      'Tickets/1001',
    ]);
    expect(ticket!.path).toBe('Tickets/1001');
    const [a, b] = rest;
    // Both sent once the ticket arrived, and in flight together (the second arrived before the first was answered).
    expect(Math.min(a!.at, b!.at)).toBeGreaterThanOrEqual(ticket!.at + 55);
    expect(Math.abs(a!.at - b!.at)).toBeLessThan(60);
  });

  it('returns contact null for a ticket without contact, and company null without company', async () => {
    const adapter = fakeAdapter(server);
    const noContact = await adapter.getTicketContext('1005');
    expect(noContact?.contact).toBeNull();
    expect(noContact?.company?.id).toBe('103');
    const walkIn = await adapter.getTicketContext('1008');
    expect([walkIn?.company, walkIn?.contact]).toEqual([null, null]);
  });

  it('returns a contact without email with an empty email list (the verifier decides)', async () => {
    const context = await fakeAdapter(server).getTicketContext('1006');
    expect(context?.contact).toMatchObject({ id: '205', emails: [], mobilePhone: '+15550100005' });
  });

  it('returns null for unknown ticket and contact ids', async () => {
    const adapter = fakeAdapter(server);
    expect(await adapter.getTicketContext('987654321')).toBeNull();
    expect(await adapter.getContact('987654321')).toBeNull();
  });

  it.each([
    ['T20261124.0001', /ticket number.*numeric id/],
    ['abc', /numeric ticket id/],
    ['', /whole numbers/],
    ['12.5', /whole numbers/],
    ['-3', /whole numbers/],
  ])('refuses the ticket id %j with an InputError that says what to pass', async (id, message) => {
    const error = await fakeAdapter(server)
      .getTicketContext(id)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(message);
    expect(fake.requests.filter((r) => r.endpoint === 'Tickets')).toHaveLength(0);
  });
});

describe('contacts by email', () => {
  it('finds a contact whatever the case, in one query over the three email fields', async () => {
    const adapter = fakeAdapter(server, { zoneUrl: server.zoneUrl });
    const found = await adapter.findContactsByEmail('  Chloe.MARTIN@contoso-dental.example ');
    expect(found.map((c) => c.id)).toEqual(['203']);
    expect(fake.requests.map((r) => r.path)).toEqual(['Contacts/query']);
  });

  it('finds contacts by their second and third email fields', async () => {
    const second = fake.tables.Contacts.find((c) => c.emailAddress2)!;
    const third = fake.tables.Contacts.find((c) => c.emailAddress3)!;
    const adapter = fakeAdapter(server);
    expect(
      (await adapter.findContactsByEmail(String(second.emailAddress2).toUpperCase())).map((c) => c.id),
    ).toContain(String(second.id));
    expect((await adapter.findContactsByEmail(String(third.emailAddress3))).map((c) => c.id)).toContain(
      String(third.id),
    );
  });

  it('includes inactive contacts, flagged as inactive', async () => {
    const inactive = fake.tables.Contacts.find((c) => c.isActive === 0 && c.emailAddress)!;
    const [found] = await fakeAdapter(server).findContactsByEmail(String(inactive.emailAddress));
    expect(found).toMatchObject({ id: String(inactive.id), isActive: false });
  });

  it('returns an empty list for an unknown address and refuses a non-address', async () => {
    const adapter = fakeAdapter(server);
    expect(await adapter.findContactsByEmail('nobody@nowhere.example')).toEqual([]);
    await expect(adapter.findContactsByEmail('not-an-email')).rejects.toBeInstanceOf(InputError);
  });
});

describe('listings', () => {
  it("lists one company's contacts with progress against the count", async () => {
    const adapter = fakeAdapter(server);
    const progress: ListProgress[] = [];
    const ids: string[] = [];
    for await (const c of adapter.listContacts({ companyId: '101', onProgress: (p) => progress.push(p) })) {
      expect(c.companyId).toBe('101');
      ids.push(c.id);
    }
    const expected = fake.tables.Contacts.filter((c) => c.companyID === 101).map((c) => String(c.id));
    expect(ids).toEqual(expected);
    expect(progress.at(-1)).toEqual({ done: expected.length, total: expected.length });
  });

  it('reports progress after each 500-record page and resumes after an id', async () => {
    const adapter = fakeAdapter(server);
    const progress: ListProgress[] = [];
    for await (const _ of adapter.listContacts({ onProgress: (p) => progress.push(p) })) {
      // consume
    }
    const total = fake.tables.Contacts.length;
    expect(progress).toEqual([
      { done: 500, total },
      { done: 1_000, total },
      { done: total, total },
    ]);
    const after = fake.tables.Contacts[1_049]!.id;
    const rest: string[] = [];
    for await (const c of adapter.listContacts({ afterId: String(after) })) rest.push(c.id);
    expect(rest).toEqual(fake.tables.Contacts.slice(1_050).map((c) => String(c.id)));
  });

  it('reports progress once for an empty listing and stops on abort', async () => {
    const adapter = fakeAdapter(server);
    const progress: ListProgress[] = [];
    for await (const _ of adapter.listCompanies({
      afterId: '99999999',
      onProgress: (p) => progress.push(p),
    })) {
      // none
    }
    expect(progress).toEqual([{ done: 0, total: 0 }]);
    const controller = new AbortController();
    controller.abort(new Error('stopped by the test'));
    const error = await (async () => {
      for await (const _ of adapter.listContacts({ signal: controller.signal })) {
        // none
      }
    })().catch((e: unknown) => e);
    expect((error as Error).message).toBe('stopped by the test');
  });

  it('refuses a non-numeric afterId or companyId', async () => {
    const adapter = fakeAdapter(server);
    const drain = async (iterable: AsyncIterable<unknown>) => {
      for await (const _ of iterable) {
        // none
      }
    };
    await expect(drain(adapter.listContacts({ afterId: 'x' }))).rejects.toBeInstanceOf(InputError);
    await expect(drain(adapter.listContacts({ companyId: 'Northwind' }))).rejects.toBeInstanceOf(InputError);
  });
});
