// `pnpm bench` runs this: the reference app on loopback, a technician watching by Server-Sent Events and an
// end-user approving by HTTP. Measures the latency from the end-user's Approve request to the technician's SSE
// event and complete push verifications per second, first on one instance on PGlite (the embedded default), then
// across two instances on one PostgreSQL database (Approve on B, the technician's live view on A). Approve-only push
// is a weaker choice the demo accepts for Contoso Dental only, so the bench verifies Dev Patel on its ticket 1004.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { before, beforeNote, was } from '../../../bench/before.js';
import { oneVerification, percentiles, startInstance } from './instance.js';

const N = Number(process.env.QDESK_BENCH_N ?? 1000);
const N_ACROSS = Number(process.env.QDESK_BENCH_N_ACROSS ?? 500);
const SERVER = process.env.QDESK_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ms = (n: number) => `${n.toFixed(2)} ms`;
const line = (l: ReturnType<typeof percentiles>) =>
  `   p50 ${ms(l.p50)}   p90 ${ms(l.p90)}   p99 ${ms(l.p99)}   max ${ms(l.max)}  (goal: p99 under 20 ms)`;

console.log('QDesk insight-app benchmark (Node %s, loopback)', process.version);
console.log(`${beforeNote}\n`);

// ---------------------------------------------------------------- 1. one instance on PGlite
const one = await startInstance({ kind: 'pglite', dataDir: null });
for (let i = 0; i < 50; i++) await oneVerification(one, one); // warm up
const latencies: number[] = [];
const startedAt = performance.now();
for (let i = 0; i < N; i++) latencies.push(await oneVerification(one, one));
const elapsed = performance.now() - startedAt;
console.log(
  `One instance on PGlite (in memory): Approve request -> technician's SSE event, over ${N} push verifications:`,
);
console.log(line(percentiles(latencies)));
console.log(
  `  [before, memory stores: p50 ${was('app.sse_p50_ms', 2)} ms   p90 ${was('app.sse_p90_ms', 2)} ms   p99 ${was('app.sse_p99_ms', 2)} ms   max ${was('app.sse_max_ms', 2)} ms]`,
);
console.log(
  'Complete push verifications through HTTP (start + send, SSE, poll, approve, note on the Autotask fake):',
);
console.log(
  `   ${(N / (elapsed / 1000)).toFixed(0)} per second, sequential (${elapsed.toFixed(0)} ms for ${N})${before('app.per_s')} (before: memory stores)`,
);
console.log(`   notes written on the fake's ticket: ${one.services.autotask!.state.notes('1004').length}`);

// History after the run: one row per verification, built from the newest 5,000 audit records on every view.
// Beside it, the audit query alone (what any history page must at least read) and the CSV of every matching row.
async function timed(label: string, run: () => Promise<unknown>, rounds = 30) {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    await run();
    times.push(performance.now() - t);
  }
  const { p50, max } = percentiles(times);
  console.log(`   ${label}: p50 ${ms(p50)}   max ${ms(max)}`);
}
const get = (path: string) => async () => {
  const res = await fetch(`${one.base}${path}`, { headers: { cookie: one.tech.cookie } });
  if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
  await res.arrayBuffer();
};
const records = await one.services.audit.query(one.services.tenantId, { limit: 1_000_000 });
console.log(`History over ${records.length} audit records (${N + 50} verifications), 30 views each:`);
await timed('audit query alone (newest 5,000)', () =>
  one.services.audit.query(one.services.tenantId, { limit: 5000 }),
);
await timed('GET /history (first page of 25 rows)', get('/history'));
await timed('GET /history.csv (every row in the window)', get('/history.csv'));
await one.close();

// ---------------------------------------------------------------- 2. two instances on one PostgreSQL database
// Both run in this process, each with its own connection pool and its own LISTEN connection: the event crosses the
// database server as it does between machines (one event loop serves both, which costs time, not saves it).
const name = `qdesk_bench_app_${randomBytes(4).toString('hex')}`;
const adminQuery = async (sql: string) => {
  const client = new pg.Client({ connectionString: SERVER });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
};
await adminQuery(`CREATE DATABASE ${name}`);
try {
  const url = Object.assign(new URL(SERVER), { pathname: `/${name}` }).href;
  const variables = { DATABASE_URL: url, QDESK_SECRET: randomBytes(32).toString('hex') };
  const a = await startInstance({ kind: 'postgres', url }, variables);
  const b = await startInstance({ kind: 'postgres', url }, variables, a);
  try {
    for (let i = 0; i < 30; i++) await oneVerification(a, b); // warm up
    const sameA: number[] = [];
    const across: number[] = [];
    const t = performance.now();
    // Interleaved, so both figures see the same machine: watched and approved on A, then approved on B.
    for (let i = 0; i < N_ACROSS; i++) {
      sameA.push(await oneVerification(a, a));
      across.push(await oneVerification(a, b));
    }
    const secs = (performance.now() - t) / 1000;
    console.log(
      `\nTwo instances on one PostgreSQL database (local server), ${N_ACROSS} push verifications each way:`,
    );
    console.log("Approve on instance B -> the technician's SSE event on instance A (LISTEN/NOTIFY):");
    console.log(line(percentiles(across)));
    console.log(
      'Approve on instance A -> the SSE event on A itself (same database, no crossing), for comparison:',
    );
    console.log(line(percentiles(sameA)));
    console.log(
      `   ${((2 * N_ACROSS) / secs).toFixed(0)} complete push verifications per second through HTTP on PostgreSQL, sequential`,
    );
  } finally {
    await a.close();
    await b.close();
  }
} finally {
  await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}
process.exit(0);
