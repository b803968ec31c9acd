import { QdeskError } from '../errors.js';
import { freezeCopy } from '../internal/immutable.js';
import type { PsaCompany, PsaContact } from '../ports/psa.js';
import type { ContactRemoval, SyncPruneResult } from './mapping-store.js';
import type { CompanyLink, ContactLink, Customer, SyncCheckpoint } from './types.js';

interface Stamped<T> {
  record: T;
  runId: string;
}

const conflict = (message: string, details: Record<string, unknown>) =>
  new QdeskError('conflict', message, { details });

/**
 * One tenant's matching state in memory, with the one-to-one rules of the MappingStore port. Inputs are validated
 * by the caller; values are stored deeply frozen.
 * @internal
 */
export class MemoryTenant {
  readonly customers = new Map<string, Customer>();
  readonly companyLinks = new Map<string, CompanyLink>();
  readonly customerLinks = new Map<string, CompanyLink>();
  readonly contactLinks = new Map<string, ContactLink>();
  readonly endUserLinks = new Map<string, ContactLink>();
  readonly companies = new Map<string, Stamped<PsaCompany>>();
  readonly contacts = new Map<string, Stamped<PsaContact>>();
  readonly contactsByCompany = new Map<string, Set<string>>();
  checkpoint: SyncCheckpoint | null = null;

  addCustomer(customer: Customer): Customer {
    if (this.customers.has(customer.id)) {
      throw conflict(`A customer with id ${customer.id} exists already; pick another id.`, {
        customerId: customer.id,
      });
    }
    const stored = freezeCopy(customer);
    this.customers.set(customer.id, stored);
    return stored;
  }

  assertCompanyFree(companyId: string): void {
    const existing = this.companyLinks.get(companyId);
    if (existing) {
      throw conflict(
        `Company ${companyId} is already matched to customer ${existing.customerId}; unmatch it first.`,
        { companyId, customerId: existing.customerId },
      );
    }
  }

  linkCompany(link: CompanyLink): CompanyLink {
    const existing = this.companyLinks.get(link.companyId);
    if (existing?.customerId === link.customerId) return existing;
    this.assertCompanyFree(link.companyId);
    const other = this.customerLinks.get(link.customerId);
    if (other) {
      throw conflict(
        `Customer ${link.customerId} is already matched to company ${other.companyId}; unmatch it first.`,
        { companyId: other.companyId, customerId: link.customerId },
      );
    }
    const stored = freezeCopy(link);
    this.companyLinks.set(link.companyId, stored);
    this.customerLinks.set(link.customerId, stored);
    return stored;
  }

  unlinkCompany(companyId: string): CompanyLink | null {
    const link = this.companyLinks.get(companyId) ?? null;
    if (link) {
      this.companyLinks.delete(companyId);
      this.customerLinks.delete(link.customerId);
    }
    return link;
  }

  linkContact(link: ContactLink): ContactLink {
    const existing = this.contactLinks.get(link.contactId);
    if (existing?.endUserId === link.endUserId) return existing;
    if (existing) {
      throw conflict(
        `Contact ${link.contactId} is already matched to end-user ${existing.endUserId}; unmatch it first.`,
        { contactId: link.contactId, endUserId: existing.endUserId },
      );
    }
    const other = this.endUserLinks.get(link.endUserId);
    if (other) {
      throw conflict(
        `End-user ${link.endUserId} is already matched to contact ${other.contactId}; unmatch it first.`,
        { contactId: other.contactId, endUserId: link.endUserId },
      );
    }
    const stored = freezeCopy(link);
    this.contactLinks.set(link.contactId, stored);
    this.endUserLinks.set(link.endUserId, stored);
    return stored;
  }

  unlinkContact(contactId: string): ContactLink | null {
    const link = this.contactLinks.get(contactId) ?? null;
    if (link) {
      this.contactLinks.delete(contactId);
      this.endUserLinks.delete(link.endUserId);
    }
    return link;
  }

  putCompany(company: PsaCompany, runId: string): void {
    this.companies.set(company.id, { record: freezeCopy(company), runId });
  }

  putContact(contact: PsaContact, runId: string): void {
    const previous = this.contacts.get(contact.id);
    if (previous && previous.record.companyId !== contact.companyId) {
      this.contactsByCompany.get(previous.record.companyId)?.delete(contact.id);
    }
    this.contacts.set(contact.id, { record: freezeCopy(contact), runId });
    let ids = this.contactsByCompany.get(contact.companyId);
    if (!ids) {
      ids = new Set();
      this.contactsByCompany.set(contact.companyId, ids);
    }
    ids.add(contact.id);
  }

  removeContact(contactId: string): ContactRemoval {
    const stored = this.contacts.get(contactId);
    if (stored) {
      this.contacts.delete(contactId);
      this.contactsByCompany.get(stored.record.companyId)?.delete(contactId);
    }
    return { removed: stored !== undefined, unlinked: this.unlinkContact(contactId) };
  }

  /** Removes records not stamped with `runId`, and their links. */
  prune(runId: string): SyncPruneResult {
    const result: SyncPruneResult = {
      removedCompanies: [],
      removedContacts: [],
      unlinkedCompanies: [],
      unlinkedContacts: [],
    };
    for (const [companyId, stored] of this.companies) {
      if (stored.runId === runId) continue;
      this.companies.delete(companyId);
      result.removedCompanies.push(companyId);
      const link = this.unlinkCompany(companyId);
      if (link) result.unlinkedCompanies.push(link);
    }
    for (const [contactId, stored] of this.contacts) {
      if (stored.runId === runId) continue;
      const { unlinked } = this.removeContact(contactId);
      result.removedContacts.push(contactId);
      if (unlinked) result.unlinkedContacts.push(unlinked);
    }
    return result;
  }
}
