// `pnpm bench` runs this: the reference app on loopback, a technician watching by Server-Sent Events and an
// end-user approving by HTTP. Measures the latency from the end-user's Approve request to the technician's SSE
// event, and complete push verifications per second through HTTP on one process. Approve-only push is a weaker
// choice the demo accepts for Contoso Dental only, so the bench verifies Dev Patel on Contoso's ticket 1004.
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { before, beforeNote, was } from '../../../bench/before.js';
import { createApp } from '../src/app.js';
import { composeDemo } from '../src/compose.js';
import { readEnv } from '../src/config.js';

const N = Number(process.env.QDESK_BENCH_N ?? 1000);
const env = readEnv({ PORT: '0' });
const services = await composeDemo(env, {
  quiet: true,
  policy: { sendsPerWindow: 1000, pushesPerWindow: 1000, sendWindowMs: 1000, pushWindowMs: 1000 },
});
const { app } = createApp(services, env);
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
await new Promise<void>((resolve) => server.once('listening', () => resolve()));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const origin = { origin: base };

const cookieOf = (res: Response) => (res.headers.get('set-cookie') ?? '').split(';')[0]!;
const tech = cookieOf(await fetch(`${base}/`, { redirect: 'manual' }));
const page = await (await fetch(`${base}/insight?ticketId=1001`, { headers: { cookie: tech } })).text();
const csrf = /name="csrf-token" content="([^"]+)"/.exec(page)![1]!;
const endUser = cookieOf(
  await fetch(`${base}/self-serve/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { ...origin, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'endUserId=eu-dev',
  }),
);
const json = { 'content-type': 'application/json' };

/** Opens the technician's SSE stream and resolves each time a `status` event arrives. */
async function watch(sessionId: string) {
  const controller = new AbortController();
  const res = await fetch(`${base}/api/verifications/${sessionId}/events`, {
    headers: { cookie: tech },
    signal: controller.signal,
  });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const next = async (): Promise<string> => {
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (frame.includes('event: status')) return frame;
        continue;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error('stream ended');
      buffer += value;
    }
  };
  return { next, close: () => controller.abort() };
}

async function oneVerification(): Promise<number> {
  const started = await fetch(`${base}/api/verifications`, {
    method: 'POST',
    headers: { ...json, ...origin, cookie: tech, 'x-csrf-token': csrf },
    body: JSON.stringify({ ticketId: '1004', method: 'push' }),
  });
  if (started.status !== 201) throw new Error(`start failed: ${started.status} ${await started.text()}`);
  const { session } = (await started.json()) as { session: { id: string } };
  const stream = await watch(session.id);
  await stream.next(); // the snapshot sent on connect
  const pending = (await (
    await fetch(`${base}/api/self-serve/pending`, { headers: { cookie: endUser } })
  ).json()) as {
    challenges: { challengeId: string; token: string }[];
  };
  const challenge = pending.challenges.find((c) => c.challengeId === session.id)!;
  const t0 = performance.now();
  const approve = fetch(`${base}/api/self-serve/answer`, {
    method: 'POST',
    headers: { ...json, ...origin, cookie: endUser },
    body: JSON.stringify({ sessionId: session.id, token: challenge.token, answer: 'approve' }),
  }).then(async (res) => {
    if (res.status !== 200) throw new Error(`approve failed: ${res.status} ${await res.text()}`);
  });
  // Bounded: a refused answer or a missing event ends the run with an error instead of a wait without end.
  const approved = (async () => {
    let frame = await stream.next();
    while (!frame.includes('session.approved')) frame = await stream.next();
  })();
  await Promise.race([
    Promise.all([approve, approved]),
    new Promise((_, reject) =>
      setTimeout(() => reject(new Error('no session.approved event within 5 s')), 5_000),
    ),
  ]);
  const latency = performance.now() - t0;
  stream.close();
  return latency;
}

for (let i = 0; i < 50; i++) await oneVerification(); // warm up
const latencies: number[] = [];
const startedAt = performance.now();
for (let i = 0; i < N; i++) latencies.push(await oneVerification());
const elapsed = performance.now() - startedAt;
latencies.sort((a, b) => a - b);
const pct = (p: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;

console.log('QDesk insight-app benchmark (Node %s, loopback, one process)', process.version);
console.log(`${beforeNote}\n`);
console.log(`Approve request -> technician's SSE event, over ${N} push verifications:`);
console.log(
  `   p50 ${pct(50).toFixed(2)} ms   p90 ${pct(90).toFixed(2)} ms   p99 ${pct(99).toFixed(2)} ms   max ${latencies.at(-1)!.toFixed(2)} ms  (goal: p99 under 20 ms)`,
);
console.log(
  `  [before: p50 ${was('app.sse_p50_ms', 2)} ms   p90 ${was('app.sse_p90_ms', 2)} ms   p99 ${was('app.sse_p99_ms', 2)} ms   max ${was('app.sse_max_ms', 2)} ms]`,
);
console.log(
  `Complete push verifications through HTTP (start + send, SSE, poll, approve, note on the Autotask fake):`,
);
console.log(
  `   ${(N / (elapsed / 1000)).toFixed(0)} per second, sequential (${elapsed.toFixed(0)} ms for ${N})${before('app.per_s')}`,
);
console.log(`   notes written on the fake's ticket: ${services.autotask!.state.notes('1004').length}`);

// History after the run: one row per verification, built from the newest 5,000 audit records on every view.
// Beside it, the audit query alone (what any history page must at least read) and the CSV of every matching row.
async function timed(label: string, run: () => Promise<unknown>, rounds = 30) {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    await run();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  console.log(`   ${label}: p50 ${times[rounds >> 1]!.toFixed(2)} ms   max ${times.at(-1)!.toFixed(2)} ms`);
}
const get = (path: string) => async () => {
  const res = await fetch(`${base}${path}`, { headers: { cookie: tech } });
  if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
  await res.arrayBuffer();
};
const records = await services.audit.query(services.tenantId, { limit: 1_000_000 });
console.log(`History over ${records.length} audit records (${N + 50} verifications), 30 views each:`);
await timed('audit query alone (newest 5,000)', () =>
  services.audit.query(services.tenantId, { limit: 5000 }),
);
await timed('GET /history (first page of 25 rows)', get('/history'));
await timed('GET /history.csv (every row in the window)', get('/history.csv'));

server.close();
await services.close();
process.exit(0);
