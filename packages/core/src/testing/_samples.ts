/** Sample records the kits write, each with fresh ids so rules never meet each other's data in a shared backend. */
import type { AuditLog, AuditRecord } from '../ports/audit-log.js';
import type { Device, EndUser } from '../types.js';
import { unique } from './_helpers.js';

/** A device with that id, reached by APNs unless `overrides` say otherwise. */
export const sampleDevice = (id: string, overrides: Partial<Device> = {}): Device => ({
  id,
  platform: 'ios',
  pushAddress: `apns-token-${id}`,
  notificationPermission: 'granted',
  ...overrides,
});

/** An end-user with a unique id and email in a fresh tenant (or `tenantId`), with two devices. */
export const sampleUser = (overrides: Partial<EndUser> = {}): EndUser => {
  const id = unique('eu');
  return {
    id,
    tenantId: unique('tenant'),
    email: `${id}@conformance.example`,
    displayName: 'Conformance User',
    mobilePhone: '+15550100001',
    customerId: 'cust-conformance',
    devices: [
      sampleDevice('dev-phone', { label: 'Work iPhone', lastSeenAt: 1 }),
      sampleDevice('dev-web', { platform: 'web' }),
    ],
    ...overrides,
  };
};

const AUDIT_T0 = Date.UTC(2026, 0, 1);

/** A record of `tenantId` at `AUDIT_T0 + offset`, with every field set. */
export const sampleRecord = (
  tenantId: string,
  offset: number,
  overrides: Partial<AuditRecord> = {},
): AuditRecord => ({
  id: unique('audit'),
  at: AUDIT_T0 + offset,
  tenantId,
  sessionId: 'sess-1',
  action: 'check_code',
  actor: { type: 'technician', id: 'tech-1', name: 'Sam Tech' },
  ticketId: '1001',
  ticketNumber: 'T20260101.0001',
  endUserId: 'eu-1',
  method: 'sms',
  result: 'awaiting_code',
  status: 'awaiting_code',
  detail: { attemptsLeft: 4, reason: null, locked: false, error: 'wrong_code' },
  ...overrides,
});

/** The ids of `records`, in order: what rules compare. */
export const recordIds = (records: readonly AuditRecord[] | null | undefined) =>
  (records ?? []).map((r) => r.id);

/** Appends in order, awaiting each (the verifier appends in causal order). */
export async function appendAll(log: AuditLog, records: AuditRecord[]) {
  for (const record of records) await log.append(structuredClone(record));
}
