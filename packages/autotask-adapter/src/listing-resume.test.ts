import type { ListOptions, PsaContact } from '@qdesk/core/ports';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAutotaskAdapter } from './adapter.js';
import { type AutotaskFakeServer, FAKE_CREDENTIALS, startAutotaskFake } from './testing/index.js';

type ListProgress = Parameters<NonNullable<ListOptions['onProgress']>>[0];

// What a sync (such as @qdesk/matching's) relies on: a listing that fails part-way can be resumed after the last
// id it received, at a scale where listing takes several 500-record pages, without reading any page twice.
describe('a contact listing interrupted by a failure', () => {
  let fake: AutotaskFakeServer;
  beforeAll(async () => {
    fake = await startAutotaskFake({ contacts: 3000, companies: 40 });
  });
  afterAll(() => fake?.close());

  const adapter = () =>
    createAutotaskAdapter({ ...FAKE_CREDENTIALS, zoneUrl: fake.zoneUrl, retry: { maxRetries: 0 } });
  const pageRequests = () =>
    fake.state.requests.filter(
      (r) => r.endpoint === 'Contacts' && r.method === 'POST' && !r.path.includes('count'),
    );

  it('resumes after the last id received, reading every contact once with growing progress', async () => {
    const expected = fake.state.tables.Contacts.length;
    expect(expected).toBeGreaterThan(3000);
    const received: PsaContact[] = [];
    const firstRun: ListProgress[] = [];
    const secondRun: ListProgress[] = [];

    // The second page fails: the first run stops there, keeping what it had received.
    const before = pageRequests().length;
    fake.state.failNext(1, { status: 503, endpoint: 'Contacts', path: 'Contacts/query/next' });
    await expect(
      (async () => {
        for await (const contact of adapter().listContacts({ onProgress: (p) => firstRun.push(p) }))
          received.push(contact);
      })(),
    ).rejects.toMatchObject({ kind: 'server' });
    expect(received.length).toBeGreaterThan(0);
    expect(received.length).toBeLessThan(expected);

    const firstBatch = received.length;
    const afterId = received.at(-1)!.id;
    for await (const contact of adapter().listContacts({ afterId, onProgress: (p) => secondRun.push(p) }))
      received.push(contact);
    expect(received).toHaveLength(expected);
    expect(new Set(received.map((c) => c.id)).size).toBe(expected);
    // The first run read two pages (one failed); the second read only what came after the checkpoint.
    expect(pageRequests().length - before).toBeLessThanOrEqual(Math.ceil(expected / 500) + 2);
    for (const run of [firstRun, secondRun]) {
      for (let i = 1; i < run.length; i++) expect(run[i]!.done).toBeGreaterThan(run[i - 1]!.done);
    }
    expect(secondRun.at(-1)).toEqual({ done: expected - firstBatch, total: expected - firstBatch });
  }, 60_000);
});
