import { createDemoData } from '@qdesk/core/memory';
import { createPrng, type Prng } from './prng.js';

/** A record as the fake stores it: Autotask's JSON field names and value types. @public */
export type FakeRow = { id: number } & Record<string, unknown>;

/** The fake's tables. @public */
export interface FakeTables {
  /** Companies (`isActive` boolean). */
  Companies: FakeRow[];
  /** Contacts (`isActive` 0/1). */
  Contacts: FakeRow[];
  /** Tickets. */
  Tickets: FakeRow[];
  /** Ticket notes. */
  TicketNotes: FakeRow[];
  /** Resources (the API user and technicians). */
  Resources: FakeRow[];
}

/** What to seed. @public */
export interface FakeSeedOptions {
  /** PRNG seed (default 1). */
  seed?: number;
  /** Include core's demo companies, contacts and tickets with their ids and emails (default true). */
  includeDemoData?: boolean;
  /** Generated companies besides the demo ones (default 8). */
  companies?: number;
  /** Generated contacts besides the demo ones (default 400). */
  contacts?: number;
  /** Generated tickets besides the demo ones (default 60). */
  tickets?: number;
}

/** The resource id of the fake's API user. @public */
export const FAKE_API_USER_RESOURCE_ID = 29682880;

/**
 * Resource ids of the demo MSP's technicians in the fake (emails `<first>.<last>@qdesk-msp.example`; Sam Rivera's
 * is stored as `Sam.Rivera@...`, as people type them). `formerTechnician` is inactive.
 * @public
 */
export const FAKE_RESOURCES = Object.freeze({
  samRivera: 29682882,
  joPark: 29682883,
  alexMorgan: 29682884,
  formerTechnician: 29682885,
});

// biome-ignore format: a word list reads better packed
const COMPANY_NAMES = [
  'Adatum Corporation', 'Litware Inc.', 'Tailspin Toys', 'Wide World Importers', 'Woodgrove Bank',
  'Proseware Inc.', 'Lucerne Publishing', 'Alpine Ski House', 'Coho Winery', "Margie's Travel",
  'Trey Research', 'Blue Yonder Airlines', 'Humongous Insurance', 'Fourth Coffee', 'VanArsdel Ltd.',
  'Relecloud', 'Bellows College', 'Consolidated Messenger', 'Southridge Video', 'Graphic Design Institute',
];
// biome-ignore format: a word list reads better packed
const FIRST = [
  'Olivia', 'Liam', 'Emma', 'Noah', 'Amelia', 'Oliver', 'Sophia', 'Elijah', 'Mia', 'Lucas', 'Aisha', 'Mateo',
  'Yuki', 'Chen', 'Priya', 'Omar', 'Ingrid', 'Kwame', 'Zofia', 'Diego', 'Fatima', 'Hiroshi', 'Leila', 'Sven',
];
// biome-ignore format: a word list reads better packed
const LAST = [
  'Brown', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez', 'Wilson', 'Anderson', 'Thomas', 'Moore',
  'Nakamura', 'Kowalski', 'Okonkwo', 'Lindqvist', 'Haddad', 'Fernandes', 'Ivanova', 'Nguyen', 'Kaur', 'Rossi',
];
// biome-ignore format: a word list reads better packed
const TITLES = [
  'Password reset', 'MFA device replaced', 'Account locked out', 'Cannot sign in to Outlook', 'VPN token expired',
  'New laptop setup', 'Printer offline', 'Shared mailbox access', 'Phone number change for MFA', 'Email bouncing',
];

const slug = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

function demoRows(): Pick<FakeTables, 'Companies' | 'Contacts' | 'Tickets'> {
  const demo = createDemoData();
  return {
    Companies: demo.companies.map((c) => ({
      id: Number(c.id),
      companyName: c.name,
      webAddress: c.webAddress,
      isActive: c.isActive,
    })),
    Contacts: demo.contacts.map((c) => ({
      id: Number(c.id),
      companyID: Number(c.companyId),
      firstName: c.firstName,
      lastName: c.lastName,
      emailAddress: c.emails[0] ?? null,
      emailAddress2: c.emails[1] ?? null,
      emailAddress3: c.emails[2] ?? null,
      mobilePhone: c.mobilePhone,
      phone: c.phone,
      isActive: c.isActive ? 1 : 0,
    })),
    Tickets: demo.tickets.map((t) => ({
      id: Number(t.id),
      ticketNumber: t.number,
      title: t.title,
      companyID: t.companyId === null ? null : Number(t.companyId),
      contactID: t.contactId === null ? null : Number(t.contactId),
      status: 1,
      assignedResourceID: null,
    })),
  };
}

const phone = (rng: Prng) => `+1555${String(rng.int(0, 9_999_999)).padStart(7, '0')}`;

function generateContact(rng: Prng, id: number, company: FakeRow, used: Set<string>): FakeRow {
  const firstName = rng.pick(FIRST);
  const lastName = rng.pick(LAST);
  const domain = String(company.webAddress ?? `${slug(String(company.companyName))}.example`);
  let local = `${firstName}.${lastName}`.toLowerCase();
  for (let n = 2; used.has(`${local}@${domain}`); n++) local = `${firstName}.${lastName}${n}`.toLowerCase();
  used.add(`${local}@${domain}`);
  // Mixed case as people type them into a PSA; lookups must not care.
  const primary = rng.chance(0.15)
    ? `${local.replace(/^./, (ch) => ch.toUpperCase())}@${domain.toUpperCase()}`
    : `${local}@${domain}`;
  const noEmail = rng.chance(0.05);
  const second = !noEmail && rng.chance(0.15) ? `${local}@alt.${domain}` : null;
  const third = second !== null && rng.chance(0.3) ? `${firstName.toLowerCase()}.${id}@home.example` : null;
  return {
    id,
    companyID: company.id,
    firstName,
    lastName,
    emailAddress: noEmail ? null : primary,
    emailAddress2: second,
    emailAddress3: third,
    mobilePhone: rng.chance(0.7) ? phone(rng) : null,
    phone: rng.chance(0.5) ? phone(rng) : null,
    isActive: rng.chance(0.08) ? 0 : 1,
  };
}

/** Builds the fake's seed data, deterministically for a given `seed`. @public */
export function createFakeTables(options: FakeSeedOptions = {}): FakeTables {
  const rng = createPrng(options.seed ?? 1);
  const demo = options.includeDemoData === false ? { Companies: [], Contacts: [], Tickets: [] } : demoRows();
  const companies: FakeRow[] = [
    { id: 0, companyName: 'QDesk Demo MSP (owner)', webAddress: 'qdesk-msp.example', isActive: true },
    ...demo.Companies,
  ];
  let companyId = 110;
  for (let i = 0; i < (options.companies ?? 8); i++) {
    const base = COMPANY_NAMES[i % COMPANY_NAMES.length]!;
    const name = i < COMPANY_NAMES.length ? base : `${base} ${Math.floor(i / COMPANY_NAMES.length) + 1}`;
    companies.push({
      id: companyId,
      companyName: name,
      webAddress: `${slug(name)}.example`,
      isActive: i % 7 !== 6,
    });
    companyId += rng.int(1, 9);
  }
  const clientCompanies = companies.filter((c) => c.id !== 0);
  const contacts: FakeRow[] = [...demo.Contacts];
  const used = new Set(contacts.map((c) => String(c.emailAddress ?? '').toLowerCase()));
  let contactId = 30_001;
  for (let i = 0; i < (options.contacts ?? 400); i++) {
    contacts.push(generateContact(rng, contactId, rng.pick(clientCompanies), used));
    contactId += rng.int(1, 3);
  }
  const byCompany = new Map<number, FakeRow[]>();
  for (const c of contacts)
    byCompany.set(Number(c.companyID), [...(byCompany.get(Number(c.companyID)) ?? []), c]);
  const tickets: FakeRow[] = [...demo.Tickets];
  let ticketId = 5_001;
  for (let i = 0; i < (options.tickets ?? 60); i++) {
    const company = rng.pick(clientCompanies);
    const candidates = byCompany.get(company.id) ?? [];
    const contact = candidates.length > 0 && rng.chance(0.85) ? rng.pick(candidates) : null;
    const day = String(1 + (i % 28)).padStart(2, '0');
    tickets.push({
      id: ticketId,
      ticketNumber: `T202611${day}.${String(i + 1).padStart(4, '0')}`,
      title: rng.pick(TITLES),
      companyID: company.id,
      contactID: contact?.id ?? null,
      status: rng.pick([1, 5, 8]),
      assignedResourceID: rng.chance(0.5) ? 29682881 : null,
    });
    ticketId += rng.int(1, 4);
  }
  // The demo MSP's people: the insight app's demo staff have these addresses, so its notes can be written as them.
  // biome-ignore format: one resource per line reads better
  const resources: FakeRow[] = [
    { id: FAKE_API_USER_RESOURCE_ID, firstName: 'QDesk', lastName: 'API', email: 'qdesk-api@qdesk-msp.example', userName: 'qdesk-api', isActive: true },
    { id: 29682881, firstName: 'Tess', lastName: 'Technician', email: 'tess@qdesk-msp.example', userName: 'tess', isActive: true },
    { id: FAKE_RESOURCES.samRivera, firstName: 'Sam', lastName: 'Rivera', email: 'Sam.Rivera@qdesk-msp.example', userName: 'sam.rivera', isActive: true },
    { id: FAKE_RESOURCES.joPark, firstName: 'Jo', lastName: 'Park', email: 'jo.park@qdesk-msp.example', userName: 'jo.park', isActive: true },
    { id: FAKE_RESOURCES.alexMorgan, firstName: 'Alex', lastName: 'Morgan', email: 'alex.morgan@qdesk-msp.example', userName: 'alex.morgan', isActive: true },
    { id: FAKE_RESOURCES.formerTechnician, firstName: 'Former', lastName: 'Technician', email: 'former.technician@qdesk-msp.example', userName: 'former.technician', isActive: false },
  ];
  return {
    Companies: companies,
    Contacts: contacts,
    Tickets: tickets,
    TicketNotes: [],
    Resources: resources,
  };
}
