import type { PsaCompany, PsaContact } from '@qdesk/core/ports';
import { type KitRule, must } from '@qdesk/core/testing';
import type { MappingStore, MatchPageQuery } from '../mapping-store.js';
import { compareOrderKeys, contactKeys, endUserKeys, matchSearch, searchMatches } from '../match-keys.js';
import type { ContactMatchSuggestion, MatchEndUser } from '../types.js';
import { by, canon, checkpoint, contactLink, ids, newTenant, outcome, same } from './_fixtures.js';
import type { MappingStoreSubject } from './mapping-store-conformance.js';

// Rules on what a store keeps for the admin's lists: the end-users, the lookups incremental suggestions read, the
// kept suggestions with each record's status, and the keyset pages with their counts.

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

const user = (id: string, email: string, displayName: string, customerId: string | null): MatchEndUser => ({
  id,
  email,
  displayName,
  customerId,
});

const suggestion = (contactId: string, companyId: string, customerId: string, endUserId: string) =>
  ({
    contactId,
    companyId,
    customerId,
    endUserId,
    reason: 'same_email',
    reasons: ['same_email'],
    strength: 'strong',
    tie: false,
    ties: [],
    conflicts: [],
    inactive: false,
  }) satisfies ContactMatchSuggestion;

const page = (overrides: Partial<MatchPageQuery> = {}): MatchPageQuery => ({
  filter: 'all',
  search: null,
  companyId: null,
  after: null,
  before: null,
  limit: 50,
  ...overrides,
});

/** A tenant with two companies (company 1 linked to customer cust-1), five contacts and four end-users. */
async function seeded(store: MappingStore) {
  const t = newTenant();
  const companies: PsaCompany[] = [
    { id: '1', name: 'Northwind', webAddress: null, isActive: true },
    { id: '2', name: 'Contoso', webAddress: null, isActive: true },
  ];
  const contacts = [
    person('10', '1', 'Ana', 'Silva', ['Ana@North.example', 'ana@home.example']),
    person('11', '1', 'Ben', 'Okafor', ['ben@north.example']),
    person('12', '1', 'Chloé', 'Martin', []),
    person('13', '2', 'Dev', 'Patel', ['ana@home.example']),
    person('9', '2', 'Eva', 'Åberg', ['eva@contoso.example']),
  ];
  await store.createCustomer(t, {
    id: 'cust-1',
    name: 'Northwind',
    linkTo: { companyId: '1', confirmedBy: { ...by }, confirmedAt: 1 },
  });
  await store.saveSyncBatch(t, { checkpoint: checkpoint('run-1'), companies, contacts });
  await store.saveEndUsers(t, {
    put: [
      user('eu-ana', 'ANA@north.example', 'Silva, Ana', 'cust-1'),
      user('eu-ben', 'ben@north.example', 'Ben Okafor', 'cust-1'),
      user('eu-chloe', 'chloe@north.example', 'Chloe Martin', 'cust-1'),
      user('eu-x', 'x@else.example', 'Chloe Martin', null),
    ],
  });
  return { t, contacts };
}

/** Every rule on kept end-users, lookups, suggestions and pages. @internal */
export const keptRules: readonly KitRule<MappingStoreSubject>[] = [
  {
    name: 'saveEndUsers upserts, removes and replaces the end-users kept for matching',
    async check({ store }) {
      const { t } = await seeded(store);
      must(
        canon(ids(await store.listEndUsers(t))) === canon(['eu-ana', 'eu-ben', 'eu-chloe', 'eu-x']),
        'listEndUsers() must return the four end-users saveEndUsers() put.',
      );
      await store.saveEndUsers(t, {
        put: [user('eu-ben', 'ben@new.example', 'Ben O', 'cust-1')],
        remove: ['eu-x'],
      });
      const after = await store.listEndUsers(t);
      must(
        same(
          after.find((u) => u.id === 'eu-ben'),
          user('eu-ben', 'ben@new.example', 'Ben O', 'cust-1'),
        ),
        'saveEndUsers({ put }) must replace an end-user with the same id, as given.',
      );
      must(!after.some((u) => u.id === 'eu-x'), 'saveEndUsers({ remove }) must remove the end-user.');
      await store.saveEndUsers(t, { put: [user('eu-new', 'n@x.example', 'New', null)], replaceAll: true });
      must(
        canon(ids(await store.listEndUsers(t))) === canon(['eu-new']),
        'saveEndUsers({ replaceAll: true }) must keep only the end-users it puts.',
      );
      const refused = await outcome(
        store.saveEndUsers(t, { put: [user('eu-2', 'a@x.example', 'A', null), { id: '' } as MatchEndUser] }),
      );
      must(
        refused === 'input_invalid',
        `a malformed end-user must be refused with input_invalid, got ${refused}.`,
      );
      must(
        canon(ids(await store.listEndUsers(t))) === canon(['eu-new']),
        'a refused saveEndUsers() must write nothing (not even the valid end-users before the bad one).',
      );
    },
  },
  {
    name: 'findEndUsers and findContacts answer the union of their criteria, by the keys matching computes',
    async check({ store }) {
      const { t } = await seeded(store);
      const emailKey = endUserKeys({ email: ' Ana@North.EXAMPLE', displayName: '' }).email;
      must(
        canon(ids(await store.findEndUsers(t, { emails: [emailKey], ids: ['eu-ben', 'eu-missing'] }))) ===
          canon(['eu-ana', 'eu-ben']),
        'findEndUsers({ emails, ids }) must return the end-users with that email key and those ids.',
      );
      const nameKey = endUserKeys({ email: '', displayName: 'Martin, Chloé' }).name;
      must(
        canon(ids(await store.findEndUsers(t, { names: [{ customerId: 'cust-1', name: nameKey }] }))) ===
          canon(['eu-chloe']),
        'findEndUsers({ names }) must return the end-users of that customer with that name key (not of another).',
      );
      must(
        canon(
          ids(
            await store.findEndUsers(t, {
              companyNames: [
                { companyId: '1', name: nameKey },
                { companyId: '2', name: nameKey },
              ],
            }),
          ),
        ) === canon(['eu-chloe']),
        'findEndUsers({ companyNames }) must return the end-users with that name key in the customer the company is linked to (company 2 is linked to none).',
      );
      must(
        canon(ids(await store.findEndUsers(t, { customerIds: ['cust-1'] }))) ===
          canon(['eu-ana', 'eu-ben', 'eu-chloe']),
        'findEndUsers({ customerIds }) must return every end-user of those customers.',
      );
      must(
        canon(ids(await store.findContacts(t, { emails: ['ana@home.example'] }))) === canon(['10', '13']),
        'findContacts({ emails }) must return every contact holding that email key, in any company.',
      );
      must(
        canon(ids(await store.findContacts(t, { companyIds: ['2'], ids: ['11'] }))) ===
          canon(['11', '13', '9']),
        'findContacts({ companyIds, ids }) must return the contacts of the company and those ids.',
      );
      const chloe = contactKeys(person('12', '1', 'Chloé', 'Martin', [])).name;
      must(
        canon(ids(await store.findContacts(t, { names: [{ customerId: 'cust-1', name: chloe }] }))) ===
          canon(['12']),
        "findContacts({ names }) must return the contacts with that name key in the customer's linked company.",
      );
      must(
        (await store.findContacts(t, { names: [{ customerId: 'cust-none', name: chloe }] })).length === 0,
        'findContacts({ names }) of a customer linked to no company must return none.',
      );
      await store.linkContact(t, contactLink('11', 'eu-ben'));
      must(
        canon(
          (await store.findContactLinks(t, { endUserIds: ['eu-ben'], contactIds: ['11', '10'] })).map(
            (l) => l.contactId,
          ),
        ) === canon(['11']),
        'findContactLinks() must return each matching link once.',
      );
    },
  },
  {
    name: 'replaceSuggestions keeps suggestions by scope and derives each status; a link drops them',
    async check({ store }) {
      const { t } = await seeded(store);
      await store.replaceSuggestions(t, {
        contacts: {
          contactIds: null,
          suggestions: [suggestion('10', '1', 'cust-1', 'eu-ana'), suggestion('11', '1', 'cust-1', 'eu-ben')],
        },
      });
      const status = async () =>
        Object.fromEntries(
          (await store.listContactPage(t, page())).rows.map((r) => [r.contact.id, r.status]),
        );
      must(
        canon(await status()) ===
          canon({ 10: 'suggested', 11: 'suggested', 12: 'unmatched', 13: 'unmatched', 9: 'unmatched' }),
        `after replaceSuggestions() the statuses must follow the suggestions, got ${canon(await status())}.`,
      );
      await store.replaceSuggestions(t, { contacts: { contactIds: ['11'], suggestions: [] } });
      const kept = await store.getSuggestions(t, { contactIds: ['10', '11'] });
      must(
        canon(kept.contacts.map((s) => s.contactId)) === canon(['10']),
        'replaceSuggestions() with contactIds must replace only those contacts (11 now has none, 10 keeps its own).',
      );
      const refused = await outcome(
        store.replaceSuggestions(t, {
          contacts: { contactIds: ['12'], suggestions: [suggestion('10', '1', 'cust-1', 'eu-ana')] },
        }),
      );
      must(refused === 'input_invalid', `a suggestion outside contactIds must be refused, got ${refused}.`);
      await store.linkContact(t, contactLink('10', 'eu-ana'));
      must((await status())['10'] === 'matched', 'a linked contact must have status matched.');
      must(
        (await store.getSuggestions(t, { contactIds: ['10'] })).contacts.length === 0,
        'linkContact() must drop the contact’s kept suggestions.',
      );
      await store.unlinkContact(t, '10');
      must(
        (await status())['10'] === 'unmatched',
        'an unlinked contact without suggestions must be unmatched.',
      );
    },
  },
  {
    name: 'listContactPage pages by order key forwards and backwards, with filters, search and counts',
    async check({ store }) {
      const { t, contacts } = await seeded(store);
      await store.replaceSuggestions(t, {
        contacts: { contactIds: null, suggestions: [suggestion('11', '1', 'cust-1', 'eu-ben')] },
      });
      await store.linkContact(t, contactLink('10', 'eu-ana'));
      const order = [...contacts]
        .sort((a, b) => compareOrderKeys(contactKeys(a).order, contactKeys(b).order))
        .map((c) => c.id);
      const all = await store.listContactPage(t, page());
      must(
        canon(all.rows.map((r) => r.contact.id)) === canon(order),
        `rows must come in order-key order: expected ${canon(order)}, got ${canon(all.rows.map((r) => r.contact.id))}.`,
      );
      must(
        same(all.counts, { all: 5, matched: 1, unmatched: 4, suggested: 1 }) && all.total === 5 && !all.more,
        `counts must be { all: 5, matched: 1, unmatched: 4, suggested: 1 }, got ${canon(all.counts)}.`,
      );
      const ben = all.rows.find((r) => r.contact.id === '11')!;
      must(
        canon(ben.suggestedEndUsers.map((u) => u.id)) === canon(['eu-ben']) && ben.customerId === 'cust-1',
        'a row must name the end-users its suggestions point to, and its company’s customer.',
      );
      const ana = all.rows.find((r) => r.contact.id === '10')!;
      must(
        ana.endUser?.id === 'eu-ana' && ana.link?.endUserId === 'eu-ana',
        'a matched row must carry its link and end-user.',
      );
      // Keyset: two rows at a time forwards, then backwards from the end.
      const forwards: string[] = [];
      let after: string | null = null;
      for (let i = 0; i < 5; i++) {
        const p = await store.listContactPage(t, page({ limit: 2, after }));
        forwards.push(...p.rows.map((r) => r.contact.id));
        if (!p.more) break;
        after = contactKeys(p.rows.at(-1)!.contact).order;
      }
      must(
        canon(forwards) === canon(order),
        `paging after the last row must walk ${canon(order)}, got ${canon(forwards)}.`,
      );
      const last = contacts.find((c) => c.id === order.at(-1))!;
      const back = await store.listContactPage(t, page({ limit: 2, before: contactKeys(last).order }));
      must(
        canon(back.rows.map((r) => r.contact.id)) === canon(order.slice(-3, -1)) && back.more,
        `a page before the last row must hold the two rows before it in order (${canon(order.slice(-3, -1))}), with more: true.`,
      );
      const unmatched = await store.listContactPage(t, page({ filter: 'unmatched', companyId: '1' }));
      must(
        canon(unmatched.rows.map((r) => r.contact.id).sort()) === canon(['11', '12']) &&
          same(unmatched.counts, { all: 3, matched: 1, unmatched: 2, suggested: 1 }),
        `filter unmatched in company 1 must give 11 and 12 with that company's counts, got ${canon(unmatched.counts)}.`,
      );
      const search = matchSearch('ÅBERG')!;
      const found = await store.listContactPage(t, page({ search }));
      const expected = contacts
        .filter((c) => searchMatches(search, contactKeys(c).search, c.id))
        .map((c) => c.id);
      must(
        canon(found.rows.map((r) => r.contact.id)) === canon(expected) &&
          found.counts.all === expected.length,
        `a search must find what searchMatches() finds (${canon(expected)}).`,
      );
      const byEmail = await store.listContactPage(t, page({ search: matchSearch('HOME.example')! }));
      must(
        canon(byEmail.rows.map((r) => r.contact.id).sort()) === canon(['10', '13']),
        'a search must find contacts by a part of an email.',
      );
    },
  },
  {
    name: 'counts follow every change: batches, links, suggestions, removals and a completed sync',
    async check({ store }) {
      const { t } = await seeded(store);
      const counts = async () => (await store.listContactPage(t, page({ limit: 1 }))).counts;
      await store.saveSyncBatch(t, {
        checkpoint: checkpoint('run-1'),
        contacts: [person('14', '2', 'Fay', 'Lee', []), person('10', '2', 'Ana', 'Silva', [])],
      });
      must(
        same(await counts(), { all: 6, matched: 0, unmatched: 6, suggested: 0 }),
        `after a batch: ${canon(await counts())}.`,
      );
      await store.replaceSuggestions(t, {
        contacts: { contactIds: null, suggestions: [suggestion('12', '1', 'cust-1', 'eu-chloe')] },
      });
      await store.linkContact(t, contactLink('11', 'eu-ben'));
      must(
        same(await counts(), { all: 6, matched: 1, unmatched: 5, suggested: 1 }),
        `after a link: ${canon(await counts())}.`,
      );
      const company2 = await store.listContactPage(t, page({ companyId: '2', limit: 1 }));
      must(
        company2.counts.all === 4,
        `company 2 now holds 10, 13, 9 and 14: counts.all must be 4, got ${company2.counts.all}.`,
      );
      await store.removeContact(t, '12');
      must(
        same(await counts(), { all: 5, matched: 1, unmatched: 4, suggested: 0 }),
        `after a removal: ${canon(await counts())}.`,
      );
      await store.saveSyncBatch(t, {
        checkpoint: checkpoint('run-2'),
        contacts: [person('11', '1', 'Ben', 'Okafor', [])],
      });
      await store.completeSync(t, checkpoint('run-2', { phase: 'completed', completedAt: 2_000 }));
      must(
        same(await counts(), { all: 1, matched: 1, unmatched: 0, suggested: 0 }),
        `after a completed sync: ${canon(await counts())}.`,
      );
    },
  },
];
