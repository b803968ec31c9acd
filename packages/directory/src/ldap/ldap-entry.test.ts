import { describe, expect, it } from 'vitest';
import {
  AD_ATTRIBUTE_NAMES,
  entryToRecord,
  formatGeneralizedTime,
  formatObjectGuid,
  type LdapEntry,
  parseGeneralizedTime,
} from './ldap-entry.js';

const GUID_BYTES = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');

describe('formatObjectGuid', () => {
  it('reads the first three groups little-endian, as Active Directory shows a GUID', () => {
    expect(formatObjectGuid(GUID_BYTES)).toBe('03020100-0504-0706-0809-0a0b0c0d0e0f');
    // The GUID AD shows as {6f9619ff-8b86-d011-b42d-00c04fc964ff} is stored as these bytes.
    expect(formatObjectGuid(Buffer.from('ff19966f868b11d0b42d00c04fc964ff', 'hex'))).toBe(
      '6f9619ff-8b86-d011-b42d-00c04fc964ff',
    );
  });

  it('refuses a value that is not 16 bytes', () => {
    expect(formatObjectGuid(Buffer.alloc(15))).toBeNull();
    expect(formatObjectGuid(Buffer.alloc(17))).toBeNull();
  });
});

describe('generalized time', () => {
  it("parses Active Directory's form with a fraction and Z", () => {
    expect(parseGeneralizedTime('20261130120000.0Z')).toBe(Date.UTC(2026, 10, 30, 12, 0, 0));
    expect(parseGeneralizedTime('20261130120000.5Z')).toBe(Date.UTC(2026, 10, 30, 12, 0, 0, 500));
  });

  it("parses OpenLDAP's form, minutes only, and offsets from UTC", () => {
    expect(parseGeneralizedTime('20261130120000Z')).toBe(Date.UTC(2026, 10, 30, 12, 0, 0));
    expect(parseGeneralizedTime('202611301200Z')).toBe(Date.UTC(2026, 10, 30, 12, 0));
    expect(parseGeneralizedTime('20261130120000+0100')).toBe(Date.UTC(2026, 10, 30, 11, 0, 0));
    expect(parseGeneralizedTime('20261130120000-0530')).toBe(Date.UTC(2026, 10, 30, 17, 30, 0));
    expect(parseGeneralizedTime('2026113012.5Z')).toBe(Date.UTC(2026, 10, 30, 12, 30));
  });

  it('refuses what is not a generalized time', () => {
    for (const value of [
      '',
      'yesterday',
      '20261130120000',
      '20260230120000Z',
      '20261130250000Z',
      '2026-11-30T12:00:00Z',
    ]) {
      expect(parseGeneralizedTime(value), value).toBeNull();
    }
  });

  it('writes whole seconds as Active Directory does, and reads back what it writes', () => {
    const at = Date.UTC(2026, 10, 30, 12, 34, 56, 789);
    expect(formatGeneralizedTime(at)).toBe('20261130123456.0Z');
    expect(parseGeneralizedTime(formatGeneralizedTime(at))).toBe(Date.UTC(2026, 10, 30, 12, 34, 56));
  });
});

describe('entryToRecord', () => {
  const entry = (attributes: Record<string, string | string[] | Buffer>): LdapEntry => ({
    dn: 'CN=A Person,OU=Staff,DC=corp,DC=example',
    objectGUID: GUID_BYTES,
    ...attributes,
  });

  it('maps mail, every mobile and office number, the name, the flags and the change time', () => {
    const record = entryToRecord(
      entry({
        mail: 'a.person@corp.example',
        mobile: ['+44 7700 900123', '07700 900456'],
        telephoneNumber: '(202) 555-0100',
        displayName: 'A Person',
        userAccountControl: '512',
        whenChanged: '20261130120000.0Z',
      }),
      AD_ATTRIBUTE_NAMES,
      'guid',
    );
    expect(record).toEqual({
      externalId: '03020100-0504-0706-0809-0a0b0c0d0e0f',
      email: 'a.person@corp.example',
      otherEmails: [],
      displayName: 'A Person',
      phones: [
        { number: '+44 7700 900123', kind: 'mobile', source: 'directory' },
        { number: '07700 900456', kind: 'mobile', source: 'directory' },
        { number: '(202) 555-0100', kind: 'business', source: 'directory' },
      ],
      active: true,
      changedAt: Date.UTC(2026, 10, 30, 12),
    });
  });

  it('reads the ACCOUNTDISABLE bit whatever other flags are set', () => {
    const active = (flags: string) =>
      (entryToRecord(entry({ userAccountControl: flags }), AD_ATTRIBUTE_NAMES, 'guid') as { active: boolean })
        .active;
    expect(active('514')).toBe(false); // NORMAL_ACCOUNT | ACCOUNTDISABLE
    expect(active('66050')).toBe(false); // ... | DONT_EXPIRE_PASSWORD
    expect(active('66048')).toBe(true); // NORMAL_ACCOUNT | DONT_EXPIRE_PASSWORD
    expect(active('512')).toBe(true);
  });

  it('treats an entry without flags, mail or change time as active, with no email and no change time', () => {
    expect(entryToRecord(entry({ cn: 'A Person' }), AD_ATTRIBUTE_NAMES, 'guid')).toMatchObject({
      email: null,
      displayName: 'A Person',
      phones: [],
      active: true,
      changedAt: null,
    });
  });

  it('matches attribute names whatever their case, and takes a text id as it is', () => {
    const record = entryToRecord(
      {
        dn: 'uid=a,ou=People,dc=corp,dc=example',
        entryuuid: 'B3F1A2C4-0000-4000-8000-000000000001',
        MAIL: 'a@corp.example',
      },
      { ...AD_ATTRIBUTE_NAMES, id: 'entryUUID' },
      'text',
    );
    expect(record).toMatchObject({
      externalId: 'B3F1A2C4-0000-4000-8000-000000000001',
      email: 'a@corp.example',
    });
  });

  it('reads a GUID that arrived as text because its bytes were valid UTF-8', () => {
    const bytes = Buffer.from('41424344454647484950515253545556', 'hex'); // "ABCDEFGHIPQRSTUV"
    const record = entryToRecord(
      { dn: 'cn=a', objectguid: bytes.toString('utf8') },
      AD_ATTRIBUTE_NAMES,
      'guid',
    );
    expect(record).toMatchObject({ externalId: formatObjectGuid(bytes) });
  });

  it('reports an entry without a usable id as a problem, naming the attribute', () => {
    expect(entryToRecord({ dn: 'cn=a' }, AD_ATTRIBUTE_NAMES, 'guid')).toEqual({
      problem: 'it has no objectGUID',
    });
    expect(entryToRecord({ dn: 'cn=a', objectGUID: Buffer.alloc(4) }, AD_ATTRIBUTE_NAMES, 'guid')).toEqual({
      problem: "its objectGUID is not a 16-byte GUID (idFormat 'guid')",
    });
  });
});
