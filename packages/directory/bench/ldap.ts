// The LDAP side of the directory benchmark: the LDAP source against a real OpenLDAP slapd on 127.0.0.1 (the test
// server, with its AD-like schema), 20,000 people loaded offline, reached through a TCP proxy that counts the bytes
// the server sends. Changes are made as Active Directory makes them (a new mobile, whenChanged now), spread over the
// directory. The alternative is the same paged search with ldapts alone. The server is killed by `close`, and by the
// test helper's exit hook whatever happens.
// Needs slapd, slapadd and ldapmodify (Debian: apt-get install -y slapd ldap-utils).
import { Client } from 'ldapts';
import { fictionalPhone } from '../src/entra/graph-fake-data.test-helpers.js';
import { createLdapSource, type DirectorySource } from '../src/index.js';
import { type Slapd, startSlapd } from '../src/ldap/slapd.test-helpers.js';
import { startTcpProxy, type TcpProxy } from '../src/ldap/tcp-proxy.test-helpers.js';
import { BASE_DN, generalizedTime, modifyLdif, testUser } from '../src/ldap/test-people.test-helpers.js';
import type { Deadline } from './_measure.js';
import type { BenchSubject, Traffic } from './_scenario.js';

export { hasSlapd } from '../src/ldap/slapd.test-helpers.js';

const PAGE_SIZE = 500;

/**
 * The `n`th test person with a mobile number a sync keeps: the helpers' own (+44 7700 900xxx, the UK's range for
 * drama) are numbers libphonenumber rejects, so a sync would store everyone without one and see no change. `version`
 * gives the person another number (round 1, 2...), never the one they had.
 */
const person = (n: number, version = 0) => testUser(n, { mobile: fictionalPhone(n + version) });

/** A running LDAP subject: the scenario's view of it, and how long slapd took to load, and its end. */
export interface LdapBench {
  subject: BenchSubject;
  /** Time slapadd took to load the people offline (before the server started). */
  seedMs: number;
  pageSize: number;
  close(): Promise<void>;
}

/** Starts slapd with `people` people and a counting proxy in front of it. */
export async function startLdapBench(people: number, deadline: Deadline): Promise<LdapBench> {
  const seedStarted = performance.now();
  const slapd = await startSlapd({ users: Array.from({ length: people }, (_, i) => person(i + 1)) });
  const seedMs = Math.round(performance.now() - seedStarted);
  let proxy: TcpProxy;
  try {
    proxy = await startTcpProxy(() => Number(new URL(slapd.url).port));
  } catch (error) {
    await slapd.stop();
    throw error;
  }
  // LDAP requests are counted from what each read does (a bind, one search request per page, an unbind); the bytes
  // come from the proxy, which sees the wire.
  let requests = 0;
  const maxPages = Math.ceil(people / PAGE_SIZE) + 10;

  const subject: BenchSubject = {
    name: 'LDAP',
    people,
    maxPages,
    alternative: 'ldapts search alone',
    createSource(): DirectorySource {
      const source = createLdapSource({
        url: proxy.url,
        bindDN: slapd.reader.bindDN,
        password: slapd.reader.password,
        baseDN: BASE_DN,
        pageSize: PAGE_SIZE,
      });
      return {
        kind: source.kind,
        async *read(options) {
          requests += 2;
          for await (const page of source.read(options)) {
            requests += 1;
            yield page;
          }
        },
      };
    },
    traffic: (): Traffic => ({ requests, subRequests: 0, bytes: proxy.bytesFromServer }),
    change: (count, round) => change(slapd, people, count, round),
    plainRead: async (onPage) => {
      const read = await ldaptsAlone(proxy, slapd, deadline, maxPages, onPage);
      requests += read.pages + 2;
      return read;
    },
  };
  return {
    subject,
    seedMs,
    pageSize: PAGE_SIZE,
    async close() {
      try {
        await proxy.close();
      } finally {
        await slapd.stop();
      }
    },
  };
}

/** The same full search with ldapts alone (no mapping, cursors or fingerprints): the floor the source stands on. */
async function ldaptsAlone(
  proxy: TcpProxy,
  slapd: Slapd,
  deadline: Deadline,
  maxPages: number,
  onPage: () => void,
): Promise<{ entries: number; pages: number }> {
  const client = new Client({ url: proxy.url });
  let entries = 0;
  let pages = 0;
  try {
    await client.bind(slapd.reader.bindDN, slapd.reader.password);
    const search = client.searchPaginated(BASE_DN, {
      filter: '(&(objectClass=user)(objectCategory=person))',
      attributes: [
        'objectGUID',
        'mail',
        'mobile',
        'telephoneNumber',
        'displayName',
        'userAccountControl',
        'whenChanged',
        'cn',
      ],
      explicitBufferAttributes: ['objectGUID'],
      paged: { pageSize: PAGE_SIZE },
    });
    for await (const page of search) {
      deadline.check();
      pages += 1;
      if (pages > maxPages) throw new Error('the ldapts search does not end');
      entries += page.searchEntries.length;
      onPage();
    }
  } finally {
    await client.unbind();
  }
  return { entries, pages };
}

/**
 * Changes `count` people as Active Directory would (a new mobile, whenChanged now), spread over the directory. Rounds
 * count from 1, so every change gives a number the person did not have.
 */
async function change(slapd: Slapd, people: number, count: number, round: number): Promise<void> {
  const step = Math.floor(people / count);
  const now = generalizedTime(Date.now());
  const ldif = Array.from({ length: count }, (_, i) => {
    const n = 1 + i * step;
    return modifyLdif(testUser(n), { mobile: person(n, round).mobile!, whenChanged: now });
  });
  await slapd.modify(ldif.join('\n'));
}
