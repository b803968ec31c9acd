import { isQdeskError } from '@qdesk/core';
import type { PsaCompany, PsaContact } from '@qdesk/core/ports';
import type {
  CompanyLink,
  ContactLink,
  Customer,
  MappingStoreInspector,
  SyncCheckpoint,
} from '@qdesk/matching';
import { runMappingStoreConformance } from '@qdesk/matching/testing';
import { describe, expect, it } from 'vitest';
import { testDatabases } from './_databases.test-helpers.js';
import type { Queryable } from './database.js';
import { createPostgresMappingStore } from './mapping-store.js';

type Row = Record<string, unknown>;

/** Reads the store's tables with plain selects, bypassing its queries. */
function inspector(db: () => Promise<Queryable>): MappingStoreInspector {
  const one = async (table: string, key: string, tenantId: string, id: string): Promise<Row | null> => {
    const { rows } = await (await db()).query<Row>(
      `SELECT * FROM ${table} WHERE tenant_id = $1 AND ${key} = $2`,
      [tenantId, id],
    );
    return rows[0] ?? null;
  };
  const confirmation = (r: Row) => ({
    confirmedBy: { id: r.confirmed_by_id, name: r.confirmed_by_name },
    confirmedAt: r.confirmed_at,
  });
  return {
    async customer(tenantId, customerId) {
      const r = await one('qdesk_customers', 'id', tenantId, customerId);
      return r && ({ id: r.id, tenantId: r.tenant_id, name: r.name, domain: r.domain } as Customer);
    },
    async companyLink(tenantId, companyId) {
      const r = await one('qdesk_company_links', 'company_id', tenantId, companyId);
      return (
        r &&
        ({ tenantId, companyId: r.company_id, customerId: r.customer_id, ...confirmation(r) } as CompanyLink)
      );
    },
    async contactLink(tenantId, contactId) {
      const r = await one('qdesk_contact_links', 'contact_id', tenantId, contactId);
      return (
        r &&
        ({ tenantId, contactId: r.contact_id, endUserId: r.end_user_id, ...confirmation(r) } as ContactLink)
      );
    },
    async company(tenantId, companyId) {
      const r = await one('qdesk_psa_companies', 'id', tenantId, companyId);
      return (
        r && ({ id: r.id, name: r.name, webAddress: r.web_address, isActive: r.is_active } as PsaCompany)
      );
    },
    async contact(tenantId, contactId) {
      const r = await one('qdesk_psa_contacts', 'id', tenantId, contactId);
      return (
        r &&
        ({
          id: r.id,
          companyId: r.company_id,
          firstName: r.first_name,
          lastName: r.last_name,
          emails: r.emails,
          mobilePhone: r.mobile_phone,
          phone: r.phone,
          isActive: r.is_active,
        } as PsaContact)
      );
    },
  };
}

const by = { id: 'admin-1', name: 'Sam Admin' };
const contact = (id: string): PsaContact => ({
  id,
  companyId: '1',
  firstName: 'Ana',
  lastName: `Silva ${id}`,
  emails: [`ana.${id}@contoso.example`],
  mobilePhone: null,
  phone: '+1 555 0100',
  isActive: true,
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

const databases = testDatabases();

for (const db of databases) {
  runMappingStoreConformance({
    name: `@qdesk/store-postgres on ${db.name}`,
    create: async () => createPostgresMappingStore(await db.fresh()),
    inspect: () => inspector(db.database),
  });

  describe(`PostgresMappingStore on ${db.name}`, () => {
    it('stores a sync batch of 5,000 contacts, the last of two records with one id winning', async () => {
      const store = createPostgresMappingStore(await db.fresh());
      const contacts = Array.from({ length: 5_000 }, (_, i) => contact(String(i)));
      const renamed = { ...contact('7'), firstName: 'Bea', emails: [] };
      await store.saveSyncBatch('msp-1', {
        checkpoint: checkpoint('run-1'),
        contacts: [...contacts, renamed],
      });
      const listed = await store.listContacts('msp-1');
      expect(listed).toHaveLength(5_000);
      expect(listed.find((c) => c.id === '7')).toEqual(renamed);
      expect(listed.find((c) => c.id === '4999')).toEqual(contact('4999'));
    });

    it('keeps a webhook contact stamped with the run in progress, and prunes the others', async () => {
      const store = createPostgresMappingStore(await db.fresh());
      await store.putContact('msp-1', contact('before-any-run'));
      await store.saveSyncBatch('msp-1', { checkpoint: checkpoint('run-1'), contacts: [contact('10')] });
      await store.putContact('msp-1', contact('from-webhook'));
      const pruned = await store.completeSync('msp-1', checkpoint('run-1', { phase: 'completed' }));
      expect(pruned.removedContacts).toEqual(['before-any-run']);
      expect((await store.listContacts('msp-1')).map((c) => c.id).sort()).toEqual(['10', 'from-webhook']);
    });

    it('answers endUserForContact and customerForCompany with one query each', async () => {
      const database = await db.fresh();
      const setup = createPostgresMappingStore(database);
      await setup.createCustomer('msp-1', {
        id: 'c1',
        name: 'Contoso',
        linkTo: { companyId: '7', confirmedBy: by, confirmedAt: 1 },
      });
      await setup.linkContact('msp-1', {
        contactId: '10',
        endUserId: 'eu-1',
        confirmedBy: by,
        confirmedAt: 1,
      });
      const sent: string[] = [];
      const store = createPostgresMappingStore({
        ...database,
        query: <Row>(text: string, params?: readonly unknown[]) => {
          sent.push(text);
          return database.query<Row>(text, params);
        },
      });
      expect((await store.endUserForContact('msp-1', '10'))?.endUserId).toBe('eu-1');
      expect((await store.customerForCompany('msp-1', '7'))?.customerId).toBe('c1');
      expect(sent).toHaveLength(2);
    });

    it('trims ids as the memory store does, and refuses a malformed link with InputError', async () => {
      const store = createPostgresMappingStore(await db.fresh());
      await store.linkContact(' msp-1 ', {
        contactId: ' 10 ',
        endUserId: 'eu-1',
        confirmedBy: by,
        confirmedAt: 1,
      });
      expect((await store.endUserForContact('msp-1', '10'))?.endUserId).toBe('eu-1');
      await expect(
        store.linkContact('msp-1', { contactId: '11', endUserId: '', confirmedBy: by, confirmedAt: -1 }),
      ).rejects.toMatchObject({
        code: 'input_invalid',
        issues: [
          { path: 'link.endUserId', message: 'must not be empty' },
          { path: 'link.confirmedAt', message: 'must not be negative' },
        ],
      });
      // A NUL, which PostgreSQL text cannot hold, is refused up front with its field named, not by the driver.
      await expect(
        store.putContact('msp-1', {
          id: '12',
          companyId: '7',
          firstName: 'A\u0000',
          lastName: 'B',
          emails: [],
          mobilePhone: null,
          phone: null,
          isActive: true,
        }),
      ).rejects.toMatchObject({
        code: 'input_invalid',
        issues: [{ path: 'contact.firstName', message: 'must not contain NUL characters' }],
      });
    });

    it('createCustomer with a taken id or a linked company stores nothing and says what to do', async () => {
      const store = createPostgresMappingStore(await db.fresh());
      const linkTo = { companyId: '7', confirmedBy: by, confirmedAt: 1 };
      await store.createCustomer('msp-1', { id: 'c1', name: 'Contoso', linkTo });
      await expect(store.createCustomer('msp-1', { id: 'c1', name: 'Again' })).rejects.toMatchObject({
        code: 'conflict',
        message: 'A customer with id c1 exists already; pick another id.',
      });
      await expect(store.createCustomer('msp-1', { id: 'c2', name: 'Other', linkTo })).rejects.toMatchObject({
        code: 'conflict',
        message: 'Company 7 is already matched to customer c1; unmatch it first.',
      });
      expect((await store.listCustomers('msp-1')).map((c) => c.id)).toEqual(['c1']);
    });
  });
}

describe('PostgresMappingStore under racing writers on PostgreSQL', () => {
  const postgres = databases.find((d) => d.name === 'PostgreSQL');

  it('20 concurrent linkContact calls on one contact end with one link and 19 conflicts', async () => {
    const store = createPostgresMappingStore(await postgres!.fresh());
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        store.linkContact('msp-1', {
          contactId: '10',
          endUserId: `eu-${i}`,
          confirmedBy: by,
          confirmedAt: i,
        }),
      ),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(19);
    const winner = (won[0] as PromiseFulfilledResult<{ link: ContactLink; created: boolean }>).value;
    expect(winner.created).toBe(true);
    for (const error of lost) {
      expect(isQdeskError(error) && error.code).toBe('conflict');
      expect(error.message).toBe(
        `Contact 10 is already matched to end-user ${winner.link.endUserId}; unmatch it first.`,
      );
    }
    expect(await store.listContactLinks('msp-1')).toEqual([winner.link]);
  });
});
