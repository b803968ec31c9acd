import { z } from 'zod';
import type { SourcePhone, SourceRecord } from '../types.js';

/** The user properties a read asks for (`$select`), in Graph's names. */
export const USER_FIELDS = [
  'id',
  'displayName',
  'mail',
  'otherMails',
  'mobilePhone',
  'businessPhones',
  'accountEnabled',
  'userPrincipalName',
] as const;

const text = z.string().nullable().optional();
const list = z.array(z.string().nullable()).nullable().optional();

/** A user as `/users/delta` or `/users/{id}` returns it; a property may be absent (see {@link isCompleteUser}). */
export const graphUserSchema = z.looseObject({
  id: z.string().min(1),
  '@removed': z.looseObject({ reason: z.string().optional() }).optional(),
  displayName: text,
  mail: text,
  otherMails: list,
  mobilePhone: text,
  businessPhones: list,
  accountEnabled: z.boolean().nullable().optional(),
  userPrincipalName: text,
});

/** One user object of a delta page. */
export type GraphUser = z.output<typeof graphUserSchema>;

/** A delta page: `value` plus a next-page link or, on the last page, the delta link. */
export const deltaPageSchema = z.looseObject({
  value: z.array(z.unknown()),
  '@odata.nextLink': z.string().optional(),
  '@odata.deltaLink': z.string().optional(),
});

/** `/users/{id}/authentication/phoneMethods`: at most one phone of each type. */
export const phoneMethodsSchema = z.looseObject({
  value: z.array(
    z.looseObject({
      phoneNumber: z.string().nullable().optional(),
      phoneType: z.string().nullable().optional(),
    }),
  ),
});

/** The phone types Graph registers for MFA: all three count as MFA phones. */
const MFA_PHONE_TYPES = new Set(['mobile', 'alternateMobile', 'office']);

/**
 * Whether a delta object carries the user's whole state, or only some changed properties.
 *
 * Note: by default (no `Prefer: return=minimal`, which this source never sends) Graph documents that delta objects
 * hold every selected property: the new value of a changed one, the old value of an unchanged one, and nothing for a
 * property that was never set (so absent `mail` or `mobilePhone` means none). Graph's general rule is weaker
 * ("updated instances are represented by their id with at least the properties that have been updated"), so an
 * object is trusted as whole only when it has the three properties every Entra user always has (`accountEnabled`,
 * `displayName`, `userPrincipalName`); anything less is read again with `GET /users/{id}` before it becomes a record.
 */
export function isCompleteUser(user: GraphUser): boolean {
  return (
    user.accountEnabled !== undefined &&
    user.displayName !== undefined &&
    user.userPrincipalName !== undefined
  );
}

const clean = (value: string | null | undefined): string | null => {
  const trimmed = value?.trim() ?? '';
  return trimmed === '' ? null : trimmed;
};

/** The numbers registered as MFA phone methods, in Graph's order. */
export function mfaPhones(methods: z.output<typeof phoneMethodsSchema>): SourcePhone[] {
  const phones: SourcePhone[] = [];
  for (const method of methods.value) {
    const number = clean(method.phoneNumber);
    if (number !== null && MFA_PHONE_TYPES.has(method.phoneType ?? '')) {
      phones.push({ number, kind: 'mfa', source: 'idp_mfa' });
    }
  }
  return phones;
}

/**
 * A whole Graph user as a `SourceRecord`. `mail` is the email; `otherMails` the other emails (the user
 * principal name is a sign-in name, not a mailbox, so it is never a contact point: it only names a user without a
 * display name). `active` is `accountEnabled === true`, so an account whose state is unknown is not verified against.
 * Graph says nothing about when a user changed, so `changedAt` is `null`.
 */
export function toSourceRecord(user: GraphUser, mfa: readonly SourcePhone[]): SourceRecord {
  const email = clean(user.mail);
  const seen = new Set(email === null ? [] : [email.toLowerCase()]);
  const otherEmails: string[] = [];
  for (const other of user.otherMails ?? []) {
    const value = clean(other);
    if (value !== null && !seen.has(value.toLowerCase())) {
      seen.add(value.toLowerCase());
      otherEmails.push(value);
    }
  }
  const phones: SourcePhone[] = [...mfa];
  const mobile = clean(user.mobilePhone);
  if (mobile !== null) phones.push({ number: mobile, kind: 'mobile', source: 'directory' });
  for (const business of user.businessPhones ?? []) {
    const number = clean(business);
    if (number !== null) phones.push({ number, kind: 'business', source: 'directory' });
  }
  return {
    externalId: user.id,
    email,
    otherEmails,
    displayName: clean(user.displayName) ?? clean(user.userPrincipalName) ?? email ?? user.id,
    phones,
    active: user.accountEnabled === true,
    changedAt: null,
  };
}

/**
 * Keeps one object per user, the last one, at its last position: Graph may list a user twice in a response when it
 * changed twice, and the later object is the newer state.
 */
export function lastPerUser(users: readonly GraphUser[]): GraphUser[] {
  const last = new Map<string, number>();
  users.forEach((user, index) => {
    last.set(user.id, index);
  });
  return users.filter((user, index) => last.get(user.id) === index);
}
