/** Audit records as rows of `qdesk_audit` and back, and the checks a record passes before it is stored. */
import { type AuditRecord, InputError } from '@qdesk/core';

/** One row of `qdesk_audit` as both drivers read it (`bytea` as bytes, `jsonb` parsed, `bigint` as number). */
export interface AuditRow {
  tenant_id: string;
  seq: number;
  id: string;
  at: number;
  session_id: string | null;
  action: string;
  actor_type: AuditRecord['actor']['type'];
  actor_id: string;
  actor_name: string | null;
  ticket_id: string | null;
  ticket_number: string | null;
  end_user_id: string | null;
  customer_id: string | null;
  customer_id_set: boolean;
  method: AuditRecord['method'];
  result: string;
  status: string | null;
  detail: AuditRecord['detail'] | null;
  prev_hash: Uint8Array;
  hash: Uint8Array;
}

/** The columns a record is read back from (`query` needs no more; every column costs PGlite time to decode). */
export const RECORD_COLUMNS = `tenant_id, seq, id, at, session_id, action, actor_type, actor_id, actor_name, ticket_id,
  ticket_number, end_user_id, customer_id, customer_id_set, method, result, status, detail`;

/** Every column of a row, in the order `AuditRow` lists them: the record and its place in the chain. */
export const AUDIT_COLUMNS = `${RECORD_COLUMNS}, prev_hash, hash`;

/** A record's own column values, in {@link RECORD_COLUMNS} order from `id` on (after `tenant_id, seq`). */
export function recordValues(record: AuditRecord): unknown[] {
  return [
    record.id,
    record.at,
    record.sessionId,
    record.action,
    record.actor.type,
    record.actor.id,
    record.actor.name ?? null,
    record.ticketId,
    record.ticketNumber,
    record.endUserId,
    record.customerId ?? null,
    record.customerId !== undefined,
    record.method,
    record.result,
    record.status,
    record.detail === undefined ? null : JSON.stringify(record.detail),
  ];
}

/** The record a row holds, exactly as it was appended (after {@link normalizeAuditRecord}). */
export function recordOfRow(row: Omit<AuditRow, 'prev_hash' | 'hash'>): AuditRecord {
  return {
    id: row.id,
    at: row.at,
    tenantId: row.tenant_id,
    sessionId: row.session_id,
    action: row.action,
    actor: {
      type: row.actor_type,
      id: row.actor_id,
      ...(row.actor_name === null ? {} : { name: row.actor_name }),
    },
    ticketId: row.ticket_id,
    ticketNumber: row.ticket_number,
    endUserId: row.end_user_id,
    ...(row.customer_id_set ? { customerId: row.customer_id } : {}),
    method: row.method,
    result: row.result,
    status: row.status,
    ...(row.detail === null ? {} : { detail: row.detail }),
  };
}

/** A byte string as lowercase hex. */
export const hex = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('hex');

// NUL cannot be stored in text or jsonb; a lone surrogate would be stored as U+FFFD, so the stored record would no
// longer match its hash. Both are refused up front, with the field named.
const LONE_SURROGATE = /\p{Cs}/u;
const stringIssue = (value: string) =>
  value.includes('\u0000') || LONE_SURROGATE.test(value)
    ? 'holds a NUL character or a lone UTF-16 surrogate, which PostgreSQL cannot store; remove it'
    : null;

type Issues = { path: string; message: string }[];

function checkString(issues: Issues, path: string, value: unknown, nullable: boolean): void {
  if (value === null || value === undefined) {
    if (!nullable) issues.push({ path, message: 'is required: give a string' });
    return;
  }
  if (typeof value !== 'string') {
    issues.push({ path, message: `is a ${typeof value}; give a string${nullable ? ' or null' : ''}` });
    return;
  }
  const problem = stringIssue(value);
  if (problem) issues.push({ path, message: problem });
}

function checkDetail(issues: Issues, detail: unknown): void {
  if (detail === undefined || detail === null) return;
  if (
    typeof detail !== 'object' ||
    Array.isArray(detail) ||
    Object.getPrototypeOf(detail) !== Object.prototype
  ) {
    issues.push({
      path: 'detail',
      message: 'must be a plain object of strings, numbers, booleans and nulls',
    });
    return;
  }
  for (const [key, value] of Object.entries(detail)) {
    const path = `detail.${key}`;
    const keyProblem = stringIssue(key);
    if (keyProblem) issues.push({ path, message: `has a key that ${keyProblem}` });
    if (typeof value === 'string') checkString(issues, path, value, false);
    else if (typeof value === 'number' && !Number.isFinite(value)) {
      issues.push({ path, message: `is ${value}; give a finite number, or a string` });
    } else if (
      value !== null &&
      value !== undefined &&
      typeof value !== 'number' &&
      typeof value !== 'boolean'
    ) {
      issues.push({ path, message: `is a ${typeof value}; give a string, number, boolean or null` });
    }
  }
}

/**
 * The record as the log stores it, or an `InputError` naming every field it cannot store as given. What a column
 * cannot tell apart is made equal here (a missing nullable field is `null`, a `null` detail or actor name is left
 * out, a detail entry holding `undefined` is dropped), so the hash of the record appended is the hash of the record
 * read back.
 */
export function normalizeAuditRecord(record: AuditRecord): AuditRecord {
  const issues: Issues = [];
  for (const field of ['id', 'tenantId', 'action', 'result'] as const) {
    checkString(issues, field, record[field], false);
  }
  for (const field of ['sessionId', 'ticketId', 'ticketNumber', 'endUserId', 'method', 'status'] as const) {
    checkString(issues, field, record[field], true);
  }
  if (record.customerId !== undefined) checkString(issues, 'customerId', record.customerId, true);
  if (!Number.isSafeInteger(record.at)) {
    issues.push({ path: 'at', message: `is ${String(record.at)}; give epoch milliseconds as an integer` });
  }
  const actor = record.actor as Partial<AuditRecord['actor']> | undefined;
  if (!actor || typeof actor !== 'object')
    issues.push({ path: 'actor', message: 'is required: { type, id }' });
  else {
    checkString(issues, 'actor.type', actor.type, false);
    checkString(issues, 'actor.id', actor.id, false);
    checkString(issues, 'actor.name', actor.name, true);
  }
  checkDetail(issues, record.detail);
  if (issues.length) throw InputError.fromIssues('the PostgreSQL audit log (append)', issues);

  const detail = record.detail
    ? Object.fromEntries(Object.entries(record.detail).filter(([, value]) => value !== undefined))
    : undefined;
  return {
    id: record.id,
    at: record.at,
    tenantId: record.tenantId,
    sessionId: record.sessionId ?? null,
    action: record.action,
    actor: {
      type: record.actor.type,
      id: record.actor.id,
      ...(record.actor.name == null ? {} : { name: record.actor.name }),
    },
    ticketId: record.ticketId ?? null,
    ticketNumber: record.ticketNumber ?? null,
    endUserId: record.endUserId ?? null,
    ...(record.customerId === undefined ? {} : { customerId: record.customerId }),
    method: record.method ?? null,
    result: record.result,
    status: record.status ?? null,
    ...(detail ? { detail } : {}),
  };
}

/**
 * The pages of a keyset-paginated read in `seq` order: `fetch(after)` reads up to `batchSize` rows with `seq > after`.
 * The next page is asked for as soon as a page arrives, so the database reads it while the caller works on this one
 * (two pages in memory at most); a caller that stops early leaves nothing unhandled.
 */
export async function* pagesBySeq<Row extends { seq: number }>(
  fetch: (after: number) => Promise<Row[]>,
  batchSize: number,
): AsyncGenerator<Row[]> {
  let pending = fetch(0);
  try {
    for (;;) {
      const rows = await pending;
      const more = rows.length === batchSize;
      if (more) pending = fetch(rows[rows.length - 1]!.seq);
      yield rows;
      if (!more) return;
    }
  } finally {
    pending.catch(() => undefined);
  }
}
