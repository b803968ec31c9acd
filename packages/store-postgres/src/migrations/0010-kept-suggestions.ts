import type { Migration } from './index.js';

// What @qdesk/matching's kept suggestions need: each PSA record gains its match keys (contactKeys / companyKeys,
// computed in JS on every write), its status and its suggestions; end-users are kept for matching; and counts by
// status are kept as records change, so a listing page is one indexed read and its tab badges one small read.

// The keys of the rows already stored, computed as closely as SQL can: case, accents (when the database is UTF-8),
// apostrophes and separators folded as `normalizePersonName` does (letters and digits are the locale's: a database
// in the plain "C" locale reads only ASCII ones). Exact keys come with the next sync, which rewrites the keys of
// every record it reads (and a webhook, of the contact it stores). These two helpers are dropped at the end.
const FOLD = `CREATE FUNCTION qdesk_0010_fold(value text) RETURNS text LANGUAGE plpgsql AS $$
  DECLARE
    out text := lower(value);
  BEGIN
    IF current_setting('server_encoding') = 'UTF8' THEN
      out := lower(regexp_replace(normalize(out, NFKD), '[\\u0300-\\u036f]+', '', 'g'));
    END IF;
    out := translate(out, 'øđðłıØĐÐŁ', 'oddlioddl');
    out := replace(replace(replace(replace(out, 'ß', 'ss'), 'æ', 'ae'), 'œ', 'oe'), 'þ', 'th');
    out := replace(replace(replace(out, 'Æ', 'ae'), 'Œ', 'oe'), 'Þ', 'th');
    out := regexp_replace(out, '[''’‘\`´.]', '', 'g');
    RETURN btrim(regexp_replace(out, '[^[:alnum:]]+', ' ', 'g'));
  END $$`;

// The id's part of an order key: numeric ids by value, then any other id (see idOrderKey in match-keys.ts).
const ID_ORDER = `CREATE FUNCTION qdesk_0010_id_order(id text) RETURNS text LANGUAGE sql AS $$
  SELECT CASE WHEN id ~ '^[0-9]+$'
    THEN '0' || lpad(length(coalesce(nullif(ltrim(id, '0'), ''), '0'))::text, 3, '0')
      || coalesce(nullif(ltrim(id, '0'), ''), '0') || chr(1) || id
    ELSE '1' || id END $$`;

/**
 * Keeps `qdesk_match_counts` equal to a count of the PSA table by status (and company, for contacts): one grouped
 * upsert per statement, from its transition tables, whatever the number of rows. A count that falls to zero is
 * dropped. Rows are taken in key order, so two writers lock counts in the same order.
 */
const countTrigger = (table: string, kind: 'companies' | 'contacts') => {
  const company = kind === 'contacts' ? 'company_id' : "''";
  const apply = (deltas: string) => `
    INSERT INTO qdesk_match_counts (tenant_id, kind, company_id, status, n)
    SELECT tenant_id, '${kind}', company_id, status, sum(d) FROM (${deltas}) d
    GROUP BY tenant_id, company_id, status HAVING sum(d) <> 0 ORDER BY tenant_id, company_id, status
    ON CONFLICT (tenant_id, kind, company_id, status) DO UPDATE SET n = qdesk_match_counts.n + EXCLUDED.n`;
  const rows = (transition: string, d: 1 | -1) =>
    `SELECT tenant_id, ${company} AS company_id, status, ${d} AS d FROM ${transition}`;
  const dropZeros = `
    DELETE FROM qdesk_match_counts c
    USING (SELECT DISTINCT tenant_id, ${company} AS company_id FROM old_rows) o
    WHERE c.tenant_id = o.tenant_id AND c.kind = '${kind}' AND c.company_id = o.company_id AND c.n = 0`;
  return [
    `CREATE FUNCTION ${table}_count() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          ${apply(rows('new_rows', 1))};
        ELSIF TG_OP = 'UPDATE' THEN
          ${apply(`${rows('new_rows', 1)} UNION ALL ${rows('old_rows', -1)}`)};
          ${dropZeros};
        ELSE
          ${apply(rows('old_rows', -1))};
          ${dropZeros};
        END IF;
        RETURN NULL;
      END $$`,
    // Transition tables allow one event per trigger.
    `CREATE TRIGGER ${table}_count_insert AFTER INSERT ON ${table}
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${table}_count()`,
    `CREATE TRIGGER ${table}_count_update AFTER UPDATE ON ${table}
      REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ${table}_count()`,
    `CREATE TRIGGER ${table}_count_delete AFTER DELETE ON ${table}
      REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ${table}_count()`,
  ];
};

export const keptSuggestionsMigration: Migration = {
  name: '0010-kept-suggestions',
  statements: [
    FOLD,
    ID_ORDER,
    // Added nullable, filled, then required: the store writes every one of them from now on.
    `ALTER TABLE qdesk_psa_contacts
      ADD COLUMN email_keys text[],
      ADD COLUMN name_key text,
      ADD COLUMN order_key text COLLATE "C",
      ADD COLUMN search_text text,
      ADD COLUMN status text CHECK (status IN ('matched', 'suggested', 'unmatched')),
      ADD COLUMN suggestions jsonb NOT NULL DEFAULT '[]'`,
    // Emails lower-cased and trimmed, without blanks or repeats, in the contact's order; a contact is matched when
    // linked, unmatched otherwise (no suggestion is kept yet).
    `UPDATE qdesk_psa_contacts c SET
      email_keys = k.emails,
      name_key = CASE WHEN k.first = '' OR k.last = '' THEN '' ELSE k.first || ' ' || k.last END,
      order_key = k.last || chr(1) || k.first || chr(1) || qdesk_0010_id_order(c.id),
      search_text = array_to_string(
        ARRAY[btrim(k.first || ' ' || k.last), btrim(k.last || ' ' || k.first)] || k.emails, chr(10)),
      status = CASE WHEN EXISTS (
        SELECT 1 FROM qdesk_contact_links l WHERE l.tenant_id = c.tenant_id AND l.contact_id = c.id
      ) THEN 'matched' ELSE 'unmatched' END
    FROM (
      SELECT tenant_id, id, qdesk_0010_fold(first_name) AS first, qdesk_0010_fold(last_name) AS last,
        ARRAY(
          SELECT e.key FROM (
            SELECT lower(btrim(u.email)) AS key, min(u.n) AS n FROM unnest(p.emails) WITH ORDINALITY AS u(email, n)
            GROUP BY 1
          ) e WHERE e.key <> '' ORDER BY e.n
        ) AS emails
      FROM qdesk_psa_contacts p
    ) k
    WHERE c.tenant_id = k.tenant_id AND c.id = k.id`,
    `ALTER TABLE qdesk_psa_contacts
      ALTER COLUMN email_keys SET NOT NULL,
      ALTER COLUMN name_key SET NOT NULL,
      ALTER COLUMN order_key SET NOT NULL,
      ALTER COLUMN search_text SET NOT NULL,
      ALTER COLUMN status SET NOT NULL`,
    `ALTER TABLE qdesk_psa_companies
      ADD COLUMN order_key text COLLATE "C",
      ADD COLUMN search_text text,
      ADD COLUMN status text CHECK (status IN ('matched', 'suggested', 'unmatched')),
      ADD COLUMN suggestions jsonb NOT NULL DEFAULT '[]'`,
    `UPDATE qdesk_psa_companies c SET
      order_key = qdesk_0010_fold(c.name) || chr(1) || qdesk_0010_id_order(c.id),
      search_text = qdesk_0010_fold(c.name),
      status = CASE WHEN EXISTS (
        SELECT 1 FROM qdesk_company_links l WHERE l.tenant_id = c.tenant_id AND l.company_id = c.id
      ) THEN 'matched' ELSE 'unmatched' END`,
    `ALTER TABLE qdesk_psa_companies
      ALTER COLUMN order_key SET NOT NULL,
      ALTER COLUMN search_text SET NOT NULL,
      ALTER COLUMN status SET NOT NULL`,
    'DROP FUNCTION qdesk_0010_fold(text)',
    'DROP FUNCTION qdesk_0010_id_order(text)',

    // Contacts by email key (findContacts({ emails }): a GIN index answers `email_keys && $emails`, the tenant is
    // checked on the few rows it finds), by company and name key, and in listing order: all, by status, the
    // unmatched filter (not matched), and within a company.
    'CREATE INDEX qdesk_psa_contacts_email_keys ON qdesk_psa_contacts USING gin (email_keys)',
    'CREATE INDEX qdesk_psa_contacts_name ON qdesk_psa_contacts (tenant_id, company_id, name_key)',
    'CREATE INDEX qdesk_psa_contacts_order ON qdesk_psa_contacts (tenant_id, order_key)',
    'CREATE INDEX qdesk_psa_contacts_status_order ON qdesk_psa_contacts (tenant_id, status, order_key)',
    `CREATE INDEX qdesk_psa_contacts_unmatched_order ON qdesk_psa_contacts (tenant_id, order_key)
      WHERE status <> 'matched'`,
    'CREATE INDEX qdesk_psa_contacts_company_order ON qdesk_psa_contacts (tenant_id, company_id, order_key)',
    'CREATE INDEX qdesk_psa_companies_order ON qdesk_psa_companies (tenant_id, order_key)',
    'CREATE INDEX qdesk_psa_companies_status_order ON qdesk_psa_companies (tenant_id, status, order_key)',
    // Searches (a part of a name or an email) read a trigram index where the pg_trgm extension can be had: it ships
    // with PostgreSQL's contrib and PGlite (loaded by createPgliteDatabase). Without it (a managed database that
    // refuses the extension) a search scans the tenant's rows; nothing else changes.
    `DO $$ BEGIN
      CREATE EXTENSION IF NOT EXISTS pg_trgm;
    EXCEPTION WHEN OTHERS THEN
      RAISE NOTICE 'pg_trgm is not available (%): searches of the matching lists will scan', SQLERRM;
    END $$`,
    `DO $$ BEGIN
      IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        CREATE INDEX qdesk_psa_contacts_search ON qdesk_psa_contacts USING gin (search_text gin_trgm_ops);
        CREATE INDEX qdesk_psa_companies_search ON qdesk_psa_companies USING gin (search_text gin_trgm_ops);
      END IF;
    END $$`,

    // End-users as matching sees them (copied from the directory by the matching sync), with their keys.
    `CREATE TABLE qdesk_match_end_users (
      tenant_id text NOT NULL,
      id text NOT NULL,
      email text NOT NULL,
      display_name text NOT NULL,
      customer_id text,
      email_key text NOT NULL,
      name_key text NOT NULL,
      PRIMARY KEY (tenant_id, id)
    )`,
    'CREATE INDEX qdesk_match_end_users_email ON qdesk_match_end_users (tenant_id, email_key)',
    'CREATE INDEX qdesk_match_end_users_name ON qdesk_match_end_users (tenant_id, customer_id, name_key)',

    // Records by status: companies with company_id '', contacts per company. Only the triggers below write it.
    `CREATE TABLE qdesk_match_counts (
      tenant_id text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('companies', 'contacts')),
      company_id text NOT NULL,
      status text NOT NULL CHECK (status IN ('matched', 'suggested', 'unmatched')),
      n bigint NOT NULL,
      PRIMARY KEY (tenant_id, kind, company_id, status)
    )`,
    `INSERT INTO qdesk_match_counts (tenant_id, kind, company_id, status, n)
      SELECT tenant_id, 'companies', '', status, count(*) FROM qdesk_psa_companies GROUP BY tenant_id, status`,
    `INSERT INTO qdesk_match_counts (tenant_id, kind, company_id, status, n)
      SELECT tenant_id, 'contacts', company_id, status, count(*) FROM qdesk_psa_contacts
      GROUP BY tenant_id, company_id, status`,
    ...countTrigger('qdesk_psa_companies', 'companies'),
    ...countTrigger('qdesk_psa_contacts', 'contacts'),
  ],
};
