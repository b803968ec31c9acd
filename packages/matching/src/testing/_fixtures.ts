import { isQdeskError } from '@qdesk/core';
import type { PsaCompany, PsaContact } from '@qdesk/core/ports';
import type { NewCompanyLink, NewContactLink } from '../mapping-store.js';
import type { SyncCheckpoint } from '../types.js';

let counter = 0;
/** A tenant id no other rule (or earlier run against a shared database) uses. @internal */
export const newTenant = () =>
  `tenant-kit-${Date.now().toString(36)}-${++counter}-${Math.random().toString(36).slice(2, 8)}`;

/** @internal */
export const by = { id: 'kit-admin', name: 'Kit Admin' };

/** @internal */
export const company = (id: string): PsaCompany => ({
  id,
  name: `Company ${id}`,
  webAddress: `https://www.company${id}.example/`,
  isActive: true,
});

/** @internal */
export const contact = (id: string, companyId: string): PsaContact => ({
  id,
  companyId,
  firstName: 'Ana',
  lastName: `Silva ${id}`,
  emails: [`ana.${id}@example.com`],
  mobilePhone: null,
  phone: null,
  isActive: true,
});

/** @internal */
export const companyLink = (companyId: string, customerId: string, at = 1_000): NewCompanyLink => ({
  companyId,
  customerId,
  confirmedBy: { ...by },
  confirmedAt: at,
});

/** @internal */
export const contactLink = (contactId: string, endUserId: string, at = 1_000): NewContactLink => ({
  contactId,
  endUserId,
  confirmedBy: { ...by },
  confirmedAt: at,
});

/** @internal */
export const checkpoint = (runId: string, overrides: Partial<SyncCheckpoint> = {}): SyncCheckpoint => ({
  runId,
  phase: 'contacts',
  afterId: null,
  companiesDone: 0,
  contactsDone: 0,
  startedAt: 1_000,
  updatedAt: 1_000,
  completedAt: null,
  ...overrides,
});

/**
 * How a call ended, in words a rule message can quote: `resolved`, the `QdeskError` code it threw, or the other
 * error it threw.
 * @internal
 */
export async function outcome(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'resolved';
  } catch (error) {
    if (isQdeskError(error)) return error.code;
    return `threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
  }
}

/** JSON with object keys sorted, so rows compare equal whatever order a backing system gives their columns. @internal */
export function canon(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** True when both are the same data (key order ignored). @internal */
export const same = (a: unknown, b: unknown) => canon(a) === canon(b);

/** Sorted ids of records. @internal */
export const ids = (records: ReadonlyArray<{ id: string }>) => records.map((r) => r.id).sort();

/** Runs `write`, ignoring the error a frozen value throws in strict mode. @internal */
export function attempt(write: () => void): void {
  try {
    write();
  } catch {
    // A frozen value refuses the write: allowed.
  }
}
