// Complete verifications per second through createVerifier on @qdesk/store-postgres, side by side with the floor:
// the same number of plain round trips (SELECT $1::int) on the same pool. On the local PostgreSQL (a scratch
// database, dropped at the end), then on PGlite in memory.
//
// One verification is core's bench verification (packages/core/bench/_verification.ts): startForEndUser -> send SMS
// -> checkCode with the right code, over 1,000 end-users served in turn (so the per-end-user send limit holds, with
// the policy raised as there). The database under the stores is wrapped in a counter, so the round trips per
// verification are counted, not estimated: a query is one, a transaction its statements plus BEGIN and COMMIT. The
// same wrapper times each kind of statement, which shows where a verification's time goes.
//
// A SELECT writes nothing, so the floor leaves out what a verification's writes cost the server: the WAL flush each
// committed write waits for. A second floor, for reference, makes as many of its round trips one-row INSERTs as the
// verification has writes. The verifications and both floors run in alternating turns, so that all three see the
// same machine.

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Database } from '../src/database.js';
import { migrate } from '../src/migrate.js';
import { createPgDatabase } from '../src/pg/database.js';
import { createPgliteDatabase } from '../src/pglite/database.js';
import { type Counts, counting, type Kind } from './_counting.js';
import { USERS, verificationLoop } from './_verification-loop.js';

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

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const pct = (n: number) => `${fmt(100 * n)}%`;
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

/** A measurement: how many completed, in how long. */
interface Run {
  count: number;
  ms: number;
  perSecond: number;
}

/** Runs `one` with `concurrency` in flight until `maxCount` are done or `maxMs` passed; completions per second. */
async function throughput(
  one: () => Promise<void>,
  concurrency: number,
  maxCount: number,
  maxMs: number,
): Promise<Run> {
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

/**
 * One floor "verification": `trips` plain round trips in a row on `database`, as the verification makes them. The
 * first `writes` of them, when given, are one-row INSERTs each committed on its own (the reference floor with writes).
 */
function floorChain(database: Database, trips: number, writes = 0): () => Promise<void> {
  return async () => {
    for (let i = 0; i < trips; i++) {
      if (i < writes) await database.query(`INSERT INTO ${FLOOR_TABLE} (n) VALUES ($1)`, [i]);
      else await database.query('SELECT $1::int', [i]);
    }
  };
}

const FLOOR_TABLE = 'bench_floor_writes';
/** The statements that write (and so commit to the WAL): INSERT, UPDATE, DELETE, and the audit append function. */
const WRITES = /^(INSERT|UPDATE|DELETE)\b|_append\b/;

interface Sample extends Run {
  roundTrips: number;
  busyMs: number;
  kinds: Map<string, Kind>;
}

/**
 * Measures the verifications and each floor in turns of one `slices`-th of the bounds each, so that all of them see
 * the same machine (other work on it comes and goes); each stops at `maxCount` or `maxMs` in all, whichever first.
 */
async function interleaved(
  verification: () => Promise<void>,
  counts: Counts,
  floors: (() => Promise<void>)[],
  concurrency: number,
  bounds: { maxCount: number; maxMs: number; slices: number },
): Promise<{ qdesk: Sample; floors: Run[] }> {
  const sum = (runs: Run[]): Run => {
    const count = runs.reduce((n, r) => n + r.count, 0);
    const ms = runs.reduce((n, r) => n + r.ms, 0);
    return { count, ms, perSecond: count / (ms / 1000) };
  };
  const perSlice = { count: Math.ceil(bounds.maxCount / bounds.slices), ms: bounds.maxMs / bounds.slices };
  const ours: Run[] = [];
  const theirs: Run[][] = floors.map(() => []);
  counts.reset();
  for (let slice = 0; slice < bounds.slices; slice++) {
    const left = bounds.maxCount - sum(ours).count;
    if (left <= 0) break;
    ours.push(await throughput(verification, concurrency, Math.min(perSlice.count, left), perSlice.ms));
    for (const [i, floor] of floors.entries()) {
      const done = sum(theirs[i]!).count;
      if (done < bounds.maxCount) {
        theirs[i]!.push(
          await throughput(floor, concurrency, Math.min(perSlice.count, bounds.maxCount - done), perSlice.ms),
        );
      }
    }
  }
  const qdesk = sum(ours);
  return {
    qdesk: {
      ...qdesk,
      roundTrips: counts.roundTrips / qdesk.count,
      busyMs: counts.busyMs,
      kinds: counts.kinds,
    },
    floors: theirs.map(sum),
  };
}

/** Each kind of statement: how many per verification, and its mean latency alone and with `concurrency` in flight. */
function printBreakdown(one: Sample, many: Sample, concurrency: number, selectMs: number) {
  const rows = [...one.kinds.entries()].sort((a, b) => b[1].count - a[1].count || b[1].ms - a[1].ms);
  const width = Math.max(...rows.map(([kind]) => kind.length));
  console.log(
    `   ${'statement'.padEnd(width)}   per verification   mean ms alone   vs SELECT $1::int   mean ms at ${concurrency}   share of DB time alone`,
  );
  const total = rows.reduce((sum, [, k]) => sum + k.ms, 0);
  for (const [kind, { count, ms }] of rows) {
    const mean = ms / count;
    const other = many.kinds.get(kind);
    console.log(
      `   ${kind.padEnd(width)}   ${fmt(count / one.count, 2).padStart(16)}   ${fmt(mean, 3).padStart(13)}   ${`${fmt(mean / selectMs, 1)}x`.padStart(17)}   ${(other ? fmt(other.ms / other.count, 3) : '-').padStart(10)}   ${pct(ms / total).padStart(22)}`,
    );
  }
}

/** Verifications per second one at a time (`c1`) and with the concurrency asked for (`cN`). */
interface DriverFigures {
  c1: number;
  cN: number;
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
  await raw.query(`CREATE TABLE ${FLOOR_TABLE} (n int)`);
  const { database, counts } = counting(raw);
  const oneVerification = await verificationLoop(database);

  // Warm up (JIT, pool connections, the directory's pages), then count the round trips of a verification and how
  // many of them write: the floors are made of as many.
  await throughput(oneVerification, concurrency, warmup, maxMs);
  counts.reset();
  const sample = await throughput(oneVerification, 1, warmup, maxMs);
  const trips = Math.round(counts.roundTrips / sample.count);
  const writeTrips = [...counts.kinds.entries()]
    .filter(([kind]) => WRITES.test(kind))
    .reduce((sum, [, k]) => sum + k.count, 0);
  const writes = Math.round(writeTrips / sample.count);

  const bounds = { maxCount, maxMs, slices: 10 };
  const floors = [floorChain(raw, trips), floorChain(raw, trips, writes)];
  for (const floor of floors) await throughput(floor, concurrency, warmup, maxMs);
  const one = await interleaved(oneVerification, counts, floors, 1, bounds);
  const many = await interleaved(oneVerification, counts, floors, concurrency, bounds);
  const [c1, cN] = [one.qdesk, many.qdesk];
  const [f1, w1] = one.floors as [Run, Run];
  const [fN, wN] = many.floors as [Run, Run];
  const roundTrips = c1.roundTrips;
  // The floor chains are whole numbers of round trips; scale them to the exact count per verification.
  const floor1 = (f1.perSecond * trips) / roundTrips;
  const floorN = (fN.perSecond * trips) / roundTrips;
  const selectMs = f1.ms / (f1.count * trips);

  console.log(
    `${label}: ${fmt(roundTrips, 2)} round trips per verification (${fmt(cN.roundTrips, 2)} with ${concurrency} in flight; a transaction counts its statements plus BEGIN and COMMIT).`,
  );
  const usPer = (ms: number, n: number) => fmt((ms * 1000) / n);
  console.log(
    `   One at a time, a verification takes ${usPer(c1.ms, c1.count)} us: ${usPer(c1.busyMs, c1.count)} us with a statement in flight (${pct(c1.busyMs / c1.ms)}), ${usPer(c1.ms - c1.busyMs, c1.count)} us between statements (the verifier's JS, event-loop turns); ${trips} plain round trips take ${usPer(f1.ms, f1.count)} us, or ${usPer(w1.ms, w1.count)} us when ${writes} of them are one-row INSERTs.`,
  );
  printBreakdown(c1, cN, concurrency, selectMs);

  const line = (name: string, run: Run, extra: string) =>
    console.log(
      `   ${name.padEnd(40)} ${fmt(run.perSecond).padStart(7)} /s  (${fmt(run.count)} in ${fmt(run.ms)} ms${extra})`,
    );
  const ratio = (qdesk: number, floor: number) =>
    console.log(
      `   ${'ratio QDesk / floor'.padEnd(40)} ${pct(qdesk / floor).padStart(7)}     (goal: at least 50%)`,
    );
  const reference = (qdesk: number, run: Run) => {
    line(`reference: ${writes} of the ${trips} as INSERTs`, run, '; each INSERT its own commit');
    console.log(
      `   ${'ratio QDesk / reference'.padEnd(40)} ${pct(qdesk / ((run.perSecond * trips) / roundTrips)).padStart(7)}`,
    );
  };
  console.log('   Concurrency 1 (one verification at a time):');
  line('QDesk verifications', c1, '');
  line(`floor: ${trips} x SELECT $1::int in a row`, f1, `; ${fmt(f1.perSecond * trips)} round trips/s`);
  ratio(c1.perSecond, floor1);
  reference(c1.perSecond, w1);
  console.log(`   Concurrency ${concurrency} (${concurrency} verifications in flight, distinct end-users):`);
  line('QDesk verifications', cN, '');
  line(
    `floor: ${concurrency} chains of ${trips} x SELECT $1::int`,
    fN,
    `; ${fmt(fN.perSecond * trips)} round trips/s`,
  );
  ratio(cN.perSecond, floorN);
  reference(cN.perSecond, wN);
  return { c1: c1.perSecond, cN: cN.perSecond };
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
    `Verifications on @qdesk/store-postgres: start -> send SMS -> right code through createVerifier, over ${fmt(USERS)} end-users, against the floor of as many plain round trips on the same client. Each figure: at most ${fmt(settings.maxCount)} verifications (or floor chains) or ${fmt(settings.maxMs / 1000)} s, taken in 10 turns alternating with the floors.`,
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
