import { createMemoryAuditLog } from '@qdesk/core/memory';
import { describe, expect, it } from 'vitest';
import { createCustomerFromCompany } from './create-customer-from-company.js';
import { company, TENANT } from './fixtures.test-helpers.js';
import { createMemoryMappingStore } from './memory-mapping-store.js';

const actor = {
  tenantId: TENANT,
  technicianId: 'admin-1',
  technicianName: 'Ada Admin',
  role: 'admin' as const,
};
const checkpoint = {
  runId: 'run-1',
  phase: 'companies' as const,
  afterId: null,
  companiesDone: 0,
  contactsDone: 0,
  startedAt: 0,
  updatedAt: 0,
  completedAt: null,
};

async function synced(...companies: ReturnType<typeof company>[]) {
  const store = createMemoryMappingStore({ newCustomerId: () => 'cust-new' });
  await store.saveSyncBatch(TENANT, { checkpoint, companies });
  return store;
}

describe('createCustomerFromCompany', () => {
  it('makes a customer from the synced company, cleaned, links them and records the link', async () => {
    const store = await synced(
      company('7', '  Contoso\u0007 Dental\n LLC ', 'https://www.Contoso.example/about'),
    );
    const audit = createMemoryAuditLog();
    const { customer, link } = await createCustomerFromCompany({
      store,
      actor,
      audit,
      companyId: '7',
      at: 42,
    });
    expect(customer).toEqual({
      id: 'cust-new',
      tenantId: TENANT,
      name: 'Contoso Dental LLC',
      domain: 'contoso.example',
    });
    expect(link).toEqual({
      tenantId: TENANT,
      companyId: '7',
      customerId: 'cust-new',
      confirmedBy: { id: 'admin-1', name: 'Ada Admin' },
      confirmedAt: 42,
    });
    expect(audit.all()).toEqual([
      expect.objectContaining({
        at: 42,
        action: 'link_company',
        actor: { type: 'technician', id: 'admin-1', name: 'Ada Admin' },
        detail: { companyId: '7', before: null, after: 'cust-new', via: 'new_customer' },
      }),
    ]);
  });

  it('names the customer after the company id when the PSA name is blank', async () => {
    const store = await synced(company('7', ' '));
    const { customer } = await createCustomerFromCompany({ store, actor, companyId: '7', customerId: 'c-7' });
    expect(customer).toMatchObject({ id: 'c-7', name: 'Company 7', domain: null });
  });

  it('creates nothing when the company is linked already, or was never synced', async () => {
    const store = await synced(company('7', 'Fabrikam'));
    await createCustomerFromCompany({ store, actor, companyId: '7', customerId: 'c-1' });
    await expect(
      createCustomerFromCompany({ store, actor, companyId: '7', customerId: 'c-2' }),
    ).rejects.toMatchObject({ code: 'conflict' });
    await expect(createCustomerFromCompany({ store, actor, companyId: '8' })).rejects.toMatchObject({
      code: 'input_invalid',
      issues: [{ path: 'companyId', message: expect.stringMatching(/run a sync/) }],
    });
    expect((await store.listCustomers(TENANT)).map((c) => c.id)).toEqual(['c-1']);
  });
});
