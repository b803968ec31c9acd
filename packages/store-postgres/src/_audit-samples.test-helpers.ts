import { randomBytes } from 'node:crypto';
import type { AuditRecord } from '@qdesk/core';
import { AUDIT_COLUMNS, type AuditRow, recordOfRow } from './_audit-records.js';
import { createPostgresAuditLog } from './audit-log.js';
import type { Queryable } from './database.js';

/** A tenant id no other test uses. */
export const freshTenant = (prefix = 'msp') => `${prefix}-${randomBytes(4).toString('hex')}`;

const T0 = Date.UTC(2026, 0, 1, 9, 30);

/** The record the chain tests append as number `i` of `tenantId`: every field set, a different action each time. */
export function chainRecord(tenantId: string, i: number, overrides: Partial<AuditRecord> = {}): AuditRecord {
  const actions = ['start', 'send', 'check_code', 'approve', 'outcome', 'write_note'] as const;
  return {
    id: `au-${tenantId}-${i}`,
    at: T0 + i * 1_000,
    tenantId,
    sessionId: `sess-${Math.floor(i / 6)}`,
    action: actions[i % actions.length]!,
    actor: { type: 'technician', id: 'tech-1', name: 'Sam Tech' },
    ticketId: `${1000 + Math.floor(i / 6)}`,
    ticketNumber: `T20260101.${String(1000 + Math.floor(i / 6)).padStart(4, '0')}`,
    endUserId: 'eu-ana',
    customerId: i % 2 === 0 ? 'cust-northwind' : 'cust-contoso',
    method: 'sms',
    result: 'ok',
    status: 'awaiting_code',
    detail: { attemptsLeft: 4 - (i % 5), reason: null, locked: false },
    ...overrides,
  };
}

/** Appends `count` chain records of `tenantId` in order through the audit log; returns them. */
export async function appendChain(
  database: Queryable,
  tenantId: string,
  count: number,
): Promise<AuditRecord[]> {
  const log = createPostgresAuditLog(database);
  const records = Array.from({ length: count }, (_, i) => chainRecord(tenantId, i));
  for (const record of records) await log.append(record);
  return records;
}

/** Every row of a tenant's chain, in seq order, read directly. */
export async function chainRows(database: Queryable, tenantId: string): Promise<AuditRow[]> {
  const { rows } = await database.query<AuditRow>(
    `SELECT ${AUDIT_COLUMNS} FROM qdesk_audit WHERE tenant_id = $1 ORDER BY seq`,
    [tenantId],
  );
  return rows;
}

/** Every record of a tenant as stored, in seq order. */
export async function storedRecords(database: Queryable, tenantId: string): Promise<AuditRecord[]> {
  return (await chainRows(database, tenantId)).map(recordOfRow);
}
