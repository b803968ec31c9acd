import { QdeskError } from '@qdesk/core';
import { freezeCopy } from '@qdesk/core/memory';
import type { PsaCompany, PsaContact } from '@qdesk/core/ports';
import type { ContactRemoval, LinkResult, SyncPruneResult } from './mapping-store.js';
import type { CompanyLink, ContactLink, Customer, SyncCheckpoint } from './types.js';

interface Stamped<T> {
  record: T;
  runId: string;
}

const conflict = (message: string, details: Record<string, unknown>) =>
  new QdeskError(message, { code: 'conflict', details });

/**
 * One tenant's matching state in memory, with the one-to-one rules of the MappingStore port. Inputs are validated
 * by the caller; values are stored deeply frozen, so reads hand them out as they are.
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
  checkpoint: SyncCheckpoint | null = null;

  assertCustomerIdFree(customerId: string): void {
    if (this.customers.has(customerId)) {
      throw conflict(`A customer with id ${customerId} exists already; pick another id.`, { customerId });
    }
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

  /** Stores a customer; the caller checked that its id (and the company it links to) are free. */
  addCustomer(customer: Customer): Customer {
    const stored = freezeCopy(customer);
    this.customers.set(customer.id, stored);
    return stored;
  }

  linkCompany(link: CompanyLink): LinkResult<CompanyLink> {
    const existing = this.companyLinks.get(link.companyId);
    if (existing?.customerId === link.customerId) return { link: existing, created: false };
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
    return { link: stored, created: true };
  }

  unlinkCompany(companyId: string): CompanyLink | null {
    const link = this.companyLinks.get(companyId) ?? null;
    if (link) {
      this.companyLinks.delete(companyId);
      this.customerLinks.delete(link.customerId);
    }
    return link;
  }

  linkContact(link: ContactLink): LinkResult<ContactLink> {
    const existing = this.contactLinks.get(link.contactId);
    if (existing?.endUserId === link.endUserId) return { link: existing, created: false };
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
    return { link: stored, created: true };
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
    this.contacts.set(contact.id, { record: freezeCopy(contact), runId });
  }

  removeContact(contactId: string): ContactRemoval {
    const removed = this.contacts.delete(contactId);
    return { removed, unlinked: this.unlinkContact(contactId) };
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
