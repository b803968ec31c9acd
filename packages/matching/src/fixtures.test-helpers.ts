import type { EndUser } from '@qdesk/core';
import type { PsaCompany, PsaContact } from '@qdesk/core/ports';
import type { MappingStore } from './mapping-store.js';
import type { Customer } from './types.js';

export const TENANT = 'msp-test';

export const company = (id: string, name: string, webAddress: string | null = null): PsaCompany => ({
  id,
  name,
  webAddress,
  isActive: true,
});

export const customer = (id: string, name: string, domain: string | null = null): Customer => ({
  id,
  tenantId: TENANT,
  name,
  domain,
});

export const contact = (
  id: string,
  companyId: string,
  firstName: string,
  lastName: string,
  emails: string[] = [],
  isActive = true,
): PsaContact => ({
  id,
  companyId,
  firstName,
  lastName,
  emails,
  mobilePhone: null,
  phone: null,
  isActive,
});

export const endUser = (
  id: string,
  customerId: string | undefined,
  displayName: string,
  email: string,
): EndUser => ({
  id,
  tenantId: TENANT,
  email,
  displayName,
  mobilePhone: null,
  ...(customerId === undefined ? {} : { customerId }),
  devices: [],
});

/** Contacts numbered `from`..`from + count - 1`, spread over `companies` companies, with one email each. */
export function manyContacts(count: number, companies: number, from = 1): PsaContact[] {
  return Array.from({ length: count }, (_, i) => {
    const n = from + i;
    return contact(String(n), String(1 + (n % companies)), `First${n}`, `Last${n}`, [`user${n}@example.com`]);
  });
}

/** Stores `customers` in `store` (each under its own tenant), as an app seeds its customers. */
export async function addCustomers(store: MappingStore, customers: readonly Customer[]): Promise<void> {
  for (const { tenantId, ...customer } of customers) await store.createCustomer(tenantId, customer);
}

/** A directory with no end-users, for syncs whose tests look at PSA records only. */
export const NO_END_USERS = { list: async () => [] };
