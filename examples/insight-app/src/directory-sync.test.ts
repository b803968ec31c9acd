import type { AuditRecord, EndUser } from '@qdesk/core';
import { createManualClock } from '@qdesk/core/memory';
import { createLdapSource, type DirectorySource, type LdapSourceConfig } from '@qdesk/directory';
import { createPostgresStores, type Database, migrate, type PostgresStores } from '@qdesk/store-postgres';
import { createPgliteDatabase } from '@qdesk/store-postgres/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Test helpers of @qdesk/directory: a real OpenLDAP server on 127.0.0.1 with Active Directory-like people.
import { hasSlapd } from '../../../packages/directory/src/ldap/slapd.test-helpers.js';
import { useSlapd } from '../../../packages/directory/src/ldap/slapd-fixture.test-helpers.js';
import {
  BASE_DN,
  dnOf,
  generalizedTime,
  modifyLdif,
  testUser,
} from '../../../packages/directory/src/ldap/test-people.test-helpers.js';
import type { ConfiguredDirectorySource } from './directory-sources.js';
import { createDirectorySync, type DirectorySync } from './directory-sync.js';

// The app's directory sync runner against a real OpenLDAP server, on PGlite: full and incremental runs, a changed
// number, a disabled and a deleted account, a run that fails halfway and resumes, and two runners racing for one
// source (the lease).

const PEOPLE = 40;
const TENANT = 'msp-dir';
const HOUR = 3_600_000;
// Mobile numbers as Active Directory often holds them: national format, no country code (read in the customer's region).
const people = Array.from({ length: PEOPLE }, (_, i) => testUser(i + 1, { mobile: `(201) 555-0${101 + i}` }));
const slapd = useSlapd({ users: people });
const clock = createManualClock(Date.UTC(2026, 10, 24, 9));

let database: Database;
let stores: PostgresStores;
beforeAll(async () => {
  database = await createPgliteDatabase();
  await migrate(database);
  stores = createPostgresStores(database);
}, 60_000);
afterAll(() => database?.close());

const ldap = (overrides: Partial<LdapSourceConfig> = {}) =>
  createLdapSource({
    url: slapd.url,
    bindDN: slapd.reader.bindDN,
    password: slapd.reader.password,
    baseDN: BASE_DN,
    pageSize: 10,
    retries: 0,
    ...overrides,
  });

const configured = (customerId: string, source: DirectorySource): ConfiguredDirectorySource => ({
  customerId,
  kind: 'ldap',
  defaultRegion: 'US',
  everyMinutes: 60,
  fullEveryHours: 24,
  source,
  warnings: new Set(),
});

const runner = (sources: ConfiguredDirectorySource[], errors: string[] = []): DirectorySync =>
  createDirectorySync({
    tenantId: TENANT,
    sources,
    directory: stores.directory,
    states: stores.directorySyncs,
    audit: stores.audit,
    clock,
    customerIds: async () => ['cust-a', 'cust-b', 'cust-c', 'cust-d', 'cust-e'],
    onError: (customerId, message) => errors.push(`${customerId}: ${message}`),
  });

/** A change as Active Directory makes it: the attributes, and `whenChanged` set to now. */
const change = (n: number, attributes: Record<string, string | number | null>) =>
  slapd.modify(modifyLdif(testUser(n), { ...attributes, whenChanged: generalizedTime(Date.now()) }));

const usersOf = async (customerId: string) =>
  (await stores.directory.list(TENANT)).filter((u) => u.customerId === customerId);
const byEmail = async (customerId: string, n: number): Promise<EndUser | undefined> =>
  (await usersOf(customerId)).find((u) => u.email === `user${String(n).padStart(5, '0')}@corp.example`);
const trail = async (filter: (r: AuditRecord) => boolean) =>
  (await stores.audit.query(TENANT, { limit: 100_000 })).filter(filter);

/** A source whose read fails when it reaches page `failAt` (the pages before it are read and applied). */
function failingAt(source: DirectorySource, failAt: number): DirectorySource {
  return {
    kind: source.kind,
    async *read(options) {
      let page = 0;
      for await (const read of source.read(options)) {
        if (++page === failAt)
          throw new Error('injected failure: the connection to the domain controller dropped');
        yield read;
      }
    },
  };
}

/** A source that waits at its first page until `release`, so a test can hold a run open. */
function gated(source: DirectorySource) {
  let release!: () => void;
  let opened!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const reading = new Promise<void>((resolve) => {
    opened = resolve;
  });
  const wrapped: DirectorySource = {
    kind: source.kind,
    async *read(options) {
      opened();
      await gate;
      yield* source.read(options);
    },
  };
  return { source: wrapped, reading, release };
}

describe.skipIf(!hasSlapd)('directory sync runner on a real OpenLDAP server', () => {
  const errors: string[] = [];
  let sync: DirectorySync;
  beforeAll(() => {
    sync = runner([configured('cust-a', ldap())], errors);
  });

  it('a first run reads everyone into the directory with where each contact point came from, audited', async () => {
    const outcome = await sync.run('cust-a');
    expect(outcome).toEqual({
      ran: true,
      counts: {
        full: true,
        pages: PEOPLE / 10,
        created: PEOPLE,
        updated: 0,
        unchanged: 0,
        disabled: 0,
        skipped: 0,
        skippedReasons: [],
        warnings: [],
      },
    });
    const users = await usersOf('cust-a');
    expect(users).toHaveLength(PEOPLE);
    expect(await byEmail('cust-a', 5)).toMatchObject({
      id: expect.stringMatching(/^cust-a:[0-9a-f-]{36}$/),
      displayName: 'User 00005',
      mobilePhone: '+12015550105',
      provenance: {
        email: { source: 'directory', changedAt: null },
        mobilePhone: { source: 'directory', changedAt: null },
      },
    });
    const created = await trail((r) => r.action === 'directory_sync' && r.result === 'created');
    expect(created).toHaveLength(PEOPLE);
    expect(created[0]).toMatchObject({
      actor: { type: 'system', id: 'directory:ldap' },
      customerId: 'cust-a',
    });
    const [status] = await sync.list();
    expect(status).toMatchObject({
      customerId: 'cust-a',
      running: null,
      lastRun: { startedAt: clock.now(), finishedAt: clock.now(), error: null, counts: { created: PEOPLE } },
      lastFullAt: clock.now(),
      nextRunAt: clock.now() + HOUR,
    });
  });

  it('the next run reads only what changed: a new mobile number is flagged with the time of the change, audited masked, and the notice owed to the old number is recorded', async () => {
    clock.advance(HOUR);
    await change(5, { mobile: '(201) 555-0199' });
    const outcome = await sync.run('cust-a');
    expect(outcome).toMatchObject({
      ran: true,
      counts: { full: false, updated: 1, created: 0, disabled: 0 },
    });
    expect(await byEmail('cust-a', 5)).toMatchObject({
      mobilePhone: '+12015550199',
      provenance: { mobilePhone: { source: 'directory', changedAt: clock.now() } },
    });
    const [changed] = await trail((r) => r.action === 'directory_sync' && r.result === 'contact_changed');
    expect(changed?.detail).toEqual({
      field: 'mobilePhone',
      source: 'directory',
      before: '+1•••0105',
      after: '+1•••0199',
    });
    const [owed] = await trail((r) => r.action === 'phone_change_notice_pending');
    expect(owed).toMatchObject({
      endUserId: (await byEmail('cust-a', 5))!.id,
      customerId: 'cust-a',
      result: 'pending',
      detail: { previous: '+1•••0105', next: '+1•••0199', source: 'ldap' },
    });
    expect(JSON.stringify(await trail(() => true))).not.toContain('5550199');
  });

  it('a disabled account is dropped from the directory (nobody can verify it any more)', async () => {
    clock.advance(HOUR);
    const before = (await byEmail('cust-a', 6))!;
    await change(6, { userAccountControl: 514 });
    expect(await sync.run('cust-a')).toMatchObject({ ran: true, counts: { disabled: 1, full: false } });
    expect(await stores.directory.getById(TENANT, before.id)).toBeNull();
    expect(await stores.directory.findByEmail(TENANT, before.email)).toBeNull();
    const [removed] = await trail((r) => r.action === 'directory_sync' && r.result === 'removed');
    expect(removed).toMatchObject({ endUserId: before.id, detail: { reason: 'disabled at the source' } });
  });

  it('the schedule runs a due source, and a full read every fullEveryHours notices a deleted account', async () => {
    await slapd.modify(`dn: ${dnOf(testUser(7))}\nchangetype: delete\n`);
    const gone = (await byEmail('cust-a', 7))!;
    clock.advance(30 * 60_000);
    await sync.tick(); // not due: the last run was 30 minutes ago
    expect((await sync.list())[0]!.lastRun?.finishedAt).toBe(clock.now() - 30 * 60_000);
    clock.advance(31 * 60_000);
    await sync.tick(); // due: an incremental read, which cannot see a deletion
    expect((await sync.list())[0]!.lastRun?.counts).toMatchObject({ full: false, disabled: 0 });
    expect(await stores.directory.getById(TENANT, gone.id)).not.toBeNull();
    clock.advance(24 * HOUR);
    await sync.tick();
    expect((await sync.list())[0]).toMatchObject({
      lastRun: { counts: { full: true, disabled: 1, created: 0 }, error: null },
      lastFullAt: clock.now(),
    });
    expect(await stores.directory.getById(TENANT, gone.id)).toBeNull();
    expect(await usersOf('cust-a')).toHaveLength(PEOPLE - 2);
    expect(errors).toEqual([]);
  });

  it('a run that fails halfway keeps what it applied and its place; the next run resumes there, creating nobody twice', async () => {
    const flaky = runner([configured('cust-b', failingAt(ldap(), 3))]);
    await expect(flaky.run('cust-b')).rejects.toThrow(/injected failure/);
    // Two pages of ten were applied (less the disabled account among them, which is not created).
    const applied = (await usersOf('cust-b')).length;
    expect(applied).toBeGreaterThanOrEqual(19);
    expect(applied).toBeLessThanOrEqual(20);
    const [failed] = await flaky.list();
    expect(failed).toMatchObject({
      running: null,
      lastRun: {
        error: 'injected failure: the connection to the domain controller dropped',
        counts: { full: true, created: applied, pages: 2 },
      },
      lastFullAt: null,
    });
    const saved = await stores.directorySyncs.get({
      tenantId: TENANT,
      customerId: 'cust-b',
      sourceKind: 'ldap',
    });
    expect(saved?.state).toMatchObject({ full: true, cursor: expect.any(String) });
    expect((saved!.state as { seen: string[] }).seen).toHaveLength(20);

    // The next run (the source no longer fails) resumes after page 2: still the full read, so removals count.
    const resumed = await runner([configured('cust-b', ldap())]).run('cust-b');
    expect(resumed).toMatchObject({
      ran: true,
      counts: { full: true, created: PEOPLE - 2 - applied, disabled: 0 },
    });
    const users = await usersOf('cust-b');
    expect(users).toHaveLength(PEOPLE - 2); // 40 loaded; one disabled and one deleted above
    expect(new Set(users.map((u) => u.email)).size).toBe(users.length);
    const created = await trail(
      (r) => r.action === 'directory_sync' && r.result === 'created' && r.customerId === 'cust-b',
    );
    expect(created).toHaveLength(PEOPLE - 2);
    expect(new Set(created.map((r) => r.endUserId)).size).toBe(PEOPLE - 2);
  });

  it('two runners racing for one source: one runs, the other is told it is running, and neither duplicates anyone', async () => {
    const held = gated(ldap());
    const a = runner([configured('cust-c', held.source)]);
    const b = runner([configured('cust-c', ldap())]);
    const first = a.run('cust-c');
    await held.reading;
    const [second, third] = await Promise.all([b.run('cust-c'), b.start('cust-c')]);
    expect(second).toEqual({ ran: false, runningSince: clock.now() });
    expect(third).toBe('running');
    const [seenByB] = await b.list();
    expect(seenByB?.running).toMatchObject({ since: clock.now(), here: false });
    await expect(a.start('cust-c')).resolves.toBe('running');
    held.release();
    expect(await first).toMatchObject({ ran: true, counts: { created: PEOPLE - 2 } });
    expect(await b.run('cust-c')).toMatchObject({ ran: true, counts: { full: false, created: 0 } });
    expect(await usersOf('cust-c')).toHaveLength(PEOPLE - 2);
  });

  it('a run whose instance died holds the source until its lease expires; then another instance resumes it', async () => {
    const key = { tenantId: TENANT, customerId: 'cust-d', sourceKind: 'ldap' } as const;
    // An instance claimed the source, saved a page's state, and died.
    await stores.directorySyncs.claim(key, { owner: 'dead-instance', now: clock.now(), leaseMs: 5 * 60_000 });
    const other = runner([configured('cust-d', ldap())]);
    expect(await other.run('cust-d')).toMatchObject({ ran: false });
    expect((await other.list())[0]?.running).toMatchObject({ here: false });
    clock.advance(5 * 60_000);
    const [status] = await other.list();
    expect(status).toMatchObject({
      running: null,
      interruptedAt: clock.now() - 5 * 60_000,
      nextRunAt: clock.now(),
    });
    await other.tick();
    expect((await other.list())[0]).toMatchObject({
      lastRun: { counts: { full: true, created: PEOPLE - 2 } },
    });
  });

  it('stopping the app stops a run under way, releases the source and says so; the next run reads it all', async () => {
    const held = gated(ldap());
    const app = runner([configured('cust-e', held.source)]);
    const running = app.run('cust-e');
    await held.reading;
    const stopped = app.stop();
    held.release();
    await expect(running).rejects.toThrow();
    await stopped;
    const [status] = await app.list();
    expect(status).toMatchObject({
      running: null,
      interruptedAt: null,
      lastRun: { error: 'Stopped when the app shut down; the next run resumes after the last page saved.' },
    });
    expect(await runner([configured('cust-e', ldap())]).run('cust-e')).toMatchObject({
      ran: true,
      counts: { full: true, created: PEOPLE - 2 },
    });
  });

  it('a source for a customer QDesk does not know fails its run, saying what to do', async () => {
    const stray = runner([configured('cust-unknown', ldap())]);
    await expect(stray.run('cust-unknown')).rejects.toThrow(
      'Customer cust-unknown is not a QDesk customer: create it on the matching page, or fix customerId in QDESK_DIRECTORY_SOURCES_FILE.',
    );
    expect(await usersOf('cust-unknown')).toEqual([]);
    await expect(stray.run('cust-other')).rejects.toThrow(/No directory source for customer cust-other/);
  });

  it('with a way to reach people (the app), tells the number a changed one replaced instead of owing it', async () => {
    const told: { id: string; previous: string }[] = [];
    const tellingRunner = createDirectorySync({
      tenantId: TENANT,
      sources: [configured('cust-e', ldap())],
      directory: stores.directory,
      states: stores.directorySyncs,
      audit: stores.audit,
      clock,
      customerIds: async () => ['cust-e'],
      tellOldNumber: async (user, previous) => void told.push({ id: user.id, previous }),
    });
    await tellingRunner.run('cust-e');
    const before = (await byEmail('cust-e', 9))!;
    clock.advance(HOUR);
    await change(9, { mobile: '(201) 555-0177' });
    await tellingRunner.run('cust-e');
    expect(told).toEqual([{ id: before.id, previous: before.mobilePhone }]);
    tellingRunner.stop();
  });
});
