/**
 * Deliberately broken session stores, one mistake each, to show that every session-store rule can fail and says
 * what to fix. Not exported from the package.
 */
import { isTerminalStatus, type VerificationSession } from '../../machine/session.js';
import type { SessionStore } from '../../ports/session-store.js';

/** The mistake a broken store makes. @internal */
export type SessionStoreFlaw =
  | 'declares v0'
  | 'answers undefined for a missing session'
  | 'stores timestamps as strings'
  | 'overwrites on create'
  | 'ignores the tenant'
  | 'hands out its own objects'
  | 'keeps the caller object'
  | 'skips the version check'
  | 'creates on compareAndSet'
  | 'checks and writes in two steps'
  | 'lists closed sessions'
  | 'lists every ticket'
  | 'lists closed sessions as due';

/** A broken store with a raw read for the kit's `inspect`. @internal */
export interface BrokenSessionStore extends SessionStore {
  /** The stored value itself. */
  peek(tenantId: string, sessionId: string): VerificationSession | null;
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A store that makes `flaw` and is otherwise correct. @internal */
export function createBrokenSessionStore(flaw: SessionStoreFlaw): BrokenSessionStore {
  const rows = new Map<string, VerificationSession>();
  const key = (tenantId: string, id: string) =>
    flaw === 'ignores the tenant' ? id : `${tenantId}\u0000${id}`;
  const read = (s: VerificationSession | undefined) =>
    s === undefined ? null : flaw === 'hands out its own objects' ? s : structuredClone(s);
  const write = (session: VerificationSession) => {
    let stored = flaw === 'keeps the caller object' ? session : structuredClone(session);
    if (flaw === 'stores timestamps as strings') {
      stored = { ...stored, createdAt: String(stored.createdAt) as unknown as number };
    }
    rows.set(key(session.tenantId, session.id), stored);
  };
  return {
    specificationVersion: (flaw === 'declares v0' ? 'v0' : 'v1') as 'v1',
    peek: (tenantId, id) => rows.get(key(tenantId, id)) ?? null,
    async get(tenantId, id) {
      const found = read(rows.get(key(tenantId, id)));
      return found === null && flaw === 'answers undefined for a missing session'
        ? (undefined as never)
        : found;
    },
    async create(session) {
      if (rows.has(key(session.tenantId, session.id)) && flaw !== 'overwrites on create') return false;
      write(session);
      return true;
    },
    async compareAndSet(session, expectedVersion) {
      const stored = rows.get(key(session.tenantId, session.id));
      if (!stored && flaw !== 'creates on compareAndSet') return false;
      const versionOk = stored?.version === expectedVersion && session.version === expectedVersion + 1;
      if (stored && !versionOk && flaw !== 'skips the version check') return false;
      if (flaw === 'checks and writes in two steps') await tick();
      write(session);
      return true;
    },
    async listActive(tenantId, endUserId) {
      return [...rows.values()]
        .filter((s) => s.tenantId === tenantId && s.endUser.id === endUserId)
        .filter((s) => flaw === 'lists closed sessions' || !isTerminalStatus(s.status))
        .map((s) => structuredClone(s));
    },
    async listForTicket(tenantId, ticketId) {
      return [...rows.values()]
        .filter(
          (s) => s.tenantId === tenantId && (flaw === 'lists every ticket' || s.ticket?.id === ticketId),
        )
        .sort((a, b) => b.createdAt - a.createdAt)
        .map((s) => structuredClone(s));
    },
    async listDue(now, limit) {
      return [...rows.values()]
        .filter((s) => flaw === 'lists closed sessions as due' || !isTerminalStatus(s.status))
        .filter((s) => s.expiresAt <= now)
        .sort((a, b) => a.expiresAt - b.expiresAt)
        .slice(0, limit)
        .map((s) => structuredClone(s));
    },
  };
}
