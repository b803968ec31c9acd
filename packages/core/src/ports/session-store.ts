import type { VerificationSession } from '../machine/session.js';

/**
 * Where sessions and rate counters live. The memory store is the default; a Redis store lets several app instances
 * share one view.
 *
 * Partner guide: implement every method; run `runSessionStoreConformance` from `@qdesk/core/testing` in your suite.
 * Rules the verifier relies on:
 * - `create` refuses an id that exists (returns `false`), it never overwrites.
 * - `compareAndSet` writes only when the stored version equals `expectedVersion`, atomically, and the new session's
 *   `version` is `expectedVersion + 1`. Two writers racing on one version: exactly one wins.
 * - `get` returns a deep copy (or an immutable value): mutating it never changes the store.
 * - `increment` is atomic: N concurrent calls on one key return N distinct counts.
 * @public
 */
export interface SessionStore {
  /** The session with that id, or `null`. */
  get(id: string): Promise<VerificationSession | null>;
  /**
   * Stores a new session. Returns `false` (and changes nothing) when the id already exists.
   * `ttlMs` is how long after its deadline the session may be kept; the store may drop it after that.
   */
  create(session: VerificationSession, ttlMs: number): Promise<boolean>;
  /** Replaces the session if the stored version is `expectedVersion`. Returns `false` when it is not (or is gone). */
  compareAndSet(session: VerificationSession, expectedVersion: number, ttlMs: number): Promise<boolean>;
  /** Ids of sessions for one end-user that are not terminal in the store (the caller re-reads each). */
  listActiveForEndUser(endUserId: string): Promise<string[]>;
  /** Adds one to a windowed counter and returns the count within the window, this call included. */
  increment(key: string, windowMs: number, now: number): Promise<number>;
  /** Current count within the window (0 when none). */
  count(key: string, windowMs: number, now: number): Promise<number>;
  /** Drops a counter. */
  resetCounter(key: string): Promise<void>;
}
