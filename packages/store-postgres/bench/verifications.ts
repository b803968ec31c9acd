// Complete verifications per second through createVerifier on @qdesk/store-postgres, side by side with the floor:
// the same number of plain round trips (SELECT $1::int) on the same pool. On the local PostgreSQL (a scratch
// database, dropped at the end), then on PGlite in memory.
//
// One verification is core's bench verification (packages/core/bench/_verification.ts): startForEndUser -> send SMS
// -> checkCode with the right code, over 1,000 end-users served in turn (so the per-end-user send limit holds, with
// the policy raised as there). The database under the stores is wrapped in a counter, so the round trips per
// verification are counted, not estimated: a query is one, a transaction its statements plus BEGIN and COMMIT.
import { randomBytes } from 'node:crypto';
import { type Channel, createVerifier, type Verifier } from '@qdesk/core';
import { createDemoData, createMemoryPsa } from '@qdesk/core/memory';
import pg from 'pg';
import type { Database, Queryable } from '../src/database.js';
import { migrate } from '../src/migrate.js';
import { createPgDatabase } from '../src/pg/database.js';
import { createPgliteDatabase } from '../src/pglite/database.js';
import { createPostgresStores } from '../src/stores.js';

/** Options for {@link benchVerifications}. @internal */
export interface VerificationsBenchOptions {
  /** The server to create the scratch database on (default QDESK_BENCH_DATABASE_URL, else the local PostgreSQL). */
  serverUrl?: string;
  /** Most verifications (or floor chains) per measurement (default 2,000). */
  maxCount?: number;
  /** Most time per measurement, in ms (default 10,000). */
  maxMs?: number;
  /** Verifications run before counting and timing (default 200). */
  warmup?: number;
  /** Verifications in flight in the concurrent measurement (default 8). */
  concurrency?: number;
}

const USERS = 1000;
const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const pct = (n: number) => `${fmt(100 * n)}%`;
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

/** A statement's kind for the breakdown: its first SQL word and the first QDesk table or function it names. */
function kindOf(text: string): string {
  const verb = /^\s*(\w+)/.exec(text)?.[1]?.toUpperCase() ?? '?';
  const target = /\bqdesk_\w+/.exec(text)?.[0];
  return target ? `${verb} ${target}` : verb;
}

interface Kind {
  count: number;
  /** Wall time awaiting the statement, ms (concurrent statements overlap). */
  ms: number;
}

/** Round trips seen by {@link counting}, by kind. */
interface Counts {
  roundTrips: number;
  kinds: Map<string, Kind>;
  reset(): void;
}

const TX = 'BEGIN + COMMIT (and pool checkout)';

/** `database` with every round trip counted and timed: a query is one, a transaction its statements plus two. */
function counting(database: Database): { database: Database; counts: Counts } {
  const counts: Counts = {
    roundTrips: 0,
    kinds: new Map(),
    reset() {
      this.roundTrips = 0;
      this.kinds.clear();
    },
  };
  const add = (kind: string, trips: number, ms: number) => {
    counts.roundTrips += trips;
    const entry = counts.kinds.get(kind);
    if (entry) {
      entry.count += trips;
      entry.ms += ms;
    } else counts.kinds.set(kind, { count: trips, ms });
  };
  const timedQuery =
    (target: Queryable, inside?: { ms: number }) =>
    async <Row>(text: string, params?: readonly unknown[]) => {
      const t0 = nowMs();
      try {
        return await target.query<Row>(text, params);
      } finally {
        const ms = nowMs() - t0;
        if (inside) inside.ms += ms;
        add(kindOf(text), 1, ms);
      }
    };
  const wrapped: Database = {
    driver: database.driver,
    query: timedQuery(database),
    async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
      const inside = { ms: 0 };
      const t0 = nowMs();
      try {
        return await database.transaction((tx) => work({ query: timedQuery(tx, inside) }));
      } finally {
        // The transaction's own cost: what it took beyond its statements (checkout, BEGIN, COMMIT, JS between).
        add(TX, 2, nowMs() - t0 - inside.ms);
      }
    },
    close: () => database.close(),
  };
  return { database: wrapped, counts };
}

/** An SMS channel that keeps each session's code until the bench reads it (concurrent sessions, one phone). */
function codeChannel(): Channel & { take(sessionId: string): string } {
  const codes = new Map<string, string>();
  let sent = 0;
  return {
    specificationVersion: 'v1',
    route: 'sms',
    name: 'bench-sms',
    async send(message) {
      if (message.route === 'sms' && 'code' in message.context) {
        codes.set(message.sessionId, message.context.code);
      }
      return { status: 'accepted', providerMessageId: `bench-${++sent}` };
    },
    take(sessionId) {
      const code = codes.get(sessionId) ?? '';
      codes.delete(sessionId);
      return code;
    },
  };
}

/** A verifier on every store of `database`, 1,000 end-users in its directory, and one verification as a function. */
async function verificationLoop(database: Database): Promise<() => Promise<void>> {
  const demo = createDemoData();
  const { sessions, counters, audit, policies, directory, mappings } = createPostgresStores(database);
  await directory.putMany(
    Array.from({ length: USERS }, (_, i) => ({
      ...demo.endUsers[0]!,
      id: `eu-${i}`,
      email: `user${i}@example.com`,
    })),
  );
  const sms = codeChannel();
  const verifier: Verifier = createVerifier({
    secret: randomBytes(32),
    directory,
    psa: createMemoryPsa(demo),
    contactLinks: mappings,
    store: sessions,
    counters,
    audit,
    policies,
    channels: { sms },
    policy: { sendsPerWindow: 100, sendWindowMs: 1000 },
  });
  const actor = { tenantId: demo.tenantId, technicianId: 'tech-1', technicianName: 'Bench' };
  let turn = 0;
  return async function oneVerification() {
    // Consecutive turns are distinct end-users, so verifications in flight together never share one.
    const endUserId = `eu-${turn++ % USERS}`;
    const { session } = await verifier.startForEndUser({ actor, endUserId });
    await verifier.send({ actor, sessionId: session.id, method: 'sms' });
    const r = await verifier.checkCode({ actor, sessionId: session.id, code: sms.take(session.id) });
    if (!r.correct || r.session.status !== 'approved') throw new Error('verification failed');
  };
}

/** Runs `one` with `concurrency` in flight until `maxCount` are done or `maxMs` passed; completions per second. */
async function throughput(
  one: () => Promise<void>,
  concurrency: number,
  maxCount: number,
  maxMs: number,
): Promise<{ count: number; ms: number; perSecond: number }> {
  let started = 0;
  let done = 0;
  const t0 = nowMs();
  const deadline = t0 + maxMs;
  const worker = async () => {
    while (started < maxCount && nowMs() < deadline) {
      started++;
      await one();
      done++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const ms = nowMs() - t0;
  return { count: done, ms, perSecond: done / (ms / 1000) };
}

/** One floor "verification": `trips` plain round trips in a row on `database`, as the verification makes them. */
function floorChain(database: Database, trips: number): () => Promise<void> {
  return async () => {
    for (let i = 0; i < trips; i++) await database.query('SELECT $1::int', [i]);
  };
}

function printBreakdown(counts: Counts, verifications: number, floorMs: number) {
  const rows = [...counts.kinds.entries()].sort((a, b) => b[1].count - a[1].count || b[1].ms - a[1].ms);
  const width = Math.max(...rows.map(([kind]) => kind.length));
  console.log(
    `   ${'statement'.padEnd(width)}   per verification   mean ms   vs SELECT $1::int (${fmt(floorMs, 3)} ms)`,
  );
  for (const [kind, { count, ms }] of rows) {
    const mean = ms / count;
    console.log(
      `   ${kind.padEnd(width)}   ${fmt(count / verifications, 2).padStart(16)}   ${fmt(mean, 3).padStart(7)}   ${fmt(mean / floorMs, 1).padStart(6)}x`,
    );
  }
}

interface DriverFigures {
  roundTrips: number;
  c1: number;
  cN: number;
  floor1: number;
  floorN: number;
}

/**
 * Measures one driver: round trips per verification (and their breakdown), verifications per second at
 * concurrency 1 and N, and the floor of the same round trips as plain `SELECT $1::int` on the same database.
 */
async function measureDriver(
  label: string,
  raw: Database,
  options: Required<Omit<VerificationsBenchOptions, 'serverUrl'>>,
): Promise<DriverFigures> {
  const { maxCount, maxMs, warmup, concurrency } = options;
  await migrate(raw);
  const { database, counts } = counting(raw);
  const oneVerification = await verificationLoop(database);

  // Warm up (JIT, pool connections, plans, the directory's pages), then count a sequential batch exactly.
  await throughput(oneVerification, concurrency, warmup, maxMs);
  await throughput(floorChain(raw, 10), concurrency, warmup, maxMs);
  const counted = Math.min(500, maxCount);
  counts.reset();
  const sample = await throughput(oneVerification, 1, counted, maxMs);
  const roundTrips = counts.roundTrips / sample.count;
  const kinds = new Map(counts.kinds);
  const trips = Math.round(roundTrips);

  // The floor's own latency per round trip, for the breakdown's comparison.
  const probe = await throughput(floorChain(raw, trips), 1, Math.min(200, maxCount), maxMs);
  const selectMs = probe.ms / (probe.count * trips);

  console.log(
    `${label}: ${fmt(roundTrips, 2)} round trips per verification (counted over ${fmt(sample.count)} sequential verifications; a transaction is its statements plus BEGIN and COMMIT).`,
  );
  const inStatements = [...kinds.values()].reduce((sum, k) => sum + k.ms, 0);
  console.log(
    `   ${fmt((sample.ms * 1000) / sample.count)} us per verification, of which ${fmt((inStatements * 1000) / sample.count)} us awaiting the database (${pct(inStatements / sample.ms)}) and ${fmt(((sample.ms - inStatements) * 1000) / sample.count)} us in JS between round trips; ${trips} plain round trips take ${fmt(selectMs * trips * 1000)} us.`,
  );
  printBreakdown({ ...counts, kinds }, sample.count, selectMs);

  counts.reset();
  const c1 = await throughput(oneVerification, 1, maxCount, maxMs);
  const c1Trips = counts.roundTrips / c1.count;
  counts.reset();
  const cN = await throughput(oneVerification, concurrency, maxCount, maxMs);
  const cNTrips = counts.roundTrips / cN.count;
  const f1 = await throughput(floorChain(raw, trips), 1, maxCount, maxMs);
  const fN = await throughput(floorChain(raw, trips), concurrency, maxCount, maxMs);
  // The floor chains are whole numbers of round trips; scale them to the exact count per verification.
  const floor1 = (f1.perSecond * trips) / roundTrips;
  const floorN = (fN.perSecond * trips) / roundTrips;

  const line = (name: string, run: { count: number; ms: number; perSecond: number }, extra: string) =>
    console.log(
      `   ${name.padEnd(34)} ${fmt(run.perSecond).padStart(7)} /s  (${fmt(run.count)} in ${fmt(run.ms)} ms${extra})`,
    );
  console.log(`   Concurrency 1 (one verification at a time):`);
  line('QDesk verifications', c1, `, ${fmt(c1Trips, 2)} round trips each`);
  line(`floor: ${trips} x SELECT $1::int in a row`, f1, `; ${fmt(f1.perSecond * trips)} round trips/s`);
  console.log(
    `   ${'ratio QDesk / floor'.padEnd(34)} ${pct(c1.perSecond / floor1).padStart(7)}     (goal: at least 50%)`,
  );
  console.log(`   Concurrency ${concurrency} (${concurrency} verifications in flight, distinct end-users):`);
  line('QDesk verifications', cN, `, ${fmt(cNTrips, 2)} round trips each`);
  line(
    `floor: ${concurrency} chains of ${trips} x SELECT $1::int`,
    fN,
    `; ${fmt(fN.perSecond * trips)} round trips/s`,
  );
  console.log(
    `   ${'ratio QDesk / floor'.padEnd(34)} ${pct(cN.perSecond / floorN).padStart(7)}     (goal: at least 50%)`,
  );
  return { roundTrips, c1: c1.perSecond, cN: cN.perSecond, floor1, floorN };
}

/**
 * Complete verifications per second through createVerifier on this package's stores, against the floor of the same
 * number of plain round trips on the same client: on a scratch database of the local PostgreSQL, then on PGlite in
 * memory. Bounded: each measurement stops at `maxCount` or `maxMs`, whichever comes first. @internal
 */
export async function benchVerifications(options: VerificationsBenchOptions = {}): Promise<void> {
  const serverUrl =
    options.serverUrl ??
    process.env.QDESK_BENCH_DATABASE_URL ??
    'postgres://postgres@127.0.0.1:5432/postgres';
  const settings = {
    maxCount: options.maxCount ?? 2000,
    maxMs: options.maxMs ?? 10_000,
    warmup: options.warmup ?? 200,
    concurrency: options.concurrency ?? 8,
  };
  console.log(
    `Verifications on @qdesk/store-postgres: start -> send SMS -> right code through createVerifier, over ${fmt(USERS)} end-users, against the floor of as many plain round trips on the same client. Each figure: at most ${fmt(settings.maxCount)} verifications or ${fmt(settings.maxMs / 1000)} s.`,
  );

  const name = `qdesk_bench_verify_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  let pgFigures: DriverFigures | undefined;
  try {
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    const database = createPgDatabase({ connectionString: url.href });
    try {
      pgFigures = await measureDriver(
        'PostgreSQL (node-postgres, a pool of 10, 127.0.0.1)',
        database,
        settings,
      );
    } finally {
      await database.close();
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }

  const pglite = await createPgliteDatabase();
  try {
    const figures = await measureDriver(
      'PGlite (in memory, one connection: concurrent calls queue)',
      pglite,
      settings,
    );
    if (pgFigures) {
      console.log(
        `PGlite runs ${fmt(figures.c1 / pgFigures.c1, 1)}x the verifications of PostgreSQL one at a time and ${fmt(figures.cN / pgFigures.cN, 1)}x at concurrency ${settings.concurrency}.`,
      );
    }
  } finally {
    await pglite.close();
  }
}
