import { QdeskError } from '@qdesk/core';
import { createMemoryAuditLog } from '@qdesk/core/memory';
import { describe, expect, it } from 'vitest';
import { crossCustomerLinkOf } from './cross-customer-link.js';
import { company, contact, endUser, TENANT } from './fixtures.test-helpers.js';
import { matchByHand } from './match-by-hand.js';
import { createMemoryMappingStore } from './memory-mapping-store.js';

const actor = {
  tenantId: TENANT,
  technicianId: 'admin-1',
  technicianName: 'Ada Admin',
  role: 'admin' as const,
};

// Two client companies, each matched to its customer, and a third matched to none. Farid works at Fabrikam.
const ana = endUser('eu-ana', 'c-north', 'Ana Silva', 'ana@north.example');
const eva = endUser('eu-eva', 'c-fab', 'Eva Schmidt', 'eva@fab.example');

async function setup() {
  const store = createMemoryMappingStore();
  await store.createCustomer(TENANT, { id: 'c-north', name: 'Northwind Traders' });
  await store.createCustomer(TENANT, { id: 'c-fab', name: 'Fabrikam' });
  await store.saveSyncBatch(TENANT, {
    checkpoint: {
      runId: 'run-1',
      phase: 'contacts',
      afterId: null,
      companiesDone: 3,
      contactsDone: 2,
      startedAt: 0,
      updatedAt: 0,
      completedAt: null,
    },
    companies: [
      company('101', 'Northwind Traders Inc.'),
      company('103', 'Fabrikam Logistics GmbH'),
      company('104', 'Tailspin Toys'),
    ],
    contacts: [contact('206', '103', 'Farid', 'Haddad'), contact('207', '104', 'Gus', 'Lee')],
  });
  const by = { id: 'admin-1', name: 'Ada Admin' };
  await store.linkCompany(TENANT, {
    companyId: '101',
    customerId: 'c-north',
    confirmedBy: by,
    confirmedAt: 1,
  });
  await store.linkCompany(TENANT, { companyId: '103', customerId: 'c-fab', confirmedBy: by, confirmedAt: 1 });
  const audit = createMemoryAuditLog();
  const link = (contactId: string, user: typeof ana, confirmCrossCustomer?: boolean) =>
    matchByHand({
      kind: 'contacts',
      store,
      audit,
      actor,
      at: 500,
      contactId,
      endUserId: user.id,
      endUser: user,
      ...(confirmCrossCustomer === undefined ? {} : { confirmCrossCustomer }),
    });
  return { store, audit, link };
}

describe('matchByHand across customers', () => {
  it('refuses a contact linked to an end-user of another customer, naming both, and changes nothing', async () => {
    const { store, audit, link } = await setup();
    const refused = await link('206', ana).catch((error: unknown) => error);
    expect(refused).toMatchObject({ name: 'QdeskError', code: 'conflict' });
    expect((refused as Error).message).toBe(
      'Farid Haddad works at Fabrikam Logistics GmbH (customer Fabrikam), but Ana Silva belongs to Northwind Traders: ' +
        'a ticket from Farid Haddad would verify Ana Silva. Link them only if they are the same person, by confirming ' +
        'the link across customers (confirmCrossCustomer: true); otherwise pick an end-user of Fabrikam.',
    );
    expect(crossCustomerLinkOf(refused)).toEqual({
      contact: { id: '206', name: 'Farid Haddad' },
      company: { id: '103', name: 'Fabrikam Logistics GmbH' },
      companyCustomer: { id: 'c-fab', name: 'Fabrikam' },
      endUser: { id: 'eu-ana', name: 'Ana Silva' },
      endUserCustomer: { id: 'c-north', name: 'Northwind Traders' },
    });
    await expect(link('206', ana, false)).rejects.toMatchObject({ code: 'conflict' });
    expect(await store.endUserForContact(TENANT, '206')).toBeNull();
    expect(audit.all()).toEqual([]);
  });

  it('refuses any end-user for a contact whose company is matched to no customer', async () => {
    const { store, link } = await setup();
    const refused = await link('207', eva).catch((error: unknown) => error);
    expect(crossCustomerLinkOf(refused)).toMatchObject({
      companyCustomer: null,
      company: { name: 'Tailspin Toys' },
    });
    expect((refused as Error).message).toMatch(
      /^Gus Lee works at Tailspin Toys, which is not matched to a customer, but Eva Schmidt belongs to Fabrikam: .* otherwise match Tailspin Toys to its customer first\.$/,
    );
    // Matched to a customer of the same name, the company is named once.
    await store.createCustomer(TENANT, {
      name: 'Tailspin Toys',
      linkTo: { companyId: '104', confirmedBy: { id: 'admin-1', name: 'Ada Admin' }, confirmedAt: 1 },
    });
    expect(((await link('207', ana).catch((e: unknown) => e)) as Error).message).toMatch(
      /^Gus Lee works at Tailspin Toys, but Ana Silva belongs to Northwind Traders: /,
    );
    const noCustomer = endUser('eu-x', undefined, 'Xavi Ruiz', 'x@example.com');
    expect(crossCustomerLinkOf(await link('206', noCustomer).catch((e: unknown) => e))).toMatchObject({
      endUserCustomer: null,
    });
  });

  it('links across customers once confirmed, recorded as such with both customers', async () => {
    const { store, audit, link } = await setup();
    const { created } = await link('206', ana, true);
    expect(created).toBe(true);
    expect(await store.endUserForContact(TENANT, '206')).toMatchObject({ endUserId: 'eu-ana' });
    expect(audit.all().map((r) => [r.action, r.endUserId, r.actor, r.detail])).toEqual([
      [
        'link_contact',
        'eu-ana',
        { type: 'technician', id: 'admin-1', name: 'Ada Admin' },
        {
          contactId: '206',
          before: null,
          after: 'eu-ana',
          via: 'matched_across_customers',
          companyId: '103',
          companyCustomerId: 'c-fab',
          endUserCustomerId: 'c-north',
        },
      ],
    ]);
  });

  it('links within the company customer without a question, as a plain match by hand', async () => {
    const { audit, link } = await setup();
    await link('206', eva);
    await link('206', eva, true); // the same pair again: nothing to confirm, nothing recorded
    expect(audit.all().map((r) => r.detail)).toEqual([
      { contactId: '206', before: null, after: 'eu-eva', via: 'matched_by_hand' },
    ]);
  });

  it('names the field for an end-user that is not endUserId, a confirmation without endUser, and an unsynced contact', async () => {
    const { store, audit, link } = await setup();
    const base = { kind: 'contacts' as const, store, audit, actor };
    await expect(
      matchByHand({ ...base, contactId: '206', endUserId: 'eu-eva', endUser: ana }),
    ).rejects.toMatchObject({ code: 'input_invalid', issues: [{ path: 'endUser.id' }] });
    await expect(
      matchByHand({ ...base, contactId: '206', endUserId: 'eu-ana', confirmCrossCustomer: true }),
    ).rejects.toMatchObject({ code: 'input_invalid', issues: [{ path: 'confirmCrossCustomer' }] });
    await expect(link('999', eva)).rejects.toMatchObject({
      code: 'input_invalid',
      issues: [{ path: 'contactId', message: 'no contact 999 was synced; run a sync and reload' }],
    });
    expect(audit.all()).toEqual([]);
  });

  it('reads no pair from any other error', () => {
    expect(crossCustomerLinkOf(new QdeskError('taken', { code: 'conflict' }))).toBeNull();
    expect(crossCustomerLinkOf(new Error('cross_customer_link'))).toBeNull();
    expect(crossCustomerLinkOf(null)).toBeNull();
  });
});
