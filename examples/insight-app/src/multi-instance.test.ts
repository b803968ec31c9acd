import { randomBytes } from 'node:crypto';
import { type AutotaskFakeServer, startAutotaskFake } from '@qdesk/autotask-adapter/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppProcess, startAppProcess } from './app-process.test-helpers.js';
import { type Browser, json } from './demo-browser.test-helpers.js';

// Two app processes on one PostgreSQL database, as behind a load balancer: what one instance does, the other's live
// view hears, and racing calls on both end one verification exactly once.

const SERVER = process.env.QDESK_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const name = `qdesk_app_${process.pid}_${randomBytes(4).toString('hex')}`;
const url = Object.assign(new URL(SERVER), { pathname: `/${name}` }).href;

async function admin(sql: string) {
  const client = new pg.Client({ connectionString: SERVER });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Reads Server-Sent Events from a response until `until` matches one, or `ms` pass. */
async function readEvents(res: Response, until: (data: { event: string }) => boolean, ms = 10_000) {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const seen: { event: string; at: number }[] = [];
  let buffer = '';
  const deadline = Date.now() + ms;
  try {
    while (Date.now() < deadline) {
      const chunk = await Promise.race([
        reader.read(),
        new Promise<null>((resolve) => setTimeout(() => resolve(null), deadline - Date.now())),
      ]);
      if (!chunk || chunk.done) break;
      buffer += decoder.decode(chunk.value, { stream: true });
      for (const match of buffer.matchAll(/^data: (.*)$/gm)) {
        const data = JSON.parse(match[1]!) as { event: string };
        seen.push({ ...data, at: Date.now() });
        if (until(data)) return seen;
      }
      buffer = buffer.slice(buffer.lastIndexOf('\n') + 1);
    }
    return seen;
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

describe('two app processes on one PostgreSQL database', () => {
  let fake: AutotaskFakeServer;
  let a: AppProcess;
  let b: AppProcess;
  let sam: Browser;
  beforeAll(async () => {
    await admin(`CREATE DATABASE ${name}`);
    fake = await startAutotaskFake();
    const variables = {
      DATABASE_URL: url,
      AUTOTASK_ZONE_URL: fake.zoneUrl,
      QDESK_SECRET: randomBytes(32).toString('hex'),
    };
    // Both start at once, as a deployment's instances do: they migrate and seed the same database together.
    [a, b] = await Promise.all([startAppProcess(variables), startAppProcess(variables)]);
    sam = await a.staff('tech-demo');
  }, 120_000);
  afterAll(async () => {
    await Promise.all([a?.stop('SIGTERM'), b?.stop('SIGTERM')]);
    await fake?.close();
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });

  const start = async (ticketId: string) => {
    const res = await a.request('/api/verifications', {
      method: 'POST',
      as: sam,
      json: { ticketId, method: 'number_match', ifActive: 'supersede' },
    });
    expect(res.status).toBe(201);
    const { session, display } = await json(res);
    return { id: session.id as string, number: display.matchNumber as string };
  };
  const tokenOf = async (app: AppProcess, as: Browser, id: string) =>
    (await json(await app.request('/api/self-serve/pending', { as }))).challenges.find(
      (c: { challengeId: string }) => c.challengeId === id,
    ).token as string;

  it("brings the Approve made on instance B to the technician's live view on instance A", async () => {
    expect(a.output()).toMatch(/Data: PostgreSQL at 127\.0\.0\.1:5432\/qdesk_app_/);
    const ana = await b.endUser('eu-ana');
    const { id, number } = await start('1001');
    const stream = await a.request(`/api/verifications/${id}/events`, { as: sam });
    expect(stream.status).toBe(200);
    const heard = readEvents(stream, (d) => d.event === 'session.approved');
    // The snapshot comes first; then the answer, on the other instance.
    await new Promise((r) => setTimeout(r, 200));
    const answered = await b.request('/api/self-serve/answer', {
      method: 'POST',
      as: ana,
      json: { sessionId: id, token: await tokenOf(b, ana, id), answer: 'number', number },
    });
    expect(await json(answered)).toMatchObject({ status: 'approved' });
    const events = (await heard).map((e) => e.event);
    expect(events[0]).toBe('snapshot');
    expect(events).toContain('session.approved');
    // A cookie made on A signs in on B: the sign-in lives in the shared database.
    expect((await b.request(`/api/verifications/${id}`, { as: sam })).status).toBe(200);
  }, 60_000);

  it('ends one verification exactly once under 1,000 racing calls split across both instances', async () => {
    // Ana again (the demo's end-user with the app), on the same ticket: a second verification after the first.
    const ana = await a.endUser('eu-ana');
    const notesBefore = fake.state.notes('1001').length;
    const { id, number } = await start('1001');
    const token = await tokenOf(a, ana, id);
    const answer = (app: AppProcess) =>
      app.request('/api/self-serve/answer', {
        method: 'POST',
        as: ana,
        json: { sessionId: id, token, answer: 'number', number },
      });
    const cancel = (app: AppProcess) =>
      app.request(`/api/verifications/${id}/cancel`, { method: 'POST', as: sam });
    const calls = Array.from({ length: 1_000 }, (_, i) => {
      const app = i % 2 === 0 ? a : b;
      return (i % 4 < 2 ? answer(app) : cancel(app)).then(async (res) => ({
        status: res.status,
        body: await res.text(),
      }));
    });
    const answers = await Promise.all(calls);
    const statuses = new Map<number, number>();
    for (const { status } of answers) statuses.set(status, (statuses.get(status) ?? 0) + 1);
    expect(
      [...statuses.keys()].every((s) => s < 500),
      JSON.stringify([...statuses]),
    ).toBe(true);
    const winners = answers.filter(
      ({ status, body }) =>
        status === 200 && /"status":"(approved|cancelled)"/.test(body) && !/"replayed":true/.test(body),
    );
    const final = (await json(await a.request(`/api/verifications/${id}`, { as: sam }))).session;
    expect(['approved', 'cancelled']).toContain(final.status);
    // One outcome record and one note, whichever call won.
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query(
        "SELECT count(*)::int AS n FROM qdesk_audit WHERE session_id = $1 AND action = 'outcome'",
        [id],
      );
      expect(rows[0].n).toBe(1);
    } finally {
      await client.end();
    }
    await expect.poll(() => fake.state.notes('1001').length - notesBefore, { timeout: 10_000 }).toBe(1);
    expect(winners).toHaveLength(1);
  }, 120_000);
});
