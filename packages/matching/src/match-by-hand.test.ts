import { createMemoryAuditLog } from '@qdesk/core/memory';
import { describe, expect, it } from 'vitest';
import { TENANT } from './fixtures.test-helpers.js';
import { matchByHand, unmatch } from './match-by-hand.js';
import { createMemoryMappingStore } from './memory-mapping-store.js';

const actor = {
  tenantId: TENANT,
  technicianId: 'admin-1',
  technicianName: 'Ada Admin',
  role: 'admin' as const,
};
const admin = { type: 'technician', id: 'admin-1', name: 'Ada Admin' };

async function setup() {
  const store = createMemoryMappingStore();
  await store.createCustomer(TENANT, { id: 'c-1', name: 'One' });
  await store.createCustomer(TENANT, { id: 'c-2', name: 'Two' });
  return { store, audit: createMemoryAuditLog() };
}

describe('matchByHand and unmatch', () => {
  it('refuses a technician who is not an administrator, and changes nothing', async () => {
    const { store, audit } = await setup();
    const technician = { ...actor, technicianId: 'tech-1', role: 'technician' as const };
    for (const who of [technician, { tenantId: TENANT, technicianId: 'tech-1', technicianName: 'Sam' }]) {
      await expect(
        matchByHand({ store, actor: who, audit, kind: 'companies', companyId: '5', customerId: 'c-1' }),
      ).rejects.toMatchObject({ name: 'ForbiddenError', code: 'forbidden' });
      await expect(
        unmatch({ store, actor: who, audit, kind: 'companies', companyId: '5' }),
      ).rejects.toMatchObject({
        code: 'forbidden',
      });
    }
    expect(await store.listCompanyLinks(TENANT)).toEqual([]);
    expect(audit.all()).toEqual([]);
  });

  it('links a company by hand and unmatches it, recording both with before and after', async () => {
    const { store, audit } = await setup();
    const base = { store, actor, audit, kind: 'companies' as const, companyId: '5' };
    const { link, created } = await matchByHand({ ...base, customerId: 'c-1', at: 100 });
    expect(created).toBe(true);
    expect(link).toEqual({
      tenantId: TENANT,
      companyId: '5',
      customerId: 'c-1',
      confirmedBy: { id: 'admin-1', name: 'Ada Admin' },
      confirmedAt: 100,
    });
    expect(await unmatch({ ...base, at: 200 })).toEqual(link);
    expect(await unmatch({ ...base, at: 300 })).toBeNull();
    await matchByHand({ ...base, customerId: 'c-2', at: 400 });
    expect(audit.all().map((r) => [r.at, r.action, r.actor, r.detail])).toEqual([
      [100, 'link_company', admin, { companyId: '5', before: null, after: 'c-1', via: 'matched_by_hand' }],
      [
        200,
        'unlink_company',
        admin,
        { companyId: '5', before: 'c-1', after: null, via: 'unmatched_by_hand' },
      ],
      [400, 'link_company', admin, { companyId: '5', before: null, after: 'c-2', via: 'matched_by_hand' }],
    ]);
  });

  it('links a contact to an end-user by hand, recording it under the end-user, and records no repeat', async () => {
    const { store, audit } = await setup();
    const input = { store, actor, audit, kind: 'contacts' as const, contactId: '206', endUserId: 'eu-eva' };
    expect((await matchByHand(input)).created).toBe(true);
    expect((await matchByHand(input)).created).toBe(false);
    expect(await store.endUserForContact(TENANT, '206')).toMatchObject({ endUserId: 'eu-eva' });
    await unmatch({ store, actor, audit, kind: 'contacts', contactId: '206' });
    expect(audit.all().map((r) => [r.action, r.endUserId, r.detail])).toEqual([
      ['link_contact', 'eu-eva', { contactId: '206', before: null, after: 'eu-eva', via: 'matched_by_hand' }],
      [
        'unlink_contact',
        'eu-eva',
        { contactId: '206', before: 'eu-eva', after: null, via: 'unmatched_by_hand' },
      ],
    ]);
  });

  it('refuses a side linked elsewhere with conflict, and an unknown customer naming the field', async () => {
    const { store, audit } = await setup();
    const base = { store, actor, audit, kind: 'contacts' as const };
    await matchByHand({ ...base, contactId: '1', endUserId: 'eu-1' });
    await expect(matchByHand({ ...base, contactId: '2', endUserId: 'eu-1' })).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringMatching(/unmatch it first/),
    });
    await expect(
      matchByHand({ store, actor, audit, kind: 'companies', companyId: '5', customerId: 'nobody' }),
    ).rejects.toMatchObject({ code: 'input_invalid', issues: [{ path: 'link.customerId' }] });
    await expect(matchByHand({ ...base, contactId: '', endUserId: 'eu-2' } as never)).rejects.toMatchObject({
      code: 'input_invalid',
      issues: [{ path: 'contactId' }],
    });
    expect(audit.all()).toHaveLength(1);
  });

  it('puts a removed link back when the audit log fails, and removes a new one', async () => {
    const { store } = await setup();
    const failing = { ...createMemoryAuditLog(), append: () => Promise.reject(new Error('audit offline')) };
    const input = { store, actor, kind: 'contacts' as const, contactId: '1', at: 5 };
    await matchByHand({ ...input, endUserId: 'eu-1' });
    await expect(unmatch({ ...input, audit: failing })).rejects.toMatchObject({
      name: 'AdapterError',
      port: 'audit log',
      cause: expect.objectContaining({ message: 'audit offline' }),
    });
    expect(await store.endUserForContact(TENANT, '1')).toMatchObject({ endUserId: 'eu-1', confirmedAt: 5 });
    await expect(
      matchByHand({ ...input, contactId: '2', endUserId: 'eu-2', audit: failing }),
    ).rejects.toThrow(/audit offline/);
    expect(await store.endUserForContact(TENANT, '2')).toBeNull();
  });

  it('refuses a store that is not a complete MappingStore, listing what is missing', async () => {
    const { listContactLinks: _gone, ...partial } = createMemoryMappingStore();
    await expect(
      unmatch({ store: partial as never, actor, kind: 'contacts', contactId: '1' }),
    ).rejects.toMatchObject({
      code: 'config_invalid',
      issues: [{ path: 'store', message: 'missing method(s): listContactLinks' }],
    });
  });
});
