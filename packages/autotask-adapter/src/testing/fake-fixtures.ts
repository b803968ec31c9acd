import type { FakeRow, FakeTables } from './fake-data.js';

/**
 * Records of the seeded data that tests rely on: core's `PsaConformanceFixtures` and a few more, so the object
 * can be passed to `runPsaAdapterConformance` as is.
 * @public
 */
export interface FakeFixtures {
  /** A ticket with a company and a contact that has an email. */
  readyTicketId: string;
  /** The primary email of that ticket's contact. */
  readyContactEmail: string;
  /** A ticket without a contact. */
  ticketWithoutContactId: string;
  /** A ticket whose contact has no email at all. */
  ticketWithContactWithoutEmailId: string | null;
  /** A well-formed id no ticket has. */
  unknownTicketId: string;
  /** A well-formed id no contact has. */
  unknownContactId: string;
  /** An email held only in some contact's `emailAddress2`. */
  secondaryEmail?: string;
  /** Number of companies. */
  companyCount: number;
  /** Number of contacts. */
  contactCount: number;
  /** The fake's page size: records per page of a listing. */
  pageSize: number;
  /** A company holding some contacts but not all, with how many. */
  filterCompany: {
    /** The company id. */
    id: string;
    /** How many contacts it holds. */
    contactCount: number;
  };
}

const emailsOf = (c: FakeRow) =>
  [c.emailAddress, c.emailAddress2, c.emailAddress3].filter(
    (e): e is string => typeof e === 'string' && e !== '',
  );

/** Picks the fixtures from the tables (the demo ticket T1001 when the demo data is there). */
export function fixturesOf(tables: FakeTables, pageSize: number): FakeFixtures {
  const contacts = new Map(tables.Contacts.map((c) => [c.id, c]));
  const companies = new Set(tables.Companies.map((c) => c.id));
  const ready = tables.Tickets.find((t) => {
    const contact = contacts.get(Number(t.contactID));
    return contact !== undefined && companies.has(Number(t.companyID)) && emailsOf(contact).length > 0;
  });
  const withoutContact = tables.Tickets.find((t) => t.contactID === null);
  if (!ready || !withoutContact) {
    throw new Error('The fake has no ready ticket or no ticket without contact: seed more tickets.');
  }
  const noEmail = tables.Tickets.find((t) => {
    const contact = contacts.get(Number(t.contactID));
    return contact !== undefined && emailsOf(contact).length === 0;
  });
  const allEmails = tables.Contacts.flatMap(emailsOf).map((e) => e.toLowerCase());
  const secondary = tables.Contacts.map((c) => c.emailAddress2)
    .filter((e): e is string => typeof e === 'string' && e !== '')
    .find((e) => allEmails.filter((x) => x === e.toLowerCase()).length === 1);
  const maxId = (rows: FakeRow[]) => rows.reduce((m, r) => Math.max(m, r.id), 0);
  const perCompany = new Map<number, number>();
  for (const c of tables.Contacts)
    perCompany.set(Number(c.companyID), (perCompany.get(Number(c.companyID)) ?? 0) + 1);
  const [filterId, filterCount] = [...perCompany].find(([, n]) => n < tables.Contacts.length) ?? [];
  if (filterId === undefined || filterCount === undefined) {
    throw new Error('The fake has no company holding only some of the contacts: seed more companies.');
  }
  return {
    readyTicketId: String(ready.id),
    readyContactEmail: emailsOf(contacts.get(Number(ready.contactID))!)[0]!,
    ticketWithoutContactId: String(withoutContact.id),
    ticketWithContactWithoutEmailId: noEmail ? String(noEmail.id) : null,
    unknownTicketId: String(maxId(tables.Tickets) + 1_000_000),
    unknownContactId: String(maxId(tables.Contacts) + 1_000_000),
    ...(secondary ? { secondaryEmail: secondary } : {}),
    companyCount: tables.Companies.length,
    contactCount: tables.Contacts.length,
    pageSize,
    filterCompany: { id: String(filterId), contactCount: filterCount },
  };
}
