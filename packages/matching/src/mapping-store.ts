import type { PsaCompany, PsaContact } from '../ports/psa.js';
import type { Actor } from '../types.js';
import type { CompanyLink, ContactLink, Customer, SyncCheckpoint } from './types.js';

/** A customer to create. @public */
export interface NewCustomer {
  /** The tenant (MSP). */
  tenantId: string;
  /** Name shown to admins. */
  name: string;
  /** Web domain or URL (stored normalised by {@link normalizeDomain}); omitted or `null` when unknown. */
  domain?: string | null;
  /** Id to use; the store makes one up when omitted. */
  id?: string;
}

/** Options for {@link MappingStore.createCustomerFromCompany}. @public */
export interface CreateCustomerFromCompanyOptions {
  /** Epoch milliseconds of the confirmation (default: now). */
  at?: number;
  /** Id for the new customer; the store makes one up when omitted. */
  customerId?: string;
}

/** A customer made from a PSA company, and the link between them. @public */
export interface CustomerFromCompany {
  /** The new customer. */
  customer: Customer;
  /** The confirmed link from the company to it. */
  link: CompanyLink;
}

/** Records a sync read, written together with the checkpoint that covers them. @public */
export interface SyncBatch {
  /** The checkpoint after these records: it names their run and the last of them. */
  checkpoint: SyncCheckpoint;
  /** Companies read (upserted by id). */
  companies?: readonly PsaCompany[];
  /** Contacts read (upserted by id). */
  contacts?: readonly PsaContact[];
}

/** What {@link MappingStore.completeSync} removed: records the completed run did not see, and their links. @public */
export interface SyncPruneResult {
  /** Ids of companies removed. */
  removedCompanies: string[];
  /** Ids of contacts removed. */
  removedContacts: string[];
  /** Company links dropped with their company. */
  unlinkedCompanies: CompanyLink[];
  /** Contact links dropped with their contact. */
  unlinkedContacts: ContactLink[];
}

/** What {@link MappingStore.removeContact} did. @public */
export interface ContactRemoval {
  /** True when the contact was stored. */
  removed: boolean;
  /** The contact's link, dropped with it, or `null`. */
  unlinked: ContactLink | null;
}

/**
 * Where matching keeps its state for each tenant (MSP): QDesk's customers, the confirmed links between PSA companies
 * and customers and between PSA contacts and end-users, the PSA records the last sync read, and the sync checkpoint.
 *
 * ## Partner guide
 *
 * **Use.** `createMemoryMappingStore()` is the embedded default (single process). A persistent store implements this
 * interface; `createMatchingSync`, `listMatches` and `confirmSuggestions` take it as `store`.
 *
 * **Data model.** Every key is scoped by `tenantId`; nothing of one tenant is visible from another.
 * - Customers: `id` unique per tenant; `createCustomer` with a taken id throws a `QdeskError` with code `conflict`.
 * - Links are one to one: a company has at most one customer and a customer at most one company; a contact at most
 *   one end-user and an end-user at most one contact. Linking a pair that is already linked returns the stored link
 *   unchanged (a retry is harmless); linking either side to something else throws a `QdeskError` with code
 *   `conflict` and changes nothing (unmatch first). Racing writers: exactly one wins. `linkCompany` with a customer
 *   the store does not hold throws `InputError` on `customerId`.
 * - `endUserForContact` is on the verification path of every ticket: make it one keyed read.
 * - Records: `saveSyncBatch` upserts the records by id, stamps them with `checkpoint.runId` and stores the
 *   checkpoint, all at once (one transaction): either all of it is written or none. `putContact` upserts one contact
 *   (webhooks) and stamps it with the run in progress, so `completeSync` keeps it. `completeSync` removes the
 *   companies and contacts not stamped with the completed run, drops their links, and stores the checkpoint.
 * - Reads hand out copies or deeply frozen values: mutating what was read, or what was written, never changes the
 *   store. List methods return records in any order; callers sort.
 *
 * **Errors.** Validate inputs (`InputError` naming the field); a failure of the backing system throws an error
 * (wrapped by callers into `AdapterError` with it as `cause`).
 *
 * **Testing.** Run `runMappingStoreConformance` from `@qdesk/core/testing` in your suite; the memory store passes it.
 * @public
 */
export interface MappingStore {
  /** Every customer of the tenant. */
  listCustomers(tenantId: string): Promise<Customer[]>;
  /** One customer, or `null`. */
  getCustomer(tenantId: string, customerId: string): Promise<Customer | null>;
  /** Creates a customer (domain normalised, id made up when omitted). Throws `conflict` when the id is taken. */
  createCustomer(customer: NewCustomer): Promise<Customer>;
  /**
   * Creates a customer from a PSA company (its name, its web address as domain) and links them, in one step
   * confirmed by `actor`. Throws `conflict`, creating nothing, when the company is already linked.
   */
  createCustomerFromCompany(
    company: PsaCompany,
    actor: Actor,
    options?: CreateCustomerFromCompanyOptions,
  ): Promise<CustomerFromCompany>;

  /** Confirms a company link. Idempotent for the same pair; `conflict` when either side is linked elsewhere. */
  linkCompany(link: CompanyLink): Promise<CompanyLink>;
  /** Removes the company's link and returns it, or `null` when it had none. */
  unlinkCompany(tenantId: string, companyId: string): Promise<CompanyLink | null>;
  /** The link of a PSA company, or `null`. */
  customerForCompany(tenantId: string, companyId: string): Promise<CompanyLink | null>;
  /** The link of a customer, or `null`. */
  companyForCustomer(tenantId: string, customerId: string): Promise<CompanyLink | null>;
  /** Every company link of the tenant. */
  listCompanyLinks(tenantId: string): Promise<CompanyLink[]>;

  /** Confirms a contact link. Idempotent for the same pair; `conflict` when either side is linked elsewhere. */
  linkContact(link: ContactLink): Promise<ContactLink>;
  /** Removes the contact's link and returns it, or `null` when it had none. */
  unlinkContact(tenantId: string, contactId: string): Promise<ContactLink | null>;
  /** The link of a PSA contact, or `null`: one keyed read (the verifier calls it for every ticket). */
  endUserForContact(tenantId: string, contactId: string): Promise<ContactLink | null>;
  /** The link of an end-user, or `null`. */
  contactForEndUser(tenantId: string, endUserId: string): Promise<ContactLink | null>;
  /** Every contact link of the tenant. */
  listContactLinks(tenantId: string): Promise<ContactLink[]>;

  /** Every PSA company the syncs stored. */
  listCompanies(tenantId: string): Promise<PsaCompany[]>;
  /** Every PSA contact the syncs and webhooks stored, or one company's. */
  listContacts(tenantId: string, options?: { companyId?: string }): Promise<PsaContact[]>;
  /** One stored PSA company, or `null`. */
  getCompany(tenantId: string, companyId: string): Promise<PsaCompany | null>;
  /** One stored PSA contact, or `null`. */
  getContact(tenantId: string, contactId: string): Promise<PsaContact | null>;
  /** Upserts one contact outside a sync (a webhook), stamped with the run in progress. */
  putContact(tenantId: string, contact: PsaContact): Promise<void>;
  /** Removes one contact and its link (a webhook said it was deleted). */
  removeContact(tenantId: string, contactId: string): Promise<ContactRemoval>;

  /** The last checkpoint saved, or `null` before any sync. */
  getSyncCheckpoint(tenantId: string): Promise<SyncCheckpoint | null>;
  /** Upserts a batch of records with the checkpoint that covers them, atomically. */
  saveSyncBatch(tenantId: string, batch: SyncBatch): Promise<void>;
  /** Ends a run: removes records it did not see (and their links) and stores its `completed` checkpoint. */
  completeSync(tenantId: string, checkpoint: SyncCheckpoint): Promise<SyncPruneResult>;
}
