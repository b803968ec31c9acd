// The admin's list as it was before suggestions were kept (commit a0e6b56): every page read every record and
// recomputed every suggestion. Kept for the benchmark's side-by-side figures only.
import { AdapterError, type EndUser } from '@qdesk/core';
import type { PsaCompany, PsaContact } from '@qdesk/core/ports';
import { z } from 'zod';
import { assertPorts, compareIds, idSchema, pagingSchema, parseInput } from '../../src/_inputs.js';
import { push } from '../../src/_suggestions.js';
import type { MappingStore } from '../../src/mapping-store.js';
import { normalizeEmail, normalizePersonName } from '../../src/normalize.js';
import type {
  CompanyLink,
  CompanyMatchSuggestion,
  ContactLink,
  ContactMatchSuggestion,
  Customer,
} from '../../src/types.js';
import { suggestCompanyMatches } from '../before/suggest-companies.js';
import { suggestContactMatches } from '../before/suggest-contacts.js';

/**
 * The filters of the admin's matching lists.
 * - `all`: every record. - `matched`: records with a confirmed link. - `unmatched`: records without one.
 * - `suggested`: unmatched records with at least one suggestion.
 * @public
 */
export type MatchFilter = 'suggested' | 'all' | 'unmatched' | 'matched';

/** Where a record stands: linked, not linked but suggested, or neither. @public */
export type MatchStatus = 'matched' | 'suggested' | 'unmatched';

interface MatchQueryBase {
  /** Where links, customers and synced PSA records are kept. */
  store: MappingStore;
  /** The tenant (MSP). */
  tenantId: string;
  /** Which rows to return. */
  filter: MatchFilter;
  /** Case- and accent-insensitive text the name (or an email, or the id) must contain. */
  search?: string;
  /** Rows to skip (default 0). */
  offset?: number;
  /** Rows to return, 1 to 1000 (default 50). */
  limit?: number;
}

/** Lists PSA companies with their links and suggestions. @public */
export interface CompanyMatchQuery extends MatchQueryBase {
  /** The companies tab. */
  kind: 'companies';
}

/** Lists PSA contacts with their links and suggestions. @public */
export interface ContactMatchQuery extends MatchQueryBase {
  /** The contacts tab. */
  kind: 'contacts';
  /** The tenant's end-users (the directory), candidates for the suggestions. */
  endUsers: readonly EndUser[];
  /** Only the contacts of this PSA company. */
  companyId?: string;
}

/** One row of the companies tab. @public */
export interface CompanyMatchRow {
  /** The PSA company as the last sync read it. */
  company: PsaCompany;
  /** Where it stands. */
  status: MatchStatus;
  /** Its confirmed link, or `null`. */
  link: CompanyLink | null;
  /** The linked customer, or `null`. */
  customer: Customer | null;
  /** Suggestions when unmatched (empty when matched). */
  suggestions: CompanyMatchSuggestion[];
}

/** One row of the contacts tab. @public */
export interface ContactMatchRow {
  /** The PSA contact as the last sync (or webhook) stored it. */
  contact: PsaContact;
  /** Where it stands. */
  status: MatchStatus;
  /** Its confirmed link, or `null`. */
  link: ContactLink | null;
  /** The linked end-user, or `null` (also when the link names an end-user missing from `endUsers`). */
  endUser: EndUser | null;
  /** The customer the contact's company is linked to, or `null`: contacts are only suggested within one. */
  customerId: string | null;
  /** True when the PSA marks the contact inactive. */
  inactive: boolean;
  /** Suggestions when unmatched (empty when matched). */
  suggestions: ContactMatchSuggestion[];
}

/** A page of rows, the number of rows the filter selects, and the count behind each filter (for tab badges). @public */
export interface MatchPage<Row> {
  /** The rows of this page, in a stable order (name, then id). */
  rows: Row[];
  /** Rows the filter selects across all pages. */
  total: number;
  /** Offset used. */
  offset: number;
  /** Limit used. */
  limit: number;
  /** Rows each filter would select (with the same search and company). */
  counts: Record<MatchFilter, number>;
}

const querySchema = z
  .object({
    store: z.unknown(),
    tenantId: idSchema,
    kind: z.enum(['companies', 'contacts'], { error: 'must be companies or contacts' }),
    filter: z.enum(['suggested', 'all', 'unmatched', 'matched'], {
      error: 'must be suggested, all, unmatched or matched',
    }),
    search: z.string().max(200, 'must be at most 200 characters').optional(),
    endUsers: z.array(z.unknown()).optional(),
    companyId: idSchema.optional(),
    ...pagingSchema,
  })
  .strict()
  .refine((q) => q.kind === 'companies' || q.endUsers !== undefined, {
    message: 'is required for contacts',
    path: ['endUsers'],
  })
  .refine((q) => q.kind === 'contacts' || q.companyId === undefined, {
    message: 'only applies to contacts',
    path: ['companyId'],
  });

interface Keyed<Row> {
  row: Row;
  sortKey: string;
  id: string;
}

function page<Row extends { status: MatchStatus }>(
  keyed: Keyed<Row>[],
  filter: MatchFilter,
  offset: number,
  limit: number,
): MatchPage<Row> {
  keyed.sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : compareIds(a.id, b.id)));
  const counts: Record<MatchFilter, number> = { all: keyed.length, matched: 0, unmatched: 0, suggested: 0 };
  for (const { row } of keyed) {
    if (row.status === 'matched') counts.matched++;
    else counts.unmatched++;
    if (row.status === 'suggested') counts.suggested++;
  }
  const selected = keyed.filter(({ row }) =>
    filter === 'all'
      ? true
      : filter === 'matched'
        ? row.status === 'matched'
        : filter === 'unmatched'
          ? row.status !== 'matched'
          : row.status === 'suggested',
  );
  const rows = selected.slice(offset, offset + limit).map((k) => k.row);
  return { rows, total: selected.length, offset, limit, counts };
}

const status = (linked: boolean, suggested: number): MatchStatus =>
  linked ? 'matched' : suggested > 0 ? 'suggested' : 'unmatched';

/**
 * The admin's matching list: PSA records from the last sync, each with its confirmed link or its suggestions, filtered
 * (`suggested`, `all`, `unmatched`, `matched`), ordered by name then id (stable), and paged.
 * @example
 * ```ts
 * const page = await listMatches({ store, tenantId, kind: 'companies', filter: 'suggested', limit: 50 });
 * const contacts = await listMatches({ store, tenantId, kind: 'contacts', filter: 'all', endUsers });
 * ```
 * @throws `InputError` naming the bad field; `AdapterError` when the store fails.
 * @public
 */
export function listMatches(query: CompanyMatchQuery): Promise<MatchPage<CompanyMatchRow>>;
/**
 * The contacts tab: PSA contacts from the last sync and webhooks, each with its confirmed link or its suggestions
 * among `endUsers` (see {@link suggestContactMatches}), filtered, ordered by last name, first name, then id, and paged.
 * `companyId` narrows the list to one company.
 * @public
 */
export function listMatches(query: ContactMatchQuery): Promise<MatchPage<ContactMatchRow>>;
export async function listMatches(
  query: CompanyMatchQuery | ContactMatchQuery,
): Promise<MatchPage<CompanyMatchRow> | MatchPage<ContactMatchRow>> {
  const q = parseInput(querySchema, query, 'listMatches');
  assertPorts(query);
  const offset = q.offset ?? 0;
  const limit = q.limit ?? 50;
  const search = q.search === undefined ? '' : normalizePersonName(q.search);
  const { store } = query;
  const read = <T>(operation: string, run: () => Promise<T>) =>
    AdapterError.wrap('mapping store', operation, run);
  const [companyLinks, customers] = await Promise.all([
    read('listCompanyLinks', () => store.listCompanyLinks(q.tenantId)),
    read('listCustomers', () => store.listCustomers(q.tenantId)),
  ]);

  if (q.kind === 'companies') {
    const companies = await read('listCompanies', () => store.listCompanies(q.tenantId));
    const linkOf = new Map(companyLinks.map((l) => [l.companyId, l]));
    const customerOf = new Map(customers.map((c) => [c.id, c]));
    const suggestionsOf = new Map<string, CompanyMatchSuggestion[]>();
    for (const s of suggestCompanyMatches(companies, customers, companyLinks))
      push(suggestionsOf, s.companyId, s);
    const keyed: Keyed<CompanyMatchRow>[] = [];
    for (const company of companies) {
      const sortKey = normalizePersonName(company.name);
      if (search !== '' && !sortKey.includes(search) && company.id !== q.search?.trim()) continue;
      const link = linkOf.get(company.id) ?? null;
      const suggestions = suggestionsOf.get(company.id) ?? [];
      keyed.push({
        row: {
          company,
          status: status(link !== null, suggestions.length),
          link,
          customer: link ? (customerOf.get(link.customerId) ?? null) : null,
          suggestions,
        },
        sortKey,
        id: company.id,
      });
    }
    return page(keyed, q.filter, offset, limit);
  }

  const endUsers = (query as ContactMatchQuery).endUsers;
  const [contacts, contactLinks] = await Promise.all([
    read('listContacts', () => store.listContacts(q.tenantId)),
    read('listContactLinks', () => store.listContactLinks(q.tenantId)),
  ]);
  // Suggestions look at every contact (an email shared across companies is a conflict), but only the companies
  // listed are matched.
  const scopedLinks =
    q.companyId === undefined ? companyLinks : companyLinks.filter((l) => l.companyId === q.companyId);
  const suggestionsOf = new Map<string, ContactMatchSuggestion[]>();
  for (const s of suggestContactMatches(contacts, endUsers, { companyLinks: scopedLinks, contactLinks })) {
    push(suggestionsOf, s.contactId, s);
  }
  const customerOfCompany = new Map(companyLinks.map((l) => [l.companyId, l.customerId]));
  const linkOf = new Map(contactLinks.map((l) => [l.contactId, l]));
  const endUserOf = new Map(endUsers.map((u) => [u.id, u]));
  // First and last names repeat across thousands of contacts: fold each once.
  const folded = new Map<string, string>();
  const foldName = (name: string) => {
    let key = folded.get(name);
    if (key === undefined) {
      key = normalizePersonName(name);
      folded.set(name, key);
    }
    return key;
  };
  const keyed: Keyed<ContactMatchRow>[] = [];
  for (const contact of contacts) {
    if (q.companyId !== undefined && contact.companyId !== q.companyId) continue;
    const sortKey = `${foldName(contact.lastName)}\u0000${foldName(contact.firstName)}`;
    if (search !== '' && !matchesContact(contact, sortKey, search, q.search!.trim())) continue;
    const link = linkOf.get(contact.id) ?? null;
    const suggestions = suggestionsOf.get(contact.id) ?? [];
    keyed.push({
      row: {
        contact,
        status: status(link !== null, suggestions.length),
        link,
        endUser: link ? (endUserOf.get(link.endUserId) ?? null) : null,
        customerId: customerOfCompany.get(contact.companyId) ?? null,
        inactive: !contact.isActive,
        suggestions,
      },
      sortKey,
      id: contact.id,
    });
  }
  return page(keyed, q.filter, offset, limit);
}

function matchesContact(contact: PsaContact, sortKey: string, search: string, raw: string): boolean {
  const name = normalizePersonName(`${contact.firstName} ${contact.lastName}`);
  if (name.includes(search) || sortKey.includes(search) || contact.id === raw) return true;
  const wanted = normalizeEmail(raw);
  return contact.emails.some((e) => normalizeEmail(e).includes(wanted));
}
