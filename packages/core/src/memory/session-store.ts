import { freezeCopy } from '../internal/immutable.js';
import { isTerminalStatus, type VerificationSession } from '../machine/session.js';
import type { SessionStore } from '../ports/session-store.js';

interface Entry {
  session: VerificationSession;
  dropAt: number;
}

/** Options for {@link createMemorySessionStore}. @public */
export interface MemorySessionStoreOptions {
  /** Clock used to drop entries past their retention (default `Date.now`). */
  now?: () => number;
}

/** A {@link SessionStore} in memory, whose stored sessions a test can read directly. @public */
export interface MemorySessionStore extends SessionStore {
  /**
   * The session as stored (deeply frozen), without the store's own read path: retention is not applied. What
   * `runSessionStoreConformance`'s `inspect` reads.
   */
  peek(tenantId: string, sessionId: string): VerificationSession | null;
}

/**
 * In-process {@link SessionStore}: the embedded default and the reference for `runSessionStoreConformance`.
 * Single process only; use a shared store (`@qdesk/store-postgres`) to run several app instances.
 *
 * Note: sessions are copied once when written and handed out deeply frozen on reads, so a read costs no copy and a
 * caller cannot change the store by mutating what it read.
 * @public
 */
export function createMemorySessionStore(options: MemorySessionStoreOptions = {}): MemorySessionStore {
  const now = options.now ?? Date.now;
  const sessions = new Map<string, Entry>();
  const active = new Map<string, Set<string>>();
  const byTicket = new Map<string, Set<string>>();
  const key = (tenantId: string, id: string) => `${tenantId}\u0000${id}`;

  const live = (tenantId: string, id: string): Entry | undefined => {
    const entry = sessions.get(key(tenantId, id));
    if (entry && entry.dropAt <= now()) {
      sessions.delete(key(tenantId, id));
      active.get(key(tenantId, entry.session.endUser.id))?.delete(id);
      if (entry.session.ticket) byTicket.get(key(tenantId, entry.session.ticket.id))?.delete(id);
      return undefined;
    }
    return entry;
  };
  const write = (session: VerificationSession, retainMs: number) => {
    sessions.set(key(session.tenantId, session.id), {
      session: freezeCopy(session),
      dropAt: session.expiresAt + retainMs,
    });
    const owner = key(session.tenantId, session.endUser.id);
    const ids = active.get(owner) ?? new Set<string>();
    if (isTerminalStatus(session.status)) ids.delete(session.id);
    else ids.add(session.id);
    active.set(owner, ids);
    if (session.ticket) {
      const ticket = key(session.tenantId, session.ticket.id);
      byTicket.set(ticket, (byTicket.get(ticket) ?? new Set<string>()).add(session.id));
    }
  };

  return {
    specificationVersion: 'v1',
    peek: (tenantId, sessionId) => sessions.get(key(tenantId, sessionId))?.session ?? null,
    async get(tenantId, sessionId) {
      return live(tenantId, sessionId)?.session ?? null;
    },
    async create(session, { retainMs }) {
      if (live(session.tenantId, session.id)) return false;
      write(session, retainMs);
      return true;
    },
    async compareAndSet(session, expectedVersion, { retainMs }) {
      const entry = live(session.tenantId, session.id);
      if (!entry || entry.session.version !== expectedVersion || session.version !== expectedVersion + 1) {
        return false;
      }
      write(session, retainMs);
      return true;
    },
    async listActive(tenantId, endUserId) {
      const out: VerificationSession[] = [];
      for (const id of active.get(key(tenantId, endUserId)) ?? []) {
        const entry = live(tenantId, id);
        if (entry) out.push(entry.session);
      }
      return out;
    },
    async listForTicket(tenantId, ticketId) {
      const out: VerificationSession[] = [];
      for (const id of byTicket.get(key(tenantId, ticketId)) ?? []) {
        const entry = live(tenantId, id);
        if (entry) out.push(entry.session);
      }
      return out.sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
    },
    async listDue(at, limit) {
      const due: VerificationSession[] = [];
      for (const { session } of sessions.values()) {
        if (!isTerminalStatus(session.status) && session.expiresAt <= at) due.push(session);
      }
      return due.sort((a, b) => a.expiresAt - b.expiresAt).slice(0, limit);
    },
  };
}
