import { describe, expect, it } from 'vitest';
import type { ScimUserData, ScimUserRecord } from './scim-user.js';
import { scimUserToSourceRecord } from './to-source-record.js';

const record = (user: Partial<ScimUserData>): ScimUserRecord => ({
  id: 'scim-1',
  user: {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName: 'pat@example.com',
    externalId: 'entra-object-id',
    active: true,
    displayName: null,
    name: null,
    emails: [],
    phoneNumbers: [],
    extra: {},
    ...user,
  },
  created: 1000,
  lastModified: 9000,
  version: 3,
});
const email = (value: string, type: string | null, primary = false) => ({ value, type, primary });

describe('scimUserToSourceRecord', () => {
  it('uses the SCIM id as externalId, lastModified as changedAt, and keeps active', () => {
    expect(scimUserToSourceRecord(record({ active: false }))).toEqual({
      externalId: 'scim-1',
      email: null,
      otherEmails: [],
      displayName: 'pat@example.com',
      phones: [],
      active: false,
      changedAt: 9000,
    });
  });

  it('takes the primary email, else the first work or untyped one, and passes the rest as otherEmails', () => {
    const primary = [
      email('home@example.net', 'home'),
      email('work@example.com', 'work'),
      email('main@example.com', 'other', true),
    ];
    expect(scimUserToSourceRecord(record({ emails: primary }))).toMatchObject({
      email: 'main@example.com',
      otherEmails: ['home@example.net', 'work@example.com'],
    });
    const work = [email('home@example.net', 'home'), email('work@example.com', 'work')];
    expect(scimUserToSourceRecord(record({ emails: work }))).toMatchObject({
      email: 'work@example.com',
      otherEmails: ['home@example.net'],
    });
    expect(scimUserToSourceRecord(record({ emails: [email('plain@example.com', null)] }))).toMatchObject({
      email: 'plain@example.com',
      otherEmails: [],
    });
    // A home address alone is not where codes go unless the directory decides so: it stays in otherEmails.
    expect(scimUserToSourceRecord(record({ emails: [email('home@example.net', 'home')] }))).toMatchObject({
      email: null,
      otherEmails: ['home@example.net'],
    });
    const repeated = [
      email('a@example.com', 'work', true),
      email('A@EXAMPLE.com', 'home'),
      email('b@example.com', 'home'),
      email('b@example.com', 'other'),
    ];
    expect(scimUserToSourceRecord(record({ emails: repeated })).otherEmails).toEqual(['b@example.com']);
  });

  it('passes mobile numbers as mobile and work numbers as business, from SCIM, and no other type', () => {
    const phones = [
      email('+1 425 555 0100', 'mobile'),
      email('+1 425 555 0101', 'work'),
      email('+1 425 555 0102', 'fax'),
      email('+1 425 555 0103', 'home'),
      email('+1 425 555 0104', null),
      email('+1 425 555 0100', 'mobile', true),
      email('+1 425 555 0105', 'constructor'),
    ];
    expect(scimUserToSourceRecord(record({ phoneNumbers: phones })).phones).toEqual([
      { number: '+1 425 555 0100', kind: 'mobile', source: 'scim' },
      { number: '+1 425 555 0101', kind: 'business', source: 'scim' },
    ]);
  });

  it('names the user by displayName, else name.formatted, else given and family names, else userName', () => {
    const name = (user: Partial<ScimUserData>) => scimUserToSourceRecord(record(user)).displayName;
    expect(name({ displayName: 'Pat Lee', name: { formatted: 'Ms. Pat Lee' } })).toBe('Pat Lee');
    expect(name({ name: { formatted: 'Ms. Pat Lee', givenName: 'Pat' } })).toBe('Ms. Pat Lee');
    expect(name({ name: { givenName: 'Pat', familyName: 'Lee' } })).toBe('Pat Lee');
    expect(name({ name: { familyName: 'Lee' } })).toBe('Lee');
    expect(name({})).toBe('pat@example.com');
  });
});
