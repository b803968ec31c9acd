import { createMemoryAuditLog } from '@qdesk/core/memory';
import { describe, expect, it } from 'vitest';
import { confirmSuggestions } from './confirm-suggestions.js';
import { addCustomers, company, contact, customer, endUser, TENANT } from './fixtures.test-helpers.js';
import { createMemoryMappingStore } from './memory-mapping-store.js';
import { suggestCompanyMatches } from './suggest-companies.js';
import { suggestContactMatches } from './suggest-contacts.js';

const actor = {
  tenantId: TENANT,
  technicianId: 'admin-1',
  technicianName: 'Ada Admin',
  role: 'admin' as const,
};

async function storeWith(customers: ReturnType<typeof customer>[]) {
  const store = createMemoryMappingStore();
  await addCustomers(store, customers);
  return store;
}

describe('confirmSuggestions', () => {
  it('confirms strong company suggestions in bulk and leaves ties, weak ones and conflicts to an admin', async () => {
    const customers = [
      customer('c-north', 'Northwind'),
      customer('c-acme-1', 'Acme'),
      customer('c-acme-2', 'Acme Inc'),
      customer('c-fab', 'Fabrikam Group', 'fabrikam.example'),
      customer('c-beta', 'Beta'),
    ];
    const store = await storeWith(customers);
    const suggestions = suggestCompanyMatches(
      [
        company('1', 'Northwind LLC'),
        company('2', 'ACME'),
        company('3', 'Fabrikam', 'fabrikam.example'),
        company('4', 'Beta'),
        company('5', 'Beta GmbH'),
      ],
      customers,
    );
    const result = await confirmSuggestions({ store, actor, kind: 'companies', suggestions, at: 1234 });
    expect(result.confirmed).toEqual([
      {
        tenantId: TENANT,
        companyId: '1',
        customerId: 'c-north',
        confirmedBy: { id: 'admin-1', name: 'Ada Admin' },
        confirmedAt: 1234,
      },
    ]);
    expect(result.skipped.map((s) => [s.suggestion.companyId, s.suggestion.customerId, s.reason])).toEqual([
      ['2', 'c-acme-1', 'tie'],
      ['2', 'c-acme-2', 'tie'],
      ['3', 'c-fab', 'weak'],
      ['4', 'c-beta', 'conflict'],
      ['5', 'c-beta', 'conflict'],
    ]);
    expect(await store.listCompanyLinks(TENANT)).toEqual(result.confirmed);
  });

  it('confirms weak suggestions with includeWeak, but not a company with several suggestions', async () => {
    const customers = [
      customer('c-fab', 'Fabrikam Group', 'fabrikam.example'),
      customer('c-x', 'X', 'x.example'),
    ];
    const store = await storeWith(customers);
    const suggestions = suggestCompanyMatches(
      [company('3', 'Fabrikam', 'fabrikam.example'), company('4', 'Y', 'x.example')],
      customers,
    );
    const ambiguous = { ...suggestions[1]!, customerId: 'c-fab' };
    const result = await confirmSuggestions({
      store,
      actor,
      kind: 'companies',
      suggestions: [...suggestions, ambiguous],
      includeWeak: true,
    });
    expect(result.confirmed.map((l) => l.companyId)).toEqual(['3']);
    expect(result.skipped.map((s) => [s.suggestion.companyId, s.reason])).toEqual([
      ['4', 'ambiguous'],
      ['4', 'ambiguous'],
    ]);
  });

  it('reports a pair linked before, a side taken meanwhile and a vanished customer instead of failing', async () => {
    const store = await storeWith([customer('c-1', 'One'), customer('c-2', 'Two'), customer('c-3', 'Three')]);
    const by = { id: 'other', name: 'Other' };
    await store.linkCompany(TENANT, {
      companyId: '1',
      customerId: 'c-1',
      confirmedBy: by,
      confirmedAt: 1,
    });
    await store.linkCompany(TENANT, {
      companyId: '9',
      customerId: 'c-2',
      confirmedBy: by,
      confirmedAt: 1,
    });
    const suggestions = suggestCompanyMatches(
      [company('1', 'One'), company('2', 'Two'), company('3', 'Three'), company('4', 'Four')],
      [customer('c-1', 'One'), customer('c-2', 'Two'), customer('c-3', 'Three'), customer('c-4', 'Four')],
    );
    const result = await confirmSuggestions({ store, actor, kind: 'companies', suggestions });
    expect(result.confirmed.map((l) => [l.companyId, l.customerId])).toEqual([['3', 'c-3']]);
    expect(result.skipped.map((s) => [s.suggestion.companyId, s.reason])).toEqual([
      ['1', 'already_linked'],
      ['2', 'taken'],
      ['4', 'stale'],
    ]);
    expect(result.skipped[1]!.message).toMatch(/already matched to company 9/);
  });

  it('confirms strong contact suggestions', async () => {
    const store = createMemoryMappingStore();
    const suggestions = suggestContactMatches(
      [contact('10', '1', 'Ana', 'Silva', ['ana@a.example']), contact('11', '1', 'Chloé', 'Martin')],
      [
        endUser('eu-ana', 'c-1', 'Ana Silva', 'Ana@A.example'),
        endUser('eu-chloe', 'c-1', 'Chloe Martin', 'c@a.example'),
      ],
      { companyLinks: [{ companyId: '1', customerId: 'c-1' }] },
    );
    const result = await confirmSuggestions({ store, actor, kind: 'contacts', suggestions });
    expect(result.confirmed.map((l) => [l.contactId, l.endUserId])).toEqual([['10', 'eu-ana']]);
    expect(result.skipped.map((s) => [s.suggestion.contactId, s.reason])).toEqual([['11', 'weak']]);
    expect((await store.endUserForContact(TENANT, '10'))?.endUserId).toBe('eu-ana');
  });

  it('rejects malformed input naming the field', async () => {
    const store = createMemoryMappingStore();
    await expect(
      confirmSuggestions({ store, actor: { ...actor, tenantId: '' }, kind: 'companies', suggestions: [] }),
    ).rejects.toMatchObject({ code: 'input_invalid', issues: [{ path: 'actor.tenantId' }] });
    await expect(
      confirmSuggestions({ store, actor, kind: 'contacts', suggestions: [{ strength: 'strong' } as never] }),
    ).rejects.toMatchObject({ code: 'input_invalid' });
  });

  it('wraps a store failure in an AdapterError with the cause', async () => {
    const store = createMemoryMappingStore();
    const broken = { ...store, linkContact: () => Promise.reject(new Error('disk full')) };
    const suggestions = suggestContactMatches(
      [contact('10', '1', 'Ana', 'Silva', ['ana@a.example'])],
      [endUser('eu-ana', 'c-1', 'Ana Silva', 'ana@a.example')],
      { companyLinks: [{ companyId: '1', customerId: 'c-1' }] },
    );
    await expect(
      confirmSuggestions({ store: broken, actor, kind: 'contacts', suggestions }),
    ).rejects.toMatchObject({
      name: 'AdapterError',
      code: 'adapter_failed',
      cause: expect.objectContaining({ message: 'disk full' }),
    });
  });
});

describe('confirmSuggestions: audit', () => {
  it('records each link it creates with the admin and the before and after, and nothing for a repeat', async () => {
    const customers = [
      customer('c-north', 'Northwind'),
      customer('c-acme-1', 'Acme'),
      customer('c-acme-2', 'Acme Inc'),
    ];
    const store = await storeWith(customers);
    const audit = createMemoryAuditLog();
    const suggestions = suggestCompanyMatches(
      [company('1', 'Northwind LLC'), company('2', 'ACME')],
      customers,
    );
    await confirmSuggestions({ store, actor, kind: 'companies', suggestions, at: 1234, audit });
    const again = await confirmSuggestions({ store, actor, kind: 'companies', suggestions, at: 9999, audit });
    expect(again.skipped.map((s) => s.reason)).toEqual(['already_linked', 'tie', 'tie']);
    expect(audit.all()).toEqual([
      {
        id: expect.stringMatching(/^audit_/),
        at: 1234,
        tenantId: TENANT,
        sessionId: null,
        action: 'link_company',
        actor: { type: 'technician', id: 'admin-1', name: 'Ada Admin' },
        ticketId: null,
        ticketNumber: null,
        endUserId: null,
        method: null,
        result: 'ok',
        status: null,
        detail: { companyId: '1', before: null, after: 'c-north', via: 'confirmed_suggestion' },
      },
    ]);
  });

  it("records a contact link under its end-user, without the contact's email or phone", async () => {
    const store = createMemoryMappingStore();
    const audit = createMemoryAuditLog();
    const secretish = {
      ...contact('10', '1', 'Ana', 'Silva', ['ana.private@a.example']),
      mobilePhone: '+15550100001',
    };
    const suggestions = suggestContactMatches(
      [secretish],
      [endUser('eu-ana', 'c-1', 'Ana Silva', 'ana.private@a.example')],
      { companyLinks: [{ companyId: '1', customerId: 'c-1' }] },
    );
    await confirmSuggestions({ store, actor, kind: 'contacts', suggestions, audit });
    const [record] = audit.all();
    expect(record).toMatchObject({
      action: 'link_contact',
      endUserId: 'eu-ana',
      detail: { contactId: '10', before: null, after: 'eu-ana', via: 'confirmed_suggestion' },
    });
    expect(JSON.stringify(audit.all())).not.toMatch(/ana\.private|5550100001|Silva/);
  });

  it('removes a link again when its audit record cannot be written, so no link goes unrecorded', async () => {
    const store = createMemoryMappingStore();
    const failing = {
      ...createMemoryAuditLog(),
      append: () => Promise.reject(new Error('audit volume full')),
    };
    const suggestions = suggestContactMatches(
      [contact('10', '1', 'Ana', 'Silva', ['ana@a.example'])],
      [endUser('eu-ana', 'c-1', 'Ana Silva', 'ana@a.example')],
      { companyLinks: [{ companyId: '1', customerId: 'c-1' }] },
    );
    await expect(
      confirmSuggestions({ store, actor, kind: 'contacts', suggestions, audit: failing }),
    ).rejects.toMatchObject({ name: 'AdapterError', port: 'audit log', operation: 'append' });
    expect(await store.listContactLinks(TENANT)).toEqual([]);
  });

  it('refuses an audit log without append before linking anything', async () => {
    const store = await storeWith([customer('c-north', 'Northwind')]);
    const suggestions = suggestCompanyMatches(
      [company('1', 'Northwind')],
      [customer('c-north', 'Northwind')],
    );
    await expect(
      confirmSuggestions({ store, actor, kind: 'companies', suggestions, audit: {} as never }),
    ).rejects.toMatchObject({ code: 'config_invalid', issues: [{ path: 'audit' }] });
    expect(await store.listCompanyLinks(TENANT)).toEqual([]);
  });
});
