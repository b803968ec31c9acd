import type { Method } from '../types.js';

/** One audit record: who did what, on which ticket and end-user, how, with what result, when. @public */
export interface AuditRecord {
  /** Unique id. */
  id: string;
  /** Epoch milliseconds. */
  at: number;
  /** The MSP. */
  tenantId: string;
  /** The session, when the operation concerned one. */
  sessionId: string | null;
  /** What was attempted (`start`, `send`, `check_code`, `approve`, `deny`, `cancel`, `device_response`, ...). */
  action: string;
  /** Who acted. */
  actor: { type: 'technician' | 'device' | 'system'; id: string; name?: string };
  /** Ticket id, when bound to one. */
  ticketId: string | null;
  /** Ticket number, when bound to one. */
  ticketNumber: string | null;
  /** End-user id, when known. */
  endUserId: string | null;
  /** Method in use, when known. */
  method: Method | null;
  /** Result: `ok`, `rejected`, `error`, or the session's terminal status when the operation closed it. */
  result: string;
  /** Session status after the operation, when known. */
  status: string | null;
  /** Extra context (error code, fallback reason, attempts left). Never a code, token or secret. */
  detail?: Record<string, string | number | boolean | null>;
}

/** Filters for {@link AuditLog.query}. All given filters must match. @public */
export interface AuditQuery {
  /** Only this tenant (required: records never cross tenants). */
  tenantId: string;
  /** Only this ticket. */
  ticketId?: string;
  /** Only this end-user. */
  endUserId?: string;
  /** Only this technician. */
  technicianId?: string;
  /** Only this session. */
  sessionId?: string;
  /** At most this many, newest first (default 100). */
  limit?: number;
}

/**
 * Append-only record of every verification operation.
 *
 * Partner guide: `append` never rewrites or drops a record; `query` returns newest first.
 * @public
 */
export interface AuditLog {
  /** Adds a record. */
  append(record: AuditRecord): Promise<void>;
  /** Records matching every given filter, newest first. */
  query(query: AuditQuery): Promise<AuditRecord[]>;
}
