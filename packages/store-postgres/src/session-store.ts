import type { SessionStore } from '@qdesk/core';
import { isTerminalStatus, type VerificationSession } from '@qdesk/core/machine';
import type { Queryable } from './database.js';

/** Options for {@link createPostgresSessionStore}. @public */
export interface PostgresSessionStoreOptions {
  /** Clock for retention (default `Date.now`): a session past `expiresAt + retainMs` reads as gone. */
  now?: () => number;
  /** How often, at most, `listDue` also deletes sessions past their retention, in ms (default 60,000). */
  purgeEveryMs?: number;
}

/** A {@link SessionStore} on PostgreSQL or PGlite, with {@link PostgresSessionStore.purge} for its cleanup. @public */
export interface PostgresSessionStore extends SessionStore {
  /** Deletes every session past its retention (any tenant); returns how many. `listDue` calls it once a minute. */
  purge(): Promise<number>;
}

const COLUMNS = 'data';
const rowsOf = (rows: { data: VerificationSession }[]) => rows.map((r) => r.data);

/**
 * Sessions in the `qdesk_sessions` table: the session as JSON, with the columns its queries use beside it.
 *
 * Note: `compareAndSet` is one `UPDATE ... WHERE version = $expected`: PostgreSQL's row lock makes two writers on
 * one version serialise, and the second finds the version moved and changes nothing, on any number of instances.
 * @public
 */
export function createPostgresSessionStore(
  database: Queryable,
  options: PostgresSessionStoreOptions = {},
): PostgresSessionStore {
  const now = options.now ?? Date.now;
  const purgeEveryMs = options.purgeEveryMs ?? 60_000;
  let lastPurge = Number.NEGATIVE_INFINITY;
  const values = (session: VerificationSession, retainMs: number) => [
    session.tenantId,
    session.id,
    session.version,
    !isTerminalStatus(session.status),
    session.endUser.id,
    session.ticket?.id ?? null,
    session.createdAt,
    session.expiresAt,
    session.expiresAt + retainMs,
    JSON.stringify(session),
  ];

  const purge = async () => {
    lastPurge = now();
    const { rowCount } = await database.query('DELETE FROM qdesk_sessions WHERE drop_at <= $1', [lastPurge]);
    return rowCount;
  };

  return {
    specificationVersion: 'v1',
    purge,
    async get(tenantId, sessionId) {
      const { rows } = await database.query<{ data: VerificationSession }>(
        `SELECT ${COLUMNS} FROM qdesk_sessions WHERE tenant_id = $1 AND id = $2 AND drop_at > $3`,
        [tenantId, sessionId, now()],
      );
      return rows[0]?.data ?? null;
    },
    async create(session, { retainMs }) {
      // A row past its retention is gone as far as readers know, so its id may be taken again.
      const { rowCount } = await database.query(
        `INSERT INTO qdesk_sessions
          (tenant_id, id, version, open, end_user_id, ticket_id, created_at, expires_at, drop_at, data)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (tenant_id, id) DO UPDATE SET
           version = EXCLUDED.version, open = EXCLUDED.open, end_user_id = EXCLUDED.end_user_id,
           ticket_id = EXCLUDED.ticket_id, created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at,
           drop_at = EXCLUDED.drop_at, data = EXCLUDED.data
         WHERE qdesk_sessions.drop_at <= $11`,
        [...values(session, retainMs), now()],
      );
      return rowCount === 1;
    },
    async compareAndSet(session, expectedVersion, { retainMs }) {
      if (session.version !== expectedVersion + 1) return false;
      const { rowCount } = await database.query(
        `UPDATE qdesk_sessions SET
           version = $3, open = $4, end_user_id = $5, ticket_id = $6, created_at = $7, expires_at = $8,
           drop_at = $9, data = $10
         WHERE tenant_id = $1 AND id = $2 AND version = $11 AND drop_at > $12`,
        [...values(session, retainMs), expectedVersion, now()],
      );
      return rowCount === 1;
    },
    async listActive(tenantId, endUserId) {
      const { rows } = await database.query<{ data: VerificationSession }>(
        `SELECT ${COLUMNS} FROM qdesk_sessions
         WHERE tenant_id = $1 AND end_user_id = $2 AND open AND drop_at > $3`,
        [tenantId, endUserId, now()],
      );
      return rowsOf(rows);
    },
    async listForTicket(tenantId, ticketId) {
      const { rows } = await database.query<{ data: VerificationSession }>(
        `SELECT ${COLUMNS} FROM qdesk_sessions
         WHERE tenant_id = $1 AND ticket_id = $2 AND drop_at > $3
         ORDER BY created_at DESC, id DESC`,
        [tenantId, ticketId, now()],
      );
      return rowsOf(rows);
    },
    async listDue(at, limit) {
      if (now() - lastPurge >= purgeEveryMs) await purge();
      const { rows } = await database.query<{ data: VerificationSession }>(
        `SELECT ${COLUMNS} FROM qdesk_sessions
         WHERE open AND expires_at <= $1 AND drop_at > $2
         ORDER BY expires_at, id LIMIT $3`,
        [at, now(), limit],
      );
      return rowsOf(rows);
    },
  };
}
