import { QdeskError } from '@qdesk/core';
import type { PsaContact } from '@qdesk/core/ports';
import type { MappingStore, MappingStoreInspector } from '../mapping-store.js';
import { createMemoryMappingStore, type MemoryMappingStore } from '../memory-mapping-store.js';
import type { CompanyLink, ContactLink, Customer } from '../types.js';
import type { MappingStoreSubject } from './mapping-store-conformance.js';

// Deliberately broken mapping stores, each making one mistake a real implementation could make, so the kit's test
// can show that every rule catches its mistake with a message that says what to fix. Never exported.

/** The memory store with some methods replaced; `inspect` still reads the memory store's maps. */
function flawed(flaw: (base: MemoryMappingStore) => Partial<MappingStore>): () => MappingStoreSubject {
  return () => {
    const base = createMemoryMappingStore();
    return { store: { ...base, ...flaw(base) } as MappingStore, inspect: base.inspect };
  };
}

const conflict = (message: string) => new QdeskError(message, { code: 'conflict' });
const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

/**
 * A store written without care for copies or concurrency: it keeps and hands out the caller's own objects, and
 * checks a link's uniqueness, waits for its "database", then writes.
 */
function careless(): MappingStoreSubject {
  const customers = new Map<string, Customer>();
  const contactLinks = new Map<string, ContactLink>();
  const companyLinks = new Map<string, CompanyLink>();
  const contacts = new Map<string, PsaContact>();
  const key = (tenantId: string, id: string) => `${tenantId}/${id}`;
  const base = createMemoryMappingStore();
  const store: MappingStore = {
    ...base,
    async listCustomers(tenantId) {
      return [...customers.values()].filter((c) => c.tenantId === tenantId);
    },
    async createCustomer(tenantId, customer) {
      const made = { id: customer.id ?? 'c', tenantId, name: customer.name, domain: customer.domain ?? null };
      customers.set(key(tenantId, made.id), made);
      return { customer: made, link: null };
    },
    async linkCompany(tenantId, link) {
      const stored = Object.assign(link, { tenantId });
      companyLinks.set(key(tenantId, link.companyId), stored);
      return { link: stored, created: true };
    },
    async listCompanyLinks(tenantId) {
      return [...companyLinks.values()].filter((l) => l.tenantId === tenantId);
    },
    async linkContact(tenantId, link) {
      const taken = [...contactLinks.values()].some(
        (l) => l.tenantId === tenantId && l.endUserId === link.endUserId,
      );
      if (taken) throw conflict(`End-user ${link.endUserId} is linked already.`);
      await tick();
      const stored = Object.assign(link, { tenantId });
      contactLinks.set(key(tenantId, link.contactId), stored);
      return { link: stored, created: true };
    },
    async listContactLinks(tenantId) {
      return [...contactLinks.values()].filter((l) => l.tenantId === tenantId);
    },
    async endUserForContact(tenantId, contactId) {
      return contactLinks.get(key(tenantId, contactId)) ?? null;
    },
    async putContact(tenantId, contact) {
      contacts.set(key(tenantId, contact.id), contact);
    },
  };
  const inspect: MappingStoreInspector = {
    ...base.inspect,
    customer: async (tenantId, id) => structuredClone(customers.get(key(tenantId, id)) ?? null),
    companyLink: async (tenantId, id) => structuredClone(companyLinks.get(key(tenantId, id)) ?? null),
    contactLink: async (tenantId, id) => structuredClone(contactLinks.get(key(tenantId, id)) ?? null),
    contact: async (tenantId, id) => structuredClone(contacts.get(key(tenantId, id)) ?? null),
  };
  return { store, inspect };
}

/** Every broken store, by the mistake it makes. */
export const brokenStores = {
  /** Still declares an older version of the port. */
  oldVersion: flawed(() => ({ specificationVersion: 'v0' as 'v1' })),
  /** Answers a link for any contact (a stub left in place). */
  phantomLinks: flawed(() => ({
    endUserForContact: async (tenantId, contactId) => ({
      tenantId,
      contactId,
      endUserId: 'eu-ghost',
      confirmedBy: { id: 'x', name: 'X' },
      confirmedAt: 0,
    }),
  })),
  /** Returns the customer it was asked for without storing it. */
  forgetfulCustomers: flawed(() => ({
    createCustomer: async (tenantId, c) => ({
      customer: { id: c.id ?? 'made-up', tenantId, name: c.name, domain: c.domain ?? null },
      link: null,
    }),
  })),
  /** Treats a taken customer id as success. */
  swallowsTakenIds: flawed((base) => ({
    createCustomer: async (tenantId, c) =>
      base.createCustomer(tenantId, c).catch(() => ({
        customer: { id: c.id!, tenantId, name: c.name, domain: c.domain ?? null },
        link: null,
      })),
  })),
  /** Creates the customer, then links it, in two steps. */
  twoStepCustomerLink: flawed((base) => ({
    async createCustomer(tenantId, { linkTo, ...customer }) {
      const made = await base.createCustomer(tenantId, customer);
      if (!linkTo) return made;
      const { link } = await base.linkCompany(tenantId, { ...linkTo, customerId: made.customer.id });
      return { customer: made.customer, link };
    },
  })),
  /** Ignores the tenant: every tenant shares one. */
  tenantBlind: flawed((base) => {
    const shared = Object.fromEntries(
      Object.entries(base)
        .filter(([, value]) => typeof value === 'function')
        .map(([name, method]) => [
          name,
          (_tenantId: string, ...rest: unknown[]) =>
            (method as (...a: unknown[]) => unknown)('shared', ...rest),
        ]),
    );
    return shared as Partial<MappingStore>;
  }),
  /** Replaces a company's link on every linkCompany (a plain upsert). */
  upsertsCompanyLinks: flawed((base) => ({
    async linkCompany(tenantId, link) {
      await base.unlinkCompany(tenantId, link.companyId);
      return base.linkCompany(tenantId, link);
    },
  })),
  /** Forgot to implement the verifier's read. */
  noEndUserForContact: flawed(() => ({ endUserForContact: async () => null })),
  /** Replaces a contact's link on every linkContact (a plain upsert). */
  upsertsContactLinks: flawed((base) => ({
    async linkContact(tenantId, link) {
      await base.unlinkContact(tenantId, link.contactId);
      return base.linkContact(tenantId, link);
    },
  })),
  /** Makes up a customer a link names instead of refusing it. */
  inventsCustomers: flawed((base) => ({
    async linkCompany(tenantId, link) {
      await base.createCustomer(tenantId, { id: link.customerId, name: 'Invented' }).catch(() => undefined);
      return base.linkCompany(tenantId, link);
    },
  })),
  /** Reports a removed link but keeps it. */
  unlinkKeeps: flawed((base) => ({
    unlinkCompany: async (tenantId, companyId) =>
      (await base.listCompanyLinks(tenantId)).find((l) => l.companyId === companyId) ?? null,
  })),
  /** Keeps references and checks before it writes, with a wait in between. */
  careless,
  /** Leaves contacts out of a sync batch. */
  dropsContacts: flawed((base) => ({
    saveSyncBatch: (tenantId, { contacts: _dropped, ...batch }) => base.saveSyncBatch(tenantId, batch),
  })),
  /** Writes a batch's companies and contacts in two transactions. */
  splitBatches: flawed((base) => ({
    async saveSyncBatch(tenantId, { companies, contacts, checkpoint }) {
      await base.saveSyncBatch(tenantId, { checkpoint, companies: companies ?? [] });
      await base.saveSyncBatch(tenantId, { checkpoint, contacts: contacts ?? [] });
    },
  })),
  /** Inserts a contact only when its id is new (ON CONFLICT DO NOTHING). */
  insertOnlyContacts: flawed((base) => ({
    async putContact(tenantId, contact) {
      if ((await base.inspect.contact(tenantId, contact.id)) === null)
        await base.putContact(tenantId, contact);
    },
  })),
  /** Removes the contact row but leaves its link. */
  removeKeepsLink: flawed((base) => ({
    async removeContact(tenantId, contactId) {
      const link = await base.endUserForContact(tenantId, contactId);
      const { removed } = await base.removeContact(tenantId, contactId);
      if (link) {
        const { tenantId: _, ...again } = link;
        await base.linkContact(tenantId, again);
      }
      return { removed, unlinked: null };
    },
  })),
  /** Stores the completed checkpoint and removes nothing. */
  neverPrunes: flawed((base) => ({
    async completeSync(tenantId, checkpoint) {
      await base.saveSyncBatch(tenantId, { checkpoint });
      return { removedCompanies: [], removedContacts: [], unlinkedCompanies: [], unlinkedContacts: [] };
    },
  })),
  /** Upserts end-users but never drops the ones a full copy of the directory left out. */
  ignoresReplaceAll: flawed((base) => ({
    async saveEndUsers(tenantId, changes) {
      await base.saveEndUsers(tenantId, { ...changes, replaceAll: false });
    },
  })),
  /** Answers only the first criterion of a lookup. */
  firstCriterionOnly: flawed((base) => ({
    async findEndUsers(tenantId, lookup) {
      return base.findEndUsers(tenantId, lookup.ids ? { ids: lookup.ids } : lookup);
    },
  })),
  /** Replaces every contact's suggestions whatever scope it is given. */
  replacesAll: flawed((base) => ({
    async replaceSuggestions(tenantId, replacement) {
      const contacts = replacement.contacts && { ...replacement.contacts, contactIds: null };
      await base.replaceSuggestions(tenantId, { ...replacement, ...(contacts ? { contacts } : {}) });
    },
  })),
  /** Always answers the first page, whatever cursor it is given. */
  ignoresCursors: flawed((base) => ({
    async listContactPage(tenantId, query) {
      return base.listContactPage(tenantId, { ...query, after: null, before: null });
    },
  })),
  /** Counts once and answers those counts ever after. */
  staleCounts: flawed((base) => {
    const first = new Map<string, Awaited<ReturnType<MappingStore['listContactPage']>>['counts']>();
    return {
      async listContactPage(tenantId, query) {
        const page = await base.listContactPage(tenantId, query);
        const key = `${tenantId}/${query.companyId}/${JSON.stringify(query.search)}`;
        if (!first.has(key)) first.set(key, page.counts);
        return { ...page, counts: first.get(key)! };
      },
    };
  }),
  /** Keeps a full rebuild's suggestions but drops every incremental replacement. */
  onlyFullRebuilds: flawed((base) => ({
    async replaceSuggestions(tenantId, replacement) {
      if (replacement.contacts && replacement.contacts.contactIds !== null) return;
      await base.replaceSuggestions(tenantId, replacement);
    },
  })),
} satisfies Record<string, () => MappingStoreSubject>;
