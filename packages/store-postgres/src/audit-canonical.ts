import { createHash } from 'node:crypto';
import type { AuditRecord } from '@qdesk/core';

/** The version tag every canonical record starts with; a new encoding would get a new one. */
const ENCODING_VERSION = 1;

/**
 * Plain JSON in the JSON Canonicalization Scheme (RFC 8785): keys sorted by UTF-16 code units, no whitespace.
 * @internal
 */
export function canonicalJson(value: unknown): string {
  if (typeof value === 'string' || value === null || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`${value} has no canonical JSON form`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, field]) => field !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, field]) => `${JSON.stringify(key)}:${canonicalJson(field)}`).join(',')}}`;
  }
  throw new TypeError(`a ${typeof value} has no canonical JSON form`);
}

/**
 * The canonical encoding of an audit record: the text whose UTF-8 bytes the hash chain hashes. Partners and
 * auditors can re-implement it (and so check an export without QDesk) from this description:
 *
 * - a JSON object in the JSON Canonicalization Scheme (RFC 8785): members sorted by key (UTF-16 code units), no
 *   whitespace, strings escaped as ECMAScript's `JSON.stringify` does, numbers as ECMAScript prints them;
 * - its members: `"v":1` (this encoding's version), then the record's own fields `tenantId`, `id`, `at`,
 *   `sessionId`, `action`, `actor` (`type`, `id`, and `name` when it has one), `ticketId`, `ticketNumber`,
 *   `endUserId`, `customerId` (only when the record has the field, `null` included), `method`, `result`, `status`
 *   and `detail` (only when present); a `null` field is written as `null`, a missing one is left out. Nothing
 *   else (an export's `seq`, `prevHash`, `hash`, or any unknown field) is part of it.
 *
 * Encode the record as the log stored it: as `query` returns it or an export line carries it. The log stores
 * a missing `sessionId`, `ticketId`... as `null` and leaves out a `null` actor name or detail, and hashes that.
 *
 * The chain then links them: `hash = SHA-256(prevHash || UTF-8(canonical))`, where `prevHash` is the hash of the
 * tenant's record before, or for its first record {@link auditGenesisHash}.
 *
 * @example
 * ```ts
 * canonicalAuditRecord(record);
 * // '{"action":"approve","actor":{"id":"tech-1","type":"technician"},"at":1767225600000,...,"v":1}'
 * ```
 * @public
 */
export function canonicalAuditRecord(record: AuditRecord): string {
  // The members in their sorted order, written directly: this runs once per record when a chain is verified. A test
  // holds it equal to the generic canonicalJson of the same object.
  const actor = record.actor;
  const actorJson = `{${members([
    ['id', actor.id],
    ['name', actor.name],
    ['type', actor.type],
  ])}}`;
  return `{${members([
    ['action', record.action],
    ['actor', actorJson, true],
    ['at', record.at],
    ['customerId', record.customerId],
    ['detail', record.detail],
    ['endUserId', record.endUserId],
    ['id', record.id],
    ['method', record.method],
    ['result', record.result],
    ['sessionId', record.sessionId],
    ['status', record.status],
    ['tenantId', record.tenantId],
    ['ticketId', record.ticketId],
    ['ticketNumber', record.ticketNumber],
    ['v', ENCODING_VERSION],
  ])}}`;
}

/** `"key":value,...` for members already in sorted order, leaving out those `undefined`; `raw` ones are JSON already. */
function members(entries: [key: string, value: unknown, raw?: boolean][]): string {
  let out = '';
  for (const [key, value, raw] of entries) {
    if (value === undefined) continue;
    out += `${out ? ',' : ''}"${key}":${raw ? (value as string) : canonicalJson(value)}`;
  }
  return out;
}

/**
 * The hash a tenant's chain starts from, the `prevHash` of its record #1: SHA-256 of the UTF-8 text
 * `qdesk-audit-v1:` followed by the tenant id. Binding it to the tenant means a tenant's records cannot be passed
 * off as another's chain.
 * @public
 */
export function auditGenesisHash(tenantId: string): Uint8Array {
  return createHash('sha256').update(`qdesk-audit-v1:${tenantId}`, 'utf8').digest();
}

/**
 * One link of the chain: SHA-256 over `prevHash` followed by the UTF-8 bytes of the record's
 * {@link canonicalAuditRecord}. `prevHash` is the previous record's hash, or {@link auditGenesisHash} for the first.
 * @public
 */
export function hashAuditRecord(prevHash: Uint8Array, record: AuditRecord): Uint8Array {
  return createHash('sha256').update(prevHash).update(canonicalAuditRecord(record), 'utf8').digest();
}
