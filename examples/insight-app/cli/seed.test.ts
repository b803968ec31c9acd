import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { listMatches, normalizeEmail } from '@qdesk/matching';
import { afterAll, describe, expect, it } from 'vitest';
import { type AppStores, memoryStores, openStores } from '../src/stores.js';
import { MAX_SEED_CONTACTS, seedMatching, seedRefusal } from './seed.js';

const TENANT = 'demo-msp';
const dir = mkdtempSync(join(tmpdir(), 'qdesk-seed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Everything a seed writes, read back in a stable order: two equal snapshots mean the same data. */
async function snapshot(stores: Pick<AppStores, 'mappings' | 'directory'>) {
  const s = stores.mappings;
  const byId = <T extends { id: string }>(list: T[]) => list.sort((a, b) => a.id.localeCompare(b.id));
  const contacts = byId(await s.listContacts(TENANT));
  const companies = byId(await s.listCompanies(TENANT));
  const suggestions = await s.getSuggestions(TENANT, {
    contactIds: contacts.map((c) => c.id),
    companyIds: companies.map((c) => c.id),
  });
  return {
    companies,
    contacts,
    customers: byId(await s.listCustomers(TENANT)),
    companyLinks: (await s.listCompanyLinks(TENANT)).sort((a, b) => a.companyId.localeCompare(b.companyId)),
    contactLinks: (await s.listContactLinks(TENANT)).sort((a, b) => a.contactId.localeCompare(b.contactId)),
    endUsers: byId(await stores.directory.list(TENANT)).map(({ devices: _, ...u }) => u),
    matchEndUsers: byId(await s.listEndUsers(TENANT)),
    contactSuggestions: suggestions.contacts.sort((a, b) =>
      `${a.contactId}:${a.endUserId}`.localeCompare(`${b.contactId}:${b.endUserId}`),
    ),
    companySuggestions: suggestions.companies.sort((a, b) =>
      `${a.companyId}:${a.customerId}`.localeCompare(`${b.companyId}:${b.customerId}`),
    ),
  };
}

/** A PSA record a real sync stored, beside which the seed writes. */
async function storeSyncedRecords(stores: Pick<AppStores, 'mappings'>) {
  const checkpoint = {
    runId: 'run_from_autotask',
    phase: 'contacts' as const,
    afterId: null,
    companiesDone: 1,
    contactsDone: 1,
    startedAt: 1,
    updatedAt: 2,
    completedAt: null,
  };
  await stores.mappings.saveSyncBatch(TENANT, {
    checkpoint,
    companies: [{ id: '101', name: 'Northwind Traders Inc.', webAddress: null, isActive: true }],
    contacts: [
      {
        id: '201',
        companyId: '101',
        firstName: 'Ana',
        lastName: 'Silva',
        emails: ['ana.silva@northwind.example'],
        mobilePhone: null,
        phone: null,
        isActive: true,
      },
    ],
  });
  await stores.mappings.completeSync(TENANT, { ...checkpoint, phase: 'completed', completedAt: 3 });
}

describe('seedMatching (pnpm qdesk seed)', () => {
  it('generates realistic companies, contacts, customers, end-users and links, with their suggestions', async () => {
    const stores = memoryStores();
    const lines: string[] = [];
    const summary = await seedMatching(stores, {
      tenantId: TENANT,
      contacts: 2000,
      onProgress: (l) => lines.push(l),
    });
    expect(summary).toMatchObject({ companies: 20, contacts: 2000 });
    expect(lines).toEqual(
      expect.arrayContaining(['contacts 2000/2000', expect.stringMatching(/^suggestions: /)]),
    );
    const data = await snapshot(stores);
    expect(data.contacts).toHaveLength(2000);
    expect(data.companies).toHaveLength(20);
    expect(data.customers).toHaveLength(summary.customers);
    expect(data.companyLinks).toHaveLength(summary.companyLinks);
    // 90% of companies linked, give or take what 20 companies allow.
    expect(summary.companyLinks / summary.companies).toBeGreaterThan(0.7);
    expect(data.contactLinks).toHaveLength(summary.contactLinks);
    expect(data.endUsers).toHaveLength(summary.endUsers);
    expect(data.matchEndUsers.map((u) => u.id)).toEqual(data.endUsers.map((u) => u.id));
    // Realistic: accents, "Last, First" display names, shared and second emails, people on two customers.
    expect(data.contacts.some((c) => /[^ -~]/.test(`${c.firstName}${c.lastName}`))).toBe(true);
    expect(data.endUsers.filter((u) => u.displayName.includes(', ')).length).toBeGreaterThan(
      summary.endUsers * 0.1,
    );
    const primaries = data.contacts.map((c) => normalizeEmail(c.emails[0]!));
    expect(new Set(primaries).size).toBeLessThan(primaries.length);
    expect(data.contacts.filter((c) => c.emails.length === 2).length).toBeGreaterThan(100);
    expect(data.endUsers.some((u) => u.id.endsWith('-b'))).toBe(true);
    // The lists read what the seed kept: every filter has rows, and the counts add up.
    const page = await listMatches({
      store: stores.mappings,
      tenantId: TENANT,
      kind: 'contacts',
      filter: 'all',
    });
    expect(page.counts.all).toBe(2000);
    expect(page.counts.matched).toBe(summary.contactLinks);
    expect(page.counts.suggested).toBeGreaterThan(1000);
    expect(page.counts.unmatched - page.counts.suggested).toBeGreaterThan(0);
  });

  it('gives the same data when run again, keeps what a sync stored beside it, and follows a smaller count', async () => {
    const stores = memoryStores();
    await storeSyncedRecords(stores);
    await stores.directory.put({
      id: 'eu-ana',
      tenantId: TENANT,
      email: 'ana.silva@northwind.example',
      displayName: 'Ana Silva',
      mobilePhone: null,
      devices: [],
    });
    await seedMatching(stores, { tenantId: TENANT, contacts: 1500 });
    const first = await snapshot(stores);
    await seedMatching(stores, { tenantId: TENANT, contacts: 1500 });
    expect(await snapshot(stores)).toEqual(first);
    expect(first.contacts.map((c) => c.id)).toContain('201');
    expect(first.endUsers.map((u) => u.id)).toContain('eu-ana');
    // A smaller count afterwards: the data of a fresh seed of it (customers aside: the store cannot delete one).
    await seedMatching(stores, { tenantId: TENANT, contacts: 300 });
    const fresh = memoryStores();
    await storeSyncedRecords(fresh);
    await fresh.directory.put((await stores.directory.getById(TENANT, 'eu-ana'))!);
    await seedMatching(fresh, { tenantId: TENANT, contacts: 300 });
    const { customers: _, ...smaller } = await snapshot(stores);
    const { customers: __, ...expected } = await snapshot(fresh);
    expect(smaller).toEqual(expected);
    expect(smaller.contacts).toHaveLength(301);
  });

  it('is bounded: from 1 to 1,000,000 contacts', async () => {
    const stores = memoryStores();
    for (const contacts of [0, -1, 1.5, MAX_SEED_CONTACTS + 1])
      await expect(seedMatching(stores, { tenantId: TENANT, contacts })).rejects.toThrow(/from 1 to 1000000/);
    expect((await seedMatching(stores, { tenantId: TENANT, contacts: 1 })).contacts).toBe(1);
  });

  it('refuses, in real mode, a database whose records a PSA sync stored', async () => {
    const stores = memoryStores();
    expect(await seedRefusal(stores.mappings, TENANT, true)).toBeNull(); // nothing stored yet
    await storeSyncedRecords(stores);
    expect(await seedRefusal(stores.mappings, TENANT, false)).toBeNull(); // demo mode: demo data
    expect(await seedRefusal(stores.mappings, TENANT, true)).toMatch(
      /its last matching sync \(run run_from_autotask, .*\) read them from Autotask, not from a seed .* --force/,
    );
    await seedMatching(stores, { tenantId: TENANT, contacts: 10 });
    expect(await seedRefusal(stores.mappings, TENANT, true)).toBeNull(); // a seeded database seeds again
  });

  it('writes the same data on PGlite, run twice', async () => {
    const stores = await openStores({ kind: 'pglite', dataDir: null }, { migrations: 'run' });
    try {
      await seedMatching(stores, { tenantId: TENANT, contacts: 800 });
      const first = await snapshot(stores);
      await seedMatching(stores, { tenantId: TENANT, contacts: 800 });
      expect(await snapshot(stores)).toEqual(first);
      expect(first.contacts).toHaveLength(800);
    } finally {
      await stores.close();
    }
  }, 60_000);
});

describe('pnpm qdesk seed (a real process on a data folder)', () => {
  const exec = promisify(execFile);
  const tsx = new URL('../../../node_modules/.bin/tsx', import.meta.url).pathname;
  const cli = new URL('./qdesk.ts', import.meta.url).pathname;
  const dataDir = join(dir, 'pglite');
  const run = (args: string[], extra: Record<string, string> = {}) =>
    exec(tsx, ['--conditions=qdesk-source', cli, 'seed', ...args], {
      env: {
        ...process.env,
        AUTOTASK_USERNAME: undefined,
        DATABASE_URL: undefined,
        QDESK_DATA_DIR: dataDir,
        CI: '',
        ...extra,
      } as NodeJS.ProcessEnv,
    });

  it('refuses a count out of range, seeds with progress and the time taken, and refuses real records without --force', async () => {
    await expect(run(['--contacts', '0'])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--contacts must be a whole number from 1 to 1000000'),
    });
    const { stdout } = await run(['--contacts', '250']);
    expect(stdout).toMatch(/Seeding 250 contacts for tenant demo-msp into PGlite in /);
    expect(stdout).toContain('  contacts 250/250');
    expect(stdout).toMatch(
      /Seeded 250 contacts in 3 companies, \d+ customers and \d+ end-users in [\d.]+ s\./,
    );

    // Real mode on a folder a PSA sync wrote to: refused, saying how it told, unless --force.
    const stores = await openStores({ kind: 'pglite', dataDir }, { migrations: 'run' });
    await storeSyncedRecords(stores).finally(() => stores.close());
    const real = { AUTOTASK_USERNAME: 'api@example.com', QDESK_TENANT_ID: TENANT };
    await expect(run(['--contacts', '250'], real)).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('not from a seed (seed runs are named seed_...)'),
    });
    expect((await run(['--contacts', '250', '--force'], real)).stdout).toMatch(/Seeded 250 contacts/);
  }, 90_000);
});
