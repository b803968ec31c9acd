import type { SourcePhone, SourceRecord } from '../types.js';
import type { ScimContactValue, ScimUserRecord } from './scim-user.js';

/** SCIM phone types QDesk passes on, and what each is: a mobile can take SMS, a work number is an office line. */
const PHONE_KIND = new Map<string, SourcePhone['kind']>([
  ['mobile', 'mobile'],
  ['work', 'business'],
]);

/** The primary email; else the first work (or untyped) one. */
function mainEmail(emails: ScimContactValue[]): ScimContactValue | null {
  return emails.find((e) => e.primary) ?? emails.find((e) => e.type === 'work' || e.type === null) ?? null;
}

function displayNameOf(record: ScimUserRecord): string {
  const { user } = record;
  const parts = [user.name?.givenName, user.name?.familyName].filter((p): p is string => Boolean(p));
  return user.displayName ?? user.name?.formatted ?? (parts.length > 0 ? parts.join(' ') : user.userName);
}

/**
 * A SCIM user as the directory sync reads people from a source: `externalId` is QDesk's SCIM `id`; the primary email
 * (else the first work or untyped one) is `email` and the others `otherEmails`; `mobile` phone numbers become
 * `{ kind: 'mobile', source: 'scim' }` and `work` ones `business`; `changedAt` is `meta.lastModified`. Other phone
 * types (home, fax, pager, other) are not passed on: nothing says the user answers them. The display name is
 * `displayName`, else `name.formatted`, else the given and family names, else `userName`.
 *
 * @example
 * ```ts
 * onChange(customerId, { type: 'upsert', record: scimUserToSourceRecord(record) });
 * ```
 * @public
 */
export function scimUserToSourceRecord(record: ScimUserRecord): SourceRecord {
  const { user } = record;
  const main = mainEmail(user.emails);
  const seen = new Set(main ? [main.value.toLowerCase()] : []);
  const otherEmails: string[] = [];
  for (const email of user.emails) {
    const key = email.value.toLowerCase();
    if (!seen.has(key)) {
      seen.add(key);
      otherEmails.push(email.value);
    }
  }
  const phones: SourcePhone[] = [];
  for (const phone of user.phoneNumbers) {
    const kind = phone.type === null ? undefined : PHONE_KIND.get(phone.type);
    if (kind && !phones.some((p) => p.kind === kind && p.number === phone.value)) {
      phones.push({ number: phone.value, kind, source: 'scim' });
    }
  }
  return {
    externalId: record.id,
    email: main?.value ?? null,
    otherEmails,
    displayName: displayNameOf(record),
    phones,
    active: user.active,
    changedAt: record.lastModified,
  };
}
