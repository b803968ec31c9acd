import type { PsaCompany, PsaContact } from '@qdesk/core/ports';
import {
  type CompanyMatchSuggestion,
  type ContactMatchSuggestion,
  companyKeys,
  compareOrderKeys,
  contactKeys,
  type MappingStore,
  type MatchPageQuery,
  matchSearch,
  type SyncCheckpoint,
} from '@qdesk/matching';
import { afterAll, describe, expect, it } from 'vitest';
import { openTestDatabase, testDatabases } from './_databases.test-helpers.js';
import type { Database, Queryable } from './database.js';
import { createPostgresMappingStore } from './mapping-store.js';
import { migrate } from './migrate.js';

// What the PostgreSQL mapping store adds to the conformance kit's rules for kept suggestions: the migration's
// backfill of rows stored before it, the counts the triggers keep, and keyset pages read through an index.

const by = { id: 'admin-1', name: 'Sam Admin' };
const checkpoint = (runId: string, overrides: Partial<SyncCheckpoint> = {}): SyncCheckpoint => ({
  runId,
  phase: 'contacts',
  afterId: null,
  companiesDone: 0,
  contactsDone: 0,
  startedAt: 1_000,
  updatedAt: 1_000,
  completedAt: null,
  ...overrides,
});
const company = (id: string, name: string): PsaCompany => ({ id, name, webAddress: null, isActive: true });
const person = (
  id: string,
  companyId: string,
  first: string,
  last: string,
  emails: string[],
): PsaContact => ({
  id,
  companyId,
  firstName: first,
  lastName: last,
  emails,
  mobilePhone: null,
  phone: null,
  isActive: true,
});
const contactSuggestion = (
  contactId: string,
  companyId: string,
  endUserId: string,
): ContactMatchSuggestion => ({
  contactId,
  companyId,
  customerId: 'cust-1',
  endUserId,
  reason: 'same_email',
  reasons: ['same_email'],
  strength: 'strong',
  tie: false,
  ties: [],
  conflicts: [],
  inactive: false,
});
const companySuggestion = (companyId: string, customerId: string): CompanyMatchSuggestion => ({
  companyId,
  customerId,
  reason: 'same_name',
  reasons: ['same_name'],
  strength: 'strong',
  tie: false,
  ties: [],
  conflicts: [],
});
const page = (overrides: Partial<MatchPageQuery> = {}): MatchPageQuery => ({
  filter: 'all',
  search: null,
  companyId: null,
  after: null,
  before: null,
  limit: 1000,
  ...overrides,
});

const FIRST = ['Ana', 'Ben', 'Chloé', 'Dev', 'Eva', 'Zoë'];
const LAST = ['Silva', 'Okafor', 'Martin', "O'Brien", 'Åberg', 'van Dijk'];

/** `n` contacts over five companies, with repeated names (ids break the ties), numeric and other ids. */
const people = (n: number, run = 0) =>
  Array.from({ length: n }, (_, i) =>
    person(
      i % 7 === 0 ? `x-${i}` : String(i),
      String(1 + (i % 5)),
      FIRST[i % FIRST.length]!,
      LAST[Math.floor(i / 3) % LAST.length]!,
      i % 4 === 0 ? [] : [`p${i + run}@north.example`],
    ),
  );

/** The kept counts must equal a plain count of the PSA tables, with no zero left behind. */
async function expectCountsKept(db: Queryable): Promise<void> {
  const kept = await db.query(
    'SELECT tenant_id, kind, company_id, status, n FROM qdesk_match_counts ORDER BY 1, 2, 3, 4',
  );
  const counted = await db.query(
    `SELECT tenant_id, 'companies' AS kind, '' AS company_id, status, count(*) AS n FROM qdesk_psa_companies
       GROUP BY tenant_id, status
     UNION ALL
     SELECT tenant_id, 'contacts', company_id, status, count(*) FROM qdesk_psa_contacts
       GROUP BY tenant_id, company_id, status
     ORDER BY 1, 2, 3, 4`,
  );
  expect(kept.rows).toEqual(counted.rows);
}

/** A store whose statements are recorded, so a test can EXPLAIN the one it sent. */
function recording(database: Database) {
  const sent: { text: string; params: readonly unknown[] }[] = [];
  const store = createPostgresMappingStore({
    ...database,
    query: <Row>(text: string, params: readonly unknown[] = []) => {
      sent.push({ text, params });
      return database.query<Row>(text, params);
    },
  });
  return { store, sent };
}

/** The plan PostgreSQL picks for a statement the store sent, as text. */
async function explain(database: Queryable, statement: { text: string; params: readonly unknown[] }) {
  const { rows } = await database.query(`EXPLAIN ${statement.text}`, statement.params);
  return rows.map((r) => Object.values(r)[0]).join('\n');
}

/** Walks a list forwards by `after`, then backwards by `before` from its last row; answers both walks' ids. */
async function walk(store: MappingStore, tenant: string, query: Partial<MatchPageQuery>, limit: number) {
  const forwards: PsaContact[] = [];
  let after: string | null = null;
  for (let i = 0; i < 1000; i++) {
    const p = await store.listContactPage(tenant, page({ ...query, limit, after }));
    forwards.push(...p.rows.map((r) => r.contact));
    if (!p.more) break;
    after = contactKeys(p.rows.at(-1)!.contact).order;
  }
  const backwards: PsaContact[] = forwards.slice(-1);
  let before = backwards[0] ? contactKeys(backwards[0]).order : null;
  for (let i = 0; i < 1000 && before !== null; i++) {
    const p = await store.listContactPage(tenant, page({ ...query, limit, before }));
    backwards.unshift(...p.rows.map((r) => r.contact));
    before = p.more ? contactKeys(p.rows[0]!.contact).order : null;
  }
  return { forwards: forwards.map((c) => c.id), backwards: backwards.map((c) => c.id) };
}

const databases = testDatabases();

for (const db of databases) {
  describe(`kept suggestions on ${db.name}`, () => {
    const opened: (() => Promise<void>)[] = [];
    afterAll(async () => {
      for (const close of opened) await close();
    });

    it('migrates rows stored before 0010: keys, status from the links, and counts', async () => {
      const { database, close } = await openTestDatabase(db.name as 'PostgreSQL' | 'PGlite');
      opened.push(close);
      await migrate(database, { to: '0009-scim-users' });
      const companies = [
        company('1', 'Café Crème GmbH'),
        company('2', 'Northwind'),
        company('010', "O'Neil & Sons"),
      ];
      const contacts = [
        person('007', '1', 'Chloé', "O'Brien-Smith", [' A@X.example ', 'a@x.example', '', 'B@x.example']),
        person('abc', '1', '', 'Solo', []),
        person('12', '2', 'Élodie', 'Ångström', ['Elodie@X.example']),
        person('9', '2', 'Ana', 'Silva', ['ana@x.example']),
      ];
      for (const [tenant, c] of [
        ...companies.map((c) => ['t1', c] as const),
        ['t2', company('1', 'Other')] as const,
      ]) {
        await database.query(
          `INSERT INTO qdesk_psa_companies (tenant_id, id, name, web_address, is_active, run_id)
           VALUES ($1, $2, $3, NULL, true, 'run-0')`,
          [tenant, c.id, c.name],
        );
      }
      for (const [tenant, c] of [...contacts.map((c) => ['t1', c] as const), ['t2', contacts[0]!] as const]) {
        await database.query(
          `INSERT INTO qdesk_psa_contacts (tenant_id, id, company_id, first_name, last_name, emails, is_active, run_id)
           VALUES ($1, $2, $3, $4, $5, $6, true, 'run-0')`,
          [tenant, c.id, c.companyId, c.firstName, c.lastName, c.emails],
        );
      }
      await database.query(
        "INSERT INTO qdesk_customers (tenant_id, id, name) VALUES ('t1', 'cust-1', 'Café')",
      );
      await database.query(
        "INSERT INTO qdesk_company_links VALUES ('t1', '1', 'cust-1', 'admin-1', 'Sam Admin', 1)",
      );
      await database.query(
        "INSERT INTO qdesk_contact_links VALUES ('t1', '12', 'eu-1', 'admin-1', 'Sam Admin', 1)",
      );

      await migrate(database);

      const { rows } = await database.query<Record<string, unknown>>(
        `SELECT id, email_keys, name_key, order_key, search_text, status, suggestions FROM qdesk_psa_contacts
         WHERE tenant_id = 't1'`,
      );
      for (const contact of contacts) {
        const keys = contactKeys(contact);
        expect(rows.find((r) => r.id === contact.id)).toEqual({
          id: contact.id,
          email_keys: keys.emails,
          name_key: keys.name,
          order_key: keys.order,
          search_text: keys.search,
          status: contact.id === '12' ? 'matched' : 'unmatched',
          suggestions: [],
        });
      }
      const stored = await database.query<Record<string, unknown>>(
        "SELECT id, order_key, search_text, status FROM qdesk_psa_companies WHERE tenant_id = 't1'",
      );
      for (const c of companies) {
        const keys = companyKeys(c);
        expect(stored.rows.find((r) => r.id === c.id)).toEqual({
          id: c.id,
          order_key: keys.order,
          search_text: keys.search,
          status: c.id === '1' ? 'matched' : 'unmatched',
        });
      }
      await expectCountsKept(database);
      // The store reads the migrated rows at once: in order, with their counts, found by email.
      const store = createPostgresMappingStore(database);
      const listed = await store.listContactPage('t1', page());
      const order = [...contacts].sort((a, b) =>
        compareOrderKeys(contactKeys(a).order, contactKeys(b).order),
      );
      expect(listed.rows.map((r) => r.contact.id)).toEqual(order.map((c) => c.id));
      expect(listed.counts).toEqual({ all: 4, matched: 1, unmatched: 3, suggested: 0 });
      expect((await store.findContacts('t1', { emails: ['b@x.example'] })).map((c) => c.id)).toEqual(['007']);
    });

    it('keeps the counts equal to a plain count through batches, links, suggestions, removals and a prune', async () => {
      const database = await db.fresh();
      const store = createPostgresMappingStore(database);
      const t = 'msp-counts';
      await store.createCustomer(t, { id: 'cust-1', name: 'Northwind' });
      await store.createCustomer(t, { id: 'cust-2', name: 'Contoso' });
      await store.saveSyncBatch(t, {
        checkpoint: checkpoint('run-1'),
        companies: ['1', '2', '3', '4', '5'].map((id) => company(id, `Company ${id}`)),
        contacts: people(200),
      });
      await store.saveSyncBatch('msp-other', { checkpoint: checkpoint('run-1'), contacts: people(20) });
      await expectCountsKept(database);

      await store.linkCompany(t, { companyId: '1', customerId: 'cust-1', confirmedBy: by, confirmedAt: 1 });
      await store.createCustomer(t, {
        id: 'cust-3',
        name: 'Company 3',
        linkTo: { companyId: '3', confirmedBy: by, confirmedAt: 1 },
      });
      await store.replaceSuggestions(t, {
        companies: [companySuggestion('2', 'cust-2'), companySuggestion('1', 'cust-2')],
        contacts: {
          contactIds: null,
          suggestions: ['1', '2', '3', '5', '6'].map((id) => contactSuggestion(id, '1', `eu-${id}`)),
        },
      });
      for (const id of ['1', '2', '10', '11']) {
        await store.linkContact(t, { contactId: id, endUserId: `eu-${id}`, confirmedBy: by, confirmedAt: 1 });
      }
      await expectCountsKept(database);
      const counts = (await store.listContactPage(t, page({ limit: 1 }))).counts;
      expect(counts).toEqual({ all: 200, matched: 4, unmatched: 196, suggested: 3 });

      await store.unlinkContact(t, '1');
      await store.unlinkCompany(t, '3');
      await store.replaceSuggestions(t, {
        contacts: { contactIds: ['3', '4'], suggestions: [contactSuggestion('4', '1', 'eu-4')] },
      });
      await store.removeContact(t, '5');
      await store.removeContact(t, '11');
      // A webhook moves a contact to another company, and brings a new one.
      await store.putContact(t, person('6', '4', 'Ana', 'Moved', []));
      await store.putContact(t, person('new', '2', 'New', 'Person', []));
      await expectCountsKept(database);

      // The next run sees companies 1 and 2 and the contacts below 100: the rest goes, with its links.
      await store.saveSyncBatch(t, {
        checkpoint: checkpoint('run-2'),
        companies: [company('1', 'Company 1'), company('2', 'Company 2')],
        contacts: people(100, 1),
      });
      const pruned = await store.completeSync(
        t,
        checkpoint('run-2', { phase: 'completed', completedAt: 2_000 }),
      );
      expect(pruned.removedCompanies.sort()).toEqual(['3', '4', '5']);
      await expectCountsKept(database);
      const after = await store.listContactPage(t, page({ limit: 1 }));
      expect(after.counts.all).toBe(100);
      const companiesAfter = await store.listCompanyPage(t, page({ limit: 1 }));
      expect(companiesAfter.counts).toEqual({ all: 2, matched: 1, unmatched: 1, suggested: 1 });
    });

    it('replaces more suggestions than one statement carries (chunks of 10,000), whole or not at all', async () => {
      const database = await db.fresh();
      const store = createPostgresMappingStore(database);
      const t = 'msp-chunks';
      const contacts = people(25_000);
      for (let i = 0; i < contacts.length; i += 5000) {
        await store.saveSyncBatch(t, {
          checkpoint: checkpoint('run-1'),
          contacts: contacts.slice(i, i + 5000),
        });
      }
      const suggestedIds = contacts.filter((_, i) => i % 25 !== 0).map((c) => c.id);
      await store.replaceSuggestions(t, {
        contacts: {
          contactIds: null,
          suggestions: suggestedIds.map((id) => contactSuggestion(id, '1', `eu-${id}`)),
        },
      });
      expect((await store.listContactPage(t, page({ limit: 1 }))).counts).toMatchObject({
        suggested: 24_000,
      });
      // A full replacement drops what it no longer names, across every chunk.
      const kept = suggestedIds.filter((_, i) => i % 2 === 0);
      await store.replaceSuggestions(t, {
        contacts: { contactIds: null, suggestions: kept.map((id) => contactSuggestion(id, '1', `eu-${id}`)) },
      });
      expect((await store.listContactPage(t, page({ limit: 1 }))).counts).toMatchObject({
        all: 25_000,
        suggested: kept.length,
      });
      const dropped = suggestedIds[1]!;
      expect((await store.getSuggestions(t, { contactIds: [dropped, kept.at(-1)!] })).contacts).toEqual([
        contactSuggestion(kept.at(-1)!, '1', `eu-${kept.at(-1)}`),
      ]);
      await expectCountsKept(database);
      // A refused replacement (a suggestion outside its scope) writes no chunk of it.
      const scope = contacts.slice(0, 12_000).map((c) => c.id);
      await expect(
        store.replaceSuggestions(t, {
          contacts: {
            contactIds: scope,
            suggestions: [
              ...scope.map((id) => contactSuggestion(id, '1', 'eu-x')),
              contactSuggestion('nope', '1', 'eu-x'),
            ],
          },
        }),
      ).rejects.toMatchObject({ code: 'input_invalid' });
      expect((await store.listContactPage(t, page({ limit: 1 }))).counts).toMatchObject({
        suggested: kept.length,
      });
    }, 120_000);

    it('reads a keyset page of 5,000 contacts through an index, never a sequential scan', async () => {
      const database = await db.fresh();
      const { store, sent } = recording(database);
      const t = 'msp-explain';
      await store.saveSyncBatch(t, { checkpoint: checkpoint('run-1'), contacts: people(5_000) });
      await store.saveSyncBatch('msp-other', { checkpoint: checkpoint('run-1'), contacts: people(500) });
      await store.replaceSuggestions(t, {
        contacts: {
          contactIds: null,
          suggestions: Array.from({ length: 500 }, (_, i) =>
            contactSuggestion(String(i * 9 + 1), '1', `eu-${i}`),
          ),
        },
      });
      for (let i = 0; i < 20; i++) {
        await store.linkContact(t, {
          contactId: String(i * 10 + 2),
          endUserId: `eu-l${i}`,
          confirmedBy: by,
          confirmedAt: 1,
        });
      }
      await database.query('ANALYZE');
      // A Martin halfway down the list: Okafors come after it.
      const middle = contactKeys(people(5_000)[2_508]!).order;
      const queries: Partial<MatchPageQuery>[] = [
        { filter: 'all' },
        { filter: 'all', after: middle },
        { filter: 'all', before: middle },
        { filter: 'unmatched', after: middle },
        { filter: 'suggested', after: middle },
        { filter: 'matched' },
        { filter: 'unmatched', companyId: '3', after: middle },
        { filter: 'all', search: matchSearch('okafor'), after: middle },
      ];
      for (const query of queries) {
        sent.length = 0;
        const answer = await store.listContactPage(t, page({ limit: 50, ...query }));
        expect(answer.rows.length, JSON.stringify(query)).toBeGreaterThan(0);
        const listing = sent.find((s) => s.text.includes('ORDER BY p.order_key'))!;
        const plan = await explain(database, listing);
        expect(plan, JSON.stringify(query)).not.toMatch(/Seq Scan on qdesk_psa_contacts/);
        expect(plan, JSON.stringify(query)).toMatch(
          /Index (Only )?Scan( Backward)? using qdesk_psa_contacts_\w+/,
        );
        // Without a search, the counts are read from the kept counts, not from the contacts.
        const counting = sent.find((s) => s !== listing)!;
        expect(counting.text.includes('qdesk_match_counts')).toBe(query.search === undefined);
      }
      // findContacts({ emails }) reads the GIN index on the email keys.
      sent.length = 0;
      const found = await store.findContacts(t, { emails: ['p1@north.example', 'p2@north.example'] });
      expect(found.map((c) => c.id).sort()).toEqual(['1', '2']);
      const plan = await explain(database, sent[0]!);
      expect(plan).toMatch(/Bitmap Index Scan on qdesk_psa_contacts_email_keys/);
      expect(plan).not.toMatch(/Seq Scan on qdesk_psa_contacts/);
    });

    it('pages forwards then backwards through the same rows as one big page, for each filter', async () => {
      const database = await db.fresh();
      const store = createPostgresMappingStore(database);
      const t = 'msp-paging';
      await store.saveSyncBatch(t, { checkpoint: checkpoint('run-1'), contacts: people(300) });
      await store.replaceSuggestions(t, {
        contacts: {
          contactIds: null,
          suggestions: Array.from({ length: 60 }, (_, i) =>
            contactSuggestion(String(i * 4 + 1), '1', `eu-${i}`),
          ),
        },
      });
      for (let i = 0; i < 30; i++) {
        await store.linkContact(t, {
          contactId: String(i * 6),
          endUserId: `eu-l${i}`,
          confirmedBy: by,
          confirmedAt: 1,
        });
      }
      const variants: Partial<MatchPageQuery>[] = [
        { filter: 'all' },
        { filter: 'matched' },
        { filter: 'unmatched' },
        { filter: 'suggested' },
        { filter: 'all', companyId: '2' },
        { filter: 'unmatched', search: matchSearch('chloe') },
      ];
      for (const query of variants) {
        const whole = await store.listContactPage(t, page(query));
        const ids = whole.rows.map((r) => r.contact.id);
        expect(ids.length, JSON.stringify(query)).toBeGreaterThan(7);
        expect(whole.total).toBe(ids.length);
        const { forwards, backwards } = await walk(store, t, query, 7);
        expect(forwards, JSON.stringify(query)).toEqual(ids);
        expect(backwards, JSON.stringify(query)).toEqual(ids);
      }
    });
  });
}
