import { randomUUID } from 'node:crypto';
import { type Actor, AdapterError, type AuditLog, type AuditRecord } from '@qdesk/core';
import type { CompanyLink, ContactLink, LinkChangeReason } from './types.js';

/** QDesk itself, as the actor of the changes a sync or a webhook makes. @internal */
export const SYSTEM: AuditRecord['actor'] = { type: 'system', id: 'qdesk' };

/** An admin, as the actor of the changes they make. @internal */
export const technician = (actor: Actor): AuditRecord['actor'] => ({
  type: 'technician',
  id: actor.technicianId,
  name: actor.technicianName,
});

/**
 * One link change: which link, what it pointed to before and after (a customer or end-user id, `null` for no link),
 * why, who and when.
 * @internal
 */
export type LinkChange = {
  actor: AuditRecord['actor'];
  at: number;
  via: LinkChangeReason;
  /** More ids for the record's detail (a cross-customer link names both customers). */
  extra?: Record<string, string | null>;
} & (
  | { before: CompanyLink | null; after: CompanyLink | null; kind: 'company' }
  | { before: ContactLink | null; after: ContactLink | null; kind: 'contact' }
);

/**
 * The audit record of a link change. It holds ids, the admin's name and the reason, never a PSA record: no email,
 * phone or other contact data reaches the audit log through it.
 * @internal
 */
export function linkRecord(change: LinkChange): AuditRecord {
  const base = {
    id: `audit_${randomUUID()}`,
    at: change.at,
    sessionId: null,
    actor: change.actor,
    ticketId: null,
    ticketNumber: null,
    method: null,
    result: 'ok',
    status: null,
  };
  if (change.kind === 'company') {
    const { before, after } = change;
    const link = (after ?? before)!;
    return {
      ...base,
      tenantId: link.tenantId,
      action: after ? 'link_company' : 'unlink_company',
      endUserId: null,
      detail: {
        ...change.extra,
        companyId: link.companyId,
        before: before?.customerId ?? null,
        after: after?.customerId ?? null,
        via: change.via,
      },
    };
  }
  const { before, after } = change;
  const link = (after ?? before)!;
  return {
    ...base,
    tenantId: link.tenantId,
    action: after ? 'link_contact' : 'unlink_contact',
    endUserId: link.endUserId,
    detail: {
      ...change.extra,
      contactId: link.contactId,
      before: before?.endUserId ?? null,
      after: after?.endUserId ?? null,
      via: change.via,
    },
  };
}

/**
 * Appends the record of `change` when an audit log is given. When the append fails, `undo` (if given) puts the link
 * back as it was, so a link never changes without its record; then the `AdapterError` is thrown.
 * @internal
 */
export async function auditLinkChange(
  audit: AuditLog | undefined,
  change: LinkChange,
  undo?: () => Promise<unknown>,
): Promise<void> {
  if (!audit) return;
  try {
    await AdapterError.wrap('audit log', 'append', () => audit.append(linkRecord(change)));
  } catch (error) {
    // Best effort: the original failure is what the caller must see.
    if (undo) await undo().catch(() => undefined);
    throw error;
  }
}
