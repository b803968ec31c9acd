import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { freezeCopy } from '../internal/immutable.js';
import type { PsaCompany } from '../ports/psa.js';
import type { Clock } from '../ports/runtime.js';
import {
  actorSchema,
  checkpointSchema,
  checkRecord,
  checkRecords,
  companyLinkSchema,
  contactLinkSchema,
  idSchema,
  newCustomerSchema,
  parseArgument,
  parseInput,
  SHAPES,
  timestampSchema,
} from './_inputs.js';
import { MemoryTenant } from './_memory-tenant.js';
import type { MappingStore } from './mapping-store.js';
import { normalizeDomain } from './normalize.js';

/** Options for {@link createMemoryMappingStore}. @public */
export interface MemoryMappingStoreOptions {
  /** Clock for confirmations without an explicit time (default: system). */
  clock?: Clock;
  /** Makes up customer ids (default `cust_` + a random UUID). */
  newCustomerId?: () => string;
}

const fromCompanyOptions = z
  .object({ at: timestampSchema.optional(), customerId: idSchema.optional() })
  .strict()
  .optional();

/** A PSA name as a customer name: printable, trimmed, at most 255 characters, never empty. */
const customerName = (company: PsaCompany) =>
  company.name
    .replace(/\p{Cc}+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 255)
    .trim() || `Company ${company.id}`;

/**
 * In-process {@link MappingStore}: the embedded default and the reference for `runMappingStoreConformance`. Single
 * process only; its state is lost on restart.
 *
 * Note: values are copied and deeply frozen once on write and handed out as they are, so reading 100,000 contacts
 * costs no copy and a caller cannot change the store through what it read.
 * @example
 * ```ts
 * const store = createMemoryMappingStore();
 * const customer = await store.createCustomer({ tenantId: 'msp', name: 'Contoso Dental', domain: 'contoso.example' });
 * ```
 * @public
 */
export function createMemoryMappingStore(options: MemoryMappingStoreOptions = {}): MappingStore {
  const clock = options.clock ?? { now: () => Date.now() };
  const newCustomerId = options.newCustomerId ?? (() => `cust_${randomUUID()}`);
  const tenants = new Map<string, MemoryTenant>();
  const id = (value: unknown, operation: string, field: string): string =>
    parseArgument(idSchema, value, operation, field);
  const read = (tenantId: unknown, operation: string) => tenants.get(id(tenantId, operation, 'tenantId'));
  const write = (tenantId: string) => {
    let tenant = tenants.get(tenantId);
    if (!tenant) {
      tenant = new MemoryTenant();
      tenants.set(tenantId, tenant);
    }
    return tenant;
  };

  return {
    async listCustomers(tenantId) {
      return [...(read(tenantId, 'listCustomers')?.customers.values() ?? [])];
    },
    async getCustomer(tenantId, customerId) {
      const t = read(tenantId, 'getCustomer');
      return t?.customers.get(id(customerId, 'getCustomer', 'customerId')) ?? null;
    },
    async createCustomer(input) {
      const parsed = parseInput(newCustomerSchema, input, 'createCustomer');
      const domain = normalizeDomain(parsed.domain);
      if (parsed.domain != null && parsed.domain.trim() !== '' && domain === null) {
        throw new InputError('Invalid input to createCustomer: domain: must be a web domain or URL.', [
          { path: 'domain', message: 'must be a web domain or URL' },
        ]);
      }
      const customerId = parsed.id ?? newCustomerId();
      return write(parsed.tenantId).addCustomer({
        id: customerId,
        tenantId: parsed.tenantId,
        name: parsed.name,
        domain,
      });
    },
    async createCustomerFromCompany(company, actor, opts) {
      const operation = 'createCustomerFromCompany';
      checkRecord(operation, 'company', company, SHAPES.company);
      const who = parseArgument(actorSchema, actor, operation, 'actor');
      const extra = parseArgument(fromCompanyOptions, opts, operation, 'options') ?? {};
      const t = write(who.tenantId);
      t.assertCompanyFree(company.id);
      const customerId = extra.customerId ?? newCustomerId();
      const customer = t.addCustomer({
        id: customerId,
        tenantId: who.tenantId,
        name: customerName(company),
        domain: normalizeDomain(company.webAddress),
      });
      const link = t.linkCompany({
        tenantId: who.tenantId,
        companyId: company.id,
        customerId,
        confirmedBy: { id: who.technicianId, name: who.technicianName },
        confirmedAt: extra.at ?? clock.now(),
      });
      return { customer, link };
    },

    async linkCompany(input) {
      const link = parseInput(companyLinkSchema, input, 'linkCompany');
      const t = write(link.tenantId);
      if (!t.customers.has(link.customerId)) {
        throw new InputError(
          `Invalid input to linkCompany: customerId: no customer ${link.customerId} in this tenant.`,
          [{ path: 'customerId', message: 'must be the id of a customer of this tenant' }],
        );
      }
      return t.linkCompany(link);
    },
    async unlinkCompany(tenantId, companyId) {
      const t = read(tenantId, 'unlinkCompany');
      const company = id(companyId, 'unlinkCompany', 'companyId');
      return t?.unlinkCompany(company) ?? null;
    },
    async customerForCompany(tenantId, companyId) {
      const t = read(tenantId, 'customerForCompany');
      return t?.companyLinks.get(id(companyId, 'customerForCompany', 'companyId')) ?? null;
    },
    async companyForCustomer(tenantId, customerId) {
      const t = read(tenantId, 'companyForCustomer');
      return t?.customerLinks.get(id(customerId, 'companyForCustomer', 'customerId')) ?? null;
    },
    async listCompanyLinks(tenantId) {
      return [...(read(tenantId, 'listCompanyLinks')?.companyLinks.values() ?? [])];
    },

    async linkContact(input) {
      const link = parseInput(contactLinkSchema, input, 'linkContact');
      return write(link.tenantId).linkContact(link);
    },
    async unlinkContact(tenantId, contactId) {
      const t = read(tenantId, 'unlinkContact');
      const contact = id(contactId, 'unlinkContact', 'contactId');
      return t?.unlinkContact(contact) ?? null;
    },
    async endUserForContact(tenantId, contactId) {
      const t = read(tenantId, 'endUserForContact');
      return t?.contactLinks.get(id(contactId, 'endUserForContact', 'contactId')) ?? null;
    },
    async contactForEndUser(tenantId, endUserId) {
      const t = read(tenantId, 'contactForEndUser');
      return t?.endUserLinks.get(id(endUserId, 'contactForEndUser', 'endUserId')) ?? null;
    },
    async listContactLinks(tenantId) {
      return [...(read(tenantId, 'listContactLinks')?.contactLinks.values() ?? [])];
    },

    async listCompanies(tenantId) {
      return [...(read(tenantId, 'listCompanies')?.companies.values() ?? [])].map((s) => s.record);
    },
    async listContacts(tenantId, opts) {
      const t = read(tenantId, 'listContacts');
      const companyId =
        opts?.companyId === undefined ? undefined : id(opts.companyId, 'listContacts', 'options.companyId');
      if (!t) return [];
      if (companyId === undefined) return [...t.contacts.values()].map((s) => s.record);
      return [...(t.contactsByCompany.get(companyId) ?? [])].map(
        (contactId) => t.contacts.get(contactId)!.record,
      );
    },
    async getCompany(tenantId, companyId) {
      const t = read(tenantId, 'getCompany');
      return t?.companies.get(id(companyId, 'getCompany', 'companyId'))?.record ?? null;
    },
    async getContact(tenantId, contactId) {
      const t = read(tenantId, 'getContact');
      return t?.contacts.get(id(contactId, 'getContact', 'contactId'))?.record ?? null;
    },
    async putContact(tenantId, contact) {
      const tenant = id(tenantId, 'putContact', 'tenantId');
      checkRecord('putContact', 'contact', contact, SHAPES.contact);
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
      const checkpoint = parseArgument(checkpointSchema, batch?.checkpoint, operation, 'checkpoint');
      const companies = batch.companies ?? [];
      const contacts = batch.contacts ?? [];
      checkRecords(operation, 'companies', companies, SHAPES.company);
      checkRecords(operation, 'contacts', contacts, SHAPES.contact);
      const t = write(tenant);
      for (const company of companies) t.putCompany(company, checkpoint.runId);
      for (const contact of contacts) t.putContact(contact, checkpoint.runId);
      t.checkpoint = freezeCopy(checkpoint);
    },
    async completeSync(tenantId, input) {
      const tenant = id(tenantId, 'completeSync', 'tenantId');
      const checkpoint = parseArgument(checkpointSchema, input, 'completeSync', 'checkpoint');
      if (checkpoint.phase !== 'completed') {
        throw new InputError("Invalid input to completeSync: checkpoint.phase: must be 'completed'.", [
          { path: 'checkpoint.phase', message: "must be 'completed'" },
        ]);
      }
      const t = write(tenant);
      const result = t.prune(checkpoint.runId);
      t.checkpoint = freezeCopy(checkpoint);
      return result;
    },
  };
}
