import type { PsaCompany, PsaContact } from '@qdesk/core/ports';
import type { CompanyLink, ConfirmedBy, ContactLink, Customer, SyncCheckpoint } from './types.js';

/**
 * A customer to create in a tenant, optionally linked to a PSA company in the same step.
 * @public
 */
export interface NewCustomer {
  /** Name shown to admins (1 to 255 printable characters). */
  name: string;
  /** Web domain or web address, stored as given; omitted or `null` when unknown. */
  domain?: string | null;
  /** Id to use; the store makes one up when omitted. */
  id?: string;
  /**
   * Links the new customer to this PSA company in the same step: either both are stored or neither (a company
   * linked already makes the whole call fail with `conflict`).
   */
  linkTo?: {
    /** PSA company id. */
    companyId: string;
    /** Who confirmed the link. */
    confirmedBy: ConfirmedBy;
    /** Epoch milliseconds of the confirmation. */
    confirmedAt: number;
  };
}

/** What {@link MappingStore.createCustomer} stored. @public */
export interface CreatedCustomer {
  /** The new customer. */
  customer: Customer;
  /** Its link to the company of `linkTo`, or `null` when none was asked for. */
  link: CompanyLink | null;
}

/** A company link to confirm: {@link CompanyLink} without its tenant (the method's first argument). @public */
export type NewCompanyLink = Omit<CompanyLink, 'tenantId'>;

/** A contact link to confirm: {@link ContactLink} without its tenant (the method's first argument). @public */
export type NewContactLink = Omit<ContactLink, 'tenantId'>;

/**
 * The answer to a link request: the stored link, and whether this call stored it (`false` when the same pair was
 * linked before: the earlier confirmation is kept and nothing changed).
 * @public
 */
export interface LinkResult<Link> {
  /** The link as stored. */
  link: Link;
  /** True when this call created it. */
  created: boolean;
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
 * It is also core's `ContactLinks` port: pass the same store to `createVerifier({ contactLinks: store })` and a
 * ticket's contact leads to the end-user an admin linked it to.
 *
 * ## Partner guide: write a mapping store
 *
 * **Use.** `createMemoryMappingStore()` is the embedded default (one process, lost on restart). A persistent store
 * implements the sixteen methods below and declares `specificationVersion: 'v1'`; `createMatchingSync`,
 * `listMatches`, `confirmSuggestions`, `matchByHand`, `unmatch` and `createCustomerFromCompany` take it as `store`
 * and check that every method is there before they use it (one `ConfigError` listing the gaps). Each method is
 * one that an operation of `@qdesk/matching`, or the verifier, calls; there are no optional methods.
 *
 * **Tenancy.** `tenantId` is the first argument of every method, as in core's ports. Nothing of one tenant is
 * visible or writable from another: key every row by tenant. Records read back carry their `tenantId`.
 *
 * **Data model.**
 * - Customers: `id` unique per tenant; `createCustomer` with a taken id throws a `QdeskError` with code `conflict`.
 *   Name and domain are stored as given (matching normalises when it compares).
 * - Links are one to one: a company has at most one customer and a customer at most one company; a contact at most
 *   one end-user and an end-user at most one contact. Linking a pair that is already linked returns the stored
 *   link with `created: false` (a retry is harmless, the first confirmation is kept); linking either side to
 *   something else throws a `QdeskError` with code `conflict` and changes nothing (unmatch first). Racing writers:
 *   exactly one wins (a unique index on each side does it). `linkCompany` with a customer the tenant does not hold
 *   throws `InputError` on `customerId`. End-users live in the directory, so `linkContact` takes any end-user id.
 * - `endUserForContact` and `customerForCompany` are on the verification path of every ticket: make each one keyed
 *   read.
 * - PSA records: `saveSyncBatch` upserts the records by id, stamps them with `checkpoint.runId` and stores the
 *   checkpoint, all at once (one transaction): either all of it is written or none. `putContact` upserts one
 *   contact (a webhook) and stamps it with the run in progress, so `completeSync` keeps it. `completeSync` removes
 *   the companies and contacts not stamped with the completed run, drops their links, and stores the checkpoint.
 * - Reads hand out copies or deeply frozen values, and writes copy what they are given: mutating either never
 *   changes the store. List methods return records in any order; callers sort.
 *
 * **Audit.** The store keeps no audit trail: the operations that change links (`confirmSuggestions`,
 * `matchByHand`, `unmatch`, `createCustomerFromCompany`, the sync and webhook changes) append one record each to the
 * `AuditLog` they are given, with the link's before and after. Apps change links through them, not through the
 * store's own `link*` / `unlink*` methods.
 *
 * **Errors.** Validate inputs (`InputError` naming the field): {@link mappingStoreInput} runs the memory store's
 * checks, so every store refuses a malformed call alike. Let a failure of the backing system throw (callers wrap it in
 * an `AdapterError` with it as `cause`).
 *
 * **Testing.** Run `runMappingStoreConformance` from `@qdesk/matching/testing` in your suite, with an `inspect`
 * that reads your tables directly; the memory store passes it.
 * @example
 * ```ts
 * const store = createMemoryMappingStore();
 * const verifier = createVerifier({ secret, directory, psa, contactLinks: store });
 * ```
 * @public
 */
export interface MappingStore {
  /** The version of this port the implementation follows. */
  readonly specificationVersion: 'v1';

  /** Every customer of the tenant. */
  listCustomers(tenantId: string): Promise<Customer[]>;
  /** Creates a customer (id made up when omitted), linked to `linkTo` when given, all at once. `conflict` when the id or the company is taken. */
  createCustomer(tenantId: string, customer: NewCustomer): Promise<CreatedCustomer>;

  /** Confirms a company link. `created: false` for the same pair again; `conflict` when either side is linked elsewhere. */
  linkCompany(tenantId: string, link: NewCompanyLink): Promise<LinkResult<CompanyLink>>;
  /** Removes the company's link and returns it, or `null` when it had none. */
  unlinkCompany(tenantId: string, companyId: string): Promise<CompanyLink | null>;
  /** Every company link of the tenant. */
  listCompanyLinks(tenantId: string): Promise<CompanyLink[]>;

  /** Confirms a contact link. `created: false` for the same pair again; `conflict` when either side is linked elsewhere. */
  linkContact(tenantId: string, link: NewContactLink): Promise<LinkResult<ContactLink>>;
  /** Removes the contact's link and returns it, or `null` when it had none. */
  unlinkContact(tenantId: string, contactId: string): Promise<ContactLink | null>;
  /** Every contact link of the tenant. */
  listContactLinks(tenantId: string): Promise<ContactLink[]>;
  /** The link of a PSA contact, or `null`: one keyed read (the verifier calls it for every ticket). */
  endUserForContact(tenantId: string, contactId: string): Promise<ContactLink | null>;
  /** The link of a PSA company, or `null`: one keyed read (the verifier checks a ticket's customer with it). */
  customerForCompany(tenantId: string, companyId: string): Promise<CompanyLink | null>;

  /** Every PSA company the syncs stored. */
  listCompanies(tenantId: string): Promise<PsaCompany[]>;
  /** Every PSA contact the syncs and webhooks stored. */
  listContacts(tenantId: string): Promise<PsaContact[]>;
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

/**
 * Direct reads of a mapping store's backing system (its tables, its maps), bypassing the store's own methods: what
 * `runMappingStoreConformance` checks writes against. Each returns the row of that tenant as stored, or `null`.
 * @public
 */
export interface MappingStoreInspector {
  /** The customer row. */
  customer(tenantId: string, customerId: string): Promise<Customer | null>;
  /** The link row of a PSA company. */
  companyLink(tenantId: string, companyId: string): Promise<CompanyLink | null>;
  /** The link row of a PSA contact. */
  contactLink(tenantId: string, contactId: string): Promise<ContactLink | null>;
  /** The stored PSA company. */
  company(tenantId: string, companyId: string): Promise<PsaCompany | null>;
  /** The stored PSA contact. */
  contact(tenantId: string, contactId: string): Promise<PsaContact | null>;
}
