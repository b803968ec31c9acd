import { freezeCopy } from '../internal/immutable.js';
import { isTerminalStatus, type VerificationSession } from '../machine/session.js';
import type { SessionStore } from '../ports/session-store.js';

interface Entry {
  session: VerificationSession;
  dropAt: number;
}

/** Options for {@link createMemorySessionStore}. @public */
export interface MemorySessionStoreOptions {
  /** Clock used to drop entries past their TTL (default `Date.now`). */
  now?: () => number;
}

/**
 * In-process {@link SessionStore}: the embedded default and the reference for `runSessionStoreConformance`.
 * Single process only; use a shared store (Redis) to run several app instances.
 *
 * Note: sessions are copied once when written and handed out deeply frozen on reads, so a read costs no copy and
 * a caller cannot change the store by mutating what it read.
 * @public
 */
export function createMemorySessionStore(options: MemorySessionStoreOptions = {}): SessionStore {
  const now = options.now ?? Date.now;
  const sessions = new Map<string, Entry>();
  const byEndUser = new Map<string, Set<string>>();
  const counters = new Map<string, number[]>();

  const live = (id: string): Entry | undefined => {
    const entry = sessions.get(id);
    if (entry && entry.dropAt <= now()) {
      sessions.delete(id);
      byEndUser.get(entry.session.endUser.id)?.delete(id);
      return undefined;
    }
    return entry;
  };
  const index = (session: VerificationSession) => {
    const ids = byEndUser.get(session.endUser.id) ?? new Set<string>();
    if (isTerminalStatus(session.status)) ids.delete(session.id);
    else ids.add(session.id);
    byEndUser.set(session.endUser.id, ids);
  };
  const within = (key: string, windowMs: number, at: number) => {
    const hits = (counters.get(key) ?? []).filter((t) => t > at - windowMs);
    counters.set(key, hits);
    return hits;
  };

  return {
    async get(id) {
      const entry = live(id);
      return entry ? entry.session : null;
    },
    async create(session, ttlMs) {
      if (live(session.id)) return false;
      sessions.set(session.id, { session: freezeCopy(session), dropAt: session.expiresAt + ttlMs });
      index(session);
      return true;
    },
    async compareAndSet(session, expectedVersion, ttlMs) {
      const entry = live(session.id);
      if (!entry || entry.session.version !== expectedVersion || session.version !== expectedVersion + 1)
        return false;
      sessions.set(session.id, { session: freezeCopy(session), dropAt: session.expiresAt + ttlMs });
      index(session);
      return true;
    },
    async listActiveForEndUser(endUserId) {
      return [...(byEndUser.get(endUserId) ?? [])].filter((id) => live(id) !== undefined);
    },
    async increment(key, windowMs, at) {
      const hits = within(key, windowMs, at);
      hits.push(at);
      return hits.length;
    },
    async count(key, windowMs, at) {
      return within(key, windowMs, at).length;
    },
    async resetCounter(key) {
      counters.delete(key);
    },
  };
}
