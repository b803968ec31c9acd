// Matching at MSP scale on PostgreSQL and PGlite: loads N contacts, N end-users and N/100 companies into a scratch
// database through the mapping store, keeps every suggestion (a full rebuild), then times what an admin and a webhook
// do: one page of the admin's list (p50/p99 over 100 random pages, filters and companies, and a few searches), and
// one contact change recomputed (p50/p99 over 50 webhooks). Beside them, in the same run, the same page as it was
// before suggestions were kept (every page read every record and recomputed every suggestion).
// Run: pnpm bench (or npx tsx --conditions=qdesk-source bench/run.ts in this package).
import { createMemoryPsa } from '@qdesk/core/memory';
import type { PsaContact } from '@qdesk/core/ports';
import {
  contactKeys,
  createMatchingSync,
  listMatches,
  type MappingStore,
  type MatchFilter,
  matchEndUser,
  rebuildSuggestions,
} from '@qdesk/matching';
import pg from 'pg';
import { listMatches as listMatchesBefore } from '../../matching/bench/before-list/list-matches.js';
import { type Data, generate, mulberry32 } from '../../matching/bench/generate.js';
import type { Database } from '../src/database.js';
import { createPostgresMappingStore } from '../src/mapping-store.js';
import { migrate } from '../src/migrate.js';
import { createPgDatabase } from '../src/pg/database.js';
import { createPgliteDatabase } from '../src/pglite/database.js';

/** Options for {@link benchMatching}. @internal */
export interface MatchingBenchOptions {
  /** The server to create the scratch database on (default QDESK_BENCH_DATABASE_URL, else the local PostgreSQL). */
  serverUrl?: string;
  /** Sizes on PostgreSQL (default 1,000 to 1,000,000). */
  postgresSizes?: readonly number[];
  /** Sizes on PGlite (default 1,000 to 1,000,000). */
  pgliteSizes?: readonly number[];
  /** Skip the remaining sizes once the bench has run this long, in ms (default 40 minutes). */
  timeLimitMs?: number;
}

const TENANT = 'bench';
const FILTERS: readonly MatchFilter[] = ['suggested', 'all', 'unmatched', 'matched'];
const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const now = () => performance.now();

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

function stats(times: number[]) {
  const sorted = [...times].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1)! };
}

const checkpoint = (phase: 'contacts' | 'completed') => ({
  runId: 'bench-run',
  phase,
  afterId: null,
  companiesDone: 0,
  contactsDone: 0,
  startedAt: 0,
  updatedAt: 0,
  completedAt: phase === 'completed' ? 1 : null,
});

/** Loads the generated records as a sync and the directory would, then keeps every suggestion. */
async function load(store: MappingStore, data: Data) {
  const t0 = now();
  for (const { tenantId, ...customer } of data.customers) await store.createCustomer(TENANT, customer);
  for (const { tenantId, ...link } of data.links) await store.linkCompany(TENANT, link);
  await store.saveSyncBatch(TENANT, { checkpoint: checkpoint('contacts'), companies: data.companies });
  for (let i = 0; i < data.contacts.length; i += 5000) {
    await store.saveSyncBatch(TENANT, {
      checkpoint: checkpoint('contacts'),
      contacts: data.contacts.slice(i, i + 5000),
    });
  }
  await store.completeSync(TENANT, checkpoint('completed'));
  for (let i = 0; i < data.endUsers.length; i += 20_000) {
    await store.saveEndUsers(TENANT, { put: data.endUsers.slice(i, i + 20_000).map(matchEndUser) });
  }
  const loaded = now() - t0;
  const t1 = now();
  const kept = await rebuildSuggestions({ store, tenantId: TENANT });
  return { loadMs: loaded, rebuildMs: now() - t1, kept };
}

/** 100 random pages: any filter, a random place in the list (forwards or backwards), sometimes one company. */
async function pages(store: MappingStore, data: Data, random: () => number) {
  const times: number[] = [];
  for (let i = 0; i < 100; i++) {
    const at = data.contacts[Math.floor(random() * data.contacts.length)]!;
    const cursor = Buffer.from(contactKeys(at).order, 'utf8').toString('base64url');
    const roll = random();
    const t0 = now();
    const page = await listMatches({
      store,
      tenantId: TENANT,
      kind: 'contacts',
      filter: FILTERS[i % FILTERS.length]!,
      limit: 50,
      ...(roll < 0.15 ? { companyId: at.companyId } : {}),
      ...(roll < 0.3 ? {} : roll < 0.8 ? { after: cursor } : { before: cursor }),
    });
    times.push(now() - t0);
    if (page.counts.all === 0) throw new Error('an empty list: the bench loaded nothing');
  }
  return stats(times);
}

async function searches(store: MappingStore, data: Data, random: () => number) {
  const times: number[] = [];
  for (let i = 0; i < 20; i++) {
    const c = data.contacts[Math.floor(random() * data.contacts.length)]!;
    const search = i % 2 === 0 ? c.lastName.slice(0, 4) : c.emails[0]!.slice(0, 12);
    const t0 = now();
    await listMatches({ store, tenantId: TENANT, kind: 'contacts', filter: 'all', search, limit: 50 });
    times.push(now() - t0);
  }
  return stats(times);
}

/** 50 webhooks: a contact's email or name changes; each recomputes what it can affect. */
async function changes(store: MappingStore, data: Data, random: () => number) {
  const sync = createMatchingSync({
    psa: createMemoryPsa({ companies: [], contacts: [], tickets: [] }),
    store,
    tenantId: TENANT,
    directory: { list: () => [] },
  });
  const times: number[] = [];
  for (let i = 0; i < 50; i++) {
    const c = data.contacts[Math.floor(random() * data.contacts.length)]!;
    const other = data.contacts[Math.floor(random() * data.contacts.length)]!;
    const changed: PsaContact =
      i % 2 === 0 ? { ...c, emails: [...other.emails] } : { ...c, firstName: other.firstName };
    const t0 = now();
    await sync.applyContactChange({ action: 'updated', contact: changed });
    times.push(now() - t0);
  }
  return stats(times);
}

/** The same page before suggestions were kept: read everything, recompute everything (a few runs: it is slow). */
async function before(store: MappingStore, data: Data, runs: number) {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = now();
    await listMatchesBefore({
      store,
      tenantId: TENANT,
      kind: 'contacts',
      filter: 'suggested',
      endUsers: data.endUsers,
      limit: 50,
    });
    times.push(now() - t0);
  }
  return stats(times).p50;
}

interface Backend {
  name: string;
  open(): Promise<{ database: Database; close(): Promise<void> }>;
}

/** Runs the matching benchmark on PostgreSQL and PGlite and prints one table per backend. @internal */
export async function benchMatching(options: MatchingBenchOptions = {}): Promise<void> {
  const serverUrl =
    options.serverUrl ??
    process.env.QDESK_BENCH_DATABASE_URL ??
    'postgres://postgres@127.0.0.1:5432/postgres';
  const limit = options.timeLimitMs ?? 40 * 60_000;
  const started = now();
  const postgres: Backend = {
    name: 'PostgreSQL',
    async open() {
      const admin = new pg.Client({ connectionString: serverUrl });
      await admin.connect();
      const name = `qdesk_bench_matching_${Date.now().toString(36)}`;
      await admin.query(`CREATE DATABASE ${name}`);
      const url = new URL(serverUrl);
      url.pathname = `/${name}`;
      const database = createPgDatabase({ connectionString: url.href, max: 4 });
      return {
        database,
        async close() {
          await database.close();
          await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
          await admin.end();
        },
      };
    },
  };
  const pglite: Backend = {
    name: 'PGlite',
    async open() {
      const database = await createPgliteDatabase();
      return { database, close: () => database.close() };
    },
  };
  const plan: [Backend, readonly number[]][] = [
    [postgres, options.postgresSizes ?? [1_000, 10_000, 100_000, 1_000_000]],
    [pglite, options.pgliteSizes ?? [1_000, 10_000, 100_000, 1_000_000]],
  ];
  console.log('\nMatching on the database: the admin list and webhooks, with suggestions kept in the store');
  console.log(
    '  page = one listMatches page of 50 contacts (p50 / p99 over 100 random places, filters and companies)\n' +
      '  change = one webhook contact change with its suggestions recomputed (p50 / p99 over 50)\n' +
      '  before = the same page before suggestions were kept: every record read, every suggestion recomputed\n',
  );
  for (const [backend, sizes] of plan) {
    const header = [
      'N',
      'load s',
      'rebuild s',
      'page p50 ms',
      'page p99 ms',
      'search p99 ms',
      'change p50 ms',
      'change p99 ms',
      'before page ms',
    ];
    const rows: string[][] = [header];
    for (const n of sizes) {
      if (now() - started > limit) {
        rows.push([fmt(n), 'skipped: the time limit was reached', '', '', '', '', '', '', '']);
        continue;
      }
      const data = generate(n);
      const random = mulberry32(n);
      const { database, close } = await backend.open();
      try {
        await migrate(database);
        const store = createPostgresMappingStore(database);
        const { loadMs, rebuildMs } = await load(store, data);
        const page = await pages(store, data, random);
        const search = await searches(store, data, random);
        const change = await changes(store, data, random);
        const was = await before(store, data, n >= 1_000_000 ? 1 : 3);
        rows.push([
          fmt(n),
          fmt(loadMs / 1000, 1),
          fmt(rebuildMs / 1000, 2),
          fmt(page.p50, 1),
          fmt(page.p99, 1),
          fmt(search.p99, 1),
          fmt(change.p50, 1),
          fmt(change.p99, 1),
          fmt(was, 0),
        ]);
        console.log(`  ${backend.name} ${fmt(n)} done`);
      } finally {
        await close();
      }
    }
    const widths = header.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
    console.log(`\n  ${backend.name}`);
    for (const row of rows) console.log(`   ${row.map((cell, i) => cell.padStart(widths[i]!)).join('  ')}`);
  }
  console.log(
    '\n  goals: page p99 under 50 ms and a change under 5 ms at 100,000, on PostgreSQL and on PGlite\n',
  );
}
