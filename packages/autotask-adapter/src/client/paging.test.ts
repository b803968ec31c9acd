import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { isAutotaskError } from '../errors.js';
import { buildQuery } from '../query/build-query.js';
import { where } from '../query/filter.js';
import { fakeAdapter, fakeClient, fakeServerForFile } from '../test-support.js';

const server = await fakeServerForFile({ contacts: 2_150, includeDemoData: true });
const fake = server.state;

// A second local server standing for a foreign host: it must never see a request.
const foreignHits: IncomingHttpHeaders[] = [];
const foreign = createServer((req, res) => {
  foreignHits.push(req.headers);
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"items":[],"pageDetails":{}}');
});
await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
const foreignOrigin = `http://127.0.0.1:${(foreign.address() as AddressInfo).port}`;

afterAll(() => new Promise((resolve) => foreign.close(resolve)));
beforeEach(() => {
  foreignHits.length = 0;
});

const everyContact = buildQuery([where.gte('id', 0)]);

describe('paging with nextPageUrl', () => {
  it('returns every one of 2,000+ records exactly once, in ascending id order', async () => {
    const client = fakeClient(server);
    const ids: number[] = [];
    let pages = 0;
    for await (const page of client.queryPages('Contacts', everyContact)) {
      pages += 1;
      expect(page.page).toBe(pages);
      ids.push(...page.items.map((c) => c.id));
    }
    const expected = fake.tables.Contacts.map((c) => c.id);
    expect(expected.length).toBeGreaterThan(2_000);
    expect(ids).toEqual(expected);
    expect(new Set(ids).size).toBe(ids.length);
    expect(pages).toBe(Math.ceil(expected.length / 500));
    const next = fake.requests.filter((r) => r.path.startsWith('Contacts/query/next'));
    expect(next).toHaveLength(pages - 1);
    expect(next.every((r) => r.method === 'POST' && r.status === 200)).toBe(true);
  });

  it('lists through the adapter with one count plus one request per page', async () => {
    const adapter = fakeAdapter(server);
    let count = 0;
    for await (const _ of adapter.listContacts()) count += 1;
    expect(count).toBe(fake.tables.Contacts.length);
    const api = fake.requests.filter((r) => r.endpoint === 'Contacts');
    expect(api).toHaveLength(1 + Math.ceil(count / 500));
  });

  it('refuses a next page on a foreign host without sending it anything', async () => {
    fake.nextPageOrigin = foreignOrigin;
    const client = fakeClient(server);
    const seen: number[] = [];
    const error = await (async () => {
      for await (const contact of client.query('Contacts', everyContact)) seen.push(contact.id);
    })().catch((e: unknown) => e);
    expect(isAutotaskError(error, 'foreign_host')).toBe(true);
    expect((error as Error).message).toContain(foreignOrigin);
    expect(seen).toHaveLength(500);
    expect(foreignHits).toEqual([]);
  });

  it('stops requesting when the consumer stops early', async () => {
    const client = fakeClient(server);
    let n = 0;
    for await (const _ of client.query('Contacts', everyContact)) {
      n += 1;
      if (n === 10) break;
    }
    await new Promise((resolve) => setTimeout(resolve, 30));
    // The first page, and at most the one prefetched page that was cancelled.
    expect(fake.requests.filter((r) => r.endpoint === 'Contacts').length).toBeLessThanOrEqual(2);
  });

  it('honours MaxRecords as the page size and resumes after an id', async () => {
    const client = fakeClient(server);
    const pages: number[] = [];
    const query = buildQuery([where.gt('id', 30_100), where.lte('id', 30_400)], { maxRecords: 50 });
    for await (const page of client.queryPages('Contacts', query)) pages.push(page.items.length);
    const expected = fake.tables.Contacts.filter((c) => c.id > 30_100 && c.id <= 30_400).length;
    expect(pages.reduce((a, b) => a + b, 0)).toBe(expected);
    expect(pages.slice(0, -1).every((n) => n === 50)).toBe(true);
  });
});
