import { describe, expect, it } from 'vitest';
import { createManualClock } from '../memory/runtime.js';
import { runMappingStoreConformance } from '../testing/mapping-store-conformance.js';
import { createMemoryMappingStore } from './memory-mapping-store.js';

runMappingStoreConformance({ name: 'memory', create: () => createMemoryMappingStore() });

describe('createMemoryMappingStore', () => {
  const actor = { tenantId: 'msp', technicianId: 'tech-1', technicianName: 'Tess' };
  const company = { id: '7', name: '  Contoso\u0007 Dental\n LLC ', webAddress: null, isActive: true };

  it('stamps a customer made from a company with its clock and made-up id, and cleans the name', async () => {
    const clock = createManualClock(Date.UTC(2026, 4, 1));
    const store = createMemoryMappingStore({ clock, newCustomerId: () => 'cust-new' });
    const { customer, link } = await store.createCustomerFromCompany(company, actor);
    expect(customer).toEqual({ id: 'cust-new', tenantId: 'msp', name: 'Contoso Dental LLC', domain: null });
    expect(link.confirmedAt).toBe(Date.UTC(2026, 4, 1));
  });

  it('names a customer after the company id when the PSA name is blank', async () => {
    const store = createMemoryMappingStore();
    const { customer } = await store.createCustomerFromCompany({ ...company, name: ' ' }, actor);
    expect(customer.name).toBe('Company 7');
  });

  it('refuses a malformed company, actor or tenant id, naming the field', async () => {
    const store = createMemoryMappingStore();
    await expect(store.createCustomerFromCompany({ ...company, id: '' }, actor)).rejects.toMatchObject({
      code: 'input_invalid',
      issues: [{ path: 'company.id' }],
    });
    await expect(
      store.createCustomerFromCompany(company, { ...actor, technicianName: '' }),
    ).rejects.toMatchObject({ issues: [{ path: 'actor.technicianName' }] });
    await expect(store.listCustomers('')).rejects.toMatchObject({ code: 'input_invalid' });
    await expect(
      store.saveSyncBatch('msp', {
        checkpoint: {
          runId: 'r',
          phase: 'contacts',
          afterId: null,
          companiesDone: 0,
          contactsDone: -1,
          startedAt: 0,
          updatedAt: 0,
          completedAt: null,
        },
      }),
    ).rejects.toMatchObject({ issues: [{ path: 'checkpoint.contactsDone' }] });
  });

  it('refuses to complete a sync with a checkpoint that is not completed', async () => {
    const store = createMemoryMappingStore();
    const checkpoint = {
      runId: 'r',
      phase: 'contacts' as const,
      afterId: null,
      companiesDone: 0,
      contactsDone: 0,
      startedAt: 0,
      updatedAt: 0,
      completedAt: null,
    };
    await expect(store.completeSync('msp', checkpoint)).rejects.toMatchObject({
      issues: [{ path: 'checkpoint.phase' }],
    });
  });

  it('hands out the stored contact itself, frozen (no copy per read)', async () => {
    const store = createMemoryMappingStore();
    const contact = {
      id: '1',
      companyId: '7',
      firstName: 'A',
      lastName: 'B',
      emails: ['a@b.example'],
      mobilePhone: null,
      phone: null,
      isActive: true,
    };
    await store.putContact('msp', contact);
    const [listed] = await store.listContacts('msp');
    expect(Object.isFrozen(listed)).toBe(true);
    expect(await store.getContact('msp', '1')).toBe(listed);
  });
});
