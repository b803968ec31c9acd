/**
 * The PSA records and the sync checkpoint of the PostgreSQL mapping store (`createPostgresMappingStore`): what a
 * matching sync and the PSA's webhooks store. Internal to `@qdesk/store-postgres`.
 */
import { InputError } from '@qdesk/core';
import type { PsaCompany, PsaContact } from '@qdesk/core/ports';
import type { CompanyLink, ContactLink, MappingStore, SyncCheckpoint } from '@qdesk/matching';
import { companyKeys, contactKeys, mappingStoreInput as input } from '@qdesk/matching';
import type { Database, Queryable } from './database.js';

const COMPANY_COLUMNS = 'id, name, web_address AS "webAddress", is_active AS "isActive"';
/** A contact row read as a `PsaContact`. */
export const CONTACT_COLUMNS = `id, company_id AS "companyId", first_name AS "firstName", last_name AS "lastName", emails,
  mobile_phone AS "mobilePhone", phone, is_active AS "isActive"`;

// A batch arrives as one JSON array, each record with its match keys (computed in JS: `companyKeys`, `contactKeys`),
// and is written by one statement, however many records it holds. A new record is matched when linked (a link may
// come before its record), unmatched otherwise; a stored one keeps its status and suggestions, only its keys change.
const UPSERT_COMPANIES = `
  INSERT INTO qdesk_psa_companies (tenant_id, id, name, web_address, is_active, run_id, order_key, search_text, status)
  SELECT $1, r.id, r.name, r."webAddress", r."isActive", $2, r."orderKey", r."searchText",
    CASE WHEN EXISTS (SELECT 1 FROM qdesk_company_links l WHERE l.tenant_id = $1 AND l.company_id = r.id)
      THEN 'matched' ELSE 'unmatched' END
  FROM jsonb_to_recordset($3::jsonb) AS r(id text, name text, "webAddress" text, "isActive" boolean,
    "orderKey" text, "searchText" text)
  ON CONFLICT (tenant_id, id) DO UPDATE SET name = EXCLUDED.name, web_address = EXCLUDED.web_address,
    is_active = EXCLUDED.is_active, run_id = EXCLUDED.run_id, order_key = EXCLUDED.order_key,
    search_text = EXCLUDED.search_text`;

// `$2` is the run to stamp the contacts with: a subquery when a webhook stores one (the run in progress).
const upsertContacts = (runId: string) => `
  INSERT INTO qdesk_psa_contacts
    (tenant_id, id, company_id, first_name, last_name, emails, mobile_phone, phone, is_active, run_id,
     email_keys, name_key, order_key, search_text, status)
  SELECT $1, r.id, r."companyId", r."firstName", r."lastName", r.emails, r."mobilePhone", r.phone, r."isActive",
    ${runId}, r."emailKeys", r."nameKey", r."orderKey", r."searchText",
    CASE WHEN EXISTS (SELECT 1 FROM qdesk_contact_links l WHERE l.tenant_id = $1 AND l.contact_id = r.id)
      THEN 'matched' ELSE 'unmatched' END
  FROM jsonb_to_recordset($2::jsonb) AS r(id text, "companyId" text, "firstName" text, "lastName" text,
    emails text[], "mobilePhone" text, phone text, "isActive" boolean, "emailKeys" text[], "nameKey" text,
    "orderKey" text, "searchText" text)
  ON CONFLICT (tenant_id, id) DO UPDATE SET company_id = EXCLUDED.company_id, first_name = EXCLUDED.first_name,
    last_name = EXCLUDED.last_name, emails = EXCLUDED.emails, mobile_phone = EXCLUDED.mobile_phone,
    phone = EXCLUDED.phone, is_active = EXCLUDED.is_active, run_id = EXCLUDED.run_id,
    email_keys = EXCLUDED.email_keys, name_key = EXCLUDED.name_key, order_key = EXCLUDED.order_key,
    search_text = EXCLUDED.search_text`;

/** The last of several records with one id: a batch upserts each id once, as a sequence of upserts would leave it. */
const lastById = <T extends { id: string }>(records: readonly T[]) => [
  ...new Map(records.map((r) => [r.id, r])).values(),
];

/** Companies as the upsert reads them: each with its keys. */
const companiesJson = (companies: readonly PsaCompany[]) =>
  JSON.stringify(
    lastById(companies).map((c) => {
      const keys = companyKeys(c);
      return { ...c, orderKey: keys.order, searchText: keys.search };
    }),
  );

/** Contacts as the upsert reads them: each with its keys. */
const contactsJson = (contacts: readonly PsaContact[]) =>
  JSON.stringify(
    lastById(contacts).map((c) => {
      const keys = contactKeys(c);
      return {
        ...c,
        emailKeys: keys.emails,
        nameKey: keys.name,
        orderKey: keys.order,
        searchText: keys.search,
      };
    }),
  );

const SAVE_CHECKPOINT = `
  INSERT INTO qdesk_matching_checkpoints (tenant_id, checkpoint) VALUES ($1, $2::jsonb)
  ON CONFLICT (tenant_id) DO UPDATE SET checkpoint = EXCLUDED.checkpoint`;

const linkColumns = (key: string, field: string, other: string, otherField: string) =>
  `json_build_object('tenantId', l.tenant_id, '${field}', l.${key}, '${otherField}', l.${other},
     'confirmedBy', json_build_object('id', l.confirmed_by_id, 'name', l.confirmed_by_name),
     'confirmedAt', l.confirmed_at)`;

/** Deletes the records of `table` not stamped with run `$2`, and their links; answers both as JSON arrays. */
const prune = (table: string, links: string, key: string, link: string) => `
  WITH gone AS (
    DELETE FROM ${table} WHERE tenant_id = $1 AND run_id <> $2 RETURNING id
  ), unlinked AS (
    DELETE FROM ${links} l USING gone WHERE l.tenant_id = $1 AND l.${key} = gone.id RETURNING ${link} AS link
  )
  SELECT (SELECT coalesce(json_agg(id ORDER BY id), '[]') FROM gone) AS removed,
    (SELECT coalesce(json_agg(link), '[]') FROM unlinked) AS unlinked`;

const PRUNE_COMPANIES = prune(
  'qdesk_psa_companies',
  'qdesk_company_links',
  'company_id',
  linkColumns('company_id', 'companyId', 'customer_id', 'customerId'),
);
const PRUNE_CONTACTS = prune(
  'qdesk_psa_contacts',
  'qdesk_contact_links',
  'contact_id',
  linkColumns('contact_id', 'contactId', 'end_user_id', 'endUserId'),
);

type SyncMethods = Pick<
  MappingStore,
  | 'listCompanies'
  | 'listContacts'
  | 'putContact'
  | 'removeContact'
  | 'getSyncCheckpoint'
  | 'saveSyncBatch'
  | 'completeSync'
>;

/** The PSA record and sync methods of the mapping store on `database`. */
export function syncMethods(database: Database): SyncMethods {
  const id = input.id;

  return {
    async listCompanies(tenantId) {
      const { rows } = await database.query<PsaCompany>(
        `SELECT ${COMPANY_COLUMNS} FROM qdesk_psa_companies WHERE tenant_id = $1`,
        [id(tenantId, 'listCompanies', 'tenantId')],
      );
      return rows;
    },
    async listContacts(tenantId) {
      const { rows } = await database.query<PsaContact>(
        `SELECT ${CONTACT_COLUMNS} FROM qdesk_psa_contacts WHERE tenant_id = $1`,
        [id(tenantId, 'listContacts', 'tenantId')],
      );
      return rows;
    },
    async putContact(tenantId, contact) {
      const tenant = id(tenantId, 'putContact', 'tenantId');
      input.contact(contact, 'putContact', 'contact');
      // Stamped with the run in progress (or the last one), read in the same statement, so completing that run
      // keeps it.
      await database.query(
        upsertContacts(
          `coalesce((SELECT checkpoint->>'runId' FROM qdesk_matching_checkpoints WHERE tenant_id = $1), '')`,
        ),
        [tenant, contactsJson([contact])],
      );
    },
    async removeContact(tenantId, contactId) {
      const tenant = id(tenantId, 'removeContact', 'tenantId');
      const contact = id(contactId, 'removeContact', 'contactId');
      // One statement: the contact and its link go together.
      const { rows } = await database.query<{ removed: boolean; unlinked: ContactLink | null }>(
        `WITH gone AS (
           DELETE FROM qdesk_psa_contacts WHERE tenant_id = $1 AND id = $2 RETURNING id
         ), unlinked AS (
           DELETE FROM qdesk_contact_links l WHERE l.tenant_id = $1 AND l.contact_id = $2
           RETURNING ${linkColumns('contact_id', 'contactId', 'end_user_id', 'endUserId')} AS link
         )
         SELECT EXISTS (SELECT 1 FROM gone) AS removed, (SELECT link FROM unlinked) AS unlinked`,
        [tenant, contact],
      );
      return { removed: rows[0]!.removed, unlinked: rows[0]!.unlinked };
    },

    async getSyncCheckpoint(tenantId) {
      const { rows } = await database.query<{ checkpoint: SyncCheckpoint }>(
        'SELECT checkpoint FROM qdesk_matching_checkpoints WHERE tenant_id = $1',
        [id(tenantId, 'getSyncCheckpoint', 'tenantId')],
      );
      return rows[0]?.checkpoint ?? null;
    },
    async saveSyncBatch(tenantId, batch) {
      const operation = 'saveSyncBatch';
      const tenant = id(tenantId, operation, 'tenantId');
      const checkpoint = input.checkpoint(batch?.checkpoint, operation);
      const companies = batch.companies ?? [];
      const contacts = batch.contacts ?? [];
      // Every record is checked before anything is written, and the writes share one transaction.
      input.companies(companies, operation, 'companies');
      input.contacts(contacts, operation, 'contacts');
      await database.transaction(async (tx) => {
        if (companies.length > 0) {
          await tx.query(UPSERT_COMPANIES, [tenant, checkpoint.runId, companiesJson(companies)]);
        }
        if (contacts.length > 0) {
          await tx.query(upsertContacts('$3'), [tenant, contactsJson(contacts), checkpoint.runId]);
        }
        await tx.query(SAVE_CHECKPOINT, [tenant, JSON.stringify(checkpoint)]);
      });
    },
    async completeSync(tenantId, given) {
      const tenant = id(tenantId, 'completeSync', 'tenantId');
      const checkpoint = input.checkpoint(given, 'completeSync');
      if (checkpoint.phase !== 'completed') {
        throw InputError.fromIssues('completeSync', [
          { path: 'checkpoint.phase', message: "must be 'completed'" },
        ]);
      }
      return database.transaction(async (tx: Queryable) => {
        type Pruned<Link> = { removed: string[]; unlinked: Link[] };
        const values = [tenant, checkpoint.runId];
        const companies = (await tx.query<Pruned<CompanyLink>>(PRUNE_COMPANIES, values)).rows[0]!;
        const contacts = (await tx.query<Pruned<ContactLink>>(PRUNE_CONTACTS, values)).rows[0]!;
        await tx.query(SAVE_CHECKPOINT, [tenant, JSON.stringify(checkpoint)]);
        return {
          removedCompanies: companies.removed,
          removedContacts: contacts.removed,
          unlinkedCompanies: companies.unlinked,
          unlinkedContacts: contacts.unlinked,
        };
      });
    },
  };
}
