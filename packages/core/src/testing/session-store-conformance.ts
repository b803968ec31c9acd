import { isTerminalStatus, type VerificationSession } from '../machine/session.js';
import type { SessionStore } from '../ports/session-store.js';
import { firstDifference, unique } from './_helpers.js';
import { sampleSession } from './fixtures.js';
import { type KitHarness, type KitRule, must, registerRules } from './kit.js';

/** Options for {@link runSessionStoreConformance}. @public */
export interface SessionStoreConformanceOptions {
  /** Shown in the suite's title. */
  name: string;
  /** A fresh, empty store (called once per rule). */
  create: () => SessionStore | Promise<SessionStore>;
  /** Releases the store (close connections, drop the schema). */
  cleanup?: (store: SessionStore) => void | Promise<void>;
  /**
   * Reads the backing system directly, bypassing the store's own methods (as Auth.js's adapter tests do): the
   * session row with that id in that tenant, as stored, or `null`.
   */
  inspect: {
    /** The session row with that id in that tenant, as stored, or `null`. */
    session(tenantId: string, sessionId: string): Promise<VerificationSession | null>;
  };
  /** Per-rule timeout in ms (default 20 s). */
  timeoutMs?: number;
}

/** The subject each session-store rule checks. @public */
export interface SessionStoreSubject {
  /** The store under test. */
  store: SessionStore;
  /** Direct reads of the backing system. */
  inspect: SessionStoreConformanceOptions['inspect'];
}

const KEEP = { retainMs: 60_000 };
const next = (s: VerificationSession, fields: Partial<VerificationSession>): VerificationSession =>
  ({ ...structuredClone(s), ...fields, version: s.version + 1 }) as VerificationSession;

/**
 * Every rule a {@link SessionStore} must follow, as data: {@link runSessionStoreConformance} registers each as a
 * test; `checkRules` runs them anywhere.
 * @public
 */
export const sessionStoreRules: readonly KitRule<SessionStoreSubject>[] = [
  {
    name: 'declares specificationVersion v1',
    async check({ store }) {
      must(
        store.specificationVersion === 'v1',
        `specificationVersion is ${JSON.stringify(store.specificationVersion)}; set it to 'v1'.`,
      );
    },
  },
  {
    name: 'get returns null for an unknown id',
    async check({ store }) {
      const read = await store.get('tenant-a', 'sess_does_not_exist');
      must(
        read === null,
        `get() of an unknown id returned ${JSON.stringify(read)}; return null for a missing session.`,
      );
    },
  },
  {
    name: 'create stores the session exactly as given, and get reads it back equal',
    async check({ store, inspect }) {
      const session = sampleSession();
      must((await store.create(session, KEEP)) === true, 'create() of a new id must return true.');
      const read = await store.get(session.tenantId, session.id);
      const difference = firstDifference(session, read);
      must(
        difference === null,
        `get() must return the session as created, every field equal (check JSON columns and number types); ${difference}.`,
      );
      const raw = await inspect.session(session.tenantId, session.id);
      must(
        raw !== null && raw.version === 1,
        'the backing system must hold the created session (inspect found none, or another version).',
      );
    },
  },
  {
    name: 'create refuses an existing id and keeps the first session',
    async check({ store, inspect }) {
      const first = sampleSession();
      await store.create(first, KEEP);
      const again = await store.create({ ...first, attempts: 3 }, KEEP);
      must(again === false, 'create() of an existing id must return false, never overwrite.');
      must(
        (await inspect.session(first.tenantId, first.id))?.attempts === 0,
        'a refused create() changed the stored session; leave it as it was.',
      );
    },
  },
  {
    name: 'a session of another tenant reads as missing and cannot be replaced',
    async check({ store }) {
      const session = sampleSession({ tenantId: unique('tenant') });
      await store.create(session, KEEP);
      must(
        (await store.get('another-tenant', session.id)) === null,
        'get() with another tenantId returned the session; scope every read by tenant.',
      );
      const foreign = {
        ...next(session, { attempts: 4 }),
        tenantId: 'another-tenant',
      } as VerificationSession;
      must(
        (await store.compareAndSet(foreign, 1, KEEP)) === false,
        'compareAndSet() of another tenant replaced the session; scope writes by tenant.',
      );
      must(
        (await store.listActive('another-tenant', session.endUser.id)).length === 0,
        'listActive() of another tenant listed the session; scope it by tenant.',
      );
    },
  },
  {
    name: 'a read is a copy: mutating it does not change the store',
    async check({ store, inspect }) {
      const session = sampleSession();
      await store.create(session, KEEP);
      const read = (await store.get(session.tenantId, session.id)) as VerificationSession;
      try {
        read.attempts = 99;
        read.technician.name = 'changed';
      } catch {
        // A frozen value refuses the writes: allowed.
      }
      const raw = await inspect.session(session.tenantId, session.id);
      must(
        raw?.attempts === 0 && raw.technician.name === session.technician.name,
        'mutating what get() returned changed the stored session; return a copy or a frozen value.',
      );
    },
  },
  {
    name: 'a write is a copy: the caller mutating its object afterwards does not change the store',
    async check({ store, inspect }) {
      const session = sampleSession();
      const mine = structuredClone(session);
      await store.create(mine, KEEP);
      mine.attempts = 42;
      mine.endUser.displayName = 'changed';
      const raw = await inspect.session(session.tenantId, session.id);
      must(
        raw?.attempts === 0 && raw.endUser.displayName === session.endUser.displayName,
        'the store kept a reference to the object given to create(); copy it when writing.',
      );
    },
  },
  {
    name: 'compareAndSet writes only on the expected version',
    async check({ store, inspect }) {
      const session = sampleSession();
      await store.create(session, KEEP);
      must(
        (await store.compareAndSet(next(session, { attempts: 1 }), 1, KEEP)) === true,
        'compareAndSet() on the stored version must return true.',
      );
      must(
        (await store.compareAndSet(next(session, { attempts: 2 }), 1, KEEP)) === false,
        'compareAndSet() on a stale version must return false.',
      );
      const raw = await inspect.session(session.tenantId, session.id);
      must(
        raw?.version === 2 && raw.attempts === 1,
        'after one successful compareAndSet() the store must hold version 2 with its fields; a stale write got through.',
      );
    },
  },
  {
    name: 'compareAndSet refuses a new version that does not follow the expected one',
    async check({ store, inspect }) {
      const session = sampleSession();
      await store.create(session, KEEP);
      const skipped = { ...structuredClone(session), version: 5 } as VerificationSession;
      must(
        (await store.compareAndSet(skipped, 1, KEEP)) === false,
        'compareAndSet() must refuse a session whose version is not expectedVersion + 1.',
      );
      must(
        (await inspect.session(session.tenantId, session.id))?.version === 1,
        'a refused compareAndSet() changed the stored version.',
      );
    },
  },
  {
    name: 'compareAndSet on a missing session returns false and creates nothing',
    async check({ store, inspect }) {
      const ghost = sampleSession({ version: 2 });
      must(
        (await store.compareAndSet(ghost, 1, KEEP)) === false,
        'compareAndSet() of a missing session must return false.',
      );
      must(
        (await inspect.session(ghost.tenantId, ghost.id)) === null,
        'compareAndSet() of a missing session created it; only create() creates.',
      );
    },
  },
  {
    name: 'exactly one of many racing writers on one version wins',
    async check({ store, inspect }) {
      const session = sampleSession();
      await store.create(session, KEEP);
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => store.compareAndSet(next(session, { attempts: i }), 1, KEEP)),
      );
      const winners = results.filter(Boolean).length;
      must(
        winners === 1,
        `${winners} of 50 concurrent compareAndSet() calls on version 1 won; make the version check and the write one atomic step.`,
      );
      must(
        (await inspect.session(session.tenantId, session.id))?.attempts === results.indexOf(true),
        'the stored session is not the one whose compareAndSet() won.',
      );
    },
  },
  {
    name: 'listActive returns the open sessions of one end-user and drops closed ones',
    async check({ store }) {
      const endUser = { id: unique('eu'), displayName: 'X', email: 'x@example.com' };
      const a = sampleSession({ endUser });
      const b = sampleSession({ endUser });
      const other = sampleSession();
      for (const s of [a, b, other]) await store.create(s, KEEP);
      const ids = (await store.listActive(a.tenantId, endUser.id)).map((s) => s.id).sort();
      must(
        JSON.stringify(ids) === JSON.stringify([a.id, b.id].sort()),
        `listActive() returned ${JSON.stringify(ids)}; return every open session of that end-user, and only those.`,
      );
      const closed = next(a, {
        status: 'cancelled',
        cancelledBy: 'technician',
        closedAt: 1,
      } as Partial<VerificationSession>);
      await store.compareAndSet(closed, 1, KEEP);
      const after = await store.listActive(a.tenantId, endUser.id);
      must(
        after.length === 1 && after[0]!.id === b.id,
        'listActive() still lists a session after it was closed; update the active index on compareAndSet().',
      );
      must(
        after.every((s) => !isTerminalStatus(s.status)),
        'listActive() returned a closed session.',
      );
    },
  },
  {
    name: 'listForTicket returns every session of one ticket, open and closed, newest first',
    async check({ store }) {
      const ticket = { id: unique('tkt'), number: 'T-kit' };
      const older = sampleSession({ ticket, createdAt: Date.now() - 2_000 });
      const newer = sampleSession({ ticket, createdAt: Date.now() - 1_000 });
      const elsewhere = sampleSession();
      for (const s of [older, newer, elsewhere]) await store.create(s, KEEP);
      const closed = next(older, {
        status: 'cancelled',
        cancelledBy: 'technician',
        closedAt: 1,
      } as Partial<VerificationSession>);
      await store.compareAndSet(closed, 1, KEEP);
      const ids = (await store.listForTicket(older.tenantId, ticket.id)).map((s) => s.id);
      must(
        JSON.stringify(ids) === JSON.stringify([newer.id, older.id]),
        `listForTicket() returned ${JSON.stringify(ids)}; return every session whose ticket.id matches, closed ones too, newest createdAt first.`,
      );
      must(
        (await store.listForTicket('another-tenant', ticket.id)).length === 0,
        'listForTicket() of another tenant listed the sessions; scope it by tenant.',
      );
    },
  },
  {
    name: 'listDue returns open sessions past their deadline, of every tenant, oldest first, up to the limit',
    async check({ store }) {
      const base = 5_000_000_000_000 + Math.floor(Math.random() * 1e9);
      const a = sampleSession({ createdAt: base, expiresAt: base + 10, tenantId: unique('t') });
      const b = sampleSession({ createdAt: base, expiresAt: base + 20, tenantId: unique('t') });
      const later = sampleSession({ createdAt: base, expiresAt: base + 10_000 });
      const closed = sampleSession({ createdAt: base, expiresAt: base + 5 });
      for (const s of [a, b, later, closed]) await store.create(s, KEEP);
      await store.compareAndSet(
        next(closed, {
          status: 'cancelled',
          cancelledBy: 'technician',
          closedAt: 1,
        } as Partial<VerificationSession>),
        1,
        KEEP,
      );
      const mine = new Set([a.id, b.id, later.id, closed.id]);
      const due = (await store.listDue(base + 100, 1000)).filter((s) => mine.has(s.id)).map((s) => s.id);
      must(
        JSON.stringify(due) === JSON.stringify([a.id, b.id]),
        `listDue() returned ${JSON.stringify(due)}; return the open sessions whose expiresAt is at or before now, of every tenant, oldest expiresAt first (never a closed one).`,
      );
      const one = await store.listDue(base + 100, 1);
      must(one.length === 1, `listDue(now, 1) returned ${one.length} sessions; return at most limit.`);
    },
  },
];

/**
 * The shared test suite every {@link SessionStore} must pass, one test per rule. Call it at the top level of a
 * vitest file.
 * @example
 * ```ts
 * import { runSessionStoreConformance } from '@qdesk/core/testing';
 * runSessionStoreConformance({
 *   name: 'postgres',
 *   create: () => createPostgresSessionStore(pool),
 *   inspect: { session: (tenantId, id) => readRow(pool, tenantId, id) },
 * });
 * ```
 * @public
 */
export function runSessionStoreConformance(options: SessionStoreConformanceOptions): void {
  registerRules(
    `SessionStore conformance: ${options.name}`,
    sessionStoreRules,
    sessionStoreHarness(options),
    {
      timeoutMs: options.timeoutMs ?? 20_000,
    },
  );
}

/**
 * The harness {@link runSessionStoreConformance} runs the rules with: one fresh store per rule. For `checkRules`.
 * @internal
 */
export function sessionStoreHarness(
  options: SessionStoreConformanceOptions,
): KitHarness<SessionStoreSubject> {
  return {
    create: async () => ({ store: await options.create(), inspect: options.inspect }),
    cleanup: (subject) => options.cleanup?.(subject.store),
  };
}
