import type { AuditRecord, EndUser } from '@qdesk/core';
import { sampleSession } from '@qdesk/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, openTestDatabase } from './_databases.test-helpers.js';
import { verifyAuditChain } from './audit-chain.js';
import type { Database } from './database.js';
import { migrate, pendingMigrations } from './migrate.js';
import { MIGRATIONS } from './migrations/index.js';
import { createPgDatabase } from './pg/database.js';
import { createPostgresScimUserStore } from './scim/scim-users.js';
import { createPostgresStores } from './stores.js';

// Each migration is tested from the version before it with data in it: the schema is brought up one migration at a
// time, each step's stores get data, and every later step must leave all of it readable. Then from an empty database
// in one go. A migration added without a step here fails the first test.

const T = 'tenant-migrations';
const KEEP = { retainMs: 3_600_000 };
const session = sampleSession({ tenantId: T, createdAt: Date.now() });
const user: EndUser = {
  id: 'eu-mig',
  tenantId: T,
  email: 'ana.mig@example.com',
  displayName: 'Ana Migration',
  mobilePhone: '+15550100111',
  devices: [
    { id: 'd1', platform: 'web', pushAddress: 'https://push.example/1', notificationPermission: 'granted' },
  ],
};
const record = (n: number): AuditRecord => ({
  id: `au-mig-${n}`,
  at: 1_800_000_000_000 + n,
  tenantId: T,
  sessionId: session.id,
  action: 'start',
  actor: { type: 'technician', id: 'tech-1', name: 'Sam Tech' },
  ticketId: '1001',
  ticketNumber: 'T1001',
  endUserId: user.id,
  method: null,
  result: 'ok',
  status: 'idle',
});
const now = Date.now();

interface Step {
  seed(database: Database): Promise<void>;
  check(database: Database): Promise<void>;
}

const STEPS: Record<string, Step> = {
  '0001-sessions': {
    seed: async (db) => void (await createPostgresStores(db).sessions.create(session, KEEP)),
    check: async (db) => expect(await createPostgresStores(db).sessions.get(T, session.id)).toEqual(session),
  },
  '0002-counters-policies': {
    async seed(db) {
      const { counters, policies } = createPostgresStores(db);
      await counters.increment(T, 'sends:eu-mig', { windowMs: 600_000, now });
      await policies.put(
        {
          tenantId: T,
          customerId: null,
          version: 1,
          settings: { codeLength: 8 },
          updatedAt: now,
          updatedBy: { id: 'admin-1', name: 'Alex Admin' },
        },
        0,
      );
    },
    async check(db) {
      const { counters, policies } = createPostgresStores(db);
      expect(await counters.count(T, 'sends:eu-mig', { windowMs: 600_000, now })).toBe(1);
      expect((await policies.get(T, null))?.settings).toEqual({ codeLength: 8 });
    },
  },
  '0003-directory-mappings': {
    // The end-user, customer and link in the columns of 0003 only: today's stores write columns later migrations
    // add (a link also marks its PSA record matched).
    async seed(db) {
      await db.query(
        `INSERT INTO qdesk_end_users (tenant_id, id, email, display_name, mobile_phone) VALUES ($1, $2, $3, $4, $5)`,
        [T, user.id, user.email, user.displayName, user.mobilePhone],
      );
      await db.query(
        `INSERT INTO qdesk_devices (tenant_id, end_user_id, id, position, platform, push_address, notification_permission)
         VALUES ($1, $2, 'd1', 1, 'web', 'https://push.example/1', 'granted')`,
        [T, user.id],
      );
      await db.query(`INSERT INTO qdesk_customers (tenant_id, id, name) VALUES ($1, 'cust-1', 'Northwind')`, [
        T,
      ]);
      await db.query(
        `INSERT INTO qdesk_company_links
           (tenant_id, company_id, customer_id, confirmed_by_id, confirmed_by_name, confirmed_at)
         VALUES ($1, '101', 'cust-1', 'admin-1', 'Alex Admin', $2)`,
        [T, now],
      );
    },
    async check(db) {
      const { mappings } = createPostgresStores(db);
      const { rows } = await db.query(
        `SELECT u.id, d.id AS device FROM qdesk_end_users u JOIN qdesk_devices d ON d.end_user_id = u.id
         WHERE u.tenant_id = $1 AND lower(u.email) = lower($2)`,
        [T, 'ANA.MIG@example.com'],
      );
      expect(rows).toEqual([{ id: user.id, device: 'd1' }]);
      expect(await mappings.customerForCompany(T, '101')).toMatchObject({ customerId: 'cust-1' });
    },
  },
  '0004-audit': {
    async seed(db) {
      const { audit } = createPostgresStores(db);
      for (let n = 1; n <= 3; n++) await audit.append(record(n));
    },
    async check(db) {
      const report = await verifyAuditChain(db, { tenantId: T });
      expect(report).toMatchObject({ ok: true, records: 3 });
    },
  },
  '0005-sign-ins': {
    // The columns of 0005 only: today's store writes a column a later migration adds.
    async seed(db) {
      await db.query(
        `INSERT INTO qdesk_sign_in_sessions
           (id, tenant_id, kind, subject, name, role, created_at, last_seen_at, idle_expires_at, absolute_expires_at)
         VALUES ($1, $2, 'technician', 'tech-1', 'Sam Tech', 'admin', $3, $3, $4, $5)`,
        ['a'.repeat(64), T, now, now + 3_600_000, now + 7_200_000],
      );
    },
    check: async (db) =>
      expect(
        (await db.query('SELECT subject FROM qdesk_sign_in_sessions WHERE id = $1', ['a'.repeat(64)])).rows,
      ).toEqual([{ subject: 'tech-1' }]),
  },
  '0006-sign-in-email': {
    async seed(db) {
      await createPostgresStores(db).signIns.create({
        id: 'b'.repeat(64),
        tenantId: T,
        kind: 'technician',
        subject: 'tech-2',
        name: 'Jo Tech',
        role: 'technician',
        email: 'jo.tech@example.com',
        createdAt: now,
        lastSeenAt: now,
        idleExpiresAt: now + 3_600_000,
        absoluteExpiresAt: now + 7_200_000,
      });
    },
    async check(db) {
      const { signIns } = createPostgresStores(db);
      expect(await signIns.get('b'.repeat(64), now)).toMatchObject({ email: 'jo.tech@example.com' });
      // A session from before the column has none.
      expect(await signIns.get('a'.repeat(64), now)).toMatchObject({ email: null });
    },
  },
  '0007-contact-provenance': {
    async seed(db) {
      await createPostgresStores(db).directory.put({
        ...user,
        id: 'eu-prov',
        email: 'prov.mig@example.com',
        devices: [],
        provenance: { mobilePhone: { source: 'idp_mfa', changedAt: 1_800_000_000_000 } },
      });
    },
    async check(db) {
      const { directory } = createPostgresStores(db);
      expect((await directory.getById(T, 'eu-prov'))?.provenance).toEqual({
        mobilePhone: { source: 'idp_mfa', changedAt: 1_800_000_000_000 },
      });
      // The end-user from before the column reads with no provenance at all.
      const before = await directory.getById(T, user.id);
      expect(before).toMatchObject({ id: user.id, devices: [{ id: 'd1' }] });
      expect(before).not.toHaveProperty('provenance');
    },
  },
  '0008-directory-sync-state': {
    // The columns of 0008 only, as a run left them mid-way: a full read's state and an instance's lease.
    async seed(db) {
      await db.query(
        `INSERT INTO qdesk_directory_syncs (tenant_id, customer_id, source_kind, state, progress, summary,
           last_started_at, last_finished_at, last_full_at, last_error, lease_owner, running_since, lease_expires_at)
         VALUES ($1, 'cust-1', 'ldap', $2::jsonb, $3::jsonb, NULL, $4, NULL, NULL, NULL, 'app-1', $4, $5)`,
        [
          T,
          JSON.stringify({ cursor: 'page-2', full: true, seen: ['cust-1:a'] }),
          JSON.stringify({ pages: 2 }),
          now,
          now + 300_000,
        ],
      );
    },
    async check(db) {
      const { directorySyncs } = createPostgresStores(db);
      const key = { tenantId: T, customerId: 'cust-1', sourceKind: 'ldap' } as const;
      expect(await directorySyncs.get(key)).toMatchObject({
        state: { cursor: 'page-2', full: true, seen: ['cust-1:a'] },
        progress: { pages: 2 },
        lastStartedAt: now,
        lease: { owner: 'app-1', since: now, expiresAt: now + 300_000 },
      });
      // The lease from before still holds: another instance claiming now gets nothing and changes nothing.
      expect(await directorySyncs.claim(key, { owner: 'app-2', now, leaseMs: 1000 })).toBeNull();
    },
  },
  '0009-scim-users': {
    async seed(db) {
      const store = createPostgresScimUserStore(db, { tenantId: T });
      const user = { userName: 'Ana.Mig@example.com', active: true, emails: [], phoneNumbers: [] };
      await store.create('cust-1', { id: 'scim-1', user: user as never, at: now });
    },
    async check(db) {
      const store = createPostgresScimUserStore(db, { tenantId: T });
      expect(await store.findByUserName('cust-1', 'ana.mig@EXAMPLE.com')).toMatchObject({
        id: 'scim-1',
        version: 1,
      });
    },
  },
  '0010-kept-suggestions': {
    async seed(db) {
      const { mappings } = createPostgresStores(db);
      await mappings.saveEndUsers(T, {
        put: [{ id: 'eu-ben', email: 'ben@contoso.example', displayName: 'Ben Okafor', customerId: null }],
      });
      await mappings.saveSyncBatch(T, {
        checkpoint: {
          runId: 'run-1',
          phase: 'contacts',
          afterId: null,
          companiesDone: 0,
          contactsDone: 0,
          startedAt: now,
          updatedAt: now,
          completedAt: null,
        },
        companies: [{ id: '101', name: 'Northwind Traders', webAddress: null, isActive: true }],
        contacts: [
          {
            id: '1002',
            companyId: '102',
            firstName: 'Ben',
            lastName: 'Okafor',
            emails: ['ben@contoso.example'],
            mobilePhone: null,
            phone: null,
            isActive: true,
          },
        ],
      });
    },
    async check(db) {
      const { mappings } = createPostgresStores(db);
      const page = await mappings.listContactPage(T, {
        filter: 'all',
        search: null,
        companyId: null,
        after: null,
        before: null,
        limit: 10,
      });
      expect(page.rows.map((r) => [r.contact.id, r.status])).toEqual([['1002', 'unmatched']]);
      expect(page.counts).toEqual({ all: 1, matched: 0, unmatched: 1, suggested: 0 });
      const companies = await mappings.listCompanyPage(T, {
        filter: 'matched',
        search: null,
        companyId: null,
        after: null,
        before: null,
        limit: 10,
      });
      // The company of the link made in 0003 is matched as it arrives.
      expect(companies.rows.map((r) => [r.company.id, r.customer?.id])).toEqual([['101', 'cust-1']]);
      expect(await mappings.findContacts(T, { emails: ['ben@contoso.example'] })).toMatchObject([
        { id: '1002' },
      ]);
      expect(await mappings.findEndUsers(T, { emails: ['ben@contoso.example'] })).toMatchObject([
        { id: 'eu-ben' },
      ]);
    },
  },
};

const drivers = (['PostgreSQL', 'PGlite'] as const).map((name) => ({
  name,
  open: () => openTestDatabase(name),
}));

it('has a data step for every migration, in order', () => {
  expect(Object.keys(STEPS)).toEqual(MIGRATIONS.map((m) => m.name));
});

for (const driver of drivers) {
  describe(`migrations on ${driver.name}`, () => {
    const opened: (() => Promise<void>)[] = [];
    const open = async () => {
      const { database, close } = await driver.open();
      opened.push(close);
      return database;
    };
    afterAll(async () => {
      for (const close of opened) await close();
    });

    it('applies each migration on the version before it, keeping every earlier step’s data readable', async () => {
      const database = await open();
      const done: Step[] = [];
      for (const { name } of MIGRATIONS) {
        const report = await migrate(database, { to: name });
        expect(report).toEqual({ applied: [name], current: name });
        for (const step of done) await step.check(database);
        await STEPS[name]!.seed(database);
        await STEPS[name]!.check(database);
        done.push(STEPS[name]!);
      }
      expect(await pendingMigrations(database)).toEqual([]);
    });

    it('brings an empty database to the newest version in one call, then does nothing', async () => {
      const database = await open();
      expect(await pendingMigrations(database)).toEqual(MIGRATIONS.map((m) => m.name));
      const first = await migrate(database);
      expect(first.applied).toEqual(MIGRATIONS.map((m) => m.name));
      for (const step of Object.values(STEPS)) await step.seed(database);
      for (const step of Object.values(STEPS)) await step.check(database);
      expect(await migrate(database)).toEqual({ applied: [], current: MIGRATIONS.at(-1)!.name });
    });

    it('rolls every migration of a failed run back, and says what failed', async () => {
      const database = await open();
      // A table in the way of the second migration: the first must not stay applied either.
      await database.query('CREATE TABLE qdesk_policies (x int)');
      await expect(migrate(database)).rejects.toMatchObject({ code: 'adapter_failed' });
      expect(await pendingMigrations(database)).toEqual(MIGRATIONS.map((m) => m.name));
      const { rows } = await database.query<{ present: boolean }>(
        "SELECT to_regclass('qdesk_sessions') IS NOT NULL AS present",
      );
      expect(rows[0]!.present).toBe(false);
    });

    it('refuses a database a newer version migrated, naming the unknown migration', async () => {
      const database = await open();
      await migrate(database);
      await database.query(
        "INSERT INTO qdesk_migrations (name, applied_at) VALUES ('9999-from-the-future', now())",
      );
      await expect(migrate(database)).rejects.toMatchObject({
        code: 'config_invalid',
        message: expect.stringMatching(
          /migrated by a newer @qdesk\/store-postgres \(it holds 9999-from-the-future\)/,
        ),
      });
    });

    it('refuses an unknown target migration', async () => {
      await expect(migrate(await open(), { to: 'nope' })).rejects.toMatchObject({ code: 'config_invalid' });
    });
  });
}

describe('migrations racing on PostgreSQL', () => {
  it('lets four instances migrate one empty database at once: one applies, the others find it done', async () => {
    const scratch = await createScratchDatabase();
    const pools = Array.from({ length: 4 }, () => createPgDatabase({ connectionString: scratch.url }));
    try {
      const reports = await Promise.all(pools.map((db) => migrate(db)));
      const applied = reports.map((r) => r.applied.length).sort();
      expect(applied).toEqual([0, 0, 0, MIGRATIONS.length]);
    } finally {
      for (const pool of pools) await pool.close();
      await scratch.drop();
    }
  });
});
