import { type SignInSession, type SignInSessionStore, takenId } from './sign-in-sessions.js';

const alive = (session: SignInSession, now: number) =>
  now < session.idleExpiresAt && now < session.absoluteExpiresAt;

/**
 * A {@link SignInSessionStore} in this process: for tests and the demo, where one instance serves every request.
 * It follows the same rules as the PostgreSQL store, which the tests check against both. Sessions are lost on
 * restart, so everyone signs in again.
 * @example
 * ```ts
 * const signIns = database ? createPostgresSignInSessionStore(database) : createMemorySignInSessionStore();
 * ```
 * @public
 */
export function createMemorySignInSessionStore(): SignInSessionStore {
  const sessions = new Map<string, SignInSession>();
  return {
    specificationVersion: 'v1',
    async create(session) {
      if (sessions.has(session.id)) throw takenId();
      sessions.set(session.id, {
        ...session,
        email: session.email ?? null,
        idleExpiresAt: Math.min(session.idleExpiresAt, session.absoluteExpiresAt),
      });
    },
    async get(id, now) {
      const session = sessions.get(id);
      return session && alive(session, now) ? { ...session } : null;
    },
    async touch(id, now, idleExpiresAt) {
      const session = sessions.get(id);
      if (!session || !alive(session, now)) return false;
      session.lastSeenAt = Math.max(session.lastSeenAt, now);
      session.idleExpiresAt = Math.max(
        session.idleExpiresAt,
        Math.min(idleExpiresAt, session.absoluteExpiresAt),
      );
      return true;
    },
    async revoke(id) {
      sessions.delete(id);
    },
    async revokeAll(tenantId, kind, subject) {
      let revoked = 0;
      for (const [id, s] of sessions) {
        if (s.tenantId === tenantId && s.kind === kind && s.subject === subject && sessions.delete(id))
          revoked++;
      }
      return revoked;
    },
    async purge(now) {
      let purged = 0;
      for (const [id, s] of sessions) if (!alive(s, now) && sessions.delete(id)) purged++;
      return purged;
    },
  };
}
