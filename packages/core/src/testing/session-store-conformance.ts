import { describe, expect, it } from 'vitest';
import type { SessionStore } from '../ports/session-store.js';
import { sampleSession } from './fixtures.js';

/** Options for {@link runSessionStoreConformance}. @public */
export interface SessionStoreConformanceOptions {
  /** Shown in the test names. */
  name: string;
  /** A fresh, empty store (called once per test). */
  create: () => SessionStore | Promise<SessionStore>;
  /** Releases the store (close connections). */
  cleanup?: (store: SessionStore) => void | Promise<void>;
}

const TTL = 60_000;

/**
 * The shared test suite every {@link SessionStore} must pass. Call it at the top level of a vitest file.
 * @example
 * ```ts
 * import { runSessionStoreConformance } from '@qdesk/core/testing';
 * runSessionStoreConformance({ name: 'redis', create: () => createRedisStore(client), cleanup: (s) => client.quit() });
 * ```
 * @public
 */
export function runSessionStoreConformance(options: SessionStoreConformanceOptions): void {
  const withStore = (fn: (store: SessionStore) => Promise<void>) => async () => {
    const store = await options.create();
    try {
      await fn(store);
    } finally {
      await options.cleanup?.(store);
    }
  };

  describe(`SessionStore conformance: ${options.name}`, () => {
    it(
      'returns null for an unknown id',
      withStore(async (store) => {
        expect(await store.get('sess_does_not_exist')).toBeNull();
      }),
    );

    it(
      'creates and reads back an equal session',
      withStore(async (store) => {
        const session = sampleSession();
        expect(await store.create(session, TTL)).toBe(true);
        expect(await store.get(session.id)).toEqual(session);
      }),
    );

    it(
      'refuses to create an id twice and keeps the first',
      withStore(async (store) => {
        const first = sampleSession();
        await store.create(first, TTL);
        expect(await store.create({ ...first, attempts: 3 }, TTL)).toBe(false);
        expect((await store.get(first.id))?.attempts).toBe(0);
      }),
    );

    it(
      'returns copies or frozen values: mutating a read session does not change the store',
      withStore(async (store) => {
        const session = sampleSession();
        await store.create(session, TTL);
        const read = await store.get(session.id);
        // A frozen value refuses the writes (allowed); a copy takes them without touching the store.
        const attempt = (write: () => void) => {
          try {
            write();
          } catch {}
        };
        attempt(() => {
          read!.attempts = 99;
        });
        attempt(() => {
          read!.technician.name = 'changed';
        });
        expect(await store.get(session.id)).toEqual(session);
      }),
    );

    it(
      'keeps what was written even if the caller mutates its own object afterwards',
      withStore(async (store) => {
        const session = sampleSession();
        const mine = structuredClone(session);
        await store.create(mine, TTL);
        mine.attempts = 42;
        mine.endUser.displayName = 'changed';
        expect(await store.get(session.id)).toEqual(session);
      }),
    );

    it(
      'compare-and-set writes only on the expected version',
      withStore(async (store) => {
        const session = sampleSession();
        await store.create(session, TTL);
        expect(await store.compareAndSet({ ...session, version: 2, attempts: 1 }, 1, TTL)).toBe(true);
        expect(await store.compareAndSet({ ...session, version: 2, attempts: 2 }, 1, TTL)).toBe(false);
        const stored = await store.get(session.id);
        expect(stored?.version).toBe(2);
        expect(stored?.attempts).toBe(1);
      }),
    );

    it(
      'compare-and-set refuses a version that does not follow the expected one',
      withStore(async (store) => {
        const session = sampleSession();
        await store.create(session, TTL);
        expect(await store.compareAndSet({ ...session, version: 5 }, 1, TTL)).toBe(false);
        expect((await store.get(session.id))?.version).toBe(1);
      }),
    );

    it(
      'compare-and-set on a missing session fails',
      withStore(async (store) => {
        expect(await store.compareAndSet(sampleSession({ version: 2 }), 1, TTL)).toBe(false);
      }),
    );

    it(
      'exactly one of many racing writers on one version wins',
      withStore(async (store) => {
        const session = sampleSession();
        await store.create(session, TTL);
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            store.compareAndSet({ ...session, version: 2, attempts: i }, 1, TTL),
          ),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        const winner = results.indexOf(true);
        expect((await store.get(session.id))?.attempts).toBe(winner);
      }),
    );

    it(
      'lists active sessions of an end-user and drops terminal ones',
      withStore(async (store) => {
        const endUser = {
          id: `eu-${Math.random().toString(36).slice(2)}`,
          displayName: 'X',
          email: 'x@example.com',
        };
        const a = sampleSession({ endUser });
        const b = sampleSession({ endUser });
        await store.create(a, TTL);
        await store.create(b, TTL);
        expect((await store.listActiveForEndUser(endUser.id)).sort()).toEqual([a.id, b.id].sort());
        const closed = {
          ...a,
          version: 2,
          status: 'cancelled' as const,
          cancelledBy: 'technician' as const,
          closedAt: 1,
        };
        expect(await store.compareAndSet(closed, 1, TTL)).toBe(true);
        expect(await store.listActiveForEndUser(endUser.id)).toEqual([b.id]);
        expect(await store.listActiveForEndUser('eu-nobody')).toEqual([]);
      }),
    );

    it(
      'counts within a window and forgets hits older than the window',
      withStore(async (store) => {
        const key = `k-${Math.random().toString(36).slice(2)}`;
        const t0 = 1_000_000;
        expect(await store.count(key, 1000, t0)).toBe(0);
        expect(await store.increment(key, 1000, t0)).toBe(1);
        expect(await store.increment(key, 1000, t0 + 500)).toBe(2);
        expect(await store.count(key, 1000, t0 + 900)).toBe(2);
        expect(await store.count(key, 1000, t0 + 1200)).toBe(1);
        expect(await store.increment(key, 1000, t0 + 2000)).toBe(1);
        await store.resetCounter(key);
        expect(await store.count(key, 1000, t0 + 2000)).toBe(0);
      }),
    );

    it(
      'increments atomically under concurrency',
      withStore(async (store) => {
        const key = `c-${Math.random().toString(36).slice(2)}`;
        const counts = await Promise.all(
          Array.from({ length: 100 }, () => store.increment(key, 60_000, 5_000)),
        );
        expect(new Set(counts).size).toBe(100);
        expect(Math.max(...counts)).toBe(100);
      }),
    );
  });
}
