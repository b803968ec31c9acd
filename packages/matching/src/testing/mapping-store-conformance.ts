import { describe, expect, it } from 'vitest';
import { isQdeskError } from '../errors.js';
import type { MappingStore } from '../matching/mapping-store.js';
import type { CompanyLink, ContactLink, SyncCheckpoint } from '../matching/types.js';
import type { PsaCompany, PsaContact } from '../ports/psa.js';
import type { Actor } from '../types.js';

/** Options for {@link runMappingStoreConformance}. @public */
export interface MappingStoreConformanceOptions {
  /** Shown in the test names. */
  name: string;
  /** A ready store (called once per test; each test uses its own tenant ids, so a shared backing store is fine). */
  create: () => MappingStore | Promise<MappingStore>;
  /** Releases what `create` opened. */
  cleanup?: (store: MappingStore) => void | Promise<void>;
}

let counter = 0;
const tenant = () => `tenant-conf-${process.pid}-${++counter}-${Math.random().toString(36).slice(2, 8)}`;
const company = (id: string, name = `Company ${id}`): PsaCompany => ({
  id,
  name,
  webAddress: `https://www.company${id}.example/`,
  isActive: true,
});
const contact = (id: string, companyId: string): PsaContact => ({
  id,
  companyId,
  firstName: 'Ana',
  lastName: `Silva ${id}`,
  emails: [`ana.${id}@example.com`],
  mobilePhone: null,
  phone: null,
  isActive: true,
});
const by = { id: 'tech-1', name: 'Test Admin' };
const companyLink = (tenantId: string, companyId: string, customerId: string, at = 1_000): CompanyLink => ({
  tenantId,
  companyId,
  customerId,
  confirmedBy: { ...by },
  confirmedAt: at,
});
const contactLink = (tenantId: string, contactId: string, endUserId: string, at = 1_000): ContactLink => ({
  tenantId,
  contactId,
  endUserId,
  confirmedBy: { ...by },
  confirmedAt: at,
});
const checkpoint = (runId: string, overrides: Partial<SyncCheckpoint> = {}): SyncCheckpoint => ({
  runId,
  phase: 'contacts',
  afterId: null,
  companiesDone: 0,
  contactsDone: 0,
  startedAt: 1_000,
  updatedAt: 1_000,
  completedAt: null,
  ...overrides,
});
const ids = (records: Array<{ id: string }>) => records.map((r) => r.id).sort();

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}
const expectCode = async (promise: Promise<unknown>, code: string) => {
  const error = await errorOf(promise);
  expect(isQdeskError(error) ? error.code : error).toBe(code);
};

/**
 * The shared test suite every {@link MappingStore} must pass. Call it at the top level of a vitest file.
 * @example
 * ```ts
 * import { runMappingStoreConformance } from '@qdesk/core/testing';
 * runMappingStoreConformance({ name: 'postgres', create: () => createPgMappingStore(pool) });
 * ```
 * @public
 */
export function runMappingStoreConformance(options: MappingStoreConformanceOptions): void {
  const withStore = (fn: (store: MappingStore, t: string) => Promise<void>) => async () => {
    const store = await options.create();
    try {
      await fn(store, tenant());
    } finally {
      await options.cleanup?.(store);
    }
  };
  const customer = async (store: MappingStore, t: string, id: string, name = `Customer ${id}`) =>
    store.createCustomer({ tenantId: t, id, name });

  describe(`MappingStore conformance: ${options.name}`, () => {
    it(
      'starts empty for a new tenant',
      withStore(async (store, t) => {
        expect(await store.listCustomers(t)).toEqual([]);
        expect(await store.getCustomer(t, 'c1')).toBeNull();
        expect(await store.listCompanyLinks(t)).toEqual([]);
        expect(await store.listContactLinks(t)).toEqual([]);
        expect(await store.customerForCompany(t, '1')).toBeNull();
        expect(await store.companyForCustomer(t, 'c1')).toBeNull();
        expect(await store.endUserForContact(t, '1')).toBeNull();
        expect(await store.contactForEndUser(t, 'eu-1')).toBeNull();
        expect(await store.listCompanies(t)).toEqual([]);
        expect(await store.listContacts(t)).toEqual([]);
        expect(await store.getContact(t, '1')).toBeNull();
        expect(await store.getSyncCheckpoint(t)).toBeNull();
        expect(await store.unlinkCompany(t, '1')).toBeNull();
        expect(await store.unlinkContact(t, '1')).toBeNull();
      }),
    );

    it(
      'creates customers with a normalised domain and a made-up id, and refuses a taken id',
      withStore(async (store, t) => {
        const made = await store.createCustomer({
          tenantId: t,
          name: 'Contoso',
          domain: 'https://www.Contoso.example/x',
        });
        expect(made).toEqual({
          id: expect.any(String),
          tenantId: t,
          name: 'Contoso',
          domain: 'contoso.example',
        });
        const named = await customer(store, t, 'c1');
        expect(named.domain).toBeNull();
        expect(ids(await store.listCustomers(t))).toEqual([made.id, 'c1'].sort());
        expect(await store.getCustomer(t, 'c1')).toEqual(named);
        await expectCode(customer(store, t, 'c1', 'Other'), 'conflict');
        expect((await store.getCustomer(t, 'c1'))?.name).toBe('Customer c1');
        await expectCode(store.createCustomer({ tenantId: t, name: '  ' }), 'input_invalid');
        await expectCode(
          store.createCustomer({ tenantId: t, name: 'X', domain: 'not a domain' }),
          'input_invalid',
        );
      }),
    );

    it(
      'keeps tenants apart',
      withStore(async (store, t) => {
        const other = tenant();
        await customer(store, t, 'c1');
        await store.linkCompany(companyLink(t, '1', 'c1'));
        await store.linkContact(contactLink(t, '10', 'eu-1'));
        expect(await store.listCustomers(other)).toEqual([]);
        expect(await store.customerForCompany(other, '1')).toBeNull();
        expect(await store.endUserForContact(other, '10')).toBeNull();
        await expectCode(store.linkCompany(companyLink(other, '1', 'c1')), 'input_invalid');
        await customer(store, other, 'c1');
        await store.linkCompany(companyLink(other, '2', 'c1'));
        expect((await store.customerForCompany(t, '1'))?.customerId).toBe('c1');
        expect((await store.companyForCustomer(other, 'c1'))?.companyId).toBe('2');
      }),
    );

    it(
      'links a company to a customer, reads it from both sides, and keeps the first confirmation on a retry',
      withStore(async (store, t) => {
        await customer(store, t, 'c1');
        const link = companyLink(t, '1', 'c1', 5_000);
        expect(await store.linkCompany(link)).toEqual(link);
        expect(await store.customerForCompany(t, '1')).toEqual(link);
        expect(await store.companyForCustomer(t, 'c1')).toEqual(link);
        expect(await store.linkCompany({ ...link, confirmedAt: 9_000 })).toEqual(link);
        expect(await store.listCompanyLinks(t)).toEqual([link]);
      }),
    );

    it(
      'refuses a second link on either side with a conflict, changing nothing',
      withStore(async (store, t) => {
        await customer(store, t, 'c1');
        await customer(store, t, 'c2');
        await store.linkCompany(companyLink(t, '1', 'c1'));
        await expectCode(store.linkCompany(companyLink(t, '1', 'c2')), 'conflict');
        await expectCode(store.linkCompany(companyLink(t, '2', 'c1')), 'conflict');
        expect(await store.listCompanyLinks(t)).toEqual([companyLink(t, '1', 'c1')]);
        await store.linkContact(contactLink(t, '10', 'eu-1'));
        await expectCode(store.linkContact(contactLink(t, '10', 'eu-2')), 'conflict');
        await expectCode(store.linkContact(contactLink(t, '11', 'eu-1')), 'conflict');
        expect(await store.listContactLinks(t)).toEqual([contactLink(t, '10', 'eu-1')]);
        expect(await store.contactForEndUser(t, 'eu-2')).toBeNull();
      }),
    );

    it(
      'refuses a link to an unknown customer and malformed links with InputError',
      withStore(async (store, t) => {
        await expectCode(store.linkCompany(companyLink(t, '1', 'nobody')), 'input_invalid');
        await expectCode(store.linkContact(contactLink(t, '', 'eu-1')), 'input_invalid');
        await expectCode(
          store.linkContact({ ...contactLink(t, '1', 'eu-1'), confirmedAt: -1 }),
          'input_invalid',
        );
        expect(await store.listContactLinks(t)).toEqual([]);
      }),
    );

    it(
      'unlinks and frees both sides',
      withStore(async (store, t) => {
        await customer(store, t, 'c1');
        const link = await store.linkCompany(companyLink(t, '1', 'c1'));
        expect(await store.unlinkCompany(t, '1')).toEqual(link);
        expect(await store.customerForCompany(t, '1')).toBeNull();
        expect(await store.companyForCustomer(t, 'c1')).toBeNull();
        expect((await store.linkCompany(companyLink(t, '2', 'c1'))).companyId).toBe('2');
        const contactSide = await store.linkContact(contactLink(t, '10', 'eu-1'));
        expect(await store.unlinkContact(t, '10')).toEqual(contactSide);
        expect(await store.unlinkContact(t, '10')).toBeNull();
        expect(await store.contactForEndUser(t, 'eu-1')).toBeNull();
        expect((await store.linkContact(contactLink(t, '11', 'eu-1'))).contactId).toBe('11');
        expect((await store.endUserForContact(t, '11'))?.endUserId).toBe('eu-1');
      }),
    );

    it(
      'creates a customer from a company and links it in one step, or nothing when the company is linked',
      withStore(async (store, t) => {
        const actor: Actor = { tenantId: t, technicianId: 'tech-9', technicianName: 'Nine' };
        const { customer: made, link } = await store.createCustomerFromCompany(
          company('7', 'Fabrikam GmbH'),
          actor,
          {
            at: 42,
          },
        );
        expect(made).toMatchObject({ tenantId: t, name: 'Fabrikam GmbH', domain: 'company7.example' });
        expect(link).toEqual({
          tenantId: t,
          companyId: '7',
          customerId: made.id,
          confirmedBy: { id: 'tech-9', name: 'Nine' },
          confirmedAt: 42,
        });
        expect(await store.customerForCompany(t, '7')).toEqual(link);
        await expectCode(store.createCustomerFromCompany(company('7'), actor), 'conflict');
        expect(await store.listCustomers(t)).toHaveLength(1);
      }),
    );

    it(
      'lets exactly one of many racing links to one end-user win',
      withStore(async (store, t) => {
        const results = await Promise.allSettled(
          Array.from({ length: 20 }, (_, i) => store.linkContact(contactLink(t, String(100 + i), 'eu-race'))),
        );
        const won = results.filter((r) => r.status === 'fulfilled');
        expect(won).toHaveLength(1);
        for (const r of results)
          if (r.status === 'rejected') expect(isQdeskError(r.reason) && r.reason.code).toBe('conflict');
        const winner = (won[0] as PromiseFulfilledResult<ContactLink>).value;
        expect(await store.contactForEndUser(t, 'eu-race')).toEqual(winner);
        expect(await store.listContactLinks(t)).toHaveLength(1);
      }),
    );

    it(
      'hands out copies or frozen values and keeps what was written when the caller mutates its objects',
      withStore(async (store, t) => {
        const attempt = (write: () => void) => {
          try {
            write();
          } catch {}
        };
        await customer(store, t, 'c1');
        const link = companyLink(t, '1', 'c1');
        await store.linkCompany(link);
        link.customerId = 'changed';
        link.confirmedBy.name = 'changed';
        const read = (await store.customerForCompany(t, '1'))!;
        attempt(() => {
          read.confirmedBy.name = 'mutated';
        });
        expect(await store.customerForCompany(t, '1')).toEqual(companyLink(t, '1', 'c1'));
        const record = contact('5', '1');
        await store.saveSyncBatch(t, { checkpoint: checkpoint('run-1'), contacts: [record] });
        record.emails.push('changed@example.com');
        const stored = (await store.getContact(t, '5'))!;
        attempt(() => {
          stored.emails.push('mutated@example.com');
        });
        expect(await store.getContact(t, '5')).toEqual(contact('5', '1'));
      }),
    );

    it(
      'saves sync batches with their checkpoint and lists the records, all or by company',
      withStore(async (store, t) => {
        const cp1 = checkpoint('run-1', { phase: 'companies', afterId: '2', companiesDone: 2 });
        await store.saveSyncBatch(t, { checkpoint: cp1, companies: [company('1'), company('2')] });
        expect(await store.getSyncCheckpoint(t)).toEqual(cp1);
        const cp2 = checkpoint('run-1', { afterId: '12', companiesDone: 2, contactsDone: 3 });
        await store.saveSyncBatch(t, {
          checkpoint: cp2,
          contacts: [contact('10', '1'), contact('11', '1'), contact('12', '2')],
        });
        expect(await store.getSyncCheckpoint(t)).toEqual(cp2);
        expect(ids(await store.listCompanies(t))).toEqual(['1', '2']);
        expect(await store.getCompany(t, '2')).toEqual(company('2'));
        expect(ids(await store.listContacts(t))).toEqual(['10', '11', '12']);
        expect(ids(await store.listContacts(t, { companyId: '1' }))).toEqual(['10', '11']);
        expect(await store.listContacts(t, { companyId: '3' })).toEqual([]);
      }),
    );

    it(
      'upserts a contact from a webhook, moving it between companies',
      withStore(async (store, t) => {
        await store.putContact(t, contact('10', '1'));
        await store.putContact(t, { ...contact('10', '2'), firstName: 'Bea' });
        expect((await store.getContact(t, '10'))?.firstName).toBe('Bea');
        expect(await store.listContacts(t, { companyId: '1' })).toEqual([]);
        expect(ids(await store.listContacts(t, { companyId: '2' }))).toEqual(['10']);
        await expectCode(
          store.putContact(t, { ...contact('11', '1'), emails: 'x' as unknown as string[] }),
          'input_invalid',
        );
      }),
    );

    it(
      'removes a contact with its link',
      withStore(async (store, t) => {
        await store.putContact(t, contact('10', '1'));
        const link = await store.linkContact(contactLink(t, '10', 'eu-1'));
        expect(await store.removeContact(t, '10')).toEqual({ removed: true, unlinked: link });
        expect(await store.getContact(t, '10')).toBeNull();
        expect(await store.contactForEndUser(t, 'eu-1')).toBeNull();
        expect(await store.removeContact(t, '10')).toEqual({ removed: false, unlinked: null });
      }),
    );

    it(
      'completes a run by removing what it did not see, with their links, and keeping webhook records of the run',
      withStore(async (store, t) => {
        await customer(store, t, 'c1');
        await store.saveSyncBatch(t, {
          checkpoint: checkpoint('run-1'),
          companies: [company('1'), company('2')],
          contacts: [contact('10', '1'), contact('11', '2')],
        });
        await store.completeSync(t, checkpoint('run-1', { phase: 'completed', completedAt: 2_000 }));
        const gone = await store.linkCompany(companyLink(t, '2', 'c1'));
        const goneContact = await store.linkContact(contactLink(t, '11', 'eu-2'));
        await store.saveSyncBatch(t, {
          checkpoint: checkpoint('run-2'),
          companies: [company('1')],
          contacts: [contact('10', '1')],
        });
        await store.putContact(t, contact('12', '1'));
        const done = checkpoint('run-2', { phase: 'completed', completedAt: 3_000 });
        const pruned = await store.completeSync(t, done);
        expect(pruned).toEqual({
          removedCompanies: ['2'],
          removedContacts: ['11'],
          unlinkedCompanies: [gone],
          unlinkedContacts: [goneContact],
        });
        expect(ids(await store.listCompanies(t))).toEqual(['1']);
        expect(ids(await store.listContacts(t))).toEqual(['10', '12']);
        expect(await store.companyForCustomer(t, 'c1')).toBeNull();
        expect(await store.getSyncCheckpoint(t)).toEqual(done);
      }),
    );
  });
}
