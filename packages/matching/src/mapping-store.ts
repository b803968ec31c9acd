import type { PsaCompany, PsaContact } from '@qdesk/core/ports';
import type { CompanyMatchRow, ContactMatchRow, MatchFilter } from './list-matches.js';
import type { MatchSearch } from './match-keys.js';
import type {
  CompanyLink,
  CompanyMatchSuggestion,
  ConfirmedBy,
  ContactLink,
  ContactMatchSuggestion,
  Customer,
  MatchEndUser,
  SyncCheckpoint,
} from './types.js';

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
 * Changes to the end-users a mapping store keeps for matching, applied together: `put` upserts by id, `remove` drops
 * ids, `replaceAll` first drops every end-user not in `put` (a full copy of the directory).
 * @public
 */
export interface EndUserChanges {
  /** End-users to store (upserted by id). */
  put?: readonly MatchEndUser[];
  /** Ids to remove (unknown ids are ignored). */
  remove?: readonly string[];
  /** True when `put` is the whole directory: every other end-user is removed (default false). */
  replaceAll?: boolean;
}

/**
 * Which stored PSA contacts {@link MappingStore.findContacts} returns: every contact that meets any one of the
 * criteria given (their union).
 * @public
 */
export interface ContactLookup {
  /** Contacts with these ids. */
  ids?: readonly string[];
  /** Contacts holding one of these emails (keys from {@link contactKeys}: normalised). */
  emails?: readonly string[];
  /** Every contact of these PSA companies. */
  companyIds?: readonly string[];
  /**
   * Contacts with this name key (`ContactKeys.name`) in the company linked to this customer (none when the customer
   * is linked to no company).
   */
  names?: readonly { customerId: string; name: string }[];
}

/**
 * Which stored end-users {@link MappingStore.findEndUsers} returns: every end-user that meets any one of the
 * criteria given (their union).
 * @public
 */
export interface EndUserLookup {
  /** End-users with these ids. */
  ids?: readonly string[];
  /** End-users whose email key (`EndUserKeys.email`) is one of these. */
  emails?: readonly string[];
  /** End-users of this customer with this name key (`EndUserKeys.name`). */
  names?: readonly { customerId: string; name: string }[];
  /**
   * End-users of the customer this PSA company is linked to with this name key (none when the company is linked to
   * no customer): a contact's name candidates in one read.
   */
  companyNames?: readonly { companyId: string; name: string }[];
  /** Every end-user of these customers (the admin's pickers: a customer has tens to hundreds). */
  customerIds?: readonly string[];
}

/** Which contact links {@link MappingStore.findContactLinks} returns: the links of any of these contacts or end-users. @public */
export interface ContactLinkLookup {
  /** Links of these contacts. */
  contactIds?: readonly string[];
  /** Links of these end-users. */
  endUserIds?: readonly string[];
}

/**
 * Suggestions to keep, replacing the ones kept before. Companies: `companies` replaces every company suggestion of
 * the tenant. Contacts: `contacts.suggestions` replaces the suggestions of the contacts in `contacts.contactIds`, or
 * of every contact when it is `null`; each suggestion's contact must be in that scope.
 * @public
 */
export interface SuggestionReplacement {
  /** Every company suggestion of the tenant. */
  companies?: readonly CompanyMatchSuggestion[];
  /** Contact suggestions, and the contacts whose suggestions they replace. */
  contacts?: {
    /** The contacts whose suggestions are replaced, or `null` for all of them. */
    contactIds: readonly string[] | null;
    /** Their new suggestions (none for a contact means it has none now). */
    suggestions: readonly ContactMatchSuggestion[];
  };
}

/** The kept suggestions {@link MappingStore.getSuggestions} reads: those of these companies and contacts. @public */
export interface SuggestionLookup {
  /** Companies whose suggestions to read. */
  companyIds?: readonly string[];
  /** Contacts whose suggestions to read. */
  contactIds?: readonly string[];
}

/** The kept suggestions of the companies and contacts asked for, in any order. @public */
export interface KeptSuggestions {
  /** Suggestions of the companies asked for. */
  companies: CompanyMatchSuggestion[];
  /** Suggestions of the contacts asked for. */
  contacts: ContactMatchSuggestion[];
}

/**
 * One page of a matching list, as {@link MappingStore.listContactPage} (or `listCompanyPage`) reads it. Rows come in order of their order key
 * (`CompanyKeys.order` / `ContactKeys.order`, compared by code point): after `after`, or the last `limit` rows
 * before `before`, or from the start.
 * @public
 */
export interface MatchPageQuery {
  /** Which rows: `matched` (linked), `unmatched` (not linked), `suggested` (not linked, with a suggestion), `all`. */
  filter: MatchFilter;
  /** Only rows matching this search ({@link searchMatches}), or `null`. */
  search: MatchSearch | null;
  /** Contacts only: only the contacts of this PSA company, or `null`. */
  companyId: string | null;
  /** Rows whose order key is after this one (exclusive), or `null`. */
  after: string | null;
  /** The rows just before this order key (exclusive), or `null`; never given with `after`. */
  before: string | null;
  /** Rows to return (1 to 1000). */
  limit: number;
}

/** What {@link MappingStore.listContactPage} (or `listCompanyPage`) answers. @public */
export interface StoredMatchPage<Row> {
  /** The rows, in order. */
  rows: Row[];
  /** Rows the filter selects with this search and company, across all pages. */
  total: number;
  /** Rows each filter selects with this search and company. */
  counts: Record<MatchFilter, number>;
  /** True when more rows lie beyond this page in the direction read (after the last row, or before the first for `before`). */
  more: boolean;
}

/**
 * Where matching keeps its state for each tenant (MSP): QDesk's customers, the confirmed links between PSA companies
 * and customers and between PSA contacts and end-users, the PSA records the last sync read, and the sync checkpoint.
 * It also keeps the end-users as matching sees them and the suggestions computed for every unlinked company and
 * contact, so the admin's lists are one indexed read a page. It is also core's `ContactLinks` port: pass the same store to `createVerifier({ contactLinks: store })` and a
 * ticket's contact leads to the end-user an admin linked it to.
 *
 * ## Partner guide: write a mapping store
 *
 * **Use.** `createMemoryMappingStore()` is the embedded default (one process, lost on restart). A persistent store
 * implements the methods below and declares `specificationVersion: 'v1'`; `createMatchingSync`,
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
 * - Kept suggestions and status: `@qdesk/matching` computes suggestions and hands them to `replaceSuggestions`; the
 *   store keeps them with their company or contact and derives each record's status: `matched` when linked,
 *   `suggested` when unlinked with at least one suggestion, `unmatched` otherwise. A link call drops the linked
 *   record's suggestions (a linked record has none); an upserted record keeps its suggestions until they are
 *   replaced; a removed record takes them with it.
 * - Keys: compute {@link contactKeys}, {@link companyKeys} and {@link endUserKeys} when writing a record, and index
 *   what the lookups and the listing read: contacts by email key, by company and name key, and by order key within
 *   each status; end-users by email key and by customer and name key. `listCompanyPage` and `listContactPage` must not read every record
 *   to answer a page: keyset paging on the order key, and counts kept as records change (a search may scan).
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

  /** Applies changes to the end-users kept for matching, atomically. */
  saveEndUsers(tenantId: string, changes: EndUserChanges): Promise<void>;
  /** Every end-user kept for matching. */
  listEndUsers(tenantId: string): Promise<MatchEndUser[]>;
  /** The end-users that meet any criterion of `lookup`, each once. */
  findEndUsers(tenantId: string, lookup: EndUserLookup): Promise<MatchEndUser[]>;
  /** The stored PSA contacts that meet any criterion of `lookup`, each once. */
  findContacts(tenantId: string, lookup: ContactLookup): Promise<PsaContact[]>;
  /** The contact links of any of these contacts or end-users, each once. */
  findContactLinks(tenantId: string, lookup: ContactLinkLookup): Promise<ContactLink[]>;
  /** Replaces kept suggestions (and so the status of the records concerned), atomically. */
  replaceSuggestions(tenantId: string, replacement: SuggestionReplacement): Promise<void>;
  /** The kept suggestions of some companies and contacts. */
  getSuggestions(tenantId: string, lookup: SuggestionLookup): Promise<KeptSuggestions>;
  /** One page of the companies list (`query.companyId` is `null`). */
  listCompanyPage(tenantId: string, query: MatchPageQuery): Promise<StoredMatchPage<CompanyMatchRow>>;
  /** One page of the contacts list. */
  listContactPage(tenantId: string, query: MatchPageQuery): Promise<StoredMatchPage<ContactMatchRow>>;
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
