import { type AuditLog, type AuditRecord, InputError, isQdeskError } from '@qdesk/core';
import {
  type AuditRow,
  normalizeAuditRecord,
  RECORD_COLUMNS,
  recordOfRow,
  recordValues,
} from './_audit-records.js';
import { canonicalAuditRecord } from './audit-canonical.js';
import type { Queryable } from './database.js';

/** An {@link AuditLog} on PostgreSQL or PGlite whose records of each tenant form a hash chain. @public */
export interface PostgresAuditLog extends AuditLog {
  /** Records of one tenant matching every filter, newest first (by time, then by append order). */
  query(tenantId: string, filter: AuditQuery): Promise<AuditRecord[]>;
}

/** `AuditLog.query`'s filter (core's `AuditQuery`, not exported from its index). */
type AuditQuery = Parameters<NonNullable<AuditLog['query']>>[1];

const APPEND = `SELECT qdesk_audit_append($1::text, $2::text, $3::text, $4::bigint, $5::text, $6::text, $7::text,
  $8::text, $9::text, $10::text, $11::text, $12::text, $13::text, $14::boolean, $15::text, $16::text, $17::text,
  $18::jsonb) AS seq`;

/** The `WHERE` of a query: the tenant and every filter given, as SQL with its parameters. */
function whereOf(tenantId: string, filter: AuditQuery): { sql: string; params: unknown[] } {
  const params: unknown[] = [tenantId];
  const clauses = ['tenant_id = $1'];
  const add = (sql: (n: string) => string, value: unknown) => {
    params.push(value);
    clauses.push(sql(`$${params.length}`));
  };
  if (filter.ticketId !== undefined) add((n) => `ticket_id = ${n}`, filter.ticketId);
  if (filter.endUserId !== undefined) add((n) => `end_user_id = ${n}`, filter.endUserId);
  if (filter.sessionId !== undefined) add((n) => `session_id = ${n}`, filter.sessionId);
  if (filter.technicianId !== undefined) {
    add((n) => `actor_type = 'technician' AND actor_id = ${n}`, filter.technicianId);
  }
  if (filter.customerId !== undefined) add((n) => `customer_id = ${n}`, filter.customerId);
  if (filter.actions !== undefined) add((n) => `action = ANY(${n}::text[])`, [...filter.actions]);
  if (filter.since !== undefined) add((n) => `at >= ${n}`, filter.since);
  if (filter.until !== undefined) add((n) => `at < ${n}`, filter.until);
  return { sql: clauses.join(' AND '), params };
}

/**
 * The audit log in the `qdesk_audit` table, tamper-evident: each tenant's records form a hash chain (each record
 * carries the SHA-256 of the one before it, over {@link canonicalAuditRecord}) that {@link verifyAuditChain} walks,
 * naming the first record that was altered, removed or reordered. {@link exportAudit} writes it as JSON lines or CEF.
 *
 * `query` takes every filter of `AuditQuery` (ticket, end-user, technician, session, customer, any of several
 * actions, and the time range `since` inclusive to `until` exclusive), newest first, 100 by default.
 *
 * Note: an append is one round trip, a call of the `qdesk_audit_append` function the migration creates. It locks
 * the tenant's head row, links the record to the head's hash, inserts it with the next `seq` and moves the head, all
 * in one statement: appenders on any number of connections and app instances queue on that row lock, so the chain
 * never forks and `seq` has no gap. Run it at PostgreSQL's default isolation, READ COMMITTED.
 *
 * Note: a record PostgreSQL cannot store exactly (a NUL character or a lone UTF-16 surrogate in a string, a time that
 * is not an integer, a detail value that is not a string, finite number, boolean or null) is refused with an
 * `InputError` naming the field, before anything is written: stored changed, it would no longer match its hash.
 * A retried append of a record already stored (same id, same content) is a no-op; a different record under an id the
 * tenant already used is refused with an `InputError`.
 * @example
 * ```ts
 * const audit = createPostgresAuditLog(database);
 * const verifier = createVerifier({ ...ports, audit });
 * ```
 * @public
 */
export function createPostgresAuditLog(database: Queryable): PostgresAuditLog {
  return {
    specificationVersion: 'v1',
    capabilities: { query: true },
    async append(given) {
      const record = normalizeAuditRecord(given);
      try {
        await database.query(APPEND, [
          record.tenantId,
          canonicalAuditRecord(record),
          ...recordValues(record),
        ]);
      } catch (error) {
        if (isQdeskError(error) && error.details.sqlState === '23505') {
          throw new InputError(
            `Tenant ${record.tenantId} already has a different audit record with id ${record.id}; give every record a new id.`,
            {
              cause: error,
              issues: [{ path: 'id', message: 'already used by another record of this tenant' }],
            },
          );
        }
        throw error;
      }
    },
    async query(tenantId, filter) {
      const { sql, params } = whereOf(tenantId, filter);
      params.push(filter.limit ?? 100);
      const { rows } = await database.query<Omit<AuditRow, 'prev_hash' | 'hash'>>(
        `SELECT ${RECORD_COLUMNS} FROM qdesk_audit WHERE ${sql} ORDER BY at DESC, seq DESC LIMIT $${params.length}`,
        params,
      );
      return rows.map(recordOfRow);
    },
  };
}
