import { describe, expect, it } from 'vitest';
import { createMemoryMappingStore } from './memory-mapping-store.js';
import { runMappingStoreConformance } from './testing/mapping-store-conformance.js';

runMappingStoreConformance({
  name: 'memory',
  create: () => createMemoryMappingStore(),
  inspect: (store) => store.inspect,
});

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

describe('createMemoryMappingStore', () => {
  it('makes up customer ids with newCustomerId', async () => {
    const store = createMemoryMappingStore({ newCustomerId: () => 'cust-new' });
    const { customer } = await store.createCustomer('msp', { name: 'Contoso Dental' });
    expect(customer).toEqual({ id: 'cust-new', tenantId: 'msp', name: 'Contoso Dental', domain: null });
  });

  it('refuses malformed arguments with an InputError naming the field, storing nothing', async () => {
    const store = createMemoryMappingStore();
    await expect(store.listCustomers('')).rejects.toMatchObject({
      code: 'input_invalid',
      issues: [{ path: 'tenantId' }],
    });
    await expect(store.createCustomer('msp', { name: '  ' })).rejects.toMatchObject({
      issues: [{ path: 'customer.name' }],
    });
    await expect(store.createCustomer('msp', { name: 'X', tenantId: 'msp' } as never)).rejects.toMatchObject({
      issues: [{ path: 'customer' }],
    });
    await expect(
      store.linkContact('msp', {
        contactId: '1',
        endUserId: 'eu-1',
        confirmedBy: { id: 'a', name: 'A' },
        confirmedAt: -1,
      }),
    ).rejects.toMatchObject({ issues: [{ path: 'link.confirmedAt' }] });
    await expect(
      store.saveSyncBatch('msp', { checkpoint: { ...checkpoint, contactsDone: -1 } }),
    ).rejects.toMatchObject({ issues: [{ path: 'checkpoint.contactsDone' }] });
    await expect(store.putContact('msp', { ...contact, isActive: 'yes' } as never)).rejects.toMatchObject({
      issues: [{ path: 'contact.isActive' }],
    });
    // No database text column holds a NUL, so no store (memory or SQL) takes one.
    await expect(store.putContact('msp', { ...contact, lastName: 'Sil\u0000va' })).rejects.toMatchObject({
      issues: [{ path: 'contact.lastName', message: 'must not contain NUL characters' }],
    });
    await expect(
      store.saveSyncBatch('msp', { checkpoint, contacts: [{ ...contact, emails: ['a\u0000@x.example'] }] }),
    ).rejects.toMatchObject({ issues: [{ path: 'contacts.0.emails' }] });
    expect(await store.listContacts('msp')).toEqual([]);
    expect(await store.listCustomers('msp')).toEqual([]);
    expect(await store.listContactLinks('msp')).toEqual([]);
  });

  it('refuses to complete a sync with a checkpoint that is not completed', async () => {
    const store = createMemoryMappingStore();
    await expect(store.completeSync('msp', checkpoint)).rejects.toMatchObject({
      issues: [{ path: 'checkpoint.phase' }],
    });
  });

  it('hands out the stored contact itself, frozen (no copy per read)', async () => {
    const store = createMemoryMappingStore();
    await store.putContact('msp', contact);
    const [listed] = await store.listContacts('msp');
    expect(Object.isFrozen(listed)).toBe(true);
    expect(Object.isFrozen(listed!.emails)).toBe(true);
    expect(await store.inspect.contact('msp', '1')).toBe(listed);
  });
});
