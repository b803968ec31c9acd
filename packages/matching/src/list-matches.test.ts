import { beforeEach, describe, expect, it } from 'vitest';
import { addCustomers, company, contact, customer, endUser, TENANT } from './fixtures.test-helpers.js';
import { listMatches } from './list-matches.js';
import type { MappingStore } from './mapping-store.js';
import { matchEndUser } from './match-keys.js';
import { createMemoryMappingStore } from './memory-mapping-store.js';
import { rebuildSuggestions } from './rebuild-suggestions.js';

const by = { id: 'tech-1', name: 'Tess' };
let store: MappingStore;

beforeEach(async () => {
  store = createMemoryMappingStore();
  await addCustomers(store, [
    customer('cust-north', 'Northwind Traders'),
    customer('cust-contoso', 'Contoso Dental', 'contoso.example'),
    customer('cust-acme-1', 'Acme'),
    customer('cust-acme-2', 'ACME Inc.'),
  ]);
  await store.saveSyncBatch(TENANT, {
    checkpoint: {
      runId: 'run-1',
      phase: 'contacts',
      afterId: '14',
      companiesDone: 5,
      contactsDone: 5,
      startedAt: 0,
      updatedAt: 0,
      completedAt: null,
    },
    companies: [
      company('5', 'Zeta Works'),
      company('1', 'Northwind Traders, Inc.'),
      company('2', 'Contoso Dentistry', 'https://www.contoso.example'),
      company('3', 'Acme LLC'),
      company('4', 'Beta Ltd'),
    ],
    contacts: [
      contact('10', '1', 'Ana', 'Silva', ['ana@north.example']),
      contact('11', '1', 'Ben', 'Okafor', ['ben@north.example'], false),
      contact('12', '1', 'Chloé', 'Martin'),
      contact('13', '1', 'Ana', 'Adams', ['zz@north.example']),
      contact('14', '2', 'Dev', 'Patel', ['dev@contoso.example']),
    ],
  });
  await store.linkCompany(TENANT, {
    companyId: '1',
    customerId: 'cust-north',
    confirmedBy: by,
    confirmedAt: 1,
  });
  const endUsers = [
    endUser('eu-ana', 'cust-north', 'Ana Silva', 'ANA@north.example'),
    endUser('eu-ben', 'cust-north', 'Ben Okafor', 'ben@north.example'),
    endUser('eu-chloe', 'cust-north', 'Chloe Martin', 'chloe@north.example'),
    endUser('eu-dev', 'cust-contoso', 'Dev Patel', 'dev@contoso.example'),
  ];
  await store.saveEndUsers(TENANT, { put: endUsers.map(matchEndUser) });
  await store.linkContact(TENANT, {
    contactId: '10',
    endUserId: 'eu-ana',
    confirmedBy: by,
    confirmedAt: 2,
  });
  await rebuildSuggestions({ store, tenantId: TENANT });
});

describe('listMatches: companies', () => {
  it('lists every company by name with its status, link, customer and suggestions', async () => {
    const page = await listMatches({ store, tenantId: TENANT, kind: 'companies', filter: 'all' });
    expect(page.rows.map((r) => [r.company.name, r.status])).toEqual([
      ['Acme LLC', 'suggested'],
      ['Beta Ltd', 'unmatched'],
      ['Contoso Dentistry', 'suggested'],
      ['Northwind Traders, Inc.', 'matched'],
      ['Zeta Works', 'unmatched'],
    ]);
    const [acme, , contoso, north] = page.rows;
    expect(acme!.suggestions.map((s) => [s.customerId, s.tie])).toEqual([
      ['cust-acme-1', true],
      ['cust-acme-2', true],
    ]);
    expect(acme!.suggestedCustomers.map((c) => c.name).sort()).toEqual(['ACME Inc.', 'Acme']);
    expect(contoso!.suggestions).toEqual([
      expect.objectContaining({ customerId: 'cust-contoso', reason: 'same_domain' }),
    ]);
    expect(north!.link?.customerId).toBe('cust-north');
    expect(north!.customer?.name).toBe('Northwind Traders');
    expect(north!.suggestions).toEqual([]);
    expect(page.counts).toEqual({ all: 5, matched: 1, unmatched: 4, suggested: 2 });
    expect(page.total).toBe(5);
  });

  it.each([
    ['suggested', ['Acme LLC', 'Contoso Dentistry']],
    ['matched', ['Northwind Traders, Inc.']],
    ['unmatched', ['Acme LLC', 'Beta Ltd', 'Contoso Dentistry', 'Zeta Works']],
  ] as const)('filters %s', async (filter, names) => {
    const page = await listMatches({ store, tenantId: TENANT, kind: 'companies', filter });
    expect(page.rows.map((r) => r.company.name)).toEqual(names);
    expect(page.total).toBe(names.length);
  });

  it('pages by cursor forwards and backwards in a stable order', async () => {
    const query = { store, tenantId: TENANT, kind: 'companies', filter: 'all', limit: 2 } as const;
    const forwards: string[][] = [];
    let page = await listMatches(query);
    expect(page.previous).toBeNull();
    forwards.push(page.rows.map((r) => r.company.id));
    while (page.next) {
      page = await listMatches({ ...query, after: page.next });
      expect(page).toMatchObject({ limit: 2, total: 5 });
      forwards.push(page.rows.map((r) => r.company.id));
    }
    expect(forwards).toEqual([['3', '4'], ['2', '1'], ['5']]);
    const backwards: string[][] = [];
    while (page.previous) {
      page = await listMatches({ ...query, before: page.previous });
      backwards.push(page.rows.map((r) => r.company.id));
    }
    expect(backwards).toEqual([
      ['2', '1'],
      ['3', '4'],
    ]);
    expect(page.previous).toBeNull();
  });

  it('refuses a cursor no page gave, and after with before', async () => {
    const base = { store, tenantId: TENANT, kind: 'companies', filter: 'all' } as const;
    await expect(listMatches({ ...base, after: 'bm90LWEtY3Vyc29y' })).rejects.toMatchObject({
      code: 'input_invalid',
      issues: [{ path: 'after', message: expect.stringContaining('start from the first page') }],
    });
    await expect(listMatches({ ...base, after: 'a b' })).rejects.toMatchObject({
      issues: [{ path: 'after' }],
    });
    const { next } = await listMatches({ ...base, limit: 1 });
    await expect(listMatches({ ...base, after: next!, before: next! })).rejects.toMatchObject({
      issues: [{ path: 'before' }],
    });
  });

  it('searches names without case or accents, and ids', async () => {
    const byName = await listMatches({
      store,
      tenantId: TENANT,
      kind: 'companies',
      filter: 'all',
      search: 'CONTÓSO',
    });
    expect(byName.rows.map((r) => r.company.id)).toEqual(['2']);
    expect(byName.counts.all).toBe(1);
    const byId = await listMatches({
      store,
      tenantId: TENANT,
      kind: 'companies',
      filter: 'all',
      search: '4',
    });
    expect(byId.rows.map((r) => r.company.id)).toEqual(['4']);
  });
});

describe('listMatches: contacts', () => {
  it('lists contacts by last then first name with links, end-users, inactive flags and suggestions', async () => {
    const page = await listMatches({ store, tenantId: TENANT, kind: 'contacts', filter: 'all' });
    expect(
      page.rows.map((r) => [r.contact.id, r.status, r.endUser?.id ?? null, r.inactive, r.customerId]),
    ).toEqual([
      ['13', 'unmatched', null, false, 'cust-north'],
      ['12', 'suggested', null, false, 'cust-north'],
      ['11', 'suggested', null, true, 'cust-north'],
      ['14', 'unmatched', null, false, null],
      ['10', 'matched', 'eu-ana', false, 'cust-north'],
    ]);
    expect(page.rows[1]!.suggestions).toEqual([
      expect.objectContaining({ endUserId: 'eu-chloe', reason: 'same_name_person', strength: 'weak' }),
    ]);
    expect(page.rows[2]!.suggestions).toEqual([
      expect.objectContaining({ endUserId: 'eu-ben', strength: 'strong', inactive: true }),
    ]);
    expect(page.rows[2]!.suggestedEndUsers).toEqual([
      { id: 'eu-ben', email: 'ben@north.example', displayName: 'Ben Okafor', customerId: 'cust-north' },
    ]);
    expect(page.rows[4]!.endUser?.displayName).toBe('Ana Silva');
    expect(page.counts).toEqual({ all: 5, matched: 1, unmatched: 4, suggested: 2 });
  });

  it('narrows to one company and filters', async () => {
    const page = await listMatches({
      store,
      tenantId: TENANT,
      kind: 'contacts',
      filter: 'suggested',
      companyId: '1',
    });
    expect(page.rows.map((r) => r.contact.id)).toEqual(['12', '11']);
    const other = await listMatches({
      store,
      tenantId: TENANT,
      kind: 'contacts',
      filter: 'all',
      companyId: '2',
    });
    expect(other.rows.map((r) => r.contact.id)).toEqual(['14']);
  });

  it('searches contacts by name and by email', async () => {
    const list = (search: string) =>
      listMatches({ store, tenantId: TENANT, kind: 'contacts', filter: 'all', search }).then((p) =>
        p.rows.map((r) => r.contact.id),
      );
    expect(await list('chloe')).toEqual(['12']);
    expect(await list('ana')).toEqual(['13', '10']);
    expect(await list('DEV@contoso')).toEqual(['14']);
  });

  it('rejects bad queries naming the field', async () => {
    const base = { store, tenantId: TENANT };
    await expect(
      listMatches({ ...base, kind: 'contacts', filter: 'all', endUsers: [] } as never),
    ).rejects.toMatchObject({
      code: 'input_invalid',
      issues: [{ path: 'endUsers', message: expect.stringContaining('mapping store keeps the end-users') }],
    });
    await expect(
      listMatches({ ...base, kind: 'contacts', filter: 'all', offset: 50 } as never),
    ).rejects.toMatchObject({ issues: [{ path: 'offset', message: expect.stringContaining('cursors') }] });
    await expect(listMatches({ ...base, kind: 'companies', filter: 'todo' as never })).rejects.toMatchObject({
      issues: [{ path: 'filter' }],
    });
    await expect(listMatches({ ...base, kind: 'companies', filter: 'all', limit: 0 })).rejects.toMatchObject({
      issues: [{ path: 'limit' }],
    });
    await expect(
      listMatches({ ...base, kind: 'companies', filter: 'all', companyId: '1' } as never),
    ).rejects.toMatchObject({ issues: [{ path: 'companyId' }] });
    await expect(
      listMatches({
        store: { listCustomers: () => [] } as never,
        tenantId: TENANT,
        kind: 'companies',
        filter: 'all',
      }),
    ).rejects.toMatchObject({ code: 'config_invalid' });
  });
});
