import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AutotaskFakeServer, startAutotaskFake } from '@qdesk/autotask-adapter/testing';
import { createPostgresStores, verifyAuditChain } from '@qdesk/store-postgres';
import { createPgliteDatabase } from '@qdesk/store-postgres/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppProcess, startAppProcess } from './app-process.test-helpers.js';
import { json } from './demo-browser.test-helpers.js';

// A verification half done when the app process stops, finished after it starts again on the same data folder:
// nothing the first process knew may be missing from the second.

describe('a restart of the app process (PGlite in its data folder)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qdesk-restart-'));
  const dataDir = join(dir, 'pglite');
  let fake: AutotaskFakeServer;
  let app: AppProcess | undefined;
  const start = async () => {
    app = await startAppProcess({ QDESK_DATA_DIR: dataDir, AUTOTASK_ZONE_URL: '' });
    return app;
  };
  beforeAll(async () => {
    fake = await startAutotaskFake();
  });
  afterAll(async () => {
    await app?.stop('SIGKILL');
    await fake?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the session, the sign-ins, the links, the counters and the audit trail, and finishes the verification', async () => {
    const variables = { QDESK_DATA_DIR: dataDir, AUTOTASK_ZONE_URL: fake.zoneUrl };
    const first = await startAppProcess(variables);
    app = first;
    expect(first.output()).toContain(`Data: PGlite in ${dataDir}, kept across restarts`);
    const sam = await first.staff('tech-demo');
    const admin = await first.staff('admin-demo');
    const ana = await first.endUser('eu-ana');
    // An administrator links the ticket's contact to Ana (once the start-up sync has read the contacts).
    await expect
      .poll(async () => (await json(await first.request('/api/admin/sync', { as: admin }))).running, {
        timeout: 30_000,
      })
      .toBe(false);
    const linked = await first.request('/api/admin/contacts/link', {
      method: 'POST',
      as: admin,
      json: { contactId: '201', endUserId: 'eu-ana' },
    });
    expect(linked.status).toBe(200);
    // Half a verification: the number match is on Ana's phone, not yet answered.
    const started = await first.request('/api/verifications', {
      method: 'POST',
      as: sam,
      json: { ticketId: '1001', method: 'number_match' },
    });
    expect(started.status).toBe(201);
    const { session, display } = await json(started);
    const token = (await json(await first.request('/api/self-serve/pending', { as: ana }))).challenges.find(
      (c: { challengeId: string }) => c.challengeId === session.id,
    ).token as string;
    await first.stop('SIGTERM');

    const second = await startAppProcess(variables);
    app = second;
    // The same cookies still sign Sam and Ana in: the sign-ins and the key outlived the process.
    const read = await second.request(`/api/verifications/${session.id}`, { as: sam });
    expect(read.status).toBe(200);
    expect((await json(read)).session).toMatchObject({ id: session.id, status: 'awaiting_push' });
    const pending = await json(await second.request('/api/self-serve/pending', { as: ana }));
    expect(pending.challenges.map((c: { challengeId: string }) => c.challengeId)).toContain(session.id);
    const answered = await second.request('/api/self-serve/answer', {
      method: 'POST',
      as: ana,
      json: { sessionId: session.id, token, answer: 'number', number: display.matchNumber },
    });
    expect(await json(answered)).toMatchObject({ status: 'approved' });
    await expect.poll(() => fake.state.notes('1001').length, { timeout: 10_000 }).toBe(1);
    expect(fake.state.notes('1001')[0]!.title).toMatch(/User Identity Successfully Verified/);
    await second.stop('SIGTERM');
    app = undefined;

    // What is on disk, read without the app: every piece is there once.
    const database = await createPgliteDatabase({ dataDir });
    try {
      const stores = createPostgresStores(database);
      expect(await stores.sessions.get('demo-msp', session.id)).toMatchObject({ status: 'approved' });
      expect(await stores.mappings.endUserForContact('demo-msp', '201')).toMatchObject({
        endUserId: 'eu-ana',
      });
      const { rows } = await database.query<{ key: string }>(
        "SELECT key FROM qdesk_rate_counters WHERE tenant_id = 'demo-msp' AND key LIKE '%eu-ana%'",
      );
      expect(rows.length).toBeGreaterThan(0);
      const trail = (await stores.audit.query('demo-msp', { sessionId: session.id, limit: 100 })).reverse();
      expect(trail.map((r) => r.action)).toEqual(
        expect.arrayContaining(['start', 'send', 'device_answer', 'outcome', 'write_note']),
      );
      expect(trail.filter((r) => r.action === 'outcome')).toHaveLength(1);
      const linkRecords = await stores.audit.query('demo-msp', { actions: ['link_contact'] });
      expect(linkRecords).toHaveLength(1);
      expect(await verifyAuditChain(database, { tenantId: 'demo-msp' })).toMatchObject({ ok: true });
    } finally {
      await database.close();
    }
  }, 180_000);

  it('refuses to start a second process on a folder the first still holds, and says what to do', async () => {
    const holder = await start();
    const refused = await startAppProcess({ QDESK_DATA_DIR: dataDir }).catch((error: Error) => error);
    expect(refused).toBeInstanceOf(Error);
    expect((refused as Error).message).toMatch(/PGlite serves one process at a time.*DATABASE_URL/);
    await holder.stop('SIGTERM');
    app = undefined;
  }, 120_000);
});
