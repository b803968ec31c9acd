import { createMatchingSync, createMemoryMappingStore, type MatchingSyncProgress } from '@qdesk/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAutotaskAdapter } from './adapter.js';
import { type AutotaskFakeServer, FAKE_CREDENTIALS, startAutotaskFake } from './testing/index.js';

// Core's matching sync through the real adapter, against the local Autotask fake over HTTP, at a scale where
// listing takes several 500-record pages.
describe('matching sync through the Autotask adapter', () => {
  let fake: AutotaskFakeServer;
  beforeAll(async () => {
    fake = await startAutotaskFake({ contacts: 3000, companies: 40 });
  });
  afterAll(() => fake?.close());

  const adapter = () =>
    createAutotaskAdapter({
      ...FAKE_CREDENTIALS,
      zoneUrl: fake.zoneUrl,
      retry: { maxRetries: 0, baseDelayMs: 1 },
    });
  const contactRequests = () =>
    fake.state.requests.filter(
      (r) => r.endpoint === 'Contacts' && r.method === 'POST' && !r.path.includes('count'),
    );

  it('reads every contact once with monotone progress, and resumes after a failure without duplicates', async () => {
    const expected = fake.state.tables.Contacts.length;
    expect(expected).toBeGreaterThan(3000);
    const store = createMemoryMappingStore();
    const tenantId = 'msp-1';
    const sync = createMatchingSync({ psa: adapter(), store, tenantId });
    const firstRun: MatchingSyncProgress[] = [];
    const secondRun: MatchingSyncProgress[] = [];

    // The second contacts page fails: the first run stops there, keeping what it had read.
    const before = contactRequests().length;
    fake.state.failNext(1, { status: 503, endpoint: 'Contacts', path: 'Contacts/query/next' });
    await expect(sync.run({ onProgress: (p) => firstRun.push({ ...p }) })).rejects.toThrow();
    const partial = (await store.listContacts(tenantId)).length;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(expected);

    const resumed = await sync.run({ onProgress: (p) => secondRun.push({ ...p }) });
    expect(resumed.resumed).toBe(true);
    const contacts = await store.listContacts(tenantId);
    expect(contacts).toHaveLength(expected);
    expect(new Set(contacts.map((c) => c.id)).size).toBe(expected);
    // Resume asked for the records after the checkpoint: no page was read twice after the failure.
    const pagesRead = contactRequests().length - before;
    expect(pagesRead).toBeLessThanOrEqual(Math.ceil(expected / 500) + 2);
    for (const run of [firstRun, secondRun]) {
      const phases = run.map((p) => p.phase);
      expect(
        phases.indexOf('contacts') === -1 || phases.lastIndexOf('companies') < phases.indexOf('contacts'),
      ).toBe(true);
      for (const phase of ['companies', 'contacts'] as const) {
        const done = run.filter((p) => p.phase === phase).map((p) => p.done);
        for (let i = 1; i < done.length; i++) expect(done[i]!).toBeGreaterThanOrEqual(done[i - 1]!);
      }
    }
    const last = secondRun.filter((p) => p.phase === 'contacts').at(-1)!;
    expect(last.total === null || last.done === last.total).toBe(true);
  }, 60_000);
});
