// Audit chain verification at scale: fills one tenant's chain with 100,000 and another's with 1,000,000 records on
// the local PostgreSQL (a scratch database, dropped at the end), then times verifyAuditChain over each while
// sampling the process's memory, to show that verification streams: the same peak heap at 100k and at 1M.
//
// The fill does not append one by one (a million round trips): it computes the chain in JS, as the append function
// would, and inserts 10,000 rows per statement with INSERT ... SELECT FROM unnest(...).
import { createHash, randomBytes } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { AuditRecord } from '@qdesk/core';
import pg from 'pg';
import { recordValues } from '../src/_audit-records.js';
import { auditGenesisHash, canonicalAuditRecord } from '../src/audit-canonical.js';
import { verifyAuditChain } from '../src/audit-chain.js';
import type { Database } from '../src/database.js';
import { migrate } from '../src/migrate.js';
import { createPgDatabase } from '../src/pg/database.js';

/** Options for {@link benchAuditVerify}. @internal */
export interface AuditVerifyBenchOptions {
  /** The server to create the scratch database on (default QDESK_BENCH_DATABASE_URL, else the local PostgreSQL). */
  serverUrl?: string;
  /** Chain lengths to fill and verify, one tenant each (default 100,000 and 1,000,000). */
  counts?: readonly number[];
  /** Stop filling a chain once the whole bench has run this long, in ms (default 15 minutes). */
  timeLimitMs?: number;
  /** Records read per round trip by the verification (default: verifyAuditChain's, 2,000). */
  batchSize?: number;
}

const FILL_BATCH = 10_000;
const MB = 1024 * 1024;
const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const ACTIONS = ['start', 'send', 'check_code', 'approve', 'outcome', 'write_note'] as const;

/** Record `i` of the bench tenant: realistic sizes, one verification every six records. */
function benchRecord(tenantId: string, i: number): AuditRecord {
  const verification = Math.floor(i / 6);
  return {
    id: `au_bench_${i.toString(36)}`,
    at: Date.UTC(2026, 0, 1) + i * 250,
    tenantId,
    sessionId: `vs_${verification.toString(36).padStart(8, '0')}`,
    action: ACTIONS[i % 6]!,
    actor: { type: 'technician', id: `tech-${verification % 40}`, name: `Technician ${verification % 40}` },
    ticketId: String(100_000 + verification),
    ticketNumber: `T20260101.${String(verification % 10_000).padStart(4, '0')}`,
    endUserId: `eu-${verification % 5_000}`,
    customerId: `cust-${verification % 120}`,
    method: 'sms',
    result: i % 6 === 3 ? 'approved' : 'ok',
    status: 'awaiting_code',
    detail: { attemptsLeft: 4, reason: null, locked: false },
  };
}

const COLUMNS = [
  ['tenant_id', 'text'],
  ['seq', 'bigint'],
  ['id', 'text'],
  ['at', 'bigint'],
  ['session_id', 'text'],
  ['action', 'text'],
  ['actor_type', 'text'],
  ['actor_id', 'text'],
  ['actor_name', 'text'],
  ['ticket_id', 'text'],
  ['ticket_number', 'text'],
  ['end_user_id', 'text'],
  ['customer_id', 'text'],
  ['customer_id_set', 'boolean'],
  ['method', 'text'],
  ['result', 'text'],
  ['status', 'text'],
  ['detail', 'jsonb'],
  ['prev_hash', 'bytea'],
  ['hash', 'bytea'],
] as const;

const INSERT = `INSERT INTO qdesk_audit (${COLUMNS.map(([name]) => name).join(', ')})
  SELECT * FROM unnest(${COLUMNS.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ')})`;

/** Fills `count` chained records for `tenantId` and its head row, stopping at `deadline`; returns how many. */
async function fill(database: Database, tenantId: string, count: number, deadline: number): Promise<number> {
  let prev: Uint8Array = auditGenesisHash(tenantId);
  let seq = 0;
  while (seq < count && Date.now() < deadline) {
    const n = Math.min(FILL_BATCH, count - seq);
    const columns: unknown[][] = COLUMNS.map(() => new Array(n));
    for (let k = 0; k < n; k++) {
      const record = benchRecord(tenantId, seq + k);
      const hash = createHash('sha256').update(prev).update(canonicalAuditRecord(record), 'utf8').digest();
      const values = [tenantId, seq + k + 1, ...recordValues(record), prev, hash];
      for (let c = 0; c < values.length; c++) columns[c]![k] = values[c];
      prev = hash;
    }
    await database.query(INSERT, columns);
    seq += n;
  }
  await database.query('INSERT INTO qdesk_audit_heads (tenant_id, seq, hash) VALUES ($1, $2, $3)', [
    tenantId,
    seq,
    prev,
  ]);
  return seq;
}

/** What {@link measured} saw. */
interface Memory {
  /** Largest heap in use at any sample, garbage not yet collected included. */
  peakHeap: number;
  /** Largest RSS at any sample. */
  peakRss: number;
  /** Largest heap still in use right after a collection: what the work holds on to. */
  peakLiveHeap: number;
}

/**
 * Runs `work`, sampling memory every 20 ms and at each `sample()` call; every `liveEvery`-th call also collects
 * garbage first, to see what the work holds (the peak heap alone mostly shows when V8 chose to collect).
 */
async function measured<T>(work: (sample: () => void) => Promise<T>, liveEvery = 10) {
  gc();
  const start = process.memoryUsage();
  const memory: Memory = { peakHeap: start.heapUsed, peakRss: start.rss, peakLiveHeap: start.heapUsed };
  const sample = () => {
    const now = process.memoryUsage();
    memory.peakHeap = Math.max(memory.peakHeap, now.heapUsed);
    memory.peakRss = Math.max(memory.peakRss, now.rss);
  };
  let calls = 0;
  const progress = () => {
    sample();
    if (++calls % liveEvery === 0) {
      gc();
      memory.peakLiveHeap = Math.max(memory.peakLiveHeap, process.memoryUsage().heapUsed);
    }
  };
  const timer = setInterval(sample, 20);
  const t0 = process.hrtime.bigint();
  try {
    const result = await work(progress);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    sample();
    gc();
    return { result, ms, start, memory, end: process.memoryUsage() };
  } finally {
    clearInterval(timer);
  }
}

/**
 * Fills chains of 100,000 and 1,000,000 records on the local PostgreSQL and verifies each, printing the fill time,
 * the verification's time, records per second, and heap and RSS before, at peak and after. @internal
 */
export async function benchAuditVerify(options: AuditVerifyBenchOptions = {}): Promise<void> {
  const serverUrl =
    options.serverUrl ??
    process.env.QDESK_BENCH_DATABASE_URL ??
    'postgres://postgres@127.0.0.1:5432/postgres';
  const counts = options.counts ?? [100_000, 1_000_000];
  const deadline = Date.now() + (options.timeLimitMs ?? 15 * 60_000);
  const name = `qdesk_bench_audit_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = createPgDatabase({ connectionString: url.href, max: 2 });
  console.log(
    'Audit verify: a hash chain of one tenant, streamed by verifyAuditChain from the local PostgreSQL.',
  );
  try {
    await migrate(database);
    const rows: string[][] = [];
    for (const count of counts) {
      const tenantId = `bench-${count}`;
      const filling = await measured(() => fill(database, tenantId, count, deadline));
      const filled = filling.result;
      console.log(
        `Filled ${fmt(filled)} chained records in ${fmt(filling.ms / 1000, 1)} s (${fmt(filled / (filling.ms / 1000))} records/s, hashes computed in JS, ${fmt(FILL_BATCH)} rows per INSERT).${filled < count ? ` Stopped at the time limit, short of ${fmt(count)}.` : ''}`,
      );
      await database.query('VACUUM ANALYZE qdesk_audit');
      const run = await measured((sample) =>
        verifyAuditChain(database, {
          tenantId,
          ...(options.batchSize ? { batchSize: options.batchSize } : {}),
          onProgress: sample,
        }),
      );
      const report = run.result;
      if (!report.ok || report.records !== filled) {
        throw new Error(
          `The bench chain did not verify: ${report.firstProblem?.message ?? `${report.records} records`}`,
        );
      }
      const perSecond = report.records / (run.ms / 1000);
      const { start, memory, end } = run;
      console.log(
        `Verified ${fmt(report.records)} records in ${fmt(run.ms / 1000, 1)} s: ${fmt(perSecond)} records/s. Heap ${fmt(start.heapUsed / MB, 1)} MB before, ${fmt(memory.peakHeap / MB, 1)} MB at peak (garbage included), at most ${fmt(memory.peakLiveHeap / MB, 1)} MB live after a collection, ${fmt(end.heapUsed / MB, 1)} MB after; RSS ${fmt(start.rss / MB)} MB before, ${fmt(memory.peakRss / MB)} MB at peak, ${fmt(end.rss / MB)} MB after.`,
      );
      rows.push([
        fmt(report.records),
        fmt(run.ms / 1000, 1),
        fmt(perSecond),
        fmt((memory.peakLiveHeap - start.heapUsed) / MB, 1),
        fmt((memory.peakHeap - start.heapUsed) / MB, 1),
        fmt((memory.peakRss - start.rss) / MB),
      ]);
    }
    console.log('\n  records   verify s   records/s   live heap +MB   peak heap +MB   peak RSS +MB');
    for (const r of rows) {
      const widths = [9, 8, 9, 13, 13, 12];
      console.log(r.map((cell, i) => cell.padStart(widths[i]!)).join('   '));
    }
    if (rows.length > 1) {
      console.log(
        'Memory is flat when the live heap growth stays the same as the chain grows tenfold: one batch of records is held at a time; the peak heap is garbage V8 has not collected yet.',
      );
    }
  } finally {
    await database.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}
