import { AdapterError, type EndUser } from '@qdesk/core';
import type { PsaContact } from '@qdesk/core/ports';
import type { ContactLookup, MappingStore } from './mapping-store.js';
import { contactKeys, endUserKeys } from './match-keys.js';
import { suggestCompanyMatches } from './suggest-companies.js';
import { suggestContactMatches } from './suggest-contacts.js';
import type { MatchEndUser } from './types.js';

// Suggestions are computed here and kept in the mapping store, so the admin's lists read them instead of recomputing
// them on every page. A full rebuild reads everything once (linear); a change recomputes only the contacts it can
// affect. A contact's suggestions depend on its emails (the end-users and other contacts holding them), its name
// (the end-users of its company's customer with that name) and its company (which customer), and on which of those
// are linked already: so the contacts to recompute are found by email, by customer and name, and by company.

const call = <T>(operation: string, run: () => Promise<T>) =>
  AdapterError.wrap('mapping store', operation, run);

/** The end-users kept for matching as `suggestContactMatches` takes them. */
function asEndUsers(users: readonly MatchEndUser[], tenantId: string): EndUser[] {
  return users.map(
    (u) =>
      ({
        id: u.id,
        tenantId,
        email: u.email,
        displayName: u.displayName,
        ...(u.customerId === null ? {} : { customerId: u.customerId }),
        mobilePhone: null,
        devices: [],
      }) as EndUser,
  );
}

/** What a full rebuild kept. @internal */
export interface RebuildCounts {
  companySuggestions: number;
  contactSuggestions: number;
}

/** Recomputes every suggestion of the tenant from what the store holds and keeps them. @internal */
export async function rebuildAll(store: MappingStore, tenantId: string): Promise<RebuildCounts> {
  const [companies, customers, companyLinks, contacts, endUsers, contactLinks] = await Promise.all([
    call('listCompanies', () => store.listCompanies(tenantId)),
    call('listCustomers', () => store.listCustomers(tenantId)),
    call('listCompanyLinks', () => store.listCompanyLinks(tenantId)),
    call('listContacts', () => store.listContacts(tenantId)),
    call('listEndUsers', () => store.listEndUsers(tenantId)),
    call('listContactLinks', () => store.listContactLinks(tenantId)),
  ]);
  const companySuggestions = suggestCompanyMatches(companies, customers, companyLinks);
  const contactSuggestions = suggestContactMatches(contacts, asEndUsers(endUsers, tenantId), {
    companyLinks,
    contactLinks,
  });
  await call('replaceSuggestions', () =>
    store.replaceSuggestions(tenantId, {
      companies: companySuggestions,
      contacts: { contactIds: null, suggestions: contactSuggestions },
    }),
  );
  return { companySuggestions: companySuggestions.length, contactSuggestions: contactSuggestions.length };
}

/** Recomputes every company suggestion (companies are few: a hundredth of the contacts). @internal */
export async function refreshCompanySuggestions(store: MappingStore, tenantId: string): Promise<void> {
  const [companies, customers, links] = await Promise.all([
    call('listCompanies', () => store.listCompanies(tenantId)),
    call('listCustomers', () => store.listCustomers(tenantId)),
    call('listCompanyLinks', () => store.listCompanyLinks(tenantId)),
  ]);
  const suggestions = suggestCompanyMatches(companies, customers, links);
  await call('replaceSuggestions', () => store.replaceSuggestions(tenantId, { companies: suggestions }));
}

const unique = <T>(values: Iterable<T>) => [...new Set(values)];

/**
 * Recomputes the suggestions of the contacts `seed` finds (by id, email, customer and name, or company) and keeps
 * them; returns how many contacts were recomputed. The contacts, end-users and links read are exactly those their
 * suggestions depend on, so the result equals a full rebuild's for them.
 * @internal
 */
export async function refreshContactSuggestions(
  store: MappingStore,
  tenantId: string,
  seed: ContactLookup,
): Promise<number> {
  const nonEmpty = Object.values(seed).some((v) => (v as readonly unknown[] | undefined)?.length);
  if (!nonEmpty) return 0;
  const targets = await call('findContacts', () => store.findContacts(tenantId, seed));
  return recompute(store, tenantId, targets, new Set(), Promise.resolve());
}

/**
 * Recomputes the suggestions of `targets`, which hold every contact holding one of `complete` (emails whose holders
 * need no read), once `written` (a write the new suggestions must follow) has settled.
 * @internal
 */
export async function recompute(
  store: MappingStore,
  tenantId: string,
  targets: readonly PsaContact[],
  complete: ReadonlySet<string>,
  written: Promise<void>,
): Promise<number> {
  if (targets.length === 0) {
    await written;
    return 0;
  }
  const keys = targets.map((c) => contactKeys(c));
  const emails = unique(keys.flatMap((k) => k.emails));
  const companyNames: { companyId: string; name: string }[] = [];
  const seen = new Set<string>();
  targets.forEach((contact, i) => {
    const name = keys[i]!.name;
    const key = `${contact.companyId}\u0001${name}`;
    if (name === '' || seen.has(key)) return;
    seen.add(key);
    companyNames.push({ companyId: contact.companyId, name });
  });
  // Everything the targets' suggestions depend on, read side by side: their companies' customers, the contacts
  // sharing their emails, and the end-users holding those emails or their names in their customer.
  const [links, sharers, users] = await Promise.all([
    Promise.all(
      unique(targets.map((c) => c.companyId)).map((companyId) =>
        call('customerForCompany', () => store.customerForCompany(tenantId, companyId)),
      ),
    ),
    emails.some((e) => !complete.has(e))
      ? call('findContacts', () =>
          store.findContacts(tenantId, { emails: emails.filter((e) => !complete.has(e)) }),
        )
      : Promise.resolve([] as PsaContact[]),
    call('findEndUsers', () => store.findEndUsers(tenantId, { emails, companyNames })),
  ]);
  const companyLinks = links.filter((l) => l !== null);
  // The targets as given win over what a read returned (a write of one may still be on its way).
  const universe = new Map<string, PsaContact>();
  for (const contact of [...sharers, ...targets]) universe.set(contact.id, contact);
  // Links matter for the targets (a linked one gets none) and the end-users (a linked one is offered to nobody).
  const contactLinks = await call('findContactLinks', () =>
    store.findContactLinks(tenantId, {
      contactIds: targets.map((c) => c.id),
      endUserIds: users.map((u) => u.id),
    }),
  );
  const targetIds = new Set(targets.map((c) => c.id));
  await written;
  const suggestions = suggestContactMatches([...universe.values()], asEndUsers(users, tenantId), {
    companyLinks,
    contactLinks,
  }).filter((s) => targetIds.has(s.contactId));
  await call('replaceSuggestions', () =>
    store.replaceSuggestions(tenantId, { contacts: { contactIds: [...targetIds], suggestions } }),
  );
  return targetIds.size;
}

/** The lookup of the contacts whose suggestions an end-user (as kept) can be part of. @internal */
export function endUserSeed(users: readonly MatchEndUser[]): ContactLookup {
  const emails: string[] = [];
  const names: { customerId: string; name: string }[] = [];
  for (const user of users) {
    const keys = endUserKeys(user);
    if (keys.email !== '') emails.push(keys.email);
    if (user.customerId !== null && keys.name !== '')
      names.push({ customerId: user.customerId, name: keys.name });
  }
  return { emails: unique(emails), names };
}

/**
 * Keeps the suggestions right after a contact link changed (linked, or unlinked): the contact itself, and every
 * contact the end-user is (or was) a candidate of.
 * @internal
 */
export async function afterContactLinkChange(
  store: MappingStore,
  tenantId: string,
  contactId: string,
  endUserId: string,
): Promise<void> {
  const users = await call('findEndUsers', () => store.findEndUsers(tenantId, { ids: [endUserId] }));
  const seed = endUserSeed(users);
  await refreshContactSuggestions(store, tenantId, { ...seed, ids: [contactId] });
}

/** Keeps the suggestions right after a company link changed: every company's, and the company's contacts'. @internal */
export async function afterCompanyLinkChange(
  store: MappingStore,
  tenantId: string,
  companyId: string,
): Promise<void> {
  await refreshCompanySuggestions(store, tenantId);
  await refreshContactSuggestions(store, tenantId, { companyIds: [companyId] });
}
