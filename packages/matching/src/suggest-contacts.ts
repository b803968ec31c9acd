import type { EndUser } from '@qdesk/core';
import type { PsaContact } from '@qdesk/core/ports';
import { checkRecords, SHAPES } from './_inputs.js';
import { createPersonKeys } from './_person-keys.js';
import { addOne, KeyIndex, NONE, type OneOrMany, push } from './_suggestions.js';
import { normalizeEmail } from './normalize.js';
import type { CompanyPair } from './suggest-companies.js';
import type { ContactLink, ContactMatchReason, ContactMatchSuggestion, MatchConflict } from './types.js';

/** The part of a {@link ContactLink} suggestions need: which contact is already linked to which end-user. @public */
export type ContactPair = Pick<ContactLink, 'contactId' | 'endUserId'>;

/** Options for {@link suggestContactMatches}. @public */
export interface ContactSuggestionOptions {
  /** Confirmed company links: a contact is only matched within its company's customer. */
  companyLinks: readonly CompanyPair[];
  /** Confirmed contact links: these contacts are not suggested again and these end-users are not offered. */
  contactLinks?: readonly ContactPair[];
}

const BY_EMAIL: readonly ContactMatchReason[] = Object.freeze(['same_email']);
const BY_EMAIL_AND_NAME: readonly ContactMatchReason[] = Object.freeze(['same_email', 'same_name_person']);
const BY_NAME: readonly ContactMatchReason[] = Object.freeze(['same_name_person']);

function suggestion(
  contact: PsaContact,
  customerId: string,
  user: EndUser,
  reasons: readonly ContactMatchReason[],
  tie: readonly EndUser[],
  conflicts: readonly MatchConflict[],
  strongWhenClean: boolean,
): ContactMatchSuggestion {
  const tied = tie.length > 1;
  return {
    contactId: contact.id,
    companyId: contact.companyId,
    customerId,
    endUserId: user.id,
    reason: reasons[0]!,
    reasons,
    strength: strongWhenClean && !tied && conflicts.length === 0 ? 'strong' : 'weak',
    tie: tied,
    ties: tied ? tie.filter((u) => u.id !== user.id).map((u) => u.id) : NONE,
    conflicts,
    inactive: !contact.isActive,
  };
}

/** Whether `slots` holds `slot` from `from` up to `to`: a contact's few emails, so a plain scan. */
function held(slots: Int32Array, from: number, to: number, slot: number): boolean {
  for (let s = from; s < to; s++) if (slots[s] === slot) return true;
  return false;
}

/**
 * Suggests an end-user for each PSA contact that is not linked yet, within the customer its company is linked to
 * (end-users of that customer through `customerId`; contacts of unlinked companies get no suggestion).
 *
 * | rule | strength |
 * |---|---|
 * | one of the contact's emails equals the end-user's email after {@link normalizeEmail} | `strong` |
 * | the contact's emails lead to several end-users | `weak`, each marked `tie` |
 * | that email is on another contact too, or on another end-user (any customer) | `weak`, with the conflict listed |
 * | no email matches; first + last name equal the display name after {@link normalizePersonName} | `weak` (`tie` when several) |
 *
 * Email comes first: names are only compared when no email leads anywhere (a name that also agrees is added to
 * `reasons`). Inactive contacts are suggested like the others with `inactive: true`. Suggestions come in the order of
 * `contacts`. A contact never has more than one strong suggestion, and neither has an end-user: a strong suggestion
 * needs an email held by one contact and one end-user only. Pass one tenant's records.
 *
 * Note: a name alone is never strong: two people can share one within a company, and a wrong link sends the
 * verification code to the wrong person. The cost grows linearly: ids, emails and names are numbered once each in
 * flat hash tables, names are indexed per customer when first needed, then each contact is looked up by those
 * numbers.
 * @example
 * ```ts
 * const suggestions = suggestContactMatches(contacts, directory.list(tenantId), {
 *   companyLinks: await store.listCompanyLinks(tenantId),
 *   contactLinks: await store.listContactLinks(tenantId),
 * });
 * ```
 * @throws `InputError` naming the first malformed field.
 * @public
 */
export function suggestContactMatches(
  contacts: readonly PsaContact[],
  endUsers: readonly EndUser[],
  options: ContactSuggestionOptions,
): ContactMatchSuggestion[] {
  const operation = 'suggestContactMatches';
  checkRecords(operation, 'contacts', contacts, SHAPES.contact);
  checkRecords(operation, 'endUsers', endUsers, SHAPES.endUser);
  checkRecords(operation, 'options.companyLinks', options?.companyLinks, SHAPES.companyPair);
  checkRecords(operation, 'options.contactLinks', options.contactLinks ?? [], SHAPES.contactPair);

  const customerOf = new Map(options.companyLinks.map((l) => [l.companyId, l.customerId]));
  const keys = createPersonKeys();

  // End-users and contacts are numbered by id (one given twice counts once, as first given), and what is known of
  // each is kept in arrays under its number: at a million records, lookups in `Map`s took half the time.
  const users: EndUser[] = [];
  const userIds = new KeyIndex(endUsers.length);
  for (const user of endUsers) if (userIds.add(user.id) === users.length) users.push(user);
  const contactIds = new KeyIndex(contacts.length);
  const repeated = new Uint8Array(contacts.length);
  for (let i = 0; i < contacts.length; i++) {
    const size = contactIds.size;
    if (contactIds.add(contacts[i]!.id) < size) repeated[i] = 1;
  }
  const linkedUser = new Uint8Array(users.length);
  const linkedContact = new Uint8Array(contactIds.size);
  for (const link of options.contactLinks ?? []) {
    const user = userIds.find(link.endUserId);
    if (user >= 0) linkedUser[user] = 1;
    const contact = contactIds.find(link.contactId);
    if (contact >= 0) linkedContact[contact] = 1;
  }

  // Each distinct end-user email is numbered too (a slot), with the end-users holding it, any customer (duplicates
  // are conflicts whatever the customer): the first in `holderOf`, all of them in `holdersOf` when there are several.
  // The names of unlinked end-users with a customer are numbered the same way, so names are compared as numbers.
  const emails = new KeyIndex(users.length, true);
  const holderOf = new Int32Array(users.length);
  const holdersOf = new Map<number, number[]>();
  const names = new KeyIndex(64); // grows: names repeat, and a sparse table would miss the caches on every lookup
  const nameOf = new Int32Array(users.length).fill(-1);
  const usersByCustomer = new Map<string, number[]>();
  for (let u = 0; u < users.length; u++) {
    const user = users[u]!;
    if (user.email.trim() !== '') {
      const size = emails.size;
      const slot = emails.add(user.email);
      if (slot === size) holderOf[slot] = u;
      else push(holdersOf, slot, u, holderOf[slot]);
    }
    if (user.customerId === undefined || linkedUser[u] === 1) continue;
    const name = keys.endUser(user.displayName);
    if (name === '') continue;
    nameOf[u] = names.add(name);
    let mates = usersByCustomer.get(user.customerId);
    if (mates === undefined) {
      mates = [];
      usersByCustomer.set(user.customerId, mates);
    }
    mates.push(u);
  }
  // A customer's end-users by name number, indexed on first use: customers whose contacts all match by email cost
  // nothing.
  const namesByCustomer = new Map<string, OneOrMany<number, number>>();
  const namesOf = (customerId: string) => {
    let byName = namesByCustomer.get(customerId);
    if (!byName) {
      byName = new Map();
      for (const u of usersByCustomer.get(customerId) ?? NONE) addOne(byName, nameOf[u]!, u);
      namesByCustomer.set(customerId, byName);
    }
    return byName;
  };

  // Each contact's emails that some end-user holds, as slots: `slots[slotsFrom[i]]` up to `slots[slotsFrom[i + 1]]`,
  // in the contact's order without repeats. An email no end-user holds leads nowhere and is dropped here. The same
  // pass counts the contacts holding each slot (an email on two contacts is a conflict) and lists them when several.
  let emailCount = 0;
  for (const contact of contacts) emailCount += contact.emails.length;
  const slots = new Int32Array(emailCount);
  const slotsFrom = new Int32Array(contacts.length + 1);
  const sharerCount = new Int32Array(emails.size);
  const sharersOf = new Map<number, string[]>();
  const firstSharer = new Int32Array(emails.size);
  let end = 0;
  for (let i = 0; i < contacts.length; i++) {
    slotsFrom[i] = end;
    if (repeated[i] === 1) continue;
    const contact = contacts[i]!;
    for (const email of contact.emails) {
      const slot = emails.find(email);
      if (slot < 0 || held(slots, slotsFrom[i]!, end, slot)) continue;
      slots[end++] = slot;
      const count = ++sharerCount[slot]!;
      if (count === 1) firstSharer[slot] = i;
      else push(sharersOf, slot, contact.id, contacts[firstSharer[slot]!]!.id);
    }
  }
  slotsFrom[contacts.length] = end;

  const out: ContactMatchSuggestion[] = [];
  // Reused for every contact: most have one candidate and no conflict, and allocate nothing here.
  const found: EndUser[] = [];
  const foundAt: number[] = [];
  const conflictsOf: (MatchConflict[] | undefined)[] = [];
  for (let i = 0, c = -1; i < contacts.length; i++) {
    if (repeated[i] === 1) continue;
    c++; // the contact's number
    const contact = contacts[i]!;
    if (linkedContact[c] === 1) continue;
    const customerId = customerOf.get(contact.companyId);
    if (customerId === undefined) continue;

    found.length = 0;
    foundAt.length = 0;
    conflictsOf.length = 0;
    for (let s = slotsFrom[i]!; s < slotsFrom[i + 1]!; s++) {
      const slot = slots[s]!;
      const holders = holdersOf.get(slot);
      for (let h = 0; h < (holders === undefined ? 1 : holders.length); h++) {
        const u = holders === undefined ? holderOf[slot]! : holders[h]!;
        const user = users[u]!;
        if (user.customerId !== customerId || linkedUser[u] === 1) continue;
        // An end-user has one email, so it is in one slot once: `found` needs no repeat check, and its conflicts
        // (at most one of each kind, for that email) are never equal.
        const at = found.push(user) - 1;
        foundAt.push(u);
        const sharers = sharerCount[slot]! > 1 ? sharersOf.get(slot)! : undefined;
        if (sharers === undefined && holders === undefined) continue;
        const email = normalizeEmail(emails.keys[slot]!);
        const conflicts: MatchConflict[] = [];
        if (sharers !== undefined) {
          conflicts.push({ type: 'email_on_several_contacts', email, contactIds: [...sharers] });
        }
        if (holders !== undefined) {
          conflicts.push({
            type: 'email_on_several_end_users',
            email,
            endUserIds: holders.map((n) => users[n]!.id),
          });
        }
        conflictsOf[at] = conflicts;
      }
    }

    // The contact's name number, or -1 when no end-user it could be suggested has that name.
    const nameKey = keys.contact(contact.firstName, contact.lastName);
    const name = nameKey === '' ? -1 : names.find(nameKey);
    if (found.length > 0) {
      const tie = found.length > 1 ? [...found] : found;
      for (let k = 0; k < found.length; k++) {
        const reasons = name >= 0 && nameOf[foundAt[k]!] === name ? BY_EMAIL_AND_NAME : BY_EMAIL;
        out.push(suggestion(contact, customerId, found[k]!, reasons, tie, conflictsOf[k] ?? NONE, true));
      }
    } else if (name >= 0) {
      const named = namesOf(customerId).get(name);
      if (named === undefined) continue;
      const tie = typeof named === 'number' ? [users[named]!] : named.map((u) => users[u]!);
      for (const user of tie) out.push(suggestion(contact, customerId, user, BY_NAME, tie, NONE, false));
    }
  }
  return out;
}
