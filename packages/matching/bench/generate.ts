// The benchmark's records, generated deterministically: the same N gives the same records on every run, so the old and
// the new suggestions (and every size) are measured on identical data.
import type { EndUser } from '@qdesk/core';
import type { PsaCompany, PsaContact } from '@qdesk/core/ports';
import type { CompanyLink, Customer } from '@qdesk/matching';

/** Deterministic numbers: the same records on every run (the store bench picks its random pages with it too). */
export function mulberry32(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = [
  'Ana',
  'Ben',
  'Chloé',
  'Dev',
  'Eva',
  'Farid',
  'Grace',
  'Hugo',
  'Inès',
  'José',
  'Kai',
  'Léa',
  'Mia',
  'Noah',
  'Zoë',
  'Ömer',
];
const LAST = [
  'Silva',
  'Okafor',
  'Martin',
  'Patel',
  'Schmidt',
  'Haddad',
  'Müller',
  'Núñez',
  'García',
  'Kowalski',
  'Smith',
  "O'Brien",
  'Dubois',
  'Rossi',
  'Nakamura',
  'Jensen',
];
const WORDS = [
  'North',
  'Blue',
  'Contoso',
  'Fabrikam',
  'Adatum',
  'Litware',
  'Tailspin',
  'Wingtip',
  'Proseware',
  'Fourth',
  'Coho',
  'Alpine',
  'Lucerne',
  'Margie',
  'Trey',
  'Humongous',
];
const TRADES = [
  'Traders',
  'Dental',
  'Logistics',
  'Clinic',
  'Builders',
  'Law',
  'Studio',
  'Foods',
  'Energy',
  'Realty',
];
const SUFFIXES = ['Inc.', 'LLC', 'Ltd', 'GmbH', 'S.A.', 'Pty Ltd', 'Corp.', ''];

export interface Data {
  companies: PsaCompany[];
  customers: Customer[];
  links: CompanyLink[];
  contacts: PsaContact[];
  endUsers: EndUser[];
}

export function generate(n: number): Data {
  const random = mulberry32(n);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const companyCount = Math.max(1, Math.round(n / 100));
  const companies: PsaCompany[] = [];
  const customers: Customer[] = [];
  const links: CompanyLink[] = [];
  for (let i = 0; i < companyCount; i++) {
    const base =
      `${WORDS[i % WORDS.length]} ${TRADES[Math.floor(i / WORDS.length) % TRADES.length]} ${Math.floor(i / 160) || ''}`.trim();
    const domain = `${base.toLowerCase().replace(/\s+/g, '-')}.example`;
    companies.push({
      id: String(1000 + i),
      name: `${base} ${pick(SUFFIXES)}`,
      webAddress: `https://www.${domain}/`,
      isActive: true,
    });
    // The customer spells the name its own way; 2% share a name with another customer (ties), 5% only share the domain.
    const r = random();
    const name =
      r < 0.02
        ? `${WORDS[(i + 1) % WORDS.length]} ${TRADES[0]}`
        : r < 0.07
          ? `${base} Holdings`
          : `${base.toUpperCase()} ${pick(SUFFIXES)}`;
    customers.push({ id: `cust-${i}`, tenantId: 'bench', name, domain: domain });
    if (random() < 0.9) {
      links.push({
        tenantId: 'bench',
        companyId: String(1000 + i),
        customerId: `cust-${i}`,
        confirmedBy: { id: 'a', name: 'A' },
        confirmedAt: 0,
      });
    }
  }
  const contacts: PsaContact[] = [];
  const endUsers: EndUser[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % companyCount;
    const first = pick(FIRST);
    const last = pick(LAST);
    const domain = customers[c]!.domain;
    const email = `${first}.${last}.${i}@${domain}`
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .replace("'", '')
      .toLowerCase();
    // 1 in 200 contacts shares its email with the previous contact (a duplicate in the PSA).
    const emails = i > 0 && random() < 0.005 ? [contacts[i - 1]!.emails[0]!] : [email];
    if (random() < 0.3) emails.push(`${first}${i}@personal.example`.toLowerCase());
    contacts.push({
      id: String(100_000 + i),
      companyId: String(1000 + c),
      firstName: first,
      lastName: last,
      emails,
      mobilePhone: null,
      phone: null,
      isActive: random() > 0.03,
    });
    // End-users: 85% same email in another case, 8% same name only, 5% someone else, 2% an email on two end-users.
    const r = random();
    const userEmail =
      r < 0.85
        ? email.toUpperCase()
        : r < 0.93
          ? `x${i}@elsewhere.example`
          : r < 0.98
            ? `other${i}@x.example`
            : email;
    const displayName =
      r < 0.98 && r >= 0.85 && random() < 0.5
        ? `${last}, ${first}`
        : r < 0.93
          ? `${first} ${last}`
          : 'Someone Else';
    endUsers.push({
      id: `eu-${i}`,
      tenantId: 'bench',
      email: userEmail,
      displayName,
      mobilePhone: null,
      customerId: customers[c]!.id,
      devices: [],
    });
    if (r >= 0.98) {
      endUsers.push({
        id: `eu-dup-${i}`,
        tenantId: 'bench',
        email,
        displayName,
        mobilePhone: null,
        customerId: customers[(c + 1) % companyCount]!.id,
        devices: [],
      });
    }
  }
  return { companies, customers, links, contacts, endUsers };
}
