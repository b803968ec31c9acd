/**
 * The end-users, lookups and kept suggestions of the PostgreSQL mapping store (`createPostgresMappingStore`): what
 * `@qdesk/matching` reads to compute suggestions and writes once it has. Internal to `@qdesk/store-postgres`.
 */
import type { PsaContact } from '@qdesk/core/ports';
import type {
  CompanyMatchSuggestion,
  ContactLink,
  ContactMatchSuggestion,
  MappingStore,
  MatchEndUser,
} from '@qdesk/matching';
import { endUserKeys, mappingStoreInput as input } from '@qdesk/matching';
import { CONTACT_COLUMNS } from './_mapping-sync.js';
import type { Database, Queryable } from './database.js';

const END_USER_COLUMNS = 'id, email, display_name AS "displayName", customer_id AS "customerId"';
const CONTACT_LINK_COLUMNS = `tenant_id AS "tenantId", contact_id AS "contactId", end_user_id AS "endUserId",
  json_build_object('id', confirmed_by_id, 'name', confirmed_by_name) AS "confirmedBy", confirmed_at AS "confirmedAt"`;

// The end-users of `put`, 10,000 a statement, with their keys (`endUserKeys`, computed in JS). A full copy of the
// directory mostly repeats what is stored: rows that would not change are not written.
const UPSERT_END_USERS = `
  INSERT INTO qdesk_match_end_users (tenant_id, id, email, display_name, customer_id, email_key, name_key)
  SELECT $1, r.id, r.email, r."displayName", r."customerId", r."emailKey", r."nameKey"
  FROM jsonb_to_recordset($2::jsonb) AS r(id text, email text, "displayName" text, "customerId" text,
    "emailKey" text, "nameKey" text)
  ON CONFLICT (tenant_id, id) DO UPDATE SET email = EXCLUDED.email, display_name = EXCLUDED.display_name,
    customer_id = EXCLUDED.customer_id, email_key = EXCLUDED.email_key, name_key = EXCLUDED.name_key
  WHERE (qdesk_match_end_users.email, qdesk_match_end_users.display_name, qdesk_match_end_users.customer_id,
    qdesk_match_end_users.email_key, qdesk_match_end_users.name_key)
    IS DISTINCT FROM (EXCLUDED.email, EXCLUDED.display_name, EXCLUDED.customer_id, EXCLUDED.email_key,
    EXCLUDED.name_key)`;

// `NOT IN` a subquery is a hashed lookup whatever the plan's guess of its size, so dropping all but 100,000 ids
// stays linear (an anti-join on an unnested parameter can turn quadratic under a generic plan).
const REMOVE_END_USERS_BUT = `
  DELETE FROM qdesk_match_end_users WHERE tenant_id = $1 AND id NOT IN (SELECT jsonb_array_elements_text($2::jsonb))`;
const REMOVE_END_USERS = 'DELETE FROM qdesk_match_end_users WHERE tenant_id = $1 AND id = ANY($2::text[])';

/**
 * Replaces the kept suggestions of the records `from` selects (aliased `c`, on tenant `$1`) with those `list` gives
 * (an expression on `c`), and derives their status: matched when linked (a linked record keeps none), suggested with
 * suggestions, unmatched without. Rows left as they were are not written.
 */
const replaceSuggestions = (records: string, links: string, key: string, from: string, list: string) => `
  UPDATE ${records} r SET suggestions = n.suggestions, status = n.status
  FROM (
    SELECT c.id,
      CASE WHEN l.${key} IS NULL THEN coalesce(${list}, '[]') ELSE '[]' END AS suggestions,
      CASE WHEN l.${key} IS NOT NULL THEN 'matched' WHEN ${list} IS NOT NULL THEN 'suggested' ELSE 'unmatched' END
        AS status
    FROM ${from}
    LEFT JOIN ${links} l ON l.tenant_id = $1 AND l.${key} = c.id
    WHERE c.tenant_id = $1
  ) n
  WHERE r.tenant_id = $1 AND r.id = n.id AND (r.suggestions, r.status) IS DISTINCT FROM (n.suggestions, n.status)`;

/**
 * The statements of one kind of record. A few records (a webhook's): their ids in `$2`, each reading its list by key
 * from the JSON object `$3`. Many (a rebuild): the new lists are first loaded into a temporary table
 * (`qdesk_kept_new`, analysed, so the planner joins it by hash), then one statement sets every record of the
 * tenant, or of the scope in `qdesk_kept_scope`.
 */
const statementsOf = (records: string, links: string, key: string) => ({
  tables: `${records}, ${links}`,
  few: replaceSuggestions(
    records,
    links,
    key,
    `unnest($2::text[]) AS s(id) JOIN ${records} c ON c.tenant_id = $1 AND c.id = s.id`,
    '($3::jsonb -> c.id)',
  ),
  all: replaceSuggestions(
    records,
    links,
    key,
    `${records} c LEFT JOIN qdesk_kept_new g ON g.id = c.id`,
    'g.list',
  ),
  scoped: replaceSuggestions(
    records,
    links,
    key,
    `qdesk_kept_scope s JOIN ${records} c ON c.tenant_id = $1 AND c.id = s.id LEFT JOIN qdesk_kept_new g ON g.id = c.id`,
    'g.list',
  ),
});
const REPLACE = {
  companies: statementsOf('qdesk_psa_companies', 'qdesk_company_links', 'company_id'),
  contacts: statementsOf('qdesk_psa_contacts', 'qdesk_contact_links', 'contact_id'),
};

/**
 * Records a statement carries at most: a JSON parameter stays a few megabytes, far below PostgreSQL's limit on one
 * jsonb value (256 MB, which a million contacts' suggestions in one array would pass).
 */
const CHUNK = 10_000;

interface Group {
  id: string;
  list: unknown[];
}

/**
 * Replaces the kept suggestions of `scope` (every record when `null`) with `groups`, inside the caller's
 * transaction: one statement for a few records, a temporary table loaded chunk by chunk for many.
 */
async function replaceIn(
  tx: Queryable,
  statements: { tables: string; few: string; all: string; scoped: string },
  tenant: string,
  groups: readonly Group[],
  scope: readonly string[] | null,
): Promise<void> {
  if (scope !== null && scope.length <= 1000) {
    const inScope = new Set(scope);
    const lists: Record<string, unknown[]> = {};
    for (const g of groups) if (inScope.has(g.id)) lists[g.id] = g.list;
    await tx.query(statements.few, [tenant, [...scope], JSON.stringify(lists)]);
    return;
  }
  await tx.query(
    'CREATE TEMPORARY TABLE qdesk_kept_new (id text PRIMARY KEY, list jsonb NOT NULL) ON COMMIT DROP',
  );
  for (let i = 0; i < groups.length; i += CHUNK) {
    const lists: Record<string, unknown[]> = {};
    for (const g of groups.slice(i, i + CHUNK)) lists[g.id] = g.list;
    await tx.query('INSERT INTO qdesk_kept_new (id, list) SELECT key, value FROM jsonb_each($1::jsonb)', [
      JSON.stringify(lists),
    ]);
  }
  // Fresh statistics for every table the statement joins: after a sync brought 100,000 records into tables the
  // planner last saw nearly empty, stale ones would make it loop over one table for each row of the other.
  await tx.query(`ANALYZE qdesk_kept_new, ${statements.tables}`);
  if (scope === null) {
    await tx.query(statements.all, [tenant]);
  } else {
    await tx.query('CREATE TEMPORARY TABLE qdesk_kept_scope (id text PRIMARY KEY) ON COMMIT DROP');
    for (let i = 0; i < scope.length; i += CHUNK) {
      await tx.query(
        'INSERT INTO qdesk_kept_scope (id) SELECT DISTINCT unnest($1::text[]) ON CONFLICT DO NOTHING',
        [scope.slice(i, i + CHUNK)],
      );
    }
    await tx.query('ANALYZE qdesk_kept_scope');
    // Suggestions outside the scope were refused by the input check; the scope's own are in qdesk_kept_new.
    await tx.query(statements.scoped, [tenant]);
    await tx.query('DROP TABLE qdesk_kept_scope');
  }
  await tx.query('DROP TABLE qdesk_kept_new');
}

const ANALYZE_MATCHING = `ANALYZE qdesk_psa_contacts, qdesk_psa_companies, qdesk_match_end_users,
  qdesk_contact_links, qdesk_company_links, qdesk_customers`;

/** Suggestions grouped by record, in the order given, as the replacing statements read them. */
function grouped<S>(suggestions: readonly S[], idOf: (s: S) => string): Group[] {
  const byId = new Map<string, S[]>();
  for (const s of suggestions) {
    const id = idOf(s);
    const list = byId.get(id);
    if (list) list.push(s);
    else byId.set(id, [s]);
  }
  return [...byId].map(([id, list]) => ({ id, list }));
}

/** Builds `$n` parameters for a statement whose parts depend on which criteria a lookup gives. */
function parameters(first: unknown) {
  const values: unknown[] = [first];
  return {
    values,
    add(value: unknown) {
      values.push(value);
      return `$${values.length}`;
    },
  };
}

const given = <T>(list: readonly T[] | undefined): list is readonly T[] => (list?.length ?? 0) > 0;

type MatchMethods = Pick<
  MappingStore,
  | 'saveEndUsers'
  | 'listEndUsers'
  | 'findEndUsers'
  | 'findContacts'
  | 'findContactLinks'
  | 'replaceSuggestions'
  | 'getSuggestions'
>;

/** The end-user, lookup and kept-suggestion methods of the mapping store on `database`. */
export function matchMethods(database: Database): MatchMethods {
  const id = input.id;

  return {
    async saveEndUsers(tenantId, changes) {
      const tenant = id(tenantId, 'saveEndUsers', 'tenantId');
      const parsed = input.endUserChanges(changes, 'saveEndUsers');
      // As the memory store: an id both put and removed ends removed; the last of several puts of one id wins.
      const removing = new Set(parsed.remove ?? []);
      const put = [...new Map((parsed.put ?? []).map((u) => [u.id, u])).values()].filter(
        (u) => !removing.has(u.id),
      );
      await database.transaction(async (tx: Queryable) => {
        if (parsed.replaceAll) {
          await tx.query(REMOVE_END_USERS_BUT, [tenant, JSON.stringify(put.map((u) => u.id))]);
        } else if (removing.size > 0) {
          await tx.query(REMOVE_END_USERS, [tenant, [...removing]]);
        }
        if (put.length === 0) return;
        const rows = put.map((u) => {
          const keys = endUserKeys(u);
          return {
            id: u.id,
            email: u.email,
            displayName: u.displayName,
            customerId: u.customerId,
            emailKey: keys.email,
            nameKey: keys.name,
          };
        });
        for (let i = 0; i < rows.length; i += CHUNK) {
          await tx.query(UPSERT_END_USERS, [tenant, JSON.stringify(rows.slice(i, i + CHUNK))]);
        }
      });
    },
    async listEndUsers(tenantId) {
      const { rows } = await database.query<MatchEndUser>(
        `SELECT ${END_USER_COLUMNS} FROM qdesk_match_end_users WHERE tenant_id = $1`,
        [id(tenantId, 'listEndUsers', 'tenantId')],
      );
      return rows;
    },
    async findEndUsers(tenantId, lookup) {
      const tenant = id(tenantId, 'findEndUsers', 'tenantId');
      const { ids, emails, names, companyNames, customerIds } = input.endUserLookup(lookup, 'findEndUsers');
      // One indexed read per criterion given, their union; blank keys are not indexed (they match nothing).
      const p = parameters(tenant);
      const parts: string[] = [];
      if (given(ids))
        parts.push(
          `SELECT id FROM qdesk_match_end_users WHERE tenant_id = $1 AND id = ANY(${p.add(ids)}::text[])`,
        );
      if (given(emails)) {
        parts.push(
          `SELECT id FROM qdesk_match_end_users
           WHERE tenant_id = $1 AND email_key = ANY(${p.add(emails)}::text[]) AND email_key <> ''`,
        );
      }
      if (given(names)) {
        parts.push(
          `SELECT u.id FROM unnest(${p.add(names.map((n) => n.customerId))}::text[],
             ${p.add(names.map((n) => n.name))}::text[]) AS n(customer_id, name)
           JOIN qdesk_match_end_users u
             ON u.tenant_id = $1 AND u.customer_id = n.customer_id AND u.name_key = n.name AND n.name <> ''`,
        );
      }
      // A company's name candidates: the end-users of the customer the company is linked to.
      if (given(companyNames)) {
        parts.push(
          `SELECT u.id FROM unnest(${p.add(companyNames.map((n) => n.companyId))}::text[],
             ${p.add(companyNames.map((n) => n.name))}::text[]) AS n(company_id, name)
           JOIN qdesk_company_links l ON l.tenant_id = $1 AND l.company_id = n.company_id
           JOIN qdesk_match_end_users u
             ON u.tenant_id = $1 AND u.customer_id = l.customer_id AND u.name_key = n.name AND n.name <> ''`,
        );
      }
      // The index on (tenant_id, customer_id, name_key) serves a customer's end-users too.
      if (given(customerIds)) {
        parts.push(
          `SELECT id FROM qdesk_match_end_users WHERE tenant_id = $1 AND customer_id = ANY(${p.add(customerIds)}::text[])`,
        );
      }
      if (parts.length === 0) return [];
      const { rows } = await database.query<MatchEndUser>(
        `SELECT ${END_USER_COLUMNS} FROM qdesk_match_end_users
         WHERE tenant_id = $1 AND id IN (${parts.join(' UNION ')})`,
        p.values,
      );
      return rows;
    },
    async findContacts(tenantId, lookup) {
      const tenant = id(tenantId, 'findContacts', 'tenantId');
      const { ids, emails, companyIds, names } = input.contactLookup(lookup, 'findContacts');
      const p = parameters(tenant);
      const parts: string[] = [];
      if (given(ids))
        parts.push(
          `SELECT id FROM qdesk_psa_contacts WHERE tenant_id = $1 AND id = ANY(${p.add(ids)}::text[])`,
        );
      // The GIN index on email_keys finds the contacts holding any of the emails; the tenant is checked on those.
      if (given(emails)) {
        parts.push(
          `SELECT id FROM qdesk_psa_contacts WHERE tenant_id = $1 AND email_keys && ${p.add(emails)}::text[]`,
        );
      }
      if (given(companyIds)) {
        parts.push(
          `SELECT id FROM qdesk_psa_contacts WHERE tenant_id = $1 AND company_id = ANY(${p.add(companyIds)}::text[])`,
        );
      }
      // A name is looked for in the company linked to the customer.
      if (given(names)) {
        parts.push(
          `SELECT c.id FROM unnest(${p.add(names.map((n) => n.customerId))}::text[],
             ${p.add(names.map((n) => n.name))}::text[]) AS n(customer_id, name)
           JOIN qdesk_company_links l ON l.tenant_id = $1 AND l.customer_id = n.customer_id
           JOIN qdesk_psa_contacts c
             ON c.tenant_id = $1 AND c.company_id = l.company_id AND c.name_key = n.name AND n.name <> ''`,
        );
      }
      if (parts.length === 0) return [];
      const { rows } = await database.query<PsaContact>(
        `SELECT ${CONTACT_COLUMNS} FROM qdesk_psa_contacts WHERE tenant_id = $1 AND id IN (${parts.join(' UNION ')})`,
        p.values,
      );
      return rows;
    },
    async findContactLinks(tenantId, lookup) {
      const tenant = id(tenantId, 'findContactLinks', 'tenantId');
      const { contactIds, endUserIds } = input.contactLinkLookup(lookup, 'findContactLinks');
      if (!given(contactIds) && !given(endUserIds)) return [];
      // Both sides are unique indexes: a bitmap of the two reads, each link once.
      const { rows } = await database.query<ContactLink>(
        `SELECT ${CONTACT_LINK_COLUMNS} FROM qdesk_contact_links
         WHERE tenant_id = $1 AND (contact_id = ANY($2::text[]) OR end_user_id = ANY($3::text[]))`,
        [tenant, contactIds ?? [], endUserIds ?? []],
      );
      return rows;
    },
    async replaceSuggestions(tenantId, replacement) {
      const tenant = id(tenantId, 'replaceSuggestions', 'tenantId');
      const { companies, contacts } = input.suggestionReplacement(replacement, 'replaceSuggestions');
      // However many suggestions, a few statements: they travel as JSON arrays of 10,000 records, grouped by record.
      await database.transaction(async (tx: Queryable) => {
        if (companies) {
          await replaceIn(
            tx,
            REPLACE.companies,
            tenant,
            grouped(companies, (s) => s.companyId),
            null,
          );
        }
        if (contacts) {
          const groups = grouped(contacts.suggestions, (s) => s.contactId);
          await replaceIn(tx, REPLACE.contacts, tenant, groups, contacts.contactIds);
        }
      });
      // A full rebuild ends every sync, right after the bulk writes: fresh statistics there keep the planner on the
      // indexes of the lookups and pages (autovacuum would catch up only later, after minutes of seq scans).
      if (contacts?.contactIds === null) await database.query(ANALYZE_MATCHING);
    },
    async getSuggestions(tenantId, lookup) {
      const tenant = id(tenantId, 'getSuggestions', 'tenantId');
      const { companyIds, contactIds } = input.suggestionLookup(lookup, 'getSuggestions');
      const read = async <S>(table: string, ids: readonly string[] | undefined): Promise<S[]> => {
        if (!given(ids)) return [];
        const { rows } = await database.query<{ suggestions: S[] }>(
          `SELECT suggestions FROM ${table} WHERE tenant_id = $1 AND id = ANY($2::text[])`,
          [tenant, [...ids]],
        );
        return rows.flatMap((r) => r.suggestions);
      };
      const [companies, contacts] = await Promise.all([
        read<CompanyMatchSuggestion>('qdesk_psa_companies', companyIds),
        read<ContactMatchSuggestion>('qdesk_psa_contacts', contactIds),
      ]);
      return { companies, contacts };
    },
  };
}
