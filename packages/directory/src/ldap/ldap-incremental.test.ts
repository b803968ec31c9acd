import { describe, expect, it } from 'vitest';
import type { SourcePage, SourceRecord } from '../types.js';
import type { LdapSourceConfig } from './ldap-config.js';
import { formatObjectGuid } from './ldap-entry.js';
import { createLdapSource } from './ldap-source.js';
import { hasSlapd } from './slapd.test-helpers.js';
import { readAll, useSlapd } from './slapd-fixture.test-helpers.js';
import { BASE_DN, dnOf, generalizedTime, modifyLdif, testUser } from './test-people.test-helpers.js';

const PEOPLE = 300;
const slapd = useSlapd({ users: PEOPLE });

function source(overrides: Partial<LdapSourceConfig> = {}) {
  return createLdapSource({
    url: slapd.url,
    bindDN: slapd.reader.bindDN,
    password: slapd.reader.password,
    baseDN: BASE_DN,
    pageSize: 100,
    retries: 0,
    ...overrides,
  });
}

const records = (pages: SourcePage[]): SourceRecord[] =>
  pages.flatMap((page) =>
    page.changes.flatMap((change) => (change.type === 'upsert' ? [change.record] : [])),
  );

const guid = (n: number) => formatObjectGuid(testUser(n).guid)!;

/** Reads from `cursor` to the end: the records and the cursor the next read starts from. */
async function readFrom(cursor: string | null, overrides: Partial<LdapSourceConfig> = {}) {
  const pages = await readAll(source(overrides).read({ cursor }));
  expect(pages.at(-1)?.done).toBe(true);
  return { pages, records: records(pages), cursor: pages.at(-1)!.cursor };
}

/** A change as Active Directory makes it: the attributes, and `whenChanged` set to now. */
const change = (n: number, attributes: Record<string, string | number | null>) =>
  modifyLdif(testUser(n), { ...attributes, whenChanged: generalizedTime(Date.now()) });

describe.skipIf(!hasSlapd)('LDAP source: incremental reads on whenChanged', () => {
  let checkpoint: string | null = null;

  it('a full read leaves a checkpoint, and an incremental read right after it reports nobody', async () => {
    const full = await readFrom(null);
    expect(full.records).toHaveLength(PEOPLE);
    const next = await readFrom(full.cursor);
    expect(next.records).toEqual([]);
    expect(next.pages).toHaveLength(1);
    checkpoint = next.cursor;
  });

  it('reports only the people who changed: a new mobile, a disabled account, a removed office number, a newcomer', async () => {
    await slapd.modify(
      [
        change(5, { mobile: '+44 7700 900999' }),
        change(6, { userAccountControl: 514 }),
        change(7, { telephoneNumber: null }),
      ].join('\n'),
    );
    await slapd.add([testUser(PEOPLE + 1, { whenChanged: generalizedTime(Date.now()) })]);
    const next = await readFrom(checkpoint);
    const byId = new Map(next.records.map((record) => [record.externalId, record]));
    expect(new Set(byId.keys())).toEqual(new Set([guid(5), guid(6), guid(7), guid(PEOPLE + 1)]));
    expect(next.records).toHaveLength(4);
    expect(byId.get(guid(5))!.phones).toEqual([
      { number: '+44 7700 900999', kind: 'mobile', source: 'directory' },
      { number: '+1 (202) 555-0005', kind: 'business', source: 'directory' },
    ]);
    expect(byId.get(guid(5))!.changedAt).toBeGreaterThan(Date.now() - 60_000);
    expect(byId.get(guid(6))!.active).toBe(false);
    expect(byId.get(guid(7))!.phones.map((phone) => phone.kind)).toEqual(['mobile']);
    checkpoint = next.cursor;
  });

  it("does not report the same change twice, though it falls in the next read's window", async () => {
    const again = await readFrom(checkpoint);
    expect(again.records).toEqual([]);
    await slapd.modify(change(5, { mobile: '+44 7700 900888' }));
    const next = await readFrom(again.cursor);
    expect(next.records.map((record) => record.externalId)).toEqual([guid(5)]);
    expect(next.records[0]!.phones[0]!.number).toBe('+44 7700 900888');
    checkpoint = next.cursor;
  });

  it('never reports a deletion: a person removed is missing from the next full read only', async () => {
    await slapd.modify(`dn: ${dnOf(testUser(10))}\nchangetype: delete\n`);
    const next = await readFrom(checkpoint);
    expect(next.records).toEqual([]);
    expect(next.pages.flatMap((page) => page.changes).filter((c) => c.type === 'delete')).toEqual([]);
    const full = await readFrom(null);
    const ids = new Set(full.records.map((record) => record.externalId));
    expect(ids.has(guid(10))).toBe(false);
    expect(ids.size).toBe(PEOPLE); // 300 loaded, one added, one removed
  });
});

describe.skipIf(!hasSlapd)("LDAP source: OpenLDAP's own attributes (entryUUID, modifyTimestamp)", () => {
  const openldap: Partial<LdapSourceConfig> = {
    filter: '(objectClass=inetOrgPerson)',
    attributes: { id: 'entryUUID', whenChanged: 'modifyTimestamp' },
  };

  it('reads ids as text and follows the change times the server keeps itself', async () => {
    const full = await readFrom(null, openldap);
    expect(full.records.length).toBeGreaterThan(250);
    for (const record of full.records) {
      expect(record.externalId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    }
    // Every person was loaded moments ago, inside the clock-skew window: they are all searched again, and none is
    // reported, because the checkpoint lists them with the change time already reported.
    const quiet = await readFrom(full.cursor, openldap);
    expect(quiet.records).toEqual([]);
    await slapd.modify(modifyLdif(testUser(20), { mobile: '+44 7700 900777' })); // no whenChanged: slapd stamps it
    const next = await readFrom(quiet.cursor, openldap);
    expect(next.records.map((record) => record.email)).toEqual(['user00020@corp.example']);
    expect(next.records[0]!.phones[0]!.number).toBe('+44 7700 900777');
  });
});
