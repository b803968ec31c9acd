import type { PsaAdapter } from '@qdesk/core';
import { createManualClock, createMemoryAuditLog, createMemoryPsa } from '@qdesk/core/memory';
import { describe, expect, it } from 'vitest';
import { company, contact, NO_END_USERS, TENANT } from './fixtures.test-helpers.js';
import { createMatchingSync } from './matching-sync.js';
import { createMemoryMappingStore } from './memory-mapping-store.js';

const by = { id: 'admin', name: 'Admin' };

function setup(psaContacts = [contact('1', '10', 'Ana', 'Silva', ['ana@a.example'])]) {
  const psa = createMemoryPsa({ companies: [company('10', 'A')], contacts: psaContacts, tickets: [] });
  const store = createMemoryMappingStore();
  return { psa, store, sync: createMatchingSync({ directory: NO_END_USERS, psa, store, tenantId: TENANT }) };
}

describe('MatchingSync.applyContactChange', () => {
  it('stores a created contact and replaces it on update', async () => {
    const { store, sync } = setup();
    const created = contact('5', '10', 'Bea', 'Costa', ['bea@a.example']);
    expect(await sync.applyContactChange({ action: 'created', contact: created })).toEqual({
      contactId: '5',
      outcome: 'stored',
      unlinked: null,
    });
    expect(await store.inspect.contact(TENANT, '5')).toEqual(created);
    await sync.applyContactChange({
      action: 'updated',
      contact: { ...created, emails: ['BEA@new.example'] },
    });
    expect((await store.inspect.contact(TENANT, '5'))?.emails).toEqual(['BEA@new.example']);
  });

  it('reads the contact from the PSA when the change carries only its id', async () => {
    const { store, sync } = setup();
    expect(await sync.applyContactChange({ action: 'updated', contactId: '1' })).toMatchObject({
      outcome: 'stored',
    });
    expect((await store.inspect.contact(TENANT, '1'))?.lastName).toBe('Silva');
  });

  it('removes a deleted contact with its link', async () => {
    const { store, sync } = setup();
    await sync.run();
    const { link } = await store.linkContact(TENANT, {
      contactId: '1',
      endUserId: 'eu-1',
      confirmedBy: by,
      confirmedAt: 1,
    });
    expect(await sync.applyContactChange({ action: 'deleted', contactId: '1' })).toEqual({
      contactId: '1',
      outcome: 'removed',
      unlinked: link,
    });
    expect(await store.inspect.contact(TENANT, '1')).toBeNull();
    expect(await store.endUserForContact(TENANT, '1')).toBeNull();
    expect(await sync.applyContactChange({ action: 'deleted', contactId: '1' })).toMatchObject({
      outcome: 'absent',
    });
  });

  it('records the link a deleted contact takes with it as an unlink by QDesk, before and after', async () => {
    const psa = createMemoryPsa({ companies: [company('10', 'A')], contacts: [], tickets: [] });
    const store = createMemoryMappingStore();
    const audit = createMemoryAuditLog();
    const clock = createManualClock(5_000);
    const sync = createMatchingSync({ directory: NO_END_USERS, psa, store, tenantId: TENANT, audit, clock });
    await sync.applyContactChange({
      action: 'created',
      contact: contact('1', '10', 'Ana', 'Silva', ['a@a.example']),
    });
    await store.linkContact(TENANT, { contactId: '1', endUserId: 'eu-1', confirmedBy: by, confirmedAt: 1 });
    await sync.applyContactChange({ action: 'updated', contactId: '1' }); // the PSA has no contact 1: deleted
    await sync.applyContactChange({ action: 'deleted', contactId: '1' }); // gone already: nothing to record
    expect(audit.all()).toEqual([
      expect.objectContaining({
        at: 5_000,
        tenantId: TENANT,
        action: 'unlink_contact',
        actor: { type: 'system', id: 'qdesk' },
        endUserId: 'eu-1',
        detail: { contactId: '1', before: 'eu-1', after: null, via: 'contact_deleted' },
      }),
    ]);
  });

  it('removes a contact the PSA no longer has when an update carries only its id', async () => {
    const { store, sync } = setup();
    await sync.run();
    const { psa: empty } = setup([]);
    const later = createMatchingSync({ directory: NO_END_USERS, psa: empty, store, tenantId: TENANT });
    expect(await later.applyContactChange({ action: 'updated', contactId: '1' })).toMatchObject({
      outcome: 'removed',
    });
  });

  it('keeps a contact a webhook added during a run when the run completes', async () => {
    const { store, sync } = setup();
    let added = false;
    await sync.run({
      onProgress: (p) => {
        if (p.phase === 'contacts' && !added) {
          added = true;
          void sync.applyContactChange({ action: 'created', contact: contact('0', '10', 'Web', 'Hook') });
        }
      },
    });
    expect(added).toBe(true);
    expect((await store.listContacts(TENANT)).map((c) => c.id).sort()).toEqual(['0', '1']);
  });

  it('rejects malformed changes naming the field', async () => {
    const { sync } = setup();
    await expect(sync.applyContactChange({ action: 'moved', contactId: '1' } as never)).rejects.toMatchObject(
      {
        code: 'input_invalid',
        issues: [{ path: 'action' }],
      },
    );
    await expect(sync.applyContactChange({ action: 'deleted' } as never)).rejects.toMatchObject({
      issues: [{ path: 'contactId' }],
    });
    await expect(
      sync.applyContactChange({
        action: 'updated',
        contact: contact('1', '10', 'A', 'B'),
        contactId: '1',
      } as never),
    ).rejects.toMatchObject({ issues: [{ path: 'contact' }] });
    await expect(
      sync.applyContactChange({
        action: 'created',
        contact: { ...contact('1', '10', 'A', 'B'), isActive: 'yes' } as never,
      }),
    ).rejects.toMatchObject({ issues: [{ path: 'contact.isActive' }] });
  });

  it('reports a PSA failure or a malformed PSA answer as an AdapterError', async () => {
    const { psa, store } = setup();
    const failing: PsaAdapter = { ...psa, getContact: () => Promise.reject(new Error('503')) };
    const sync = createMatchingSync({ directory: NO_END_USERS, psa: failing, store, tenantId: TENANT });
    await expect(sync.applyContactChange({ action: 'created', contactId: '1' })).rejects.toMatchObject({
      name: 'AdapterError',
      cause: expect.objectContaining({ message: '503' }),
    });
    const wrongId: PsaAdapter = { ...psa, getContact: async () => contact('2', '10', 'A', 'B') };
    await expect(
      createMatchingSync({
        directory: NO_END_USERS,
        psa: wrongId,
        store,
        tenantId: TENANT,
      }).applyContactChange({
        action: 'updated',
        contactId: '1',
      }),
    ).rejects.toMatchObject({ name: 'AdapterError', code: 'adapter_failed' });
  });
});
