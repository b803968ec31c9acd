import type { Method } from '../types.js';

/** Who caused an audit record. @public */
export interface AuditActor {
  /** A signed-in technician, the end-user's device, or QDesk itself (an outcome, a fallback, a delivery report). */
  type: 'technician' | 'device' | 'system';
  /** Technician id, device or `qdesk`. */
  id: string;
  /** Display name, when known. */
  name?: string;
}

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
  /** What was attempted: an action the verifier records (`start`, `send`, ... `write_note`), or one of the app's own (`link_contact`...). */
  action: AuditAction | (string & {});
  /** Who acted. */
  actor: AuditActor;
  /** Ticket id, when bound to one. */
  ticketId: string | null;
  /** Ticket number, when bound to one. */
  ticketNumber: string | null;
  /** End-user id, when known. */
  endUserId: string | null;
  /**
   * The customer (the MSP's client company) whose policy the session ran under: `null` for a session under the
   * tenant's own policy. The verifier sets it on every record about a session; a record written before this field
   * existed, or one of the app's own, may leave it out.
   */
  customerId?: string | null;
  /** Method in use, when known. */
  method: Method | null;
  /** Result: `ok`, `error`, or the session's status after the operation. */
  result: string;
  /** Session status after the operation, when known. */
  status: string | null;
  /** Extra context (error code, fallback reason, attempts left). Never a code, token or secret. */
  detail?: Record<string, string | number | boolean | null>;
}

/** What the verifier records, in the order a verification causes them. @public */
export type AuditAction =
  | 'start'
  | 'send'
  | 'fall_back'
  | 'delivery_failed'
  | 'delivery_report'
  | 'check_code'
  | 'approve'
  | 'deny'
  | 'cancel'
  | 'device_answer'
  | 'expire'
  | 'outcome'
  | 'write_note'
  | 'supersede'
  | 'take_over'
  | 'policy_change'
  | 'unlock'
  | 'grant_issued'
  | 'grant_used'
  | 'grant_refused';

/** Filters for {@link AuditLog.query}. All given filters must match. @public */
export interface AuditQuery {
  /** Only this ticket. */
  ticketId?: string;
  /** Only this end-user. */
  endUserId?: string;
  /** Only records a technician caused, by id. */
  technicianId?: string;
  /** Only this session. */
  sessionId?: string;
  /** Only records of sessions that ran under this customer's policy (`AuditRecord.customerId`). */
  customerId?: string;
  /** Only records whose action is one of these (an empty list matches nothing). */
  actions?: readonly string[];
  /** Only records at or after this time (epoch ms, inclusive). */
  since?: number;
  /** Only records before this time (epoch ms, exclusive), so consecutive ranges never overlap. */
  until?: number;
  /** At most this many, newest first (default 100). */
  limit?: number;
}

/**
 * Append-only record of every verification operation.
 *
 * ## Partner guide: write an audit log
 *
 * Declare `specificationVersion: 'v1'`; run `runAuditLogConformance` from `@qdesk/core/testing`.
 * - `append` is required: the verifier calls it for every operation, in causal order (a code check before the
 *   outcome and the note it caused). Never rewrite or drop a record; keep records of each tenant apart.
 * - `query` is optional and declared by `capabilities.query`: records of one tenant matching every filter, newest
 *   first. The verifier never calls it; history pages do.
 * @public
 */
export interface AuditLog {
  /** The version of this port the implementation follows. */
  readonly specificationVersion: 'v1';
  /** What this log can do beyond appending. */
  readonly capabilities: { query: boolean };
  /** Adds a record (of `record.tenantId`). */
  append(record: AuditRecord): Promise<void>;
  /** Records of that tenant matching every given filter, newest first. Needs `capabilities.query`. */
  query?(tenantId: string, filter: AuditQuery): Promise<AuditRecord[]>;
}
