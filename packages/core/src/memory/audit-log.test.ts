import { runAuditLogConformance } from '../testing/audit-log-conformance.js';
import { createMemoryAuditLog, type MemoryAuditLog } from './audit-log.js';

let log: MemoryAuditLog;
runAuditLogConformance({
  name: 'memory',
  create: () => {
    log = createMemoryAuditLog();
    return log;
  },
  capabilities: { query: true },
  inspect: { records: async (tenantId) => log.all().filter((r) => r.tenantId === tenantId) },
});
