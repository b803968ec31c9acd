import { AdapterError, InputError } from '@qdesk/core';
import type { PsaCompany, PsaContact } from '@qdesk/core/ports';
import { z } from 'zod';
import { assertPorts, idSchema, pagingSchema, parseInput } from './_inputs.js';
import type { MappingStore, MatchPageQuery, StoredMatchPage } from './mapping-store.js';
import { companyKeys, contactKeys, matchSearch } from './match-keys.js';
import type {
  CompanyLink,
  CompanyMatchSuggestion,
  ContactLink,
  ContactMatchSuggestion,
  Customer,
  MatchEndUser,
} from './types.js';

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
  /** Where links, customers, synced PSA records and kept suggestions are. */
  store: MappingStore;
  /** The tenant (MSP). */
  tenantId: string;
  /** Which rows to return. */
  filter: MatchFilter;
  /** Case- and accent-insensitive text the name (or an email, or the id) must contain. */
  search?: string;
  /** The page after this one: a page's `next` cursor. */
  after?: string;
  /** The page before this one: a page's `previous` cursor. Never with `after`. */
  before?: string;
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
  /** Kept suggestions when unmatched (empty when matched). */
  suggestions: CompanyMatchSuggestion[];
  /** The customers the suggestions name, to show them by name. */
  suggestedCustomers: Customer[];
}

/** One row of the contacts tab. @public */
export interface ContactMatchRow {
  /** The PSA contact as the last sync (or webhook) stored it. */
  contact: PsaContact;
  /** Where it stands. */
  status: MatchStatus;
  /** Its confirmed link, or `null`. */
  link: ContactLink | null;
  /** The linked end-user, or `null` (also when the link names an end-user the store does not keep). */
  endUser: MatchEndUser | null;
  /** The customer the contact's company is linked to, or `null`: contacts are only suggested within one. */
  customerId: string | null;
  /** True when the PSA marks the contact inactive. */
  inactive: boolean;
  /** Kept suggestions when unmatched (empty when matched). */
  suggestions: ContactMatchSuggestion[];
  /** The end-users the suggestions name, to show them by name. */
  suggestedEndUsers: MatchEndUser[];
}

/**
 * A page of rows, the number of rows the filter selects, the count behind each filter (for tab badges), and the
 * cursors of the pages around it (keyset paging: a page costs the same wherever it is in the list).
 * @public
 */
export interface MatchPage<Row> {
  /** The rows of this page, in a stable order (name, then id). */
  rows: Row[];
  /** Rows the filter selects across all pages. */
  total: number;
  /** Limit used. */
  limit: number;
  /** Rows each filter would select (with the same search and company). */
  counts: Record<MatchFilter, number>;
  /** Pass as `after` for the next page; `null` on the last page. */
  next: string | null;
  /** Pass as `before` for the previous page; `null` on the first page. */
  previous: string | null;
}

const cursorSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(4000, 'must be at most 4000 characters')
  .regex(/^[A-Za-z0-9_-]+$/, 'must be a cursor from a page (next or previous)');

const querySchema = z
  .object({
    store: z.unknown(),
    tenantId: idSchema,
    kind: z.enum(['companies', 'contacts'], { error: 'must be companies or contacts' }),
    filter: z.enum(['suggested', 'all', 'unmatched', 'matched'], {
      error: 'must be suggested, all, unmatched or matched',
    }),
    search: z.string().max(200, 'must be at most 200 characters').optional(),
    companyId: idSchema.optional(),
    after: cursorSchema.optional(),
    before: cursorSchema.optional(),
    limit: pagingSchema.limit,
    // Taken by the first release: say what replaced them rather than "unrecognised key".
    endUsers: z
      .never({
        error:
          'is not taken any more: the mapping store keeps the end-users (see MatchingSyncConfig.directory)',
      })
      .optional(),
    offset: z
      .never({ error: 'is not taken any more: page with the after and before cursors of a page' })
      .optional(),
  })
  .strict()
  .refine((q) => q.kind === 'contacts' || q.companyId === undefined, {
    message: 'only applies to contacts',
    path: ['companyId'],
  })
  .refine((q) => q.after === undefined || q.before === undefined, {
    message: 'give after or before, not both',
    path: ['before'],
  });

/** A page cursor: the order key of the row it starts after (or ends before), in base64url. */
const toCursor = (orderKey: string) => Buffer.from(orderKey, 'utf8').toString('base64url');

/** True when `key` holds a control character other than the order key's separator (U+0001). */
function hasControlBesidesSeparator(key: string): boolean {
  for (let i = 0; i < key.length; i++) {
    const code = key.charCodeAt(i);
    if ((code < 0x20 && code !== 1) || code === 0x7f) return true;
  }
  return false;
}

function fromCursor(cursor: string | undefined, field: 'after' | 'before'): string | null {
  if (cursor === undefined) return null;
  const key = Buffer.from(cursor, 'base64url').toString('utf8');
  // A cursor is one of ours when it round-trips and holds no control character but the key's separator.
  if (toCursor(key) !== cursor || hasControlBesidesSeparator(key) || !key.includes('\u0001')) {
    throw InputError.fromIssues('listMatches', [
      { path: field, message: 'is not a cursor from a page (next or previous); start from the first page' },
    ]);
  }
  return key;
}

/**
 * The admin's matching list: PSA records from the last sync, each with its confirmed link or its kept suggestions,
 * filtered (`suggested`, `all`, `unmatched`, `matched`), ordered by name then id (stable), and paged by cursor.
 * The store answers it with an indexed read: a page costs the same at the start or the end of 100,000 contacts.
 * @example
 * ```ts
 * const first = await listMatches({ store, tenantId, kind: 'contacts', filter: 'suggested', limit: 50 });
 * const second = await listMatches({ store, tenantId, kind: 'contacts', filter: 'suggested', after: first.next! });
 * ```
 * @throws `InputError` naming the bad field (a cursor that no page gave included); `AdapterError` when the store
 * fails.
 * @public
 */
export function listMatches(query: CompanyMatchQuery): Promise<MatchPage<CompanyMatchRow>>;
/**
 * The contacts tab: PSA contacts from the last sync and webhooks, each with its confirmed link or its kept
 * suggestions, filtered, ordered by last name, first name, then id, and paged. `companyId` narrows the list to one
 * company.
 * @public
 */
export function listMatches(query: ContactMatchQuery): Promise<MatchPage<ContactMatchRow>>;
export async function listMatches(
  query: CompanyMatchQuery | ContactMatchQuery,
): Promise<MatchPage<CompanyMatchRow> | MatchPage<ContactMatchRow>> {
  const q = parseInput(querySchema, query, 'listMatches');
  assertPorts(query);
  const limit = q.limit ?? 50;
  const pageQuery: MatchPageQuery = {
    filter: q.filter,
    search: matchSearch(q.search),
    companyId: q.companyId ?? null,
    after: fromCursor(q.after, 'after'),
    before: fromCursor(q.before, 'before'),
    limit,
  };
  const { store } = query;
  if (q.kind === 'companies') {
    const page = await AdapterError.wrap('mapping store', 'listCompanyPage', () =>
      store.listCompanyPage(q.tenantId, pageQuery),
    );
    return withCursors(page, pageQuery, limit, (row) => companyKeys(row.company).order);
  }
  const page = await AdapterError.wrap('mapping store', 'listContactPage', () =>
    store.listContactPage(q.tenantId, pageQuery),
  );
  return withCursors(page, pageQuery, limit, (row) => contactKeys(row.contact).order);
}

function withCursors<Row>(
  page: StoredMatchPage<Row>,
  query: MatchPageQuery,
  limit: number,
  orderOf: (row: Row) => string,
): MatchPage<Row> {
  const { rows } = page;
  const first = rows[0];
  const last = rows.at(-1);
  // Reading backwards, `more` says whether rows lie before the page; rows always lie after it (the cursor's own).
  const before = query.before !== null;
  const hasNext = before ? true : page.more;
  const hasPrevious = before ? page.more : query.after !== null;
  return {
    rows,
    total: page.total,
    limit,
    counts: page.counts,
    next:
      hasNext && last !== undefined
        ? toCursor(orderOf(last))
        : hasNext && before
          ? toCursor(query.before!)
          : null,
    previous: hasPrevious && first !== undefined ? toCursor(orderOf(first)) : null,
  };
}
