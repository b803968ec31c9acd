// One app instance for the benchmark, in this process on a loopback port, on the stores it is given: a technician
// signed in, an end-user (Dev Patel, Contoso: approve-only push is accepted there) signed in, and the calls a
// verification makes.
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { createApp } from '../src/app.js';
import { type AppServices, composeDemo } from '../src/compose.js';
import { readEnv } from '../src/config.js';
import type { StoreChoice } from '../src/stores.js';

const json = { 'content-type': 'application/json' };
const cookieOf = (res: Response) => (res.headers.get('set-cookie') ?? '').split(';')[0]!;

export interface BenchInstance {
  base: string;
  services: AppServices;
  /** The technician's cookie and CSRF token (valid on every instance of one database). */
  tech: { cookie: string; csrf: string };
  /** The end-user's cookie. */
  endUser: string;
  close(): Promise<void>;
}

export async function startInstance(
  stores: StoreChoice,
  variables: Record<string, string> = {},
  signIns?: Pick<BenchInstance, 'tech' | 'endUser'>,
): Promise<BenchInstance> {
  const env = readEnv({ PORT: '0', ...variables });
  const services = await composeDemo(env, {
    quiet: true,
    stores,
    policy: { sendsPerWindow: 1000, pushesPerWindow: 1000, sendWindowMs: 1000, pushWindowMs: 1000 },
  });
  const { app } = createApp(services, env);
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let tech = signIns?.tech;
  if (!tech) {
    const cookie = cookieOf(await fetch(`${base}/`, { redirect: 'manual' }));
    const page = await (await fetch(`${base}/insight?ticketId=1001`, { headers: { cookie } })).text();
    tech = { cookie, csrf: /name="csrf-token" content="([^"]+)"/.exec(page)![1]! };
  }
  const endUser =
    signIns?.endUser ??
    cookieOf(
      await fetch(`${base}/self-serve/sign-in`, {
        method: 'POST',
        redirect: 'manual',
        headers: { origin: base, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'endUserId=eu-dev',
      }),
    );
  return {
    base,
    services,
    tech,
    endUser,
    async close() {
      server.close();
      await services.close();
    },
  };
}

/** Opens the technician's SSE stream on `at` and resolves each time a `status` event arrives. */
export async function watch(at: BenchInstance, sessionId: string) {
  const controller = new AbortController();
  const res = await fetch(`${at.base}/api/verifications/${sessionId}/events`, {
    headers: { cookie: at.tech.cookie },
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

/**
 * One push verification: started and watched on `watcher`, approved on `approver` (the same instance or another).
 * Returns the ms from the Approve request to the technician's `session.approved` event.
 */
export async function oneVerification(watcher: BenchInstance, approver: BenchInstance): Promise<number> {
  const started = await fetch(`${watcher.base}/api/verifications`, {
    method: 'POST',
    headers: {
      ...json,
      origin: watcher.base,
      cookie: watcher.tech.cookie,
      'x-csrf-token': watcher.tech.csrf,
    },
    body: JSON.stringify({ ticketId: '1004', method: 'push' }),
  });
  if (started.status !== 201) throw new Error(`start failed: ${started.status} ${await started.text()}`);
  const { session } = (await started.json()) as { session: { id: string } };
  const stream = await watch(watcher, session.id);
  await stream.next(); // the snapshot sent on connect
  const pending = (await (
    await fetch(`${approver.base}/api/self-serve/pending`, { headers: { cookie: approver.endUser } })
  ).json()) as { challenges: { challengeId: string; token: string }[] };
  const challenge = pending.challenges.find((c) => c.challengeId === session.id)!;
  const t0 = performance.now();
  const approve = fetch(`${approver.base}/api/self-serve/answer`, {
    method: 'POST',
    headers: { ...json, origin: approver.base, cookie: approver.endUser },
    body: JSON.stringify({ sessionId: session.id, token: challenge.token, answer: 'approve' }),
  }).then(async (res) => {
    if (res.status !== 200) throw new Error(`approve failed: ${res.status} ${await res.text()}`);
  });
  // Bounded: a refused answer or a missing event ends the run with an error instead of a wait without end.
  const approved = (async () => {
    let frame = await stream.next();
    while (!frame.includes('session.approved')) frame = await stream.next();
    return performance.now();
  })();
  const [, at] = await Promise.race([
    Promise.all([approve, approved]),
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('no session.approved event within 5 s')), 5_000),
    ),
  ]);
  stream.close();
  return at - t0;
}

/** p50 / p90 / p99 / max of a list of ms. */
export function percentiles(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
  return { p50: pct(50), p90: pct(90), p99: pct(99), max: sorted.at(-1)! };
}
