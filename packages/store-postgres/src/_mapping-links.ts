/**
 * The customers and the one-to-one links of the PostgreSQL mapping store (`createPostgresMappingStore`): company to
 * customer, contact to end-user. Internal to `@qdesk/store-postgres`.
 */
import { InputError, QdeskError } from '@qdesk/core';
import type { CompanyLink, ContactLink, Customer, LinkResult, MappingStore } from '@qdesk/matching';
import { mappingStoreInput as input } from '@qdesk/matching';
import type { Database, Queryable } from './database.js';

/** One side of a link table: its column, the field of the link that holds it, and what it is called. */
interface Side {
  column: string;
  field: string;
  noun: string;
}

/**
 * A link table: unique on `key` (its primary key) and on `other` (a unique index). `records` is the PSA table whose
 * rows `key` names: a link sets its record's status (and drops its kept suggestions) in the same statement.
 */
interface LinkTable {
  table: string;
  records: string;
  key: Side;
  other: Side;
}

const COMPANY_LINKS: LinkTable = {
  table: 'qdesk_company_links',
  records: 'qdesk_psa_companies',
  key: { column: 'company_id', field: 'companyId', noun: 'company' },
  other: { column: 'customer_id', field: 'customerId', noun: 'customer' },
};

const CONTACT_LINKS: LinkTable = {
  table: 'qdesk_contact_links',
  records: 'qdesk_psa_contacts',
  key: { column: 'contact_id', field: 'contactId', noun: 'contact' },
  other: { column: 'end_user_id', field: 'endUserId', noun: 'end-user' },
};

/** The link table's columns, named as the link's fields: a row reads as a `CompanyLink` or `ContactLink`. */
const columns = ({ key, other }: LinkTable) =>
  `tenant_id AS "tenantId", ${key.column} AS "${key.field}", ${other.column} AS "${other.field}",
   json_build_object('id', confirmed_by_id, 'name', confirmed_by_name) AS "confirmedBy",
   confirmed_at AS "confirmedAt"`;

const conflict = (message: string, details: Record<string, unknown>) =>
  new QdeskError(message, { code: 'conflict', details });

const capitalised = (noun: string) => noun[0]!.toUpperCase() + noun.slice(1);

type AnyLink = CompanyLink | ContactLink;
type Fields = Record<string, string>;

/**
 * Stores a link, or says why not. The insert skips a row that either unique index already holds (`ON CONFLICT DO
 * NOTHING`, which waits for a racing insert to commit), so of racing writers exactly one inserts; each other one
 * then reads what holds the two sides and answers `created: false` for the same pair, or `conflict`.
 */
async function linkPair<Link extends AnyLink>(
  db: Queryable,
  t: LinkTable,
  link: Link,
  // A condition the insert also needs, on $1 (tenant) and $3 (the other side); `unmet` explains a skip then.
  guard?: { where: string; unmet: () => Promise<void> },
): Promise<LinkResult<Link>> {
  const fields = link as unknown as Fields;
  const keyId = fields[t.key.field]!;
  const otherId = fields[t.other.field]!;
  const values = [
    link.tenantId,
    keyId,
    otherId,
    link.confirmedBy.id,
    link.confirmedBy.name,
    link.confirmedAt,
  ];
  // A link both sides of which were freed between the insert and the read is tried again.
  for (let attempt = 0; attempt < 3; attempt++) {
    // A linked record is matched and has no suggestions: set with the link, in one statement.
    const inserted = await db.query<Link>(
      `WITH linked AS (
         INSERT INTO ${t.table}
           (tenant_id, ${t.key.column}, ${t.other.column}, confirmed_by_id, confirmed_by_name, confirmed_at)
         SELECT $1::text, $2::text, $3::text, $4::text, $5::text, $6::bigint ${guard ? `WHERE ${guard.where}` : ''}
         ON CONFLICT DO NOTHING
         RETURNING *
       ), matched AS (
         UPDATE ${t.records} r SET status = 'matched', suggestions = '[]'
         FROM linked WHERE r.tenant_id = linked.tenant_id AND r.id = linked.${t.key.column}
       )
       SELECT ${columns(t)} FROM linked`,
      values,
    );
    if (inserted.rows[0]) return { link: inserted.rows[0], created: true };
    const { rows } = await db.query<Link>(
      `SELECT ${columns(t)} FROM ${t.table}
       WHERE tenant_id = $1 AND (${t.key.column} = $2 OR ${t.other.column} = $3)`,
      values.slice(0, 3),
    );
    const held = rows as unknown as Fields[];
    const byKey = held.find((r) => r[t.key.field] === keyId);
    if (byKey?.[t.other.field] === otherId) return { link: byKey as unknown as Link, created: false };
    if (byKey) {
      throw conflict(
        `${capitalised(t.key.noun)} ${keyId} is already matched to ${t.other.noun} ${byKey[t.other.field]}; unmatch it first.`,
        { [t.key.field]: keyId, [t.other.field]: byKey[t.other.field] },
      );
    }
    const byOther = held.find((r) => r[t.other.field] === otherId);
    if (byOther) {
      throw conflict(
        `${capitalised(t.other.noun)} ${otherId} is already matched to ${t.key.noun} ${byOther[t.key.field]}; unmatch it first.`,
        { [t.key.field]: byOther[t.key.field], [t.other.field]: otherId },
      );
    }
    await guard?.unmet();
  }
  throw conflict(
    `The ${t.key.noun} ${keyId} and the ${t.other.noun} ${otherId} were matched and unmatched while this link was stored; try again.`,
    { [t.key.field]: keyId, [t.other.field]: otherId },
  );
}

async function readLink<Link extends AnyLink>(db: Queryable, t: LinkTable, tenantId: string, keyId: string) {
  const { rows } = await db.query<Link>(
    `SELECT ${columns(t)} FROM ${t.table} WHERE tenant_id = $1 AND ${t.key.column} = $2`,
    [tenantId, keyId],
  );
  return rows[0] ?? null;
}

async function listLinks<Link extends AnyLink>(db: Queryable, t: LinkTable, tenantId: string) {
  const { rows } = await db.query<Link>(`SELECT ${columns(t)} FROM ${t.table} WHERE tenant_id = $1`, [
    tenantId,
  ]);
  return rows;
}

/** Removes a link; its record (when stored) is suggested again if it has kept suggestions, unmatched otherwise. */
async function unlink<Link extends AnyLink>(db: Queryable, t: LinkTable, tenantId: string, keyId: string) {
  const { rows } = await db.query<Link>(
    `WITH unlinked AS (
       DELETE FROM ${t.table} WHERE tenant_id = $1 AND ${t.key.column} = $2 RETURNING *
     ), restatus AS (
       UPDATE ${t.records} r
       SET status = CASE WHEN jsonb_array_length(r.suggestions) > 0 THEN 'suggested' ELSE 'unmatched' END
       FROM unlinked WHERE r.tenant_id = unlinked.tenant_id AND r.id = unlinked.${t.key.column}
     )
     SELECT ${columns(t)} FROM unlinked`,
    [tenantId, keyId],
  );
  return rows[0] ?? null;
}

type LinkMethods = Pick<
  MappingStore,
  | 'listCustomers'
  | 'createCustomer'
  | 'linkCompany'
  | 'unlinkCompany'
  | 'listCompanyLinks'
  | 'linkContact'
  | 'unlinkContact'
  | 'listContactLinks'
  | 'endUserForContact'
  | 'customerForCompany'
>;

/** The customer and link methods of the mapping store on `database`. */
export function linkMethods(database: Database, newCustomerId: () => string): LinkMethods {
  const id = input.id;

  // A company link needs a customer of the tenant: the insert checks it, and a skip with both sides free means
  // there is none.
  const customerGuard = (db: Queryable, tenantId: string, customerId: string) => ({
    where: 'EXISTS (SELECT 1 FROM qdesk_customers WHERE tenant_id = $1 AND id = $3)',
    async unmet() {
      const { rows } = await db.query('SELECT 1 FROM qdesk_customers WHERE tenant_id = $1 AND id = $2', [
        tenantId,
        customerId,
      ]);
      if (rows.length > 0) return;
      throw InputError.fromIssues('linkCompany', [
        { path: 'link.customerId', message: `no customer ${customerId} in this tenant` },
      ]);
    },
  });

  return {
    async listCustomers(tenantId) {
      const { rows } = await database.query<Customer>(
        'SELECT id, tenant_id AS "tenantId", name, domain FROM qdesk_customers WHERE tenant_id = $1',
        [id(tenantId, 'listCustomers', 'tenantId')],
      );
      return rows;
    },
    async createCustomer(tenantId, given) {
      const tenant = id(tenantId, 'createCustomer', 'tenantId');
      const parsed = input.customer(given, 'createCustomer');
      const customer: Customer = {
        id: parsed.id ?? newCustomerId(),
        tenantId: tenant,
        name: parsed.name,
        domain: parsed.domain ?? null,
      };
      const { linkTo } = parsed;
      // The customer and its link in one transaction: a refused link leaves no customer behind.
      const work = async (tx: Queryable) => {
        const { rowCount } = await tx.query(
          `INSERT INTO qdesk_customers (tenant_id, id, name, domain) VALUES ($1, $2, $3, $4)
           ON CONFLICT DO NOTHING`,
          [tenant, customer.id, customer.name, customer.domain],
        );
        if (rowCount === 0) {
          throw conflict(`A customer with id ${customer.id} exists already; pick another id.`, {
            customerId: customer.id,
          });
        }
        if (!linkTo) return { customer, link: null };
        const { link } = await linkPair<CompanyLink>(tx, COMPANY_LINKS, {
          tenantId: tenant,
          companyId: linkTo.companyId,
          customerId: customer.id,
          confirmedBy: linkTo.confirmedBy,
          confirmedAt: linkTo.confirmedAt,
        });
        return { customer, link };
      };
      return linkTo ? database.transaction(work) : work(database);
    },

    async linkCompany(tenantId, given) {
      const tenant = id(tenantId, 'linkCompany', 'tenantId');
      const link = input.companyLink(given, 'linkCompany');
      return linkPair<CompanyLink>(
        database,
        COMPANY_LINKS,
        { tenantId: tenant, ...link },
        customerGuard(database, tenant, link.customerId),
      );
    },
    async unlinkCompany(tenantId, companyId) {
      return unlink<CompanyLink>(
        database,
        COMPANY_LINKS,
        id(tenantId, 'unlinkCompany', 'tenantId'),
        id(companyId, 'unlinkCompany', 'companyId'),
      );
    },
    async listCompanyLinks(tenantId) {
      return listLinks<CompanyLink>(database, COMPANY_LINKS, id(tenantId, 'listCompanyLinks', 'tenantId'));
    },

    async linkContact(tenantId, given) {
      const tenant = id(tenantId, 'linkContact', 'tenantId');
      const link = input.contactLink(given, 'linkContact');
      return linkPair<ContactLink>(database, CONTACT_LINKS, { tenantId: tenant, ...link });
    },
    async unlinkContact(tenantId, contactId) {
      return unlink<ContactLink>(
        database,
        CONTACT_LINKS,
        id(tenantId, 'unlinkContact', 'tenantId'),
        id(contactId, 'unlinkContact', 'contactId'),
      );
    },
    async listContactLinks(tenantId) {
      return listLinks<ContactLink>(database, CONTACT_LINKS, id(tenantId, 'listContactLinks', 'tenantId'));
    },
    async endUserForContact(tenantId, contactId) {
      return readLink<ContactLink>(
        database,
        CONTACT_LINKS,
        id(tenantId, 'endUserForContact', 'tenantId'),
        id(contactId, 'endUserForContact', 'contactId'),
      );
    },
    async customerForCompany(tenantId, companyId) {
      return readLink<CompanyLink>(
        database,
        COMPANY_LINKS,
        id(tenantId, 'customerForCompany', 'tenantId'),
        id(companyId, 'customerForCompany', 'companyId'),
      );
    },
  };
}
