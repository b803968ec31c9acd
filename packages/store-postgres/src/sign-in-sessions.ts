import { QdeskError } from '@qdesk/core';
import type { Queryable } from './database.js';

/** Who signed in: a member of the MSP's staff, or an end-user on the self-service pages. @public */
export type SignInKind = 'technician' | 'end_user';

/** One sign-in of a technician or an end-user to the reference app, as a {@link SignInSessionStore} keeps it. @public */
export interface SignInSession {
  /**
   * The SHA-256 (hex or base64url) of the random token in the sign-in cookie, never the token itself: someone who
   * reads the table cannot sign in with what they read.
   */
  id: string;
  /** The MSP the session belongs to. */
  tenantId: string;
  /** A technician's sign-in or an end-user's. */
  kind: SignInKind;
  /** The technician's id or the end-user's id. */
  subject: string;
  /** The name to show (a technician's), or `null`. */
  name: string | null;
  /** A technician's role, set at sign-in from what the credential proved; `null` for an end-user. */
  role: 'technician' | 'admin' | null;
  /** The email the identity provider gave at sign-in (a technician's, to write PSA notes as them), or `null`. */
  email?: string | null;
  /** Epoch milliseconds of the sign-in. */
  createdAt: number;
  /** Epoch milliseconds of the last request that used the session. */
  lastSeenAt: number;
  /** Epoch milliseconds at which an unused session ends; {@link SignInSessionStore.touch} slides it. */
  idleExpiresAt: number;
  /** Epoch milliseconds at which the session ends however busy it is; never moves. */
  absoluteExpiresAt: number;
}

/**
 * Where the reference app keeps its sign-in sessions server-side, so that an administrator can end someone's
 * sessions and a stolen cookie stops working once revoked or expired.
 *
 * ## Rules every implementation follows
 * - The caller picks the id: a SHA-256 of a random cookie token (32 bytes from a CSPRNG). The store never sees the
 *   token, so its contents cannot be replayed as a cookie.
 * - A session is alive at `now` while `now < idleExpiresAt` and `now < absoluteExpiresAt`. The idle expiry never
 *   passes the absolute one (`create` and `touch` cap it). A dead session reads as missing.
 * - A revoked session is deleted: it reads as missing and cannot be touched back to life.
 * - What `get` returns is a copy; `create` stores a copy.
 * @public
 */
export interface SignInSessionStore {
  /** The version of this interface the implementation follows. */
  readonly specificationVersion: 'v1';
  /**
   * Stores a new session (its idle expiry capped at its absolute one). Throws a `QdeskError` with code `conflict`
   * when the id is taken: make every id from a new random token.
   */
  create(session: SignInSession): Promise<void>;
  /** The session, or `null` when it is missing, revoked, or expired (idle or absolute) at `now`. */
  get(id: string, now: number): Promise<SignInSession | null>;
  /**
   * Records a request at `now` and slides the idle expiry to `idleExpiresAt`, never past the absolute expiry and
   * never back. `false` (and nothing changed) when the session is missing, revoked or expired at `now`.
   */
  touch(id: string, now: number, idleExpiresAt: number): Promise<boolean>;
  /** Ends one session (sign-out). Nothing happens for an id that is not stored. */
  revoke(id: string): Promise<void>;
  /**
   * Ends every session of one technician or end-user in one tenant (an administrator revokes them); returns how
   * many rows it deleted, expired ones not yet purged included.
   */
  revokeAll(tenantId: string, kind: SignInKind, subject: string): Promise<number>;
  /** Deletes every session (any tenant) expired at `now`; returns how many. Run it from a sweeper. */
  purge(now: number): Promise<number>;
}

/** The error both stores throw for an id that is taken. @internal */
export const takenId = () =>
  new QdeskError(
    'A sign-in session with this id exists already; make every id from a new random token (the SHA-256 of 32 random bytes).',
    { code: 'conflict' },
  );

interface SignInRow {
  id: string;
  tenant_id: string;
  kind: SignInKind;
  subject: string;
  name: string | null;
  role: SignInSession['role'];
  email: string | null;
  created_at: number;
  last_seen_at: number;
  idle_expires_at: number;
  absolute_expires_at: number;
}

const COLUMNS =
  'id, tenant_id, kind, subject, name, role, email, created_at, last_seen_at, idle_expires_at, absolute_expires_at';

const sessionOf = (row: SignInRow): SignInSession => ({
  id: row.id,
  tenantId: row.tenant_id,
  kind: row.kind,
  subject: row.subject,
  name: row.name,
  role: row.role,
  email: row.email,
  createdAt: row.created_at,
  lastSeenAt: row.last_seen_at,
  idleExpiresAt: row.idle_expires_at,
  absoluteExpiresAt: row.absolute_expires_at,
});

/**
 * Sign-in sessions in the `qdesk_sign_in_sessions` table, shared by every app instance on the database. Each method
 * is one statement.
 *
 * Note: `touch` is one `UPDATE` that checks the expiry in its `WHERE`, so a session revoked or expired a moment
 * before is never revived; the new idle expiry is `greatest(old, least(given, absolute))`, so two requests touching
 * at once in either order leave the later expiry.
 * @example
 * ```ts
 * const signIns = createPostgresSignInSessionStore(database);
 * const id = createHash('sha256').update(token).digest('base64url');
 * await signIns.create({ id, tenantId, kind: 'technician', subject: tech.id, name: tech.name, role: 'technician',
 *   createdAt: now, lastSeenAt: now, idleExpiresAt: now + 30 * 60_000, absoluteExpiresAt: now + 8 * 3_600_000 });
 * ```
 * @public
 */
export function createPostgresSignInSessionStore(database: Queryable): SignInSessionStore {
  return {
    specificationVersion: 'v1',
    async create(session) {
      const { rowCount } = await database.query(
        `INSERT INTO qdesk_sign_in_sessions (${COLUMNS})
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, least($10::bigint, $11::bigint), $11)
         ON CONFLICT (id) DO NOTHING`,
        [
          session.id,
          session.tenantId,
          session.kind,
          session.subject,
          session.name,
          session.role,
          session.email ?? null,
          session.createdAt,
          session.lastSeenAt,
          session.idleExpiresAt,
          session.absoluteExpiresAt,
        ],
      );
      if (rowCount !== 1) throw takenId();
    },
    async get(id, now) {
      const { rows } = await database.query<SignInRow>(
        `SELECT ${COLUMNS} FROM qdesk_sign_in_sessions
         WHERE id = $1 AND idle_expires_at > $2 AND absolute_expires_at > $2`,
        [id, now],
      );
      return rows[0] ? sessionOf(rows[0]) : null;
    },
    async touch(id, now, idleExpiresAt) {
      const { rowCount } = await database.query(
        `UPDATE qdesk_sign_in_sessions SET
           last_seen_at = greatest(last_seen_at, $2::bigint),
           idle_expires_at = greatest(idle_expires_at, least($3::bigint, absolute_expires_at))
         WHERE id = $1 AND idle_expires_at > $2::bigint AND absolute_expires_at > $2::bigint`,
        [id, now, idleExpiresAt],
      );
      return rowCount === 1;
    },
    async revoke(id) {
      await database.query('DELETE FROM qdesk_sign_in_sessions WHERE id = $1', [id]);
    },
    async revokeAll(tenantId, kind, subject) {
      const { rowCount } = await database.query(
        'DELETE FROM qdesk_sign_in_sessions WHERE tenant_id = $1 AND kind = $2 AND subject = $3',
        [tenantId, kind, subject],
      );
      return rowCount;
    },
    async purge(now) {
      // The idle expiry never passes the absolute one (a CHECK of the table), so it alone says "expired".
      const { rowCount } = await database.query(
        'DELETE FROM qdesk_sign_in_sessions WHERE idle_expires_at <= $1',
        [now],
      );
      return rowCount;
    },
  };
}
