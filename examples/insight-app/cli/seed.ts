// `pnpm qdesk seed --contacts N`: fills the app's database with generated matching data for the app's tenant, to try
// /admin/matching at scale: N PSA contacts in N/100 companies, their customers, end-users and links, and every
// suggestion. The same N gives the same records (a second run changes nothing); records a sync or another seed
// stored beside them are kept.
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { EndUser } from '@qdesk/core';
import { createDemoData } from '@qdesk/core/memory';
import type { PsaCompany, PsaContact } from '@qdesk/core/ports';
import { type MappingStore, matchEndUser, rebuildSuggestions, type SyncCheckpoint } from '@qdesk/matching';
import { isDemo, readStoreEnv } from '../src/config.js';
import { type AppDirectory, openStores, storeChoiceOf } from '../src/stores.js';

export const SEED_USAGE = `pnpm qdesk seed --contacts N [--force]
  Fills the app's database with generated companies, contacts, customers, end-users and links for the app's tenant
  (N contacts, 1 to 1000000; a company per 100), then computes every suggestion. The same N gives the same data.
  Real mode (AUTOTASK_USERNAME set) refuses a database whose records a PSA sync stored, unless --force.`;

/** What a seed writes to: the app's mapping store and the directory as opened (not reporting to matching). */
export interface SeedTarget {
  mappings: MappingStore;
  directory: AppDirectory;
}

export interface SeedOptions {
  tenantId: string;
  /** Contacts to generate, 1 to 1,000,000. */
  contacts: number;
  /** Told what is being written, a line at a time. */
  onProgress?: (line: string) => void;
}

/** What a seed wrote (generated records only), and how long it took. */
export interface SeedSummary {
  companies: number;
  customers: number;
  contacts: number;
  endUsers: number;
  companyLinks: number;
  contactLinks: number;
  contactSuggestions: number;
  ms: number;
}

export const MAX_SEED_CONTACTS = 1_000_000;
const BATCH = 1000;
/** Generated records have ids of their own, so a later run knows them from the ones a sync stored. */
const COMPANY_BASE = 30_000_000;
const CONTACT_BASE = 40_000_000;
const SEED_RUN = 'seed_';
const SEEDER = { id: 'qdesk-seed', name: 'QDesk seed' };
/** When the seeded links say they were confirmed: fixed, so a later run writes them the same. */
const SEEDED_AT = Date.UTC(2026, 0, 1);

// Sixty first and sixty last names, with accents and particles: a page of 50 rows rarely holds one name twice.
const FIRSTS = [
  'Ana, Chloé, José, Zoë, Łukasz, Søren, Inès, Björn, Aoife, Priya, Kenji, Ngozi, Renée, Hélène',
  'Jürgen, Zoltán, Siobhán, François, Ayşe, Tomás, Maëlle, Oskar, Ben, Dev, Eva, Farid, Amélie',
  'Andrés, Birgit, Caoimhe, Dagný, Élodie, Emre, Fatima, Grzegorz, Håkon, Ilse, Joaquín, Kalani',
  'Léa, Mateus, Miyu, Nuno, Olu, Paweł, Qiu, Rosalía, Sibusiso, Tiago, Ugo, Valérie, Wiebke',
  'Ximena, Yusuf, Zsófia, Sam, Jo, Alex, Noor, Ravi',
]
  .join(', ')
  .split(', ');
const LASTS = [
  `Martin, Müller, Silva, Okafor, Patel, Schmidt, Haddad, Nowak, García, O'Brien, Ó Briain, Dubois`,
  'Johansson, Nakamura, van der Berg, Kowalski, Núñez, Øvergaard, Lefèvre, Andersson, Becker',
  'Costa, da Silva, de la Cruz, Eriksen, Fernández, Gómez, Horváth, Ivanova, Jensen, Kaya, Laurent',
  'MacDonald, Mäkinen, Nguyen, Oliveira, Papadopoulos, Quinn, Rossi, Sánchez, Tanaka, Urban, Varga',
  'Wójcik, Xu, Yılmaz, Zimmermann, Björk, Clarke, Doyle, Égré, Fitzgerald, Grünewald, Hashemi',
  'Iglesias, Jovanović, Kim, Löfgren, Moreau, Ní Bhriain',
]
  .join(', ')
  .split(', ');
const ADJ = 'Northern Blue Alpine Harbour Summit Cedar Golden Silver Maple Granite'.split(' ');
const NOUN = 'Dental Logistics Builders Bakery Clinic Accounting Motors Pharmacy Optics'.split(' ');
const CITY = 'Lyon Zürich Kraków Porto Malmö Cork Leeds Gent Brno Bergen Turku'.split(' ');
const LEGAL = 'GmbH Ltd LLC Inc. S.A. B.V. AB'.split(' ');

/** A number in [0, 1) fixed by `i` and `salt`: the same data on every run, whatever N is. */
function rand(i: number, salt: number): number {
  let x = (Math.imul(i + 1, 0x9e3779b1) ^ Math.imul(salt + 1, 0x85ebca6b)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return ((x ^ (x >>> 16)) >>> 0) / 4294967296;
}
const pick = <T>(list: readonly T[], i: number, salt: number) =>
  list[Math.floor(rand(i, salt) * list.length)]!;
/** An email's local part from a name: accents and other marks dropped, letters only. */
const fold = (s: string) =>
  s
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ł/g, 'l')
    .replace(/ø/g, 'o')
    .replace(/[^a-z]/g, '');

/** Company `i`: its name, its customer's (the name without the legal form) and its domain. */
function company(i: number) {
  const base = `${ADJ[i % ADJ.length]} ${NOUN[Math.floor(i / ADJ.length) % NOUN.length]}`;
  const place = CITY[Math.floor(i / (ADJ.length * NOUN.length)) % CITY.length]!;
  const round = Math.floor(i / (ADJ.length * NOUN.length * CITY.length));
  const customerName = `${base} ${place}${round ? ` ${round + 1}` : ''}`;
  const domain = `${fold(base)}-${fold(place)}${round ? round + 1 : ''}.example`;
  // 90% linked to their customer, 5% with a customer not linked yet (suggested), 5% with none (unmatched).
  const r = rand(i, 11);
  const kind = r < 0.9 ? 'linked' : r < 0.95 ? 'suggested' : 'none';
  const record: PsaCompany = {
    id: String(COMPANY_BASE + i),
    name: `${customerName} ${pick(LEGAL, i, 12)}`,
    webAddress: rand(i, 13) < 0.8 ? `https://www.${domain}` : null,
    isActive: true,
  };
  return { record, customerId: kind === 'none' ? null : `seed-cust-${i}`, customerName, domain, kind };
}
type SeedCompany = ReturnType<typeof company>;

/** Contact `j` of `companies`, and the end-users the directory holds for the same person. */
function person(j: number, companies: readonly SeedCompany[]) {
  const co = companies[j % companies.length]!;
  const firstName = pick(FIRSTS, j, 1);
  const lastName = pick(LASTS, j, 2);
  const local = `${fold(firstName)}.${fold(lastName)}.${j.toString(36)}`;
  // 0.5% use a shared mailbox; 10% have a second address.
  const primary = rand(j, 3) < 0.005 ? `office@${co.domain}` : `${local}@${co.domain}`;
  const emails = rand(j, 4) < 0.1 ? [primary, `${local}@mail-${j % 13}.example`] : [primary];
  const contact: PsaContact = {
    id: String(CONTACT_BASE + j),
    companyId: co.record.id,
    firstName,
    lastName,
    emails,
    mobilePhone: rand(j, 6) < 0.6 ? `+1555${String(1_000_000 + (j % 9_000_000)).slice(-7)}` : null,
    phone: null,
    isActive: rand(j, 5) >= 0.03,
  };
  const endUsers: EndUser[] = [];
  const r = rand(j, 7);
  if (co.customerId && r < 0.9) {
    // 85% with the same email (a tenth written in another case), 5% with the same name and another email.
    const same = r < 0.85;
    const email = same
      ? rand(j, 8) < 0.1
        ? primary.toUpperCase()
        : primary
      : `${local}@home-${j % 7}.example`;
    const user = (id: string, customerId: string): EndUser => ({
      id,
      tenantId: '',
      email,
      displayName: rand(j, 9) < 0.2 ? `${lastName}, ${firstName}` : `${firstName} ${lastName}`,
      mobilePhone: contact.mobilePhone,
      customerId,
      devices: [],
    });
    endUsers.push(user(`seed-eu-${j}`, co.customerId));
    // 1% also hold an account at the next customer with the same email (a conflict to look at by hand).
    const next = companies[(j + 1) % companies.length]!;
    if (same && rand(j, 10) < 0.01 && next.customerId && next.customerId !== co.customerId)
      endUsers.push(user(`seed-eu-${j}-b`, next.customerId));
  }
  // One in twenty people with the same email are linked already, as an admin would have confirmed them.
  const linkTo = co.kind === 'linked' && r < 0.85 && rand(j, 14) < 0.05 ? endUsers[0]!.id : null;
  return { contact, endUsers, linkTo };
}

const isSeedRecord = (id: string, base: number) =>
  /^\d+$/.test(id) && Number(id) >= base && Number(id) < base + 10_000_000;

/**
 * Writes the generated data: PSA records under one sync run (batches of 1000, then `completeSync`, which keeps
 * whatever else is stored by saving it in the same run), customers and links, end-users through the directory, the
 * directory's copy for matching, then every suggestion. Links are written to the store directly, without audit
 * records: this is generated data, not an administrator's decision.
 */
export async function seedMatching(target: SeedTarget, options: SeedOptions): Promise<SeedSummary> {
  const started = Date.now();
  const { mappings: store, directory } = target;
  const { tenantId } = options;
  const n = options.contacts;
  if (!Number.isInteger(n) || n < 1 || n > MAX_SEED_CONTACTS)
    throw new RangeError(`contacts must be a whole number from 1 to ${MAX_SEED_CONTACTS}`);
  const say = options.onProgress ?? (() => undefined);
  const companies = Array.from({ length: Math.ceil(n / 100) }, (_, i) => company(i));
  const people = Array.from({ length: n }, (_, j) => person(j, companies));
  const endUsers = people.flatMap((p) => p.endUsers.map((u) => ({ ...u, tenantId })));

  // PSA records, as a sync stores them: one run, batch by batch, then completed.
  const [oldCompanies, oldContacts] = await Promise.all([
    store.listCompanies(tenantId),
    store.listContacts(tenantId),
  ]);
  const allCompanies = [
    ...oldCompanies.filter((c) => !isSeedRecord(c.id, COMPANY_BASE)),
    ...companies.map((c) => c.record),
  ];
  const allContacts = [
    ...oldContacts.filter((c) => !isSeedRecord(c.id, CONTACT_BASE)),
    ...people.map((p) => p.contact),
  ];
  const now = Date.now();
  let checkpoint: SyncCheckpoint = {
    runId: `${SEED_RUN}${randomUUID()}`,
    phase: 'companies',
    afterId: null,
    companiesDone: 0,
    contactsDone: 0,
    startedAt: now,
    updatedAt: now,
    completedAt: null,
  };
  for (const [phase, records] of [
    ['companies', allCompanies],
    ['contacts', allContacts],
  ] as const) {
    for (let i = 0; i < records.length; i += BATCH) {
      const batch = records.slice(i, i + BATCH);
      const done = i + batch.length;
      checkpoint = {
        ...checkpoint,
        phase,
        afterId: batch.at(-1)!.id,
        ...(phase === 'companies' ? { companiesDone: done } : { contactsDone: done }),
        updatedAt: Date.now(),
      };
      await store.saveSyncBatch(tenantId, { checkpoint, [phase]: batch });
      if (phase === 'contacts' && (done % 10_000 === 0 || done === records.length))
        say(`contacts ${done}/${records.length}`);
    }
    if (phase === 'companies') say(`companies ${records.length}`);
  }
  await store.completeSync(tenantId, {
    ...checkpoint,
    phase: 'completed',
    afterId: null,
    completedAt: Date.now(),
  });

  // Customers (the store cannot delete one: a smaller N later leaves the extra ones) and company links.
  const customers = new Set((await store.listCustomers(tenantId)).map((c) => c.id));
  const withCustomer = companies.filter((c) => c.customerId !== null);
  for (const c of withCustomer) {
    if (!customers.has(c.customerId!))
      await store.createCustomer(tenantId, { id: c.customerId!, name: c.customerName, domain: c.domain });
  }
  say(`customers ${withCustomer.length}`);
  const companyLinks = await store.listCompanyLinks(tenantId);
  const linkedTo = new Map(companyLinks.map((l) => [l.companyId, l.customerId]));
  const holderOf = new Map(companyLinks.map((l) => [l.customerId, l.companyId]));
  let linkedCompanies = 0;
  for (const c of companies) {
    const wanted = c.kind === 'linked' ? c.customerId : null;
    const current = linkedTo.get(c.record.id) ?? null;
    if (current === wanted) {
      if (wanted) linkedCompanies++;
      continue;
    }
    if (current) await store.unlinkCompany(tenantId, c.record.id);
    if (!wanted) continue;
    const holder = holderOf.get(wanted);
    if (holder && holder !== c.record.id) await store.unlinkCompany(tenantId, holder);
    await store.linkCompany(tenantId, {
      companyId: c.record.id,
      customerId: wanted,
      confirmedBy: SEEDER,
      confirmedAt: SEEDED_AT,
    });
    linkedCompanies++;
  }
  say(`company links ${linkedCompanies}`);

  // End-users, through the directory in batches; generated ones a larger N left are removed.
  const before = await directory.list(tenantId);
  const wantedIds = new Set(endUsers.map((u) => u.id));
  for (const u of before)
    if (u.id.startsWith('seed-eu-') && !wantedIds.has(u.id)) await directory.remove(tenantId, u.id);
  for (let i = 0; i < endUsers.length; i += BATCH * 5) {
    await directory.putMany(endUsers.slice(i, i + BATCH * 5));
    say(`end-users ${Math.min(i + BATCH * 5, endUsers.length)}/${endUsers.length}`);
  }
  const others = before.filter((u) => !u.id.startsWith('seed-eu-'));
  await store.saveEndUsers(tenantId, { put: [...others, ...endUsers].map(matchEndUser), replaceAll: true });

  // Contact links: the generated ones, and no other on a generated contact.
  const wantedLinks = new Map(people.filter((p) => p.linkTo).map((p) => [p.contact.id, p.linkTo!]));
  const contactLinks = await store.listContactLinks(tenantId);
  const holding = new Map(contactLinks.map((l) => [l.endUserId, l.contactId]));
  const present = new Map(contactLinks.map((l) => [l.contactId, l.endUserId]));
  for (const l of contactLinks) {
    const wanted = wantedLinks.get(l.contactId);
    if (isSeedRecord(l.contactId, CONTACT_BASE) && wanted !== l.endUserId) {
      await store.unlinkContact(tenantId, l.contactId);
      present.delete(l.contactId);
      holding.delete(l.endUserId);
    }
  }
  for (const [contactId, endUserId] of wantedLinks) {
    if (present.get(contactId) === endUserId) continue;
    const holder = holding.get(endUserId);
    if (holder) await store.unlinkContact(tenantId, holder);
    await store.linkContact(tenantId, { contactId, endUserId, confirmedBy: SEEDER, confirmedAt: SEEDED_AT });
  }
  say(`contact links ${wantedLinks.size}`);

  const kept = await rebuildSuggestions({ store, tenantId });
  say(`suggestions: ${kept.companySuggestions} for companies, ${kept.contactSuggestions} for contacts`);
  return {
    companies: companies.length,
    customers: withCustomer.length,
    contacts: n,
    endUsers: endUsers.length,
    companyLinks: linkedCompanies,
    contactLinks: wantedLinks.size,
    contactSuggestions: kept.contactSuggestions,
    ms: Date.now() - started,
  };
}

/**
 * Why a seed must not run here, or `null`. Real mode (AUTOTASK_USERNAME set) refuses a database whose last sync run
 * was a PSA's, not a seed's (a seed's run ids start with `seed_`): generated records and links would sit beside the
 * real ones, and the admin's lists and suggestions would mix them.
 */
export async function seedRefusal(
  store: MappingStore,
  tenantId: string,
  real: boolean,
): Promise<string | null> {
  if (!real) return null;
  const checkpoint = await store.getSyncCheckpoint(tenantId);
  if (checkpoint === null || checkpoint.runId.startsWith(SEED_RUN)) return null;
  return (
    `This database holds the PSA records of tenant ${tenantId}: its last matching sync (run ${checkpoint.runId}, ` +
    `updated ${new Date(checkpoint.updatedAt).toISOString()}) read them from Autotask, not from a seed (seed runs ` +
    'are named seed_...). Seed an empty or demo database instead (unset AUTOTASK_USERNAME, or point DATABASE_URL or ' +
    'QDESK_DATA_DIR elsewhere), or run again with --force to add generated records beside the real ones.'
  );
}

export async function seed(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { contacts: { type: 'string' }, force: { type: 'boolean' }, help: { type: 'boolean' } },
  });
  if (values.help) {
    console.log(SEED_USAGE);
    return 0;
  }
  const contacts = Number(values.contacts?.replaceAll('_', ''));
  if (
    !/^\d[\d_]*$/.test(values.contacts ?? '') ||
    !Number.isInteger(contacts) ||
    contacts < 1 ||
    contacts > MAX_SEED_CONTACTS
  ) {
    console.error(`--contacts must be a whole number from 1 to ${MAX_SEED_CONTACTS}.\n\n${SEED_USAGE}`);
    return 2;
  }
  const env = readStoreEnv();
  const tenantId = isDemo(env) ? createDemoData().tenantId : env.QDESK_TENANT_ID;
  const stores = await openStores(storeChoiceOf(env), { migrations: 'run' });
  try {
    const refusal = values.force ? null : await seedRefusal(stores.mappings, tenantId, !isDemo(env));
    if (refusal) {
      console.error(refusal);
      return 1;
    }
    console.log(`Seeding ${contacts} contacts for tenant ${tenantId} into ${stores.where}…`);
    const summary = await seedMatching(stores, {
      tenantId,
      contacts,
      onProgress: (line) => console.log(`  ${line}`),
    });
    console.log(
      `Seeded ${summary.contacts} contacts in ${summary.companies} companies, ${summary.customers} customers and ${summary.endUsers} end-users in ${(summary.ms / 1000).toFixed(1)} s. Open /admin/matching.`,
    );
    return 0;
  } finally {
    await stores.close();
  }
}
