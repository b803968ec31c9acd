import { freezeCopy } from '../internal/immutable.js';
import type { AuditLog, AuditQuery, AuditRecord } from '../ports/audit-log.js';

/** In-memory {@link AuditLog} that can also list everything (tests, demo history). @public */
export interface MemoryAuditLog extends AuditLog {
  /** Records of one tenant matching every filter, newest first. */
  query(tenantId: string, filter: AuditQuery): Promise<AuditRecord[]>;
  /** Every record, oldest first. */
  all(): AuditRecord[];
}

/** In-memory append-only {@link AuditLog}: the embedded default and the reference for its kit. @public */
export function createMemoryAuditLog(): MemoryAuditLog {
  const records: AuditRecord[] = [];
  return {
    specificationVersion: 'v1',
    capabilities: { query: true },
    async append(record) {
      records.push(freezeCopy(record));
    },
    async query(tenantId, filter) {
      const out: AuditRecord[] = [];
      const limit = filter.limit ?? 100;
      for (let i = records.length - 1; i >= 0 && out.length < limit; i--) {
        const r = records[i]!;
        if (r.tenantId !== tenantId) continue;
        if (filter.ticketId !== undefined && r.ticketId !== filter.ticketId) continue;
        if (filter.endUserId !== undefined && r.endUserId !== filter.endUserId) continue;
        if (filter.sessionId !== undefined && r.sessionId !== filter.sessionId) continue;
        if (filter.customerId !== undefined && r.customerId !== filter.customerId) continue;
        if (filter.actions !== undefined && !filter.actions.includes(r.action)) continue;
        if (filter.since !== undefined && r.at < filter.since) continue;
        if (filter.until !== undefined && r.at >= filter.until) continue;
        if (
          filter.technicianId !== undefined &&
          !(r.actor.type === 'technician' && r.actor.id === filter.technicianId)
        ) {
          continue;
        }
        out.push(r);
      }
      return out;
    },
    all: () => [...records],
  };
}
