/**
 * The admin's matching lists on the PostgreSQL mapping store (`createPostgresMappingStore`): one page of companies or
 * contacts with their links and kept suggestions. Internal to `@qdesk/store-postgres`.
 */
import type { PsaCompany, PsaContact } from '@qdesk/core/ports';
import type {
  CompanyLink,
  CompanyMatchRow,
  CompanyMatchSuggestion,
  ContactLink,
  ContactMatchRow,
  ContactMatchSuggestion,
  Customer,
  MappingStore,
  MatchEndUser,
  MatchFilter,
  MatchPageQuery,
  MatchStatus,
  StoredMatchPage,
} from '@qdesk/matching';
import { mappingStoreInput as input } from '@qdesk/matching';
import type { Database } from './database.js';

// A page is one keyset read: the records after (or before) the cursor's order key, in order, as far as the page
// needs, through an index on (tenant_id, [status | company_id,] order_key) in COLLATE "C" (code point order, as
// compareOrderKeys). The filter is part of the statement's text, so each one meets its index (the partial index
// of the unmatched filter, `status <> 'matched'`, among them). The counts of the tab badges come from
// qdesk_match_counts, which triggers keep; only a search counts the records it matches.

const FILTERS: Record<MatchFilter, string> = {
  all: '',
  matched: "AND p.status = 'matched'",
  unmatched: "AND p.status <> 'matched'",
  suggested: "AND p.status = 'suggested'",
};

const linkJson = (alias: string, key: string, field: string, other: string, otherField: string) =>
  `CASE WHEN ${alias}.${key} IS NULL THEN NULL ELSE json_build_object('tenantId', ${alias}.tenant_id,
     '${field}', ${alias}.${key}, '${otherField}', ${alias}.${other},
     'confirmedBy', json_build_object('id', ${alias}.confirmed_by_id, 'name', ${alias}.confirmed_by_name),
     'confirmedAt', ${alias}.confirmed_at) END`;
const customerJson = (alias: string) =>
  `json_build_object('id', ${alias}.id, 'tenantId', ${alias}.tenant_id, 'name', ${alias}.name, 'domain', ${alias}.domain)`;
const endUserJson = (alias: string) =>
  `json_build_object('id', ${alias}.id, 'email', ${alias}.email, 'displayName', ${alias}.display_name,
     'customerId', ${alias}.customer_id)`;

/**
 * The records the suggestions of `p` name (by `field`), each once, in the order first named; missing ones left out.
 * `= ANY` of the ids is a keyed read whatever the planner believes of the table's size.
 */
const suggested = (table: string, field: string, json: string) => `
  (SELECT coalesce(json_agg(${json} ORDER BY array_position(s.ids, x.id)), '[]')
   FROM (SELECT ARRAY(SELECT e->>'${field}' FROM jsonb_array_elements(p.suggestions) e) AS ids) s
   JOIN ${table} x ON x.tenant_id = $1 AND x.id = ANY(s.ids))`;

interface Shape {
  /** Which page: `after` ($2, '' for the first page) or `before` ($2). */
  before: boolean;
  filter: MatchFilter;
  /** Contacts of one company ($4). */
  company: boolean;
  /** A search, as how many needles it has, or `null`: its id, then one pattern a needle ($5... with a company, $4... without). */
  search: number | null;
}

/**
 * The search condition on `p` with parameters from `$first`: the id, then one `LIKE '%needle%'` a needle, which the
 * trigram index of `search_text` answers where PostgreSQL has `pg_trgm` (a needle under three characters scans).
 */
function searchCondition(first: number, needles: number): string {
  const likes = Array.from({ length: needles }, (_, i) => `OR p.search_text LIKE $${first + 1 + i}`).join(
    ' ',
  );
  return `AND (p.id = $${first} ${likes})`;
}

/** `%needle%` with LIKE's own characters escaped (the default escape character is a backslash). */
const pattern = (needle: string) => `%${needle.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The records of one page, `$3` of them at most, in page order (`p`). */
function pageRecords(table: string, shape: Shape): string {
  const company = shape.company ? 'AND p.company_id = $4' : '';
  const search = shape.search === null ? '' : searchCondition(shape.company ? 5 : 4, shape.search);
  return `SELECT * FROM ${table} p
    WHERE p.tenant_id = $1 ${FILTERS[shape.filter]} ${company} ${search}
      AND p.order_key ${shape.before ? '<' : '>'} $2
    ORDER BY p.order_key ${shape.before ? 'DESC' : ''} LIMIT $3`;
}

// Each record of the page reads its link, linked record and company's customer by primary key (scalar subqueries:
// one keyed read per row, never a join the planner could turn into a scan after a bulk load).
const companyPage = (shape: Shape) => `
  SELECT p.id, p.name, p.web_address AS "webAddress", p.is_active AS "isActive", p.status, p.suggestions,
    (SELECT ${linkJson('l', 'company_id', 'companyId', 'customer_id', 'customerId')}
     FROM qdesk_company_links l WHERE l.tenant_id = $1 AND l.company_id = p.id) AS link,
    (SELECT ${customerJson('cu')} FROM qdesk_company_links l
     JOIN qdesk_customers cu ON cu.tenant_id = $1 AND cu.id = l.customer_id
     WHERE l.tenant_id = $1 AND l.company_id = p.id) AS customer,
    ${suggested('qdesk_customers', 'customerId', customerJson('x'))} AS "suggestedCustomers"
  FROM (${pageRecords('qdesk_psa_companies', shape)}) p
  ORDER BY p.order_key ${shape.before ? 'DESC' : ''}`;

const contactPage = (shape: Shape) => `
  SELECT p.id, p.company_id AS "companyId", p.first_name AS "firstName", p.last_name AS "lastName", p.emails,
    p.mobile_phone AS "mobilePhone", p.phone, p.is_active AS "isActive", p.status, p.suggestions,
    (SELECT ${linkJson('l', 'contact_id', 'contactId', 'end_user_id', 'endUserId')}
     FROM qdesk_contact_links l WHERE l.tenant_id = $1 AND l.contact_id = p.id) AS link,
    (SELECT ${endUserJson('u')} FROM qdesk_contact_links l
     JOIN qdesk_match_end_users u ON u.tenant_id = $1 AND u.id = l.end_user_id
     WHERE l.tenant_id = $1 AND l.contact_id = p.id) AS "endUser",
    (SELECT cl.customer_id FROM qdesk_company_links cl
     WHERE cl.tenant_id = $1 AND cl.company_id = p.company_id) AS "customerId",
    ${suggested('qdesk_match_end_users', 'endUserId', endUserJson('x'))} AS "suggestedEndUsers"
  FROM (${pageRecords('qdesk_psa_contacts', shape)}) p
  ORDER BY p.order_key ${shape.before ? 'DESC' : ''}`;

/** Counts by status: kept ones without a search, else one grouped count of the records it matches. */
function countsQuery(
  kind: 'companies' | 'contacts',
  table: string,
  company: boolean,
  search: number | null,
): string {
  if (search === null) {
    return `SELECT status, sum(n)::bigint AS n FROM qdesk_match_counts
      WHERE tenant_id = $1 AND kind = '${kind}' AND ${company ? 'company_id = $2' : 'true'} GROUP BY status`;
  }
  return `SELECT p.status, count(*) AS n FROM ${table} p
    WHERE p.tenant_id = $1 ${company ? 'AND p.company_id = $2' : ''} ${searchCondition(company ? 3 : 2, search)}
    GROUP BY p.status`;
}

function countsOf(rows: readonly { status: MatchStatus; n: number }[]): Record<MatchFilter, number> {
  const by: Record<MatchStatus, number> = { matched: 0, suggested: 0, unmatched: 0 };
  for (const row of rows) by[row.status] = Number(row.n);
  return {
    all: by.matched + by.suggested + by.unmatched,
    matched: by.matched,
    unmatched: by.suggested + by.unmatched,
    suggested: by.suggested,
  };
}

interface PageRow {
  status: MatchStatus;
}

/** Reads one page and its counts (two statements, side by side). */
async function readPage<Row extends PageRow, Out>(
  database: Database,
  kind: 'companies' | 'contacts',
  tenant: string,
  query: MatchPageQuery,
  toRow: (row: Row) => Out,
): Promise<StoredMatchPage<Out>> {
  const table = kind === 'companies' ? 'qdesk_psa_companies' : 'qdesk_psa_contacts';
  const company = kind === 'contacts' && query.companyId !== null;
  const search = query.search;
  const shape: Shape = {
    before: query.before !== null,
    filter: query.filter,
    company,
    search: search === null ? null : search.needles.length,
  };
  const tail: unknown[] = [
    ...(company ? [query.companyId] : []),
    ...(search ? [search.id, ...search.needles.map(pattern)] : []),
  ];
  const text = kind === 'companies' ? companyPage(shape) : contactPage(shape);
  const [page, counted] = await Promise.all([
    database.query<Row>(text, [tenant, query.before ?? query.after ?? '', query.limit + 1, ...tail]),
    database.query<{ status: MatchStatus; n: number }>(countsQuery(kind, table, company, shape.search), [
      tenant,
      ...tail,
    ]),
  ]);
  const rows = page.rows.slice(0, query.limit);
  if (shape.before) rows.reverse();
  const counts = countsOf(counted.rows);
  return { rows: rows.map(toRow), total: counts[query.filter], counts, more: page.rows.length > query.limit };
}

type CompanyRecord = PsaCompany & {
  status: MatchStatus;
  suggestions: CompanyMatchSuggestion[];
  link: CompanyLink | null;
  customer: Customer | null;
  suggestedCustomers: Customer[];
};

type ContactRecord = PsaContact & {
  status: MatchStatus;
  suggestions: ContactMatchSuggestion[];
  link: ContactLink | null;
  endUser: MatchEndUser | null;
  customerId: string | null;
  suggestedEndUsers: MatchEndUser[];
};

type PageMethods = Pick<MappingStore, 'listCompanyPage' | 'listContactPage'>;

/** The listing methods of the mapping store on `database`. */
export function pageMethods(database: Database): PageMethods {
  return {
    async listCompanyPage(tenantId, query) {
      const tenant = input.id(tenantId, 'listCompanyPage', 'tenantId');
      const q = input.pageQuery(query, 'listCompanyPage');
      // `companyId` applies to contacts only (listMatches refuses it for companies); here it is not read.
      return readPage<CompanyRecord, CompanyMatchRow>(database, 'companies', tenant, q, (r) => ({
        company: { id: r.id, name: r.name, webAddress: r.webAddress, isActive: r.isActive },
        status: r.status,
        link: r.link,
        customer: r.customer,
        suggestions: r.suggestions,
        suggestedCustomers: r.suggestedCustomers,
      }));
    },
    async listContactPage(tenantId, query) {
      const tenant = input.id(tenantId, 'listContactPage', 'tenantId');
      const q = input.pageQuery(query, 'listContactPage');
      return readPage<ContactRecord, ContactMatchRow>(database, 'contacts', tenant, q, (r) => ({
        contact: {
          id: r.id,
          companyId: r.companyId,
          firstName: r.firstName,
          lastName: r.lastName,
          emails: r.emails,
          mobilePhone: r.mobilePhone,
          phone: r.phone,
          isActive: r.isActive,
        },
        status: r.status,
        link: r.link,
        endUser: r.endUser,
        customerId: r.customerId,
        inactive: !r.isActive,
        suggestions: r.suggestions,
        suggestedEndUsers: r.suggestedEndUsers,
      }));
    },
  };
}
