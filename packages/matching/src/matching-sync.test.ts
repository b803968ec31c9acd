import type { PsaAdapter } from '@qdesk/core';
import { createManualClock, createMemoryAuditLog, createMemoryPsa } from '@qdesk/core/memory';
import type { ListOptions, PsaCompany, PsaContact } from '@qdesk/core/ports';
import { describe, expect, it } from 'vitest';
import { company, contact, manyContacts, NO_END_USERS, TENANT } from './fixtures.test-helpers.js';
import type { MappingStore } from './mapping-store.js';
import { createMatchingSync, type MatchingSyncProgress } from './matching-sync.js';
import { createMemoryMappingStore } from './memory-mapping-store.js';

const COMPANIES = Array.from({ length: 40 }, (_, i) => company(String(i + 1), `Company ${i + 1}`));
const CONTACTS = manyContacts(5000, 40);
const psaOf = (contacts: PsaContact[] = CONTACTS, companies: PsaCompany[] = COMPANIES) =>
  createMemoryPsa({ companies, contacts, tickets: [] }, { pageSize: 300 });

/** Counts every record the PSA yields, and throws once after `failAfter` contacts when armed. */
function instrumented(psa: PsaAdapter, failAfter?: { contacts?: number; companies?: number }) {
  const yielded = new Map<string, number>();
  const armed = { ...failAfter };
  const wrap = <T extends { id: string }>(
    kind: 'contacts' | 'companies',
    list: (o?: ListOptions) => AsyncIterable<T>,
  ) =>
    async function* (options?: ListOptions) {
      let n = 0;
      for await (const record of list(options)) {
        if (armed[kind] !== undefined && n++ >= armed[kind]!) {
          delete armed[kind];
          throw new Error(`connection reset while listing ${kind}`);
        }
        yielded.set(`${kind}:${record.id}`, (yielded.get(`${kind}:${record.id}`) ?? 0) + 1);
        yield record;
      }
    };
  const adapter: PsaAdapter = {
    ...psa,
    listCompanies: wrap('companies', (o) => psa.listCompanies!(o)),
    listContacts: wrap('contacts', (o) => psa.listContacts!(o)),
  };
  return { adapter, yielded };
}

/** Counts every record the store accepted (a failed write counts nothing), and can fail one batch write. */
function countingStore(failBatch?: number) {
  const store = createMemoryMappingStore();
  const stored = new Map<string, number>();
  let batches = 0;
  const counting: MappingStore = {
    ...store,
    async saveSyncBatch(tenantId, batch) {
      batches++;
      if (batches === failBatch) throw new Error('store write timed out');
      await store.saveSyncBatch(tenantId, batch);
      for (const c of batch.companies ?? [])
        stored.set(`companies:${c.id}`, (stored.get(`companies:${c.id}`) ?? 0) + 1);
      for (const c of batch.contacts ?? [])
        stored.set(`contacts:${c.id}`, (stored.get(`contacts:${c.id}`) ?? 0) + 1);
    },
  };
  return { store: counting, stored };
}

function expectMonotone(progress: MatchingSyncProgress[]) {
  const phases = progress.map((p) => p.phase);
  expect(phases.indexOf('contacts')).toBeGreaterThan(phases.lastIndexOf('companies'));
  for (let i = 1; i < progress.length; i++) {
    const [a, b] = [progress[i - 1]!, progress[i]!];
    if (a.phase === b.phase) expect(b.done).toBeGreaterThanOrEqual(a.done);
    if (b.total !== null) expect(b.total).toBeGreaterThanOrEqual(b.done);
  }
}

const everyOnce = (counts: Map<string, number>, contacts = CONTACTS, companies = COMPANIES) => {
  expect(counts.size).toBe(contacts.length + companies.length);
  for (const c of contacts) expect(counts.get(`contacts:${c.id}`)).toBe(1);
  for (const c of companies) expect(counts.get(`companies:${c.id}`)).toBe(1);
};

describe('createMatchingSync: run', () => {
  it('reads every company then every contact once, with monotone progress up to the totals', async () => {
    const { adapter, yielded } = instrumented(psaOf());
    const { store, stored } = countingStore();
    const progress: MatchingSyncProgress[] = [];
    const clock = createManualClock(1_000);
    const summary = await createMatchingSync({
      directory: NO_END_USERS,
      psa: adapter,
      store,
      tenantId: TENANT,
      clock,
    }).run({
      onProgress: (p) => progress.push(p),
    });
    everyOnce(yielded);
    everyOnce(stored);
    expect(summary).toMatchObject({
      resumed: false,
      companies: 40,
      contacts: 5000,
      removedContacts: [],
      skipped: [],
    });
    expect(summary).toMatchObject({ startedAt: 1_000, completedAt: 1_000 });
    expectMonotone(progress);
    expect(progress.filter((p) => p.phase === 'contacts').length).toBeGreaterThan(5000 / 300);
    expect(progress.at(-1)).toEqual({ phase: 'contacts', done: 5000, total: 5000 });
    expect(progress.find((p) => p.phase === 'contacts' && p.done > 0)?.total).toBe(5000);
    expect(await store.getSyncCheckpoint(TENANT)).toMatchObject({ phase: 'completed', contactsDone: 5000 });
    expect(await store.listContacts(TENANT)).toHaveLength(5000);
  });

  it('resumes after the PSA fails mid-listing without reading or storing any record twice', async () => {
    const { adapter, yielded } = instrumented(psaOf(), { contacts: 2345 });
    const { store, stored } = countingStore();
    const sync = createMatchingSync({ directory: NO_END_USERS, psa: adapter, store, tenantId: TENANT });
    const progress: MatchingSyncProgress[] = [];
    const onProgress = (p: MatchingSyncProgress) => progress.push(p);

    const error = await sync.run({ onProgress }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'AdapterError',
      code: 'adapter_failed',
      port: 'PSA (memory)',
      operation: 'listContacts',
      cause: expect.objectContaining({ message: 'connection reset while listing contacts' }),
      details: { phase: 'contacts', done: 2345, afterId: CONTACTS[2344]!.id },
    });
    expect((error as Error).message).toMatch(/2345 are stored; run the sync again to resume after id 2345/);
    expect(await store.getSyncCheckpoint(TENANT)).toMatchObject({
      phase: 'contacts',
      afterId: '2345',
      contactsDone: 2345,
    });

    const before = progress.length;
    const summary = await sync.run({ onProgress });
    expect(summary).toMatchObject({ resumed: true, companies: 40, contacts: 5000, removedContacts: [] });
    // The resumed run counts from where the first stopped, against the phase's whole total.
    const resumed = progress.slice(before);
    expect(resumed[0]).toEqual({ phase: 'contacts', done: 2345, total: null });
    expect(resumed.filter((p) => p.total !== null).every((p) => p.total === 5000)).toBe(true);
    everyOnce(yielded);
    everyOnce(stored);
    expectMonotone(progress);
    expect(progress.at(-1)).toEqual({ phase: 'contacts', done: 5000, total: 5000 });
  });

  it('resumes after a failure while listing companies', async () => {
    const { adapter, yielded } = instrumented(psaOf(), { companies: 17 });
    const { store, stored } = countingStore();
    const sync = createMatchingSync({
      directory: NO_END_USERS,
      psa: adapter,
      store,
      tenantId: TENANT,
      batchSize: 5,
    });
    await expect(sync.run()).rejects.toMatchObject({ details: { phase: 'companies', done: 17 } });
    await sync.run();
    everyOnce(yielded);
    everyOnce(stored);
  });

  it('resumes after a store write fails, storing the lost batch once', async () => {
    const { adapter } = instrumented(psaOf());
    const { store, stored } = countingStore(6);
    const sync = createMatchingSync({ directory: NO_END_USERS, psa: adapter, store, tenantId: TENANT });
    await expect(sync.run()).rejects.toMatchObject({
      name: 'AdapterError',
      code: 'adapter_failed',
      cause: expect.objectContaining({ message: 'store write timed out' }),
    });
    const before = await store.getSyncCheckpoint(TENANT);
    expect(before?.phase).toBe('contacts');
    await sync.run();
    everyOnce(stored);
  });

  it('stops on abort, keeping what was stored, and resumes', async () => {
    const { adapter } = instrumented(psaOf());
    const { store, stored } = countingStore();
    const sync = createMatchingSync({ directory: NO_END_USERS, psa: adapter, store, tenantId: TENANT });
    const controller = new AbortController();
    const error = await sync
      .run({
        signal: controller.signal,
        onProgress: (p) => {
          if (p.phase === 'contacts' && p.done >= 1200) controller.abort();
        },
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'AbortError' });
    const checkpoint = await store.getSyncCheckpoint(TENANT);
    expect(checkpoint?.contactsDone).toBeGreaterThanOrEqual(1200);
    expect(checkpoint?.contactsDone).toBeLessThan(5000);
    await expect(sync.run()).resolves.toMatchObject({ resumed: true, contacts: 5000 });
    everyOnce(stored);
  });

  it('starts over with restart, and a call during a run joins it', async () => {
    const { adapter } = instrumented(psaOf(), { contacts: 100 });
    const store = createMemoryMappingStore();
    const sync = createMatchingSync({ directory: NO_END_USERS, psa: adapter, store, tenantId: TENANT });
    await expect(sync.run()).rejects.toThrow();
    const stopped = await store.getSyncCheckpoint(TENANT);
    const seen: string[] = [];
    const first = sync.run({ restart: true });
    const second = sync.run({ onProgress: (p) => seen.push(p.phase) });
    expect(second).toBe(first);
    const summary = await first;
    expect(summary.resumed).toBe(false);
    expect(summary.runId).not.toBe(stopped?.runId);
    expect(seen).toContain('contacts');
  });

  it('removes records a later run no longer sees, with their links, and returns them', async () => {
    const store = createMemoryMappingStore();
    await createMatchingSync({
      directory: NO_END_USERS,
      psa: psaOf(CONTACTS.slice(0, 100)),
      store,
      tenantId: TENANT,
    }).run();
    const by = { id: 'admin', name: 'Admin' };
    const { link } = await store.linkContact(TENANT, {
      contactId: '7',
      endUserId: 'eu-7',
      confirmedBy: by,
      confirmedAt: 1,
    });
    const remaining = CONTACTS.slice(0, 100).filter((c) => c.id !== '7' && c.id !== '8');
    const summary = await createMatchingSync({
      directory: NO_END_USERS,
      psa: psaOf(remaining),
      store,
      tenantId: TENANT,
    }).run();
    expect(summary).toMatchObject({ removedContacts: ['7', '8'], unlinkedContacts: [link], contacts: 98 });
    expect(await store.endUserForContact(TENANT, '7')).toBeNull();
  });

  it('refuses to remove most records at once unless told to', async () => {
    const store = createMemoryMappingStore();
    await createMatchingSync({
      directory: NO_END_USERS,
      psa: psaOf(CONTACTS.slice(0, 200)),
      store,
      tenantId: TENANT,
    }).run();
    const shrunk = createMatchingSync({
      directory: NO_END_USERS,
      psa: psaOf(CONTACTS.slice(0, 30)),
      store,
      tenantId: TENANT,
    });
    await expect(shrunk.run()).rejects.toMatchObject({
      code: 'conflict',
      details: { stored: 200, seen: 30 },
    });
    expect(await store.listContacts(TENANT)).toHaveLength(200);
    const summary = await shrunk.run({ allowMassRemoval: true });
    expect(summary).toMatchObject({ resumed: true, contacts: 30 });
    expect(summary.removedContacts).toHaveLength(170);
  });

  it('leaves out malformed records, reports them, and goes on', async () => {
    const bad = { ...contact('3', '1', 'A', 'B'), emails: 'not-a-list' } as unknown as PsaContact;
    const contacts = [
      contact('1', '1', 'A', 'B'),
      contact('2', '1', 'C', 'D'),
      bad,
      contact('4', '1', 'E', 'F'),
    ];
    const store = createMemoryMappingStore();
    const summary = await createMatchingSync({
      directory: NO_END_USERS,
      psa: psaOf(contacts),
      store,
      tenantId: TENANT,
    }).run();
    expect(summary.skipped).toEqual([
      { phase: 'contacts', id: '3', issue: { path: 'contacts.emails', message: expect.any(String) } },
    ]);
    expect((await store.listContacts(TENANT)).map((c) => c.id).sort()).toEqual(['1', '2', '4']);
  });
});

describe('createMatchingSync: audit', () => {
  it('records every link a completed run drops with its record, as an unlink by QDesk', async () => {
    const store = createMemoryMappingStore();
    const audit = createMemoryAuditLog();
    const clock = createManualClock(7_000);
    const companies = COMPANIES.slice(0, 3);
    await createMatchingSync({
      directory: NO_END_USERS,
      psa: psaOf(CONTACTS.slice(0, 30), companies),
      store,
      tenantId: TENANT,
    }).run();
    const by = { id: 'admin', name: 'Admin' };
    await store.createCustomer(TENANT, { id: 'c-3', name: 'Three' });
    await store.linkCompany(TENANT, { companyId: '3', customerId: 'c-3', confirmedBy: by, confirmedAt: 1 });
    await store.linkContact(TENANT, { contactId: '7', endUserId: 'eu-7', confirmedBy: by, confirmedAt: 1 });
    await store.linkContact(TENANT, { contactId: '9', endUserId: 'eu-9', confirmedBy: by, confirmedAt: 1 });
    const remaining = CONTACTS.slice(0, 30).filter((c) => c.id !== '7');
    const sync = createMatchingSync({
      directory: NO_END_USERS,
      psa: psaOf(remaining, companies.slice(0, 2)),
      store,
      tenantId: TENANT,
      audit,
      clock,
    });
    await sync.run();
    const system = { type: 'system', id: 'qdesk' };
    expect(audit.all()).toEqual([
      expect.objectContaining({
        at: 7_000,
        action: 'unlink_company',
        actor: system,
        detail: { companyId: '3', before: 'c-3', after: null, via: 'removed_from_psa' },
      }),
      expect.objectContaining({
        action: 'unlink_contact',
        actor: system,
        endUserId: 'eu-7',
        detail: { contactId: '7', before: 'eu-7', after: null, via: 'removed_from_psa' },
      }),
    ]);
    expect(await store.endUserForContact(TENANT, '9')).toMatchObject({ endUserId: 'eu-9' });
  });
});

describe('createMatchingSync: configuration', () => {
  it('lists every problem in one ConfigError', () => {
    const psa = { ...psaOf(), capabilities: { writeNotes: true, listRecords: false } };
    const { listContacts: _dropped, ...withoutListing } = psa;
    const { completeSync: _gone, ...partialStore } = createMemoryMappingStore();
    expect(() =>
      createMatchingSync({
        psa: withoutListing as unknown as PsaAdapter,
        store: { ...partialStore, specificationVersion: 'v0' } as unknown as MappingStore,
        audit: { append: 'no' } as never,
        tenantId: '',
      } as never),
    ).toThrow(
      expect.objectContaining({
        code: 'config_invalid',
        issues: [
          { path: 'psa.capabilities.listRecords', message: expect.any(String) },
          { path: 'psa', message: 'missing method(s): listContacts' },
          { path: 'store.specificationVersion', message: expect.stringContaining("must be 'v1'") },
          { path: 'store', message: 'missing method(s): completeSync' },
          { path: 'audit', message: expect.any(String) },
          { path: 'directory', message: expect.stringContaining('list(tenantId)') },
          { path: 'tenantId', message: 'must not be empty' },
        ],
      }),
    );
  });
});
