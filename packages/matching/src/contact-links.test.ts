import { type ContactLinks, createVerifier } from '@qdesk/core';
import {
  createDemoData,
  createMemoryAuditLog,
  createMemoryDirectory,
  createMemoryPsa,
  type DemoCustomer,
} from '@qdesk/core/memory';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { addCustomers } from './fixtures.test-helpers.js';
import type { MappingStore } from './mapping-store.js';
import { matchByHand } from './match-by-hand.js';
import { createMemoryMappingStore } from './memory-mapping-store.js';
import type { Customer } from './types.js';

describe("a mapping store as the verifier's contact links", () => {
  it('is a ContactLinks by type, and the demo customers are Customers', () => {
    expectTypeOf<MappingStore>().toExtend<ContactLinks>();
    expectTypeOf<DemoCustomer>().toEqualTypeOf<Customer>();
  });

  it('leads a ticket whose contact has no account to the end-user an admin matched by hand', async () => {
    const demo = createDemoData();
    const store = createMemoryMappingStore();
    await addCustomers(store, demo.customers);
    const verifier = createVerifier({
      secret: 'test-secret-0123456789-abcdefghijklmnop',
      directory: createMemoryDirectory(demo.endUsers),
      psa: createMemoryPsa(demo),
      contactLinks: store,
    });
    const actor = {
      tenantId: demo.tenantId,
      technicianId: 'admin-1',
      technicianName: 'Ada Admin',
      role: 'admin' as const,
    };
    // Farid (ticket 1007, contact 206) has no account with his email.
    await expect(verifier.lookupTicket({ actor, ticketId: '1007' })).rejects.toMatchObject({
      code: 'end_user_not_found',
    });
    const audit = createMemoryAuditLog();
    await matchByHand({ kind: 'contacts', store, actor, audit, contactId: '206', endUserId: 'eu-eva' });
    await expect(verifier.lookupTicket({ actor, ticketId: '1007' })).resolves.toMatchObject({
      endUser: { id: 'eu-eva' },
    });
    expect(audit.all()).toEqual([expect.objectContaining({ action: 'link_contact', endUserId: 'eu-eva' })]);
  });
});
