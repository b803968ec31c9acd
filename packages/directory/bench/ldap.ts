// Benchmark: the LDAP source against a real OpenLDAP slapd on 127.0.0.1 (the test server, with its AD-like schema).
// A full read of 20,000 people (time, pages, LDAP requests, bytes, memory), then incremental reads after 0, 10, 100
// and 1,000 changes: their cost must follow the number of changes, not the directory's size. Bounded: fixed sizes,
// every loop capped, a 120 s overall deadline, and the server killed on exit.
// Needs slapd, slapadd and ldapmodify (Debian: apt-get install -y slapd ldap-utils).
// Run: cd packages/directory && npx tsx --conditions=qdesk-source bench/ldap.ts
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Client } from 'ldapts';
import { createLdapSource, type SourcePage } from '../src/index.js';
import { hasSlapd, type Slapd, startSlapd } from '../src/ldap/slapd.test-helpers.js';
import { startTcpProxy, type TcpProxy } from '../src/ldap/tcp-proxy.test-helpers.js';
import { BASE_DN, generalizedTime, modifyLdif, testUser } from '../src/ldap/test-people.test-helpers.js';

const PEOPLE = 20_000;
const PAGE_SIZE = 500;
const DEADLINE = Date.now() + 120_000;
const MiB = 1024 * 1024;

if (!hasSlapd) process.exit(process.env.CI ? 1 : 0); // slapd.test-helpers printed why

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

interface Row {
  read: string;
  changes: number | null;
  ms: number;
  pages: number;
  requests: number;
  records: number;
  kib: number;
  peakRssMiB: number;
  peakHeapMiB: number;
  /** Heap in use after the read and a full GC, less before it: what the read kept. */
  keptHeapMiB: number;
}

function checkDeadline() {
  if (Date.now() > DEADLINE) throw new Error('benchmark deadline passed');
}

/** Reads to the end, sampling memory on every page and every 10 ms; the records are counted, not kept. */
async function measure(
  proxy: TcpProxy,
  slapd: Slapd,
  read: string,
  cursor: string | null,
  changes: number | null,
): Promise<{ row: Row; cursor: string | null }> {
  checkDeadline();
  const source = createLdapSource({
    url: proxy.url,
    bindDN: slapd.reader.bindDN,
    password: slapd.reader.password,
    baseDN: BASE_DN,
    pageSize: PAGE_SIZE,
  });
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  let peakRss = 0;
  let peakHeap = 0;
  const sample = () => {
    const { rss, heapUsed } = process.memoryUsage();
    peakRss = Math.max(peakRss, rss);
    peakHeap = Math.max(peakHeap, heapUsed);
  };
  const sampler = setInterval(sample, 10);
  const bytesBefore = proxy.bytesFromServer;
  const started = performance.now();
  let pages = 0;
  let records = 0;
  let last: SourcePage | undefined;
  try {
    for await (const page of source.read({ cursor })) {
      pages += 1;
      records += page.changes.length;
      last = page;
      sample();
      if (pages > PEOPLE / PAGE_SIZE + 10) throw new Error('the read does not end');
    }
  } finally {
    clearInterval(sampler);
  }
  const ms = Math.round(performance.now() - started);
  gc();
  const kept = process.memoryUsage().heapUsed - heapBefore;
  return {
    row: {
      read,
      changes,
      ms,
      pages,
      // One bind, one search request per page, one unbind.
      requests: pages + 2,
      records,
      kib: Math.round((proxy.bytesFromServer - bytesBefore) / 1024),
      peakRssMiB: Math.round((peakRss / MiB) * 10) / 10,
      peakHeapMiB: Math.round((peakHeap / MiB) * 10) / 10,
      keptHeapMiB: Math.round((kept / MiB) * 10) / 10,
    },
    cursor: last?.cursor ?? null,
  };
}

/** The same full search with ldapts alone (no mapping, cursors or fingerprints): the floor the source stands on. */
async function ldaptsAlone(proxy: TcpProxy, slapd: Slapd): Promise<{ ms: number; entries: number }> {
  const client = new Client({ url: proxy.url });
  const started = performance.now();
  let entries = 0;
  try {
    await client.bind(slapd.reader.bindDN, slapd.reader.password);
    const pages = client.searchPaginated(BASE_DN, {
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
    for await (const page of pages) entries += page.searchEntries.length;
  } finally {
    await client.unbind();
  }
  return { ms: Math.round(performance.now() - started), entries };
}

/** Changes `count` people as Active Directory would (a new mobile, whenChanged now), spread over the directory. */
async function change(slapd: Slapd, count: number, round: number): Promise<void> {
  const step = Math.floor(PEOPLE / count);
  const now = generalizedTime(Date.now());
  const ldif = Array.from({ length: count }, (_, i) => {
    const n = 1 + i * step;
    return modifyLdif(testUser(n), {
      mobile: `+44 7700 9${String(round).padStart(2, '0')}${String(i).padStart(3, '0')}`,
      whenChanged: now,
    });
  });
  await slapd.modify(ldif.join('\n'));
}

const seedStarted = performance.now();
const slapd = await startSlapd({ users: PEOPLE });
const seedMs = Math.round(performance.now() - seedStarted);
const proxy = await startTcpProxy(() => Number(new URL(slapd.url).port));
const rows: Row[] = [];
let floor = { ms: 0, entries: 0 };
try {
  await ldaptsAlone(proxy, slapd); // warms the server's caches and the JIT, for both measures below
  floor = await ldaptsAlone(proxy, slapd);
  const full = await measure(proxy, slapd, 'full', null, null);
  rows.push(full.row);
  let cursor = full.cursor;
  for (const [round, count] of [0, 10, 100, 1000].entries()) {
    if (count > 0) await change(slapd, count, round);
    const next = await measure(proxy, slapd, 'incremental', cursor, count);
    if (next.row.records !== count) {
      throw new Error(`the incremental read after ${count} changes reported ${next.row.records} people`);
    }
    rows.push(next.row);
    cursor = next.cursor;
  }
} finally {
  await proxy.close();
  await slapd.stop();
}

console.log(
  `\nLDAP source: ${PEOPLE.toLocaleString('en-US')} people in a local OpenLDAP (loaded offline with slapadd in ${seedMs.toLocaleString('en-US')} ms), pages of ${PAGE_SIZE}, Node ${process.version}\n`,
);
console.table(
  rows.map((row) => ({
    read: row.read,
    'changes made': row.changes ?? '-',
    'people reported': row.records,
    'time (ms)': row.ms,
    pages: row.pages,
    'LDAP requests': row.requests,
    'KiB received': row.kib,
    'peak RSS (MiB)': row.peakRssMiB,
    'peak heap (MiB)': row.peakHeapMiB,
    'heap kept (MiB)': row.keptHeapMiB,
  })),
);
const full = rows[0]!;
console.log(
  `The same full search with ldapts alone (no mapping, cursor or fingerprint): ${floor.ms} ms for ${floor.entries.toLocaleString('en-US')} entries.`,
);
const hundred = rows.find((row) => row.changes === 100)!;
console.log(
  `Incremental after 100 changes: ${hundred.ms} ms and ${hundred.kib} KiB, against ${full.ms} ms and ${full.kib.toLocaleString('en-US')} KiB for the full read ` +
    `(${((hundred.kib / full.kib) * 100).toFixed(1)}% of the bytes). The server still evaluates (whenChanged>=...) over its index; ` +
    'what crosses the network and what the sync applies follow the changes.',
);
