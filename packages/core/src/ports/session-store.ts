import type { VerificationSession } from '../machine/session.js';

/**
 * Where verification sessions live. The memory store is the embedded default; `@qdesk/store-postgres` shares one
 * view between app instances.
 *
 * ## Partner guide: write a session store
 *
 * Implement the four methods below and declare `specificationVersion: 'v1'`; then run
 * `runSessionStoreConformance` from `@qdesk/core/testing` against it (see the "write a store" guide). Rules the
 * verifier relies on, each checked by the kit:
 * - Tenancy: every method is scoped by `tenantId` (the first argument, or the session's own `tenantId`). A session of
 *   another tenant reads exactly like a missing one.
 * - `create` refuses an id that exists (returns `false`); it never overwrites.
 * - `compareAndSet` writes only when the stored version equals `expectedVersion` and the new session's `version` is
 *   `expectedVersion + 1`, atomically: of two writers racing on one version, exactly one wins.
 * - What `get` returns is a copy (or frozen): mutating it never changes the store; what was written is copied too.
 * - `listActive` returns the sessions of one end-user that are not in a terminal status.
 * - `listForTicket` returns every retained session bound to one ticket, open or closed, newest first.
 * - `listDue` returns open sessions of any tenant whose `expiresAt` is at or before `now`, oldest deadline first, at
 *   most `limit`; the verifier's sweeper closes them (so every abandoned session gets its outcome).
 * - A session may be dropped once `retainMs` has passed after its `expiresAt`; never before.
 * @public
 */
export interface SessionStore {
  /** The version of this port the implementation follows. */
  readonly specificationVersion: 'v1';
  /** The session with that id in that tenant, or `null`. */
  get(tenantId: string, sessionId: string): Promise<VerificationSession | null>;
  /** Stores a new session (of `session.tenantId`). Returns `false`, changing nothing, when the id exists. */
  create(session: VerificationSession, options: SessionWriteOptions): Promise<boolean>;
  /** Replaces the session when the stored version is `expectedVersion`; `false` when it is not (or is gone). */
  compareAndSet(
    session: VerificationSession,
    expectedVersion: number,
    options: SessionWriteOptions,
  ): Promise<boolean>;
  /** Sessions of one end-user that are not terminal (`idle`, `sent`, `awaiting_push`, `awaiting_code`). */
  listActive(tenantId: string, endUserId: string): Promise<VerificationSession[]>;
  /** Every retained session bound to that ticket (`session.ticket.id`), open or closed, newest `createdAt` first. */
  listForTicket(tenantId: string, ticketId: string): Promise<VerificationSession[]>;
  /** Open sessions of every tenant whose `expiresAt` is at or before `now`, oldest first, at most `limit`. */
  listDue(now: number, limit: number): Promise<VerificationSession[]>;
}

/** How long a written session must be kept. @public */
export interface SessionWriteOptions {
  /** Keep the session at least this long after its `expiresAt` (history and late device answers still read). */
  retainMs: number;
}
