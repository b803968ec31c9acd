import { runRateCounterConformance } from '@qdesk/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase, testDatabases } from './_databases.test-helpers.js';
import type { Database, Queryable } from './database.js';
import { migrate } from './migrate.js';
import { createPgDatabase } from './pg/database.js';
import { createPostgresRateCounter } from './rate-counter.js';

const T0 = Date.UTC(2026, 0, 1);
const MINUTE = 60_000;

/** The hits the key's row holds, read past the counter. */
async function storedHits(database: Queryable, tenantId: string, key: string): Promise<number> {
  const { rows } = await database.query<{ hits: number }>(
    'SELECT cardinality(hits) AS hits FROM qdesk_rate_counters WHERE tenant_id = $1 AND key = $2',
    [tenantId, key],
  );
  return rows[0]?.hits ?? 0;
}

/** The database, counting the statements sent through it. */
function counting(database: Queryable): Queryable & { statements: string[] } {
  const statements: string[] = [];
  return {
    statements,
    query(text, params) {
      statements.push(text);
      return database.query(text, params);
    },
  };
}

for (const db of testDatabases()) {
  runRateCounterConformance({
    name: `@qdesk/store-postgres on ${db.name}`,
    create: async () => createPostgresRateCounter(await db.fresh()),
    inspect: { hits: async (tenantId, key) => storedHits(await db.database(), tenantId, key) },
  });

  describe(`createPostgresRateCounter on ${db.name}`, () => {
    it('sends one statement per increment and per count once the purge has run', async () => {
      const database = counting(await db.fresh());
      const counter = createPostgresRateCounter(database);
      await counter.increment('t', 'warm-up', { windowMs: MINUTE, now: T0 });
      database.statements.length = 0;
      await counter.increment('t', 'sends', { windowMs: MINUTE, now: T0 + 1 });
      await counter.increment('t', 'failures', { windowMs: null, now: T0 + 2 });
      await counter.count('t', 'sends', { windowMs: MINUTE, now: T0 + 3 });
      await counter.count('t', 'failures', { windowMs: null, now: T0 + 4 });
      expect(database.statements).toHaveLength(4);
    });

    it('keeps only the hits inside the window in the row', async () => {
      const database = await db.fresh();
      const counter = createPostgresRateCounter(database);
      for (let i = 0; i < 5; i++)
        await counter.increment('t', 'sends', { windowMs: 1000, now: T0 + i * 400 });
      // At +1600 ms the hits at 0 and +400 ms are 1000 ms old or more: dropped by the same upsert.
      expect(await storedHits(database, 't', 'sends')).toBe(3);
    });

    it('purges keys whose window has passed and keeps keys counted until reset', async () => {
      const database = await db.fresh();
      const counter = createPostgresRateCounter(database, { purgeEveryMs: Number.POSITIVE_INFINITY });
      await counter.increment('t', 'claim', { windowMs: 10 * MINUTE, now: T0 });
      await counter.increment('t', 'sends', { windowMs: MINUTE, now: T0 + 9 * MINUTE });
      await counter.increment('t', 'failures', { windowMs: null, now: T0 });
      expect(await counter.purge(T0 + 10 * MINUTE - 1)).toBe(0);
      expect(await counter.purge(T0 + 10 * MINUTE)).toBe(2);
      expect(await storedHits(database, 't', 'claim')).toBe(0);
      expect(await storedHits(database, 't', 'sends')).toBe(0);
      expect(await counter.count('t', 'failures', { windowMs: null, now: T0 + 365 * 24 * 60 * MINUTE })).toBe(
        1,
      );
    });

    it('purges from increment at most once per purgeEveryMs', async () => {
      const database = await db.fresh();
      const counter = createPostgresRateCounter(database, { purgeEveryMs: MINUTE });
      await counter.increment('t', 'old', { windowMs: 1000, now: T0 });
      await counter.increment('t', 'other', { windowMs: 1000, now: T0 + 30_000 });
      expect(await storedHits(database, 't', 'old')).toBe(1);
      // Due again, but the purge lags a minute behind for clock skew: at +1 min the key at 0 (+1 s) is kept.
      await counter.increment('t', 'other', { windowMs: 1000, now: T0 + MINUTE });
      expect(await storedHits(database, 't', 'old')).toBe(1);
      await counter.increment('t', 'other', { windowMs: 1000, now: T0 + 2 * MINUTE + 1000 });
      expect(await storedHits(database, 't', 'old')).toBe(0);
    });

    it('an increment after the window passed (before a purge) counts 1 and moves the expiry on', async () => {
      const database = await db.fresh();
      const counter = createPostgresRateCounter(database, { purgeEveryMs: Number.POSITIVE_INFINITY });
      await counter.increment('t', 'sends', { windowMs: 1000, now: T0 });
      expect(await counter.increment('t', 'sends', { windowMs: 1000, now: T0 + 5000 })).toBe(1);
      expect(await counter.purge(T0 + 5999)).toBe(0);
    });
  });
}

describe('createPostgresRateCounter on PostgreSQL, two connection pools', () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let pools: Database[] = [];
  beforeAll(async () => {
    scratch = await createScratchDatabase();
    pools = [
      createPgDatabase({ connectionString: scratch.url }),
      createPgDatabase({ connectionString: scratch.url }),
    ];
    await migrate(pools[0]!);
  });
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.close()));
    await scratch?.drop();
  });

  for (const windowMs of [MINUTE, null]) {
    it(`200 concurrent increments split over both return exactly 1..200 (windowMs ${windowMs})`, async () => {
      const counters = pools.map((pool) => createPostgresRateCounter(pool));
      const key = `push-${windowMs}`;
      const counts = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          counters[i % 2]!.increment('t', key, { windowMs, now: T0 + i }),
        ),
      );
      expect([...counts].sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      expect(await counters[1]!.count('t', key, { windowMs, now: T0 + 200 })).toBe(200);
    });
  }
});
