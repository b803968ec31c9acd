/**
 * Deliberately broken audit logs, one mistake each, to show that every audit-log rule can fail and says what to fix.
 * Not exported from the package.
 */
import type { AuditLog, AuditQuery, AuditRecord } from '../../ports/audit-log.js';

/** The mistake a broken log makes. @internal */
export type AuditLogFlaw =
  | 'declares v0'
  | 'declares query false but has it'
  | 'drops detail'
  | 'keeps one record per session'
  | 'keeps the caller object'
  | 'files every record under the first tenant'
  | 'lists oldest first'
  | 'queries every tenant'
  | 'matches technicianId on any actor'
  | 'has no default limit'
  | 'hands out its own objects'
  | 'ignores the customer filter'
  | 'treats until as inclusive';

/** A broken log with a raw read for the kit's `inspect`. @internal */
export interface BrokenAuditLog extends AuditLog {
  /** The stored records of a tenant, in append order. */
  peek(tenantId: string): AuditRecord[];
}

/** A log that makes `flaw` and is otherwise correct. @internal */
export function createBrokenAuditLog(flaw: AuditLogFlaw): BrokenAuditLog {
  const buckets = new Map<string, AuditRecord[]>();
  let firstTenant: string | undefined;
  const bucketOf = (tenantId: string) => {
    firstTenant ??= tenantId;
    const name = flaw === 'files every record under the first tenant' ? firstTenant : tenantId;
    if (!buckets.has(name)) buckets.set(name, []);
    return buckets.get(name)!;
  };
  const matches = (r: AuditRecord, f: AuditQuery) =>
    (f.ticketId === undefined || r.ticketId === f.ticketId) &&
    (f.endUserId === undefined || r.endUserId === f.endUserId) &&
    (f.sessionId === undefined || r.sessionId === f.sessionId) &&
    (f.customerId === undefined || flaw === 'ignores the customer filter' || r.customerId === f.customerId) &&
    (f.actions === undefined || f.actions.includes(r.action)) &&
    (f.since === undefined || r.at >= f.since) &&
    (f.until === undefined || r.at < f.until || (flaw === 'treats until as inclusive' && r.at === f.until)) &&
    (f.technicianId === undefined ||
      (r.actor.id === f.technicianId &&
        (flaw === 'matches technicianId on any actor' || r.actor.type === 'technician')));
  return {
    specificationVersion: (flaw === 'declares v0' ? 'v0' : 'v1') as 'v1',
    capabilities: { query: flaw !== 'declares query false but has it' },
    peek: (tenantId) => [...(buckets.get(tenantId) ?? [])],
    async append(record) {
      const stored = flaw === 'keeps the caller object' ? record : structuredClone(record);
      if (flaw === 'drops detail') delete stored.detail;
      const bucket = bucketOf(record.tenantId);
      const same = bucket.findIndex((r) => r.sessionId === record.sessionId);
      if (flaw === 'keeps one record per session' && same >= 0) bucket[same] = stored;
      else bucket.push(stored);
    },
    async query(tenantId, filter) {
      const pool =
        flaw === 'queries every tenant' ? [...buckets.values()].flat() : (buckets.get(tenantId) ?? []);
      const found = pool.filter((r) => matches(r, filter));
      const ordered = flaw === 'lists oldest first' ? found : found.reverse();
      const limited = ordered.slice(0, filter.limit ?? (flaw === 'has no default limit' ? undefined : 100));
      return flaw === 'hands out its own objects' ? limited : structuredClone(limited);
    },
  };
}
