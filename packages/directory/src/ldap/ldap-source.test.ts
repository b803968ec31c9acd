import { AdapterError, InputError } from '@qdesk/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourcePage, SourceRecord } from '../types.js';
import type { LdapSourceConfig } from './ldap-config.js';
import { formatObjectGuid } from './ldap-entry.js';
import { createLdapSource } from './ldap-source.js';
import { hasSlapd } from './slapd.test-helpers.js';
import { readAll, useSlapd } from './slapd-fixture.test-helpers.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.test-helpers.js';
import { BASE_DN, LOADED_AT, testUser } from './test-people.test-helpers.js';

const PEOPLE = 1200;
const users = Array.from({ length: PEOPLE }, (_, i) => {
  const n = i + 1;
  if (n === 7) return testUser(n, { userAccountControl: 514 });
  if (n === 8) return testUser(n, { displayName: 'Zoë Müller-Şahin' });
  if (n === 9) return testUser(n, { mail: undefined, mobile: undefined, userAccountControl: undefined });
  return testUser(n);
});
/** A computer account: objectClass user like people, objectCategory computer. */
const workstation = testUser(PEOPLE + 1, {
  cn: 'WS-0001',
  displayName: 'WS-0001',
  objectCategory: 'computer',
  mail: undefined,
  mobile: undefined,
});
const slapd = useSlapd({ users: [...users, workstation] });

let proxy: TcpProxy;
beforeAll(async () => {
  if (hasSlapd) proxy = await startTcpProxy(() => Number(new URL(slapd.url).port));
});
afterAll(async () => {
  await proxy?.close();
});

function source(overrides: Partial<LdapSourceConfig> = {}) {
  return createLdapSource({
    url: proxy.url,
    bindDN: slapd.reader.bindDN,
    password: slapd.reader.password,
    baseDN: BASE_DN,
    retries: 0,
    ...overrides,
  });
}

const records = (pages: SourcePage[]): SourceRecord[] =>
  pages.flatMap((page) =>
    page.changes.flatMap((change) => (change.type === 'upsert' ? [change.record] : [])),
  );

const guid = (n: number) => formatObjectGuid(testUser(n).guid)!;

/** What a read rejected with. */
async function failure(pages: AsyncIterable<SourcePage>): Promise<unknown> {
  try {
    await readAll(pages);
  } catch (error) {
    return error;
  }
  throw new Error('expected the read to fail');
}

describe.skipIf(!hasSlapd)('LDAP source: reading OpenLDAP', () => {
  it('reads every person once, one SourcePage per LDAP page of pageSize, and closes its connection', async () => {
    const pages = await readAll(source({ pageSize: 500 }).read({ cursor: null }));
    expect(pages.map((page) => page.changes.length)).toEqual([500, 500, 200]);
    expect(pages.map((page) => page.done)).toEqual([false, false, true]);
    expect(pages.every((page) => page.cursor?.startsWith('ldap1.'))).toBe(true);
    const ids = records(pages).map((record) => record.externalId);
    expect(new Set(ids).size).toBe(PEOPLE);
    expect(new Set(ids)).toEqual(new Set(users.map((_, i) => guid(i + 1))));
    await proxy.waitUntilClosed();
  });

  it("maps a person's GUID, email, phones, name and change time, keeping the numbers as the directory holds them", async () => {
    const person = records(await readAll(source().read({ cursor: null }))).find(
      (r) => r.externalId === guid(3),
    );
    expect(person).toEqual({
      externalId: guid(3),
      email: 'user00003@corp.example',
      otherEmails: [],
      displayName: 'User 00003',
      phones: [
        { number: '+44 7700 900003', kind: 'mobile', source: 'directory' },
        { number: '+1 (202) 555-0003', kind: 'business', source: 'directory' },
      ],
      active: true,
      changedAt: LOADED_AT + 3000,
    });
  });

  it('reports a disabled account (userAccountControl 514) as inactive, and keeps UTF-8 names and sparse entries', async () => {
    const all = records(await readAll(source().read({ cursor: null })));
    const byId = new Map(all.map((record) => [record.externalId, record]));
    expect(byId.get(guid(7))).toMatchObject({ active: false, email: 'user00007@corp.example' });
    expect(byId.get(guid(8))).toMatchObject({ active: true, displayName: 'Zoë Müller-Şahin' });
    expect(byId.get(guid(9))).toMatchObject({
      active: true,
      email: null,
      phones: [expect.objectContaining({ kind: 'business' })],
    });
    expect(all.filter((record) => !record.active)).toHaveLength(1);
  });

  it("leaves out computer accounts with Active Directory's default filter, and reads them with a filter given", async () => {
    const people = records(await readAll(source().read({ cursor: null })));
    expect(people.map((record) => record.displayName)).not.toContain('WS-0001');
    const computers = records(
      await readAll(
        source({ filter: '(&(objectClass=user)(objectCategory=computer))' }).read({ cursor: null }),
      ),
    );
    expect(computers.map((record) => record.displayName)).toEqual(['WS-0001']);
  });

  it('skips an entry without a usable id, tells onEntrySkipped why, and reports the others', async () => {
    const skipped: Array<{ dn: string; reason: string }> = [];
    // Only user 9 has no mobile: with mobile as the id, it is the one entry without an id.
    const all = records(
      await readAll(
        source({ attributes: { id: 'mobile' }, onEntrySkipped: (entry) => skipped.push(entry) }).read({
          cursor: null,
        }),
      ),
    );
    expect(all).toHaveLength(PEOPLE - 1);
    expect(all.find((record) => record.email === 'user00003@corp.example')?.externalId).toBe(
      '+44 7700 900003',
    );
    expect(skipped).toEqual([{ dn: `cn=User 00009,ou=People,${BASE_DN}`, reason: 'it has no mobile' }]);
  });

  it('returns one final page with no changes when nobody matches', async () => {
    const pages = await readAll(
      source({ filter: '(&(objectClass=user)(mail=nobody@corp.example))' }).read({ cursor: null }),
    );
    expect(pages).toHaveLength(1);
    expect(pages[0]).toMatchObject({ changes: [], done: true });
  });
});

describe.skipIf(!hasSlapd)('LDAP source: failures become AdapterErrors that say what to fix', () => {
  it('a wrong password: result 49, naming bindDN, never the password', async () => {
    const wrong = 'not-the-password-4711';
    const error = await failure(source({ password: wrong }).read({ cursor: null }));
    expect(error).toBeInstanceOf(AdapterError);
    const adapterError = error as AdapterError;
    expect(adapterError).toMatchObject({
      code: 'adapter_failed',
      operation: 'bind',
      port: 'directory source (ldap)',
    });
    expect(adapterError.details).toMatchObject({ resultCode: 49, transient: false });
    expect(adapterError.message).toContain(`bindDN "${slapd.reader.bindDN}"`);
    expect(adapterError.message).toContain('check bindDN and password');
    const everything = [
      adapterError.message,
      JSON.stringify(adapterError.details),
      String(adapterError.cause),
      adapterError.stack,
    ].join('\n');
    expect(everything).not.toContain(wrong);
    expect(everything).not.toContain(slapd.reader.password);
    await proxy.waitUntilClosed();
  });

  it('a base DN that does not exist: result 32, naming baseDN', async () => {
    const error = (await failure(
      source({ baseDN: 'ou=Nowhere,dc=corp,dc=example' }).read({ cursor: null }),
    )) as AdapterError;
    expect(error).toBeInstanceOf(AdapterError);
    expect(error.operation).toBe('search');
    expect(error.details).toMatchObject({ resultCode: 32 });
    expect(error.message).toContain('baseDN "ou=Nowhere,dc=corp,dc=example" does not exist');
  });

  it('nothing listening: connection refused, naming the url and the ports to check, retried first', async () => {
    const closed = await startTcpProxy(() => 0);
    const url = closed.url;
    await closed.close(); // nothing listens there any more
    const started = Date.now();
    const error = (await failure(
      source({ url, retries: 2, retryDelayMs: 50 }).read({ cursor: null }),
    )) as AdapterError;
    expect(error).toBeInstanceOf(AdapterError);
    expect(error.operation).toBe('connect');
    expect(error.message).toContain(`nothing answered at ${url} (connection refused)`);
    expect(error.message).toContain('389 for ldap://, 636 for ldaps://');
    expect(Date.now() - started).toBeGreaterThanOrEqual(150); // 50 ms, then 100 ms, before giving up
  });

  it('a server that does not answer: fails after timeoutMs on each try, and closes every connection', async () => {
    proxy.stall = true;
    try {
      const before = proxy.accepted;
      const error = (await failure(
        source({ timeoutMs: 300, retries: 1, retryDelayMs: 10 }).read({ cursor: null }),
      )) as AdapterError;
      expect(error).toBeInstanceOf(AdapterError);
      expect(error.message).toContain('did not answer the bind within 300 ms');
      expect(error.message).toContain('raise timeoutMs');
      expect(proxy.accepted - before).toBe(2);
      await proxy.waitUntilClosed();
    } finally {
      proxy.stall = false;
    }
  });

  it('a cursor written for another configuration: an InputError saying to start a full read', async () => {
    const pages = await readAll(source().read({ cursor: null }));
    const cursor = pages.at(-1)!.cursor;
    const error = await failure(source({ baseDN: `ou=People,${BASE_DN}` }).read({ cursor }));
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toContain('cursor: null');
  });
});

describe.skipIf(!hasSlapd)('LDAP source: stopping a read', () => {
  it('stops before the next request when the signal aborts, with its reason, and closes the connection', async () => {
    const controller = new AbortController();
    const reason = new Error('sync cancelled by an administrator');
    const seen: SourcePage[] = [];
    const error = await (async () => {
      try {
        for await (const page of source({ pageSize: 100 }).read({
          cursor: null,
          signal: controller.signal,
        })) {
          seen.push(page);
          controller.abort(reason);
        }
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBe(reason);
    expect(seen).toHaveLength(1);
    await proxy.waitUntilClosed();
  });

  it('aborts a request in flight at once, without waiting for timeoutMs', async () => {
    proxy.stall = true;
    try {
      const controller = new AbortController();
      const reason = new Error('shutting down');
      setTimeout(() => controller.abort(reason), 100);
      const started = Date.now();
      const error = await failure(
        source({ timeoutMs: 20_000 }).read({ cursor: null, signal: controller.signal }),
      );
      expect(error).toBe(reason);
      expect(Date.now() - started).toBeLessThan(5000);
      await proxy.waitUntilClosed();
    } finally {
      proxy.stall = false;
    }
  });

  it('closes the connection when the caller stops reading early', async () => {
    for await (const page of source({ pageSize: 100 }).read({ cursor: null })) {
      expect(page.changes).toHaveLength(100);
      break;
    }
    await proxy.waitUntilClosed();
  });

  it('does not connect at all with a signal aborted already', async () => {
    const before = proxy.accepted;
    const error = await failure(
      source().read({ cursor: null, signal: AbortSignal.abort(new Error('too late')) }),
    );
    expect(error).toEqual(new Error('too late'));
    expect(proxy.accepted).toBe(before);
  });
});
