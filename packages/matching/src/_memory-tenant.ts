import { QdeskError } from '@qdesk/core';
import { freezeCopy } from '@qdesk/core/memory';
import type { PsaCompany, PsaContact } from '@qdesk/core/ports';
import { push } from './_suggestions.js';
import type { CompanyMatchRow, ContactMatchRow, MatchFilter, MatchStatus } from './list-matches.js';
import type {
  ContactLinkLookup,
  ContactLookup,
  ContactRemoval,
  EndUserChanges,
  EndUserLookup,
  KeptSuggestions,
  LinkResult,
  MatchPageQuery,
  StoredMatchPage,
  SuggestionLookup,
  SuggestionReplacement,
  SyncPruneResult,
} from './mapping-store.js';
import {
  type CompanyKeys,
  type ContactKeys,
  companyKeys,
  compareOrderKeys,
  contactKeys,
  type EndUserKeys,
  endUserKeys,
  searchMatches,
} from './match-keys.js';
import type {
  CompanyLink,
  CompanyMatchSuggestion,
  ContactLink,
  ContactMatchSuggestion,
  Customer,
  MatchEndUser,
  SyncCheckpoint,
} from './types.js';

interface Stamped<T, Keys, Suggestion> {
  record: T;
  runId: string;
  keys: Keys;
  /** Kept suggestions, frozen. */
  suggestions: readonly Suggestion[];
  status: MatchStatus;
}
type StampedCompany = Stamped<PsaCompany, CompanyKeys, CompanyMatchSuggestion>;
type StampedContact = Stamped<PsaContact, ContactKeys, ContactMatchSuggestion>;

interface KeptEndUser {
  user: MatchEndUser;
  keys: EndUserKeys;
}

const NO_SUGGESTIONS: readonly never[] = Object.freeze([]);
const STATUSES: readonly MatchStatus[] = ['matched', 'suggested', 'unmatched'];
type StatusCounts = Record<MatchStatus, number>;
const zero = (): StatusCounts => ({ matched: 0, suggested: 0, unmatched: 0 });

/** Adds `id` to the set under `key`. */
function index(map: Map<string, Set<string>>, key: string, id: string): void {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  set.add(id);
}

/** Removes `id` from the set under `key`, and the set when it empties. */
function unindex(map: Map<string, Set<string>>, key: string, id: string): void {
  const set = map.get(key);
  if (set?.delete(id) && set.size === 0) map.delete(key);
}

const nameKey = (owner: string, name: string) => `${owner}\u0001${name}`;

function selects(filter: MatchFilter, status: MatchStatus): boolean {
  if (filter === 'all') return true;
  if (filter === 'matched') return status === 'matched';
  if (filter === 'unmatched') return status !== 'matched';
  return status === 'suggested';
}

function countsOf(byStatus: StatusCounts): Record<MatchFilter, number> {
  return {
    all: byStatus.matched + byStatus.suggested + byStatus.unmatched,
    matched: byStatus.matched,
    unmatched: byStatus.suggested + byStatus.unmatched,
    suggested: byStatus.suggested,
  };
}

/** The first position in `sorted` whose order key is after `key` (`inclusive`: at or after). */
function position<T extends { keys: { order: string } }>(
  sorted: readonly T[],
  key: string,
  inclusive: boolean,
) {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareOrderKeys(sorted[mid]!.keys.order, key);
    if (c < 0 || (c === 0 && !inclusive)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
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
  readonly companies = new Map<string, StampedCompany>();
  readonly contacts = new Map<string, StampedContact>();
  readonly endUsers = new Map<string, KeptEndUser>();
  checkpoint: SyncCheckpoint | null = null;

  // Indexes: contacts by email key, by company, by company and name key; end-users by email, by customer and name.
  private readonly contactsByEmail = new Map<string, Set<string>>();
  private readonly contactsByCompany = new Map<string, Set<string>>();
  private readonly contactsByName = new Map<string, Set<string>>();
  private readonly usersByEmail = new Map<string, Set<string>>();
  private readonly usersByName = new Map<string, Set<string>>();
  // Counts by status, kept as records change: the companies', and the contacts' of each company.
  private readonly companyCounts = zero();
  private readonly contactCounts = new Map<string, StatusCounts>();
  // The records in listing order, sorted again only after a record came, went or was renamed.
  private sortedCompanies: StampedCompany[] | null = null;
  private sortedContacts: StampedContact[] | null = null;

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
    this.setCompanySuggestions(link.companyId, NO_SUGGESTIONS);
    return { link: stored, created: true };
  }

  unlinkCompany(companyId: string): CompanyLink | null {
    const link = this.companyLinks.get(companyId) ?? null;
    if (link) {
      this.companyLinks.delete(companyId);
      this.customerLinks.delete(link.customerId);
      this.restatusCompany(companyId);
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
    this.setContactSuggestions(link.contactId, NO_SUGGESTIONS);
    return { link: stored, created: true };
  }

  unlinkContact(contactId: string): ContactLink | null {
    const link = this.contactLinks.get(contactId) ?? null;
    if (link) {
      this.contactLinks.delete(contactId);
      this.endUserLinks.delete(link.endUserId);
      this.restatusContact(contactId);
    }
    return link;
  }

  putCompany(company: PsaCompany, runId: string): void {
    const record = freezeCopy(company);
    const keys = companyKeys(record);
    const before = this.companies.get(company.id);
    if (!before) {
      const status = this.companyLinks.has(company.id) ? 'matched' : 'unmatched';
      this.companies.set(company.id, { record, runId, keys, suggestions: NO_SUGGESTIONS, status });
      this.companyCounts[status]++;
      this.sortedCompanies = null;
      return;
    }
    // Updated in place: the sorted listing holds this very object.
    if (before.keys.order !== keys.order) this.sortedCompanies = null;
    Object.assign(before, { record, runId, keys });
  }

  putContact(contact: PsaContact, runId: string): void {
    const record = freezeCopy(contact);
    const keys = contactKeys(record);
    const before = this.contacts.get(contact.id);
    if (!before) {
      const status = this.contactLinks.has(contact.id) ? 'matched' : 'unmatched';
      const stamped: StampedContact = { record, runId, keys, suggestions: NO_SUGGESTIONS, status };
      this.contacts.set(contact.id, stamped);
      this.indexContact(stamped);
      this.sortedContacts = null;
      return;
    }
    // Updated in place (the sorted listing holds this very object), its indexes and counts moved with it.
    this.unindexContact(before);
    if (before.keys.order !== keys.order) this.sortedContacts = null;
    Object.assign(before, { record, runId, keys });
    this.indexContact(before);
  }

  removeContact(contactId: string): ContactRemoval {
    const stamped = this.contacts.get(contactId);
    if (stamped) {
      this.contacts.delete(contactId);
      this.unindexContact(stamped);
      this.sortedContacts = null;
    }
    return { removed: stamped !== undefined, unlinked: this.unlinkContact(contactId) };
  }

  private removeCompany(companyId: string): void {
    const stamped = this.companies.get(companyId);
    if (!stamped) return;
    this.companies.delete(companyId);
    this.companyCounts[stamped.status]--;
    this.sortedCompanies = null;
  }

  private indexContact(stamped: StampedContact): void {
    const { record, keys } = stamped;
    for (const email of keys.emails) index(this.contactsByEmail, email, record.id);
    index(this.contactsByCompany, record.companyId, record.id);
    if (keys.name !== '') index(this.contactsByName, nameKey(record.companyId, keys.name), record.id);
    this.countContact(record.companyId, stamped.status, 1);
  }

  private unindexContact(stamped: StampedContact): void {
    const { record, keys } = stamped;
    for (const email of keys.emails) unindex(this.contactsByEmail, email, record.id);
    unindex(this.contactsByCompany, record.companyId, record.id);
    if (keys.name !== '') unindex(this.contactsByName, nameKey(record.companyId, keys.name), record.id);
    this.countContact(record.companyId, stamped.status, -1);
  }

  private countContact(companyId: string, status: MatchStatus, delta: number): void {
    let counts = this.contactCounts.get(companyId);
    if (!counts) {
      counts = zero();
      this.contactCounts.set(companyId, counts);
    }
    counts[status] += delta;
  }

  private setCompanySuggestions(companyId: string, suggestions: readonly CompanyMatchSuggestion[]): void {
    const stamped = this.companies.get(companyId);
    if (!stamped) return;
    stamped.suggestions = suggestions;
    this.restatusCompany(companyId);
  }

  private setContactSuggestions(contactId: string, suggestions: readonly ContactMatchSuggestion[]): void {
    const stamped = this.contacts.get(contactId);
    if (!stamped) return;
    stamped.suggestions = suggestions;
    this.restatusContact(contactId);
  }

  private restatusCompany(companyId: string): void {
    const stamped = this.companies.get(companyId);
    if (!stamped) return;
    const status = this.companyLinks.has(companyId)
      ? 'matched'
      : stamped.suggestions.length > 0
        ? 'suggested'
        : 'unmatched';
    this.companyCounts[stamped.status]--;
    this.companyCounts[status]++;
    stamped.status = status;
  }

  private restatusContact(contactId: string): void {
    const stamped = this.contacts.get(contactId);
    if (!stamped) return;
    const status = this.contactLinks.has(contactId)
      ? 'matched'
      : stamped.suggestions.length > 0
        ? 'suggested'
        : 'unmatched';
    this.countContact(stamped.record.companyId, stamped.status, -1);
    this.countContact(stamped.record.companyId, status, 1);
    stamped.status = status;
  }

  saveEndUsers(changes: EndUserChanges): void {
    const put = new Map((changes.put ?? []).map((u) => [u.id, u]));
    const removing = new Set(changes.remove ?? []);
    if (changes.replaceAll) for (const id of this.endUsers.keys()) if (!put.has(id)) removing.add(id);
    for (const id of removing) {
      const kept = this.endUsers.get(id);
      if (kept) this.unindexEndUser(kept);
      this.endUsers.delete(id);
    }
    for (const user of put.values()) {
      if (removing.has(user.id)) continue;
      const before = this.endUsers.get(user.id);
      if (before) this.unindexEndUser(before);
      const kept = { user: freezeCopy(user), keys: endUserKeys(user) };
      this.endUsers.set(user.id, kept);
      if (kept.keys.email !== '') index(this.usersByEmail, kept.keys.email, user.id);
      if (user.customerId !== null && kept.keys.name !== '') {
        index(this.usersByName, nameKey(user.customerId, kept.keys.name), user.id);
      }
    }
  }

  private unindexEndUser({ user, keys }: KeptEndUser): void {
    if (keys.email !== '') unindex(this.usersByEmail, keys.email, user.id);
    if (user.customerId !== null && keys.name !== '') {
      unindex(this.usersByName, nameKey(user.customerId, keys.name), user.id);
    }
  }

  findEndUsers(lookup: EndUserLookup): MatchEndUser[] {
    const ids = new Set<string>();
    for (const id of lookup.ids ?? []) if (this.endUsers.has(id)) ids.add(id);
    for (const email of lookup.emails ?? []) for (const id of this.usersByEmail.get(email) ?? []) ids.add(id);
    for (const { customerId, name } of lookup.names ?? []) {
      for (const id of this.usersByName.get(nameKey(customerId, name)) ?? []) ids.add(id);
    }
    for (const { companyId, name } of lookup.companyNames ?? []) {
      const customerId = this.companyLinks.get(companyId)?.customerId;
      if (customerId === undefined) continue;
      for (const id of this.usersByName.get(nameKey(customerId, name)) ?? []) ids.add(id);
    }
    if (lookup.customerIds?.length) {
      const customers = new Set(lookup.customerIds);
      for (const { user } of this.endUsers.values())
        if (user.customerId !== null && customers.has(user.customerId)) ids.add(user.id);
    }
    return [...ids].map((id) => this.endUsers.get(id)!.user);
  }

  findContacts(lookup: ContactLookup): PsaContact[] {
    const ids = new Set<string>();
    for (const id of lookup.ids ?? []) if (this.contacts.has(id)) ids.add(id);
    for (const email of lookup.emails ?? [])
      for (const id of this.contactsByEmail.get(email) ?? []) ids.add(id);
    for (const companyId of lookup.companyIds ?? []) {
      for (const id of this.contactsByCompany.get(companyId) ?? []) ids.add(id);
    }
    for (const { customerId, name } of lookup.names ?? []) {
      const companyId = this.customerLinks.get(customerId)?.companyId;
      if (companyId === undefined) continue;
      for (const id of this.contactsByName.get(nameKey(companyId, name)) ?? []) ids.add(id);
    }
    return [...ids].map((id) => this.contacts.get(id)!.record);
  }

  findContactLinks(lookup: ContactLinkLookup): ContactLink[] {
    const found = new Map<string, ContactLink>();
    for (const id of lookup.contactIds ?? []) {
      const link = this.contactLinks.get(id);
      if (link) found.set(link.contactId, link);
    }
    for (const id of lookup.endUserIds ?? []) {
      const link = this.endUserLinks.get(id);
      if (link) found.set(link.contactId, link);
    }
    return [...found.values()];
  }

  /** Replaces kept suggestions; the caller checked them and their scope. */
  replaceSuggestions(replacement: SuggestionReplacement): void {
    if (replacement.companies) {
      const byCompany = new Map<string, CompanyMatchSuggestion[]>();
      for (const s of replacement.companies) {
        if (!this.companies.has(s.companyId) || this.companyLinks.has(s.companyId)) continue;
        push(byCompany, s.companyId, s);
      }
      for (const companyId of this.companies.keys()) {
        const list = byCompany.get(companyId);
        this.setCompanySuggestions(companyId, list ? freezeCopy(list) : NO_SUGGESTIONS);
      }
    }
    if (replacement.contacts) {
      const { contactIds, suggestions } = replacement.contacts;
      const byContact = new Map<string, ContactMatchSuggestion[]>();
      for (const s of suggestions) {
        if (!this.contacts.has(s.contactId) || this.contactLinks.has(s.contactId)) continue;
        push(byContact, s.contactId, s);
      }
      for (const contactId of contactIds ?? this.contacts.keys()) {
        const list = byContact.get(contactId);
        this.setContactSuggestions(contactId, list ? freezeCopy(list) : NO_SUGGESTIONS);
      }
    }
  }

  getSuggestions(lookup: SuggestionLookup): KeptSuggestions {
    const companies: CompanyMatchSuggestion[] = [];
    const contacts: ContactMatchSuggestion[] = [];
    for (const id of new Set(lookup.companyIds ?? []))
      companies.push(...(this.companies.get(id)?.suggestions ?? []));
    for (const id of new Set(lookup.contactIds ?? []))
      contacts.push(...(this.contacts.get(id)?.suggestions ?? []));
    return { companies, contacts };
  }

  listCompanyPage(query: MatchPageQuery): StoredMatchPage<CompanyMatchRow> {
    if (!this.sortedCompanies) {
      this.sortedCompanies = [...this.companies.values()].sort((a, b) =>
        compareOrderKeys(a.keys.order, b.keys.order),
      );
    }
    const counts =
      query.search === null ? countsOf(this.companyCounts) : this.countMatching(this.sortedCompanies, query);
    return this.page(this.sortedCompanies, query, counts, (stamped) => {
      const link = this.companyLinks.get(stamped.record.id) ?? null;
      const suggested = new Set(stamped.suggestions.map((s) => s.customerId));
      return {
        company: stamped.record,
        status: stamped.status,
        link,
        customer: link ? (this.customers.get(link.customerId) ?? null) : null,
        suggestions: [...stamped.suggestions],
        suggestedCustomers: [...suggested].flatMap((id) => this.customers.get(id) ?? []),
      };
    });
  }

  listContactPage(query: MatchPageQuery): StoredMatchPage<ContactMatchRow> {
    if (!this.sortedContacts) {
      this.sortedContacts = [...this.contacts.values()].sort((a, b) =>
        compareOrderKeys(a.keys.order, b.keys.order),
      );
    }
    let counts: Record<MatchFilter, number>;
    if (query.search !== null) counts = this.countMatching(this.sortedContacts, query);
    else if (query.companyId !== null) counts = countsOf(this.contactCounts.get(query.companyId) ?? zero());
    else {
      const sum = zero();
      for (const byStatus of this.contactCounts.values()) for (const s of STATUSES) sum[s] += byStatus[s];
      counts = countsOf(sum);
    }
    return this.page(this.sortedContacts, query, counts, (stamped) => {
      const link = this.contactLinks.get(stamped.record.id) ?? null;
      const suggested = new Set(stamped.suggestions.map((s) => s.endUserId));
      return {
        contact: stamped.record,
        status: stamped.status,
        link,
        endUser: link ? (this.endUsers.get(link.endUserId)?.user ?? null) : null,
        customerId: this.companyLinks.get(stamped.record.companyId)?.customerId ?? null,
        inactive: !stamped.record.isActive,
        suggestions: [...stamped.suggestions],
        suggestedEndUsers: [...suggested].flatMap((id) => this.endUsers.get(id)?.user ?? []),
      };
    });
  }

  private matches(stamped: StampedCompany | StampedContact, query: MatchPageQuery): boolean {
    if (query.companyId !== null && (stamped.record as PsaContact).companyId !== query.companyId)
      return false;
    return query.search === null || searchMatches(query.search, stamped.keys.search, stamped.record.id);
  }

  private countMatching(sorted: readonly (StampedCompany | StampedContact)[], query: MatchPageQuery) {
    const byStatus = zero();
    for (const stamped of sorted) if (this.matches(stamped, query)) byStatus[stamped.status]++;
    return countsOf(byStatus);
  }

  private page<S extends StampedCompany | StampedContact, Row>(
    sorted: readonly S[],
    query: MatchPageQuery,
    counts: Record<MatchFilter, number>,
    row: (stamped: S) => Row,
  ): StoredMatchPage<Row> {
    const picked: S[] = [];
    const wanted = query.limit + 1;
    const keep = (stamped: S) => selects(query.filter, stamped.status) && this.matches(stamped, query);
    if (query.before !== null) {
      for (let i = position(sorted, query.before, true) - 1; i >= 0 && picked.length < wanted; i--) {
        if (keep(sorted[i]!)) picked.push(sorted[i]!);
      }
      const more = picked.length > query.limit;
      return {
        rows: picked.slice(0, query.limit).reverse().map(row),
        total: counts[query.filter],
        counts,
        more,
      };
    }
    const start = query.after === null ? 0 : position(sorted, query.after, false);
    for (let i = start; i < sorted.length && picked.length < wanted; i++) {
      if (keep(sorted[i]!)) picked.push(sorted[i]!);
    }
    const more = picked.length > query.limit;
    return { rows: picked.slice(0, query.limit).map(row), total: counts[query.filter], counts, more };
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
      this.removeCompany(companyId);
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
