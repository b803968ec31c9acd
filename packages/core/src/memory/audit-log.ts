import { freezeCopy } from '../internal/immutable.js';
import type { AuditLog, AuditRecord } from '../ports/audit-log.js';

/** In-memory {@link AuditLog} that can also list everything (tests, demo history). @public */
export interface MemoryAuditLog extends AuditLog {
  /** Every record, oldest first. */
  all(): AuditRecord[];
}

/** In-memory append-only {@link AuditLog}: the embedded default. @public */
export function createMemoryAuditLog(): MemoryAuditLog {
  const records: AuditRecord[] = [];
  return {
    async append(record) {
      records.push(freezeCopy(record));
    },
    async query(q) {
      const out: AuditRecord[] = [];
      for (let i = records.length - 1; i >= 0 && out.length < (q.limit ?? 100); i--) {
        const r = records[i]!;
        if (r.tenantId !== q.tenantId) continue;
        if (q.ticketId !== undefined && r.ticketId !== q.ticketId) continue;
        if (q.endUserId !== undefined && r.endUserId !== q.endUserId) continue;
        if (q.sessionId !== undefined && r.sessionId !== q.sessionId) continue;
        if (q.technicianId !== undefined && !(r.actor.type === 'technician' && r.actor.id === q.technicianId))
          continue;
        out.push(r);
      }
      return out;
    },
    all: () => [...records],
  };
}
