import { randomUUID } from 'node:crypto';
import { InputError } from '@qdesk/core';
import { freezeCopy } from '@qdesk/core/memory';
import { MemoryTenant } from './_memory-tenant.js';
import type { MappingStore, MappingStoreInspector } from './mapping-store.js';
import { mappingStoreInput as input } from './mapping-store-input.js';

/** Options for {@link createMemoryMappingStore}. @public */
export interface MemoryMappingStoreOptions {
  /** Makes up customer ids (default `cust_` + a random UUID). */
  newCustomerId?: () => string;
}

/**
 * The memory {@link MappingStore}, with direct reads of its maps for tests and `runMappingStoreConformance`.
 * @public
 */
export interface MemoryMappingStore extends MappingStore {
  /** Reads the store's maps directly, bypassing its methods (the conformance kit's `inspect`). */
  readonly inspect: MappingStoreInspector;
}

/**
 * In-process {@link MappingStore}: the embedded default and the reference for `runMappingStoreConformance`. Single
 * process only; its state is lost on restart.
 *
 * Note: values are copied and deeply frozen once on write (`freezeCopy`) and handed out as they are, so reading
 * 100,000 contacts costs no copy and a caller cannot change the store through what it read.
 * @example
 * ```ts
 * const store = createMemoryMappingStore();
 * const { customer } = await store.createCustomer('msp-1', { name: 'Contoso Dental', domain: 'contoso.example' });
 * ```
 * @public
 */
export function createMemoryMappingStore(options: MemoryMappingStoreOptions = {}): MemoryMappingStore {
  const newCustomerId = options.newCustomerId ?? (() => `cust_${randomUUID()}`);
  const tenants = new Map<string, MemoryTenant>();
  const id = input.id;
  const read = (tenantId: unknown, operation: string) => tenants.get(id(tenantId, operation, 'tenantId'));
  const write = (tenantId: string) => {
    let tenant = tenants.get(tenantId);
    if (!tenant) {
      tenant = new MemoryTenant();
      tenants.set(tenantId, tenant);
    }
    return tenant;
  };
  const all = <T>(values: Iterable<T> | undefined): T[] => (values ? [...values] : []);
  const emptyPage = () => ({
    rows: [],
    total: 0,
    counts: { all: 0, matched: 0, unmatched: 0, suggested: 0 },
    more: false,
  });

  return {
    specificationVersion: 'v1',

    async listCustomers(tenantId) {
      return all(read(tenantId, 'listCustomers')?.customers.values());
    },
    async createCustomer(tenantId, given) {
      const operation = 'createCustomer';
      const tenant = id(tenantId, operation, 'tenantId');
      const parsed = input.customer(given, operation);
      const t = write(tenant);
      const customerId = parsed.id ?? newCustomerId();
      // Every check before any write: a refused call stores nothing.
      t.assertCustomerIdFree(customerId);
      if (parsed.linkTo) t.assertCompanyFree(parsed.linkTo.companyId);
      const customer = t.addCustomer({
        id: customerId,
        tenantId: tenant,
        name: parsed.name,
        domain: parsed.domain ?? null,
      });
      const link = parsed.linkTo
        ? t.linkCompany({ tenantId: tenant, customerId, ...parsed.linkTo }).link
        : null;
      return { customer, link };
    },

    async linkCompany(tenantId, given) {
      const tenant = id(tenantId, 'linkCompany', 'tenantId');
      const link = input.companyLink(given, 'linkCompany');
      const t = write(tenant);
      if (!t.customers.has(link.customerId)) {
        throw InputError.fromIssues('linkCompany', [
          { path: 'link.customerId', message: `no customer ${link.customerId} in this tenant` },
        ]);
      }
      return t.linkCompany({ tenantId: tenant, ...link });
    },
    async unlinkCompany(tenantId, companyId) {
      const t = read(tenantId, 'unlinkCompany');
      const company = id(companyId, 'unlinkCompany', 'companyId');
      return t?.unlinkCompany(company) ?? null;
    },
    async listCompanyLinks(tenantId) {
      return all(read(tenantId, 'listCompanyLinks')?.companyLinks.values());
    },

    async linkContact(tenantId, given) {
      const tenant = id(tenantId, 'linkContact', 'tenantId');
      const link = input.contactLink(given, 'linkContact');
      return write(tenant).linkContact({ tenantId: tenant, ...link });
    },
    async unlinkContact(tenantId, contactId) {
      const t = read(tenantId, 'unlinkContact');
      const contact = id(contactId, 'unlinkContact', 'contactId');
      return t?.unlinkContact(contact) ?? null;
    },
    async listContactLinks(tenantId) {
      return all(read(tenantId, 'listContactLinks')?.contactLinks.values());
    },
    async endUserForContact(tenantId, contactId) {
      const t = read(tenantId, 'endUserForContact');
      return t?.contactLinks.get(id(contactId, 'endUserForContact', 'contactId')) ?? null;
    },
    async customerForCompany(tenantId, companyId) {
      const t = read(tenantId, 'customerForCompany');
      return t?.companyLinks.get(id(companyId, 'customerForCompany', 'companyId')) ?? null;
    },

    async listCompanies(tenantId) {
      return all(read(tenantId, 'listCompanies')?.companies.values()).map((s) => s.record);
    },
    async listContacts(tenantId) {
      return all(read(tenantId, 'listContacts')?.contacts.values()).map((s) => s.record);
    },
    async putContact(tenantId, contact) {
      const tenant = id(tenantId, 'putContact', 'tenantId');
      input.contact(contact, 'putContact', 'contact');
      const t = write(tenant);
      // Stamped with the run in progress (or the last one), so completing that run keeps it.
      t.putContact(contact, t.checkpoint?.runId ?? '');
    },
    async removeContact(tenantId, contactId) {
      const t = read(tenantId, 'removeContact');
      const contact = id(contactId, 'removeContact', 'contactId');
      return t?.removeContact(contact) ?? { removed: false, unlinked: null };
    },

    async getSyncCheckpoint(tenantId) {
      return read(tenantId, 'getSyncCheckpoint')?.checkpoint ?? null;
    },
    async saveSyncBatch(tenantId, batch) {
      const operation = 'saveSyncBatch';
      const tenant = id(tenantId, operation, 'tenantId');
      const checkpoint = input.checkpoint(batch?.checkpoint, operation);
      const companies = batch.companies ?? [];
      const contacts = batch.contacts ?? [];
      // Both lists are checked before anything is written: a batch is stored whole or not at all.
      input.companies(companies, operation, 'companies');
      input.contacts(contacts, operation, 'contacts');
      const t = write(tenant);
      for (const company of companies) t.putCompany(company, checkpoint.runId);
      for (const contact of contacts) t.putContact(contact, checkpoint.runId);
      t.checkpoint = freezeCopy(checkpoint);
    },
    async completeSync(tenantId, given) {
      const tenant = id(tenantId, 'completeSync', 'tenantId');
      const checkpoint = input.checkpoint(given, 'completeSync');
      if (checkpoint.phase !== 'completed') {
        throw InputError.fromIssues('completeSync', [
          { path: 'checkpoint.phase', message: "must be 'completed'" },
        ]);
      }
      const t = write(tenant);
      const result = t.prune(checkpoint.runId);
      t.checkpoint = freezeCopy(checkpoint);
      return result;
    },

    async saveEndUsers(tenantId, changes) {
      const tenant = id(tenantId, 'saveEndUsers', 'tenantId');
      write(tenant).saveEndUsers(input.endUserChanges(changes, 'saveEndUsers'));
    },
    async listEndUsers(tenantId) {
      return all(read(tenantId, 'listEndUsers')?.endUsers.values()).map((kept) => kept.user);
    },
    async findEndUsers(tenantId, lookup) {
      const t = read(tenantId, 'findEndUsers');
      const parsed = input.endUserLookup(lookup, 'findEndUsers');
      return t?.findEndUsers(parsed) ?? [];
    },
    async findContacts(tenantId, lookup) {
      const t = read(tenantId, 'findContacts');
      const parsed = input.contactLookup(lookup, 'findContacts');
      return t?.findContacts(parsed) ?? [];
    },
    async findContactLinks(tenantId, lookup) {
      const t = read(tenantId, 'findContactLinks');
      const parsed = input.contactLinkLookup(lookup, 'findContactLinks');
      return t?.findContactLinks(parsed) ?? [];
    },
    async replaceSuggestions(tenantId, replacement) {
      const tenant = id(tenantId, 'replaceSuggestions', 'tenantId');
      write(tenant).replaceSuggestions(input.suggestionReplacement(replacement, 'replaceSuggestions'));
    },
    async getSuggestions(tenantId, lookup) {
      const t = read(tenantId, 'getSuggestions');
      const parsed = input.suggestionLookup(lookup, 'getSuggestions');
      return t?.getSuggestions(parsed) ?? { companies: [], contacts: [] };
    },
    async listCompanyPage(tenantId, query) {
      const t = read(tenantId, 'listCompanyPage');
      // Companies belong to no company: a companyId narrows nothing here.
      const q = { ...input.pageQuery(query, 'listCompanyPage'), companyId: null };
      return t?.listCompanyPage(q) ?? emptyPage();
    },
    async listContactPage(tenantId, query) {
      const t = read(tenantId, 'listContactPage');
      const q = input.pageQuery(query, 'listContactPage');
      return t?.listContactPage(q) ?? emptyPage();
    },

    inspect: {
      customer: async (tenantId, customerId) => tenants.get(tenantId)?.customers.get(customerId) ?? null,
      companyLink: async (tenantId, companyId) => tenants.get(tenantId)?.companyLinks.get(companyId) ?? null,
      contactLink: async (tenantId, contactId) => tenants.get(tenantId)?.contactLinks.get(contactId) ?? null,
      company: async (tenantId, companyId) => tenants.get(tenantId)?.companies.get(companyId)?.record ?? null,
      contact: async (tenantId, contactId) => tenants.get(tenantId)?.contacts.get(contactId)?.record ?? null,
    },
  };
}
