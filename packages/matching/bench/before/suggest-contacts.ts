// src/suggest-contacts.ts as it was before the linear-time work, copied unchanged but for the types (from the
// public API), so that bench/suggest.ts can run it beside the current one on the same records.
import type { EndUser } from '@qdesk/core';
import type { PsaContact } from '@qdesk/core/ports';
import type { ContactLink, ContactMatchReason, ContactMatchSuggestion, MatchConflict } from '@qdesk/matching';
import { checkRecords, SHAPES } from './_inputs.js';
import { createPersonKeys } from './_person-keys.js';
import { addConflict, addOne, NONE, type OneOrMany, push } from './_suggestions.js';
import { normalizeEmail } from './normalize.js';
import type { CompanyPair } from './suggest-companies.js';

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

/** The contact's emails, normalised, without blanks or repeats. */
function emailKeys(emails: readonly string[]): string[] {
  const out: string[] = [];
  for (const email of emails) {
    const key = normalizeEmail(email);
    if (key !== '' && !out.includes(key)) out.push(key);
  }
  return out;
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
 * verification code to the wrong person. The cost grows linearly: end-users and contacts are indexed by email once,
 * names per customer when first needed, then each contact is looked up.
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
  const linkedContacts = new Set<string>();
  const linkedEndUsers = new Set<string>();
  for (const link of options.contactLinks ?? []) {
    linkedContacts.add(link.contactId);
    linkedEndUsers.add(link.endUserId);
  }
  const keys = createPersonKeys();

  // Every end-user by email (duplicates are conflicts whatever the customer); unlinked ones by customer for names.
  const usersByEmail: OneOrMany<EndUser> = new Map();
  const usersByCustomer = new Map<string, EndUser[]>();
  const seenUsers = new Set<string>();
  for (const user of endUsers) {
    if (seenUsers.has(user.id)) continue; // an end-user given twice counts once, as first given
    seenUsers.add(user.id);
    const email = normalizeEmail(user.email);
    if (email !== '') addOne(usersByEmail, email, user);
    if (user.customerId !== undefined && !linkedEndUsers.has(user.id))
      push(usersByCustomer, user.customerId, user);
  }
  // Names are keyed per customer on first use, so customers whose contacts all match by email cost nothing.
  const namesByCustomer = new Map<string, OneOrMany<EndUser>>();
  const namesOf = (customerId: string) => {
    let names = namesByCustomer.get(customerId);
    if (!names) {
      names = new Map();
      for (const user of usersByCustomer.get(customerId) ?? NONE) {
        const key = keys.endUser(user.displayName);
        if (key !== '') addOne(names, key, user);
      }
      namesByCustomer.set(customerId, names);
    }
    return names;
  };

  // Every contact by email: an email on two contacts is a conflict. A contact given twice counts once (`null`).
  const contactsByEmail: OneOrMany<string> = new Map();
  const emailsAt: (string[] | null)[] = new Array(contacts.length);
  const seenContacts = new Set<string>();
  for (let i = 0; i < contacts.length; i++) {
    const contact = contacts[i]!;
    if (seenContacts.has(contact.id)) {
      emailsAt[i] = null;
      continue;
    }
    seenContacts.add(contact.id);
    const emails = emailKeys(contact.emails);
    emailsAt[i] = emails;
    for (const email of emails) addOne(contactsByEmail, email, contact.id);
  }

  const out: ContactMatchSuggestion[] = [];
  // Reused for every contact: most have one candidate and no conflict, and allocate nothing here.
  const found: EndUser[] = [];
  const conflictsOf: (MatchConflict[] | null)[] = [];
  for (let i = 0; i < contacts.length; i++) {
    const contact = contacts[i]!;
    const emails = emailsAt[i];
    if (emails === null || linkedContacts.has(contact.id)) continue;
    const customerId = customerOf.get(contact.companyId);
    if (customerId === undefined) continue;

    found.length = 0;
    conflictsOf.length = 0;
    for (const email of emails!) {
      const holders = usersByEmail.get(email);
      if (holders === undefined) continue;
      const several = Array.isArray(holders);
      for (let h = 0; h < (several ? holders.length : 1); h++) {
        const user = several ? holders[h]! : holders;
        if (user.customerId !== customerId || linkedEndUsers.has(user.id)) continue;
        let at = found.indexOf(user);
        if (at < 0) at = found.push(user) - 1;
        const sharers = contactsByEmail.get(email)!;
        if (!Array.isArray(sharers) && !several) continue;
        let conflicts = conflictsOf[at];
        if (!conflicts) {
          conflicts = [];
          conflictsOf[at] = conflicts;
        }
        if (Array.isArray(sharers)) {
          addConflict(conflicts, { type: 'email_on_several_contacts', email, contactIds: [...sharers] });
        }
        if (several) {
          addConflict(conflicts, {
            type: 'email_on_several_end_users',
            email,
            endUserIds: holders.map((u) => u.id),
          });
        }
      }
    }

    const nameKey = keys.contact(contact.firstName, contact.lastName);
    if (found.length > 0) {
      const tie = found.length > 1 ? [...found] : found;
      for (let k = 0; k < found.length; k++) {
        const user = found[k]!;
        const reasons =
          nameKey !== '' && keys.endUser(user.displayName) === nameKey ? BY_EMAIL_AND_NAME : BY_EMAIL;
        out.push(suggestion(contact, customerId, user, reasons, tie, conflictsOf[k] ?? NONE, true));
      }
    } else if (nameKey !== '') {
      const named = namesOf(customerId).get(nameKey);
      if (named === undefined) continue;
      const tie = Array.isArray(named) ? named : [named];
      for (const user of tie) out.push(suggestion(contact, customerId, user, BY_NAME, tie, NONE, false));
    }
  }
  return out;
}
