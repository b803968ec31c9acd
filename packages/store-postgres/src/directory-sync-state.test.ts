import { isQdeskError } from '@qdesk/core';
import { afterAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, testDatabases } from './_databases.test-helpers.js';
import {
  createPostgresDirectorySyncStateStore,
  type DirectorySyncKey,
  type DirectorySyncStateStore,
} from './directory-sync-state.js';
import { migrate } from './migrate.js';
import { createPgDatabase } from './pg/database.js';

const T0 = Date.UTC(2026, 10, 30, 9);
const LEASE = 5 * 60_000;
const key: DirectorySyncKey = { tenantId: 'tenant-a', customerId: 'cust-northwind', sourceKind: 'ldap' };
const lease = (owner: string, now = T0) => ({ owner, now, leaseMs: LEASE });
const state = (cursor: string, full = false) => ({ cursor, full, seen: full ? ['cust-northwind:1'] : [] });

function directorySyncStateRules(name: string, create: () => Promise<DirectorySyncStateStore>) {
  describe(`DirectorySyncStateStore rules: ${name}`, () => {
    it('has no record before the first claim; a claim creates it with the lease and the start time', async () => {
      const store = await create();
      expect(await store.get(key)).toBeNull();
      expect(await store.list('tenant-a')).toEqual([]);
      const claimed = await store.claim(key, lease('app-1'));
      expect(claimed).toEqual({
        ...key,
        state: null,
        progress: null,
        summary: null,
        lastStartedAt: T0,
        lastFinishedAt: null,
        lastFullAt: null,
        lastError: null,
        lease: { owner: 'app-1', since: T0, expiresAt: T0 + LEASE },
      });
      expect(await store.get(key)).toEqual(claimed);
    });

    it('refuses a second claim while the lease lives, from anyone (the holder too), and grants it once expired', async () => {
      const store = await create();
      expect(await store.claim(key, lease('app-1'))).not.toBeNull();
      expect(await store.claim(key, lease('app-2', T0 + 1000))).toBeNull();
      expect(await store.claim(key, lease('app-1', T0 + 1000))).toBeNull();
      expect(await store.claim(key, lease('app-2', T0 + LEASE - 1))).toBeNull();
      const taken = await store.claim(key, lease('app-2', T0 + LEASE));
      expect(taken?.lease).toEqual({ owner: 'app-2', since: T0 + LEASE, expiresAt: T0 + 2 * LEASE });
    });

    it('saves the state and progress for the holder only, extending its lease; a stranger writes nothing', async () => {
      const store = await create();
      await store.claim(key, lease('app-1'));
      const saved = await store.saveState(key, {
        ...lease('app-1', T0 + 60_000),
        state: state('page-2', true),
        progress: { pages: 2, created: 40 },
      });
      expect(saved).toBe(true);
      expect(
        await store.saveState(key, { ...lease('app-2', T0 + 60_000), state: null, progress: null }),
      ).toBe(false);
      expect(await store.get(key)).toMatchObject({
        state: state('page-2', true),
        progress: { pages: 2, created: 40 },
        lease: { owner: 'app-1', since: T0, expiresAt: T0 + 60_000 + LEASE },
      });
      // The extension counts: the lease's first expiry has passed, but it lives on.
      expect(await store.claim(key, lease('app-2', T0 + LEASE))).toBeNull();
    });

    it('renews for the holder only', async () => {
      const store = await create();
      await store.claim(key, lease('app-1'));
      expect(await store.renew(key, lease('app-2', T0 + 1000))).toBe(false);
      expect(await store.renew(key, lease('app-1', T0 + 4 * 60_000))).toBe(true);
      expect((await store.get(key))?.lease?.expiresAt).toBe(T0 + 4 * 60_000 + LEASE);
      expect(await store.renew({ ...key, customerId: 'cust-other' }, lease('app-1'))).toBe(false);
    });

    it('finish records the outcome and releases the lease; the next claim resumes from the state, keeping the last run', async () => {
      const store = await create();
      await store.claim(key, lease('app-1'));
      await store.saveState(key, { ...lease('app-1'), state: state('delta-1'), progress: { pages: 1 } });
      const summary = { created: 3, updated: 0, disabled: 0, skipped: 1 };
      expect(
        await store.finish(key, { owner: 'app-2', now: T0 + 5000, summary: {}, error: null, full: true }),
      ).toBe(false);
      expect(
        await store.finish(key, { owner: 'app-1', now: T0 + 5000, summary, error: null, full: true }),
      ).toBe(true);
      const finished = await store.get(key);
      expect(finished).toMatchObject({
        state: state('delta-1'),
        progress: null,
        summary,
        lastStartedAt: T0,
        lastFinishedAt: T0 + 5000,
        lastFullAt: T0 + 5000,
        lastError: null,
        lease: null,
      });
      const next = await store.claim(key, lease('app-2', T0 + 10_000));
      expect(next).toMatchObject({ state: state('delta-1'), summary, lastStartedAt: T0 + 10_000 });
      expect(next?.lease?.owner).toBe('app-2');
    });

    it('a failed run keeps its error and the state it reached; an incremental run leaves the last full read time', async () => {
      const store = await create();
      await store.claim(key, lease('app-1'));
      await store.finish(key, { owner: 'app-1', now: T0 + 1000, summary: null, error: null, full: true });
      await store.claim(key, lease('app-1', T0 + 2000));
      await store.saveState(key, { ...lease('app-1', T0 + 3000), state: state('page-1'), progress: null });
      const error = 'The LDAP server did not answer within 30 s; check it is reachable.';
      await store.finish(key, {
        owner: 'app-1',
        now: T0 + 4000,
        summary: { created: 1 },
        error,
        full: false,
      });
      expect(await store.get(key)).toMatchObject({
        state: state('page-1'),
        summary: { created: 1 },
        lastError: error,
        lastFullAt: T0 + 1000,
        lastFinishedAt: T0 + 4000,
      });
      // The next successful run clears the error.
      await store.claim(key, lease('app-1', T0 + 5000));
      await store.finish(key, { owner: 'app-1', now: T0 + 6000, summary: null, error: null, full: false });
      expect(await store.get(key)).toMatchObject({ lastError: null, lastFullAt: T0 + 1000 });
    });

    it('saves a null state (a full read next) as null', async () => {
      const store = await create();
      await store.claim(key, lease('app-1'));
      await store.saveState(key, { ...lease('app-1'), state: state('x'), progress: null });
      await store.saveState(key, { ...lease('app-1'), state: null, progress: null });
      expect((await store.get(key))?.state).toBeNull();
    });

    it('keeps tenants, customers and source kinds apart, and lists a tenant by customer then kind', async () => {
      const store = await create();
      const keys: DirectorySyncKey[] = [
        { tenantId: 'tenant-a', customerId: 'cust-b', sourceKind: 'ldap' },
        { tenantId: 'tenant-a', customerId: 'cust-a', sourceKind: 'ldap' },
        { tenantId: 'tenant-a', customerId: 'cust-a', sourceKind: 'entra' },
        { tenantId: 'tenant-b', customerId: 'cust-a', sourceKind: 'ldap' },
      ];
      for (const k of keys) expect(await store.claim(k, lease('app-1'))).not.toBeNull();
      const listed = await store.list('tenant-a');
      expect(listed.map((r) => `${r.customerId}/${r.sourceKind}`)).toEqual([
        'cust-a/entra',
        'cust-a/ldap',
        'cust-b/ldap',
      ]);
      await store.saveState(keys[1]!, { ...lease('app-1'), state: state('only-a'), progress: null });
      expect((await store.get(keys[3]!))?.state).toBeNull();
      expect((await store.get(keys[2]!))?.state).toBeNull();
      expect(await store.list('tenant-c')).toEqual([]);
    });

    it('refuses a malformed key or lease with an InputError naming each field, writing nothing', async () => {
      const store = await create();
      const bad = { tenantId: '', customerId: 'c', sourceKind: 'scim' } as unknown as DirectorySyncKey;
      const error = await store.claim(bad, { owner: '', now: -1, leaseMs: 0 }).catch((e: unknown) => e);
      expect(isQdeskError(error) && error.code === 'input_invalid').toBe(true);
      for (const field of ['key.tenantId', 'key.sourceKind', 'owner', 'now', 'leaseMs'])
        expect((error as Error).message).toContain(field);
      await store.claim(key, lease('app-1'));
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      await expect(
        store.saveState(key, { ...lease('app-1'), state: circular, progress: null }),
      ).rejects.toMatchObject({ code: 'input_invalid', message: expect.stringContaining('state') });
      await expect(
        store.saveState(key, { ...lease('app-1'), state: { cursor: 'a\u0000b' }, progress: null }),
      ).rejects.toMatchObject({ code: 'input_invalid' });
      expect((await store.get(key))?.state).toBeNull();
    });
  });
}

for (const db of testDatabases()) {
  directorySyncStateRules(db.name, async () => createPostgresDirectorySyncStateStore(await db.fresh()));
}

describe('directory sync leases racing on PostgreSQL', () => {
  const opened: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const close of opened) await close();
  });

  it('gives the lease to exactly one of eight instances claiming at once, on a new key and on an expired one', async () => {
    const scratch = await createScratchDatabase();
    const pools = Array.from({ length: 4 }, () => createPgDatabase({ connectionString: scratch.url }));
    opened.push(async () => {
      for (const pool of pools) await pool.close();
      await scratch.drop();
    });
    await migrate(pools[0]!);
    const stores = pools.map((pool) => createPostgresDirectorySyncStateStore(pool));
    const race = (now: number) =>
      Promise.all(
        Array.from({ length: 8 }, (_, i) => stores[i % stores.length]!.claim(key, lease(`app-${i}`, now))),
      );
    for (const now of [T0, T0 + LEASE, T0 + 2 * LEASE]) {
      const claims = await race(now);
      const winners = claims.filter((c) => c !== null);
      expect(winners).toHaveLength(1);
      expect((await stores[0]!.get(key))?.lease?.owner).toBe(winners[0]!.lease!.owner);
    }
  });
});
