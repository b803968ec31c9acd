import { createVerifier, isQdeskError, type Verifier } from '@qdesk/core';
import { createDemoData, createOutboxChannel } from '@qdesk/core/memory';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase } from './_databases.test-helpers.js';
import { migrate } from './migrate.js';
import { createPgDatabase } from './pg/database.js';
import { createPostgresStores, type PostgresStores } from './stores.js';

// What a verification does when PostgreSQL goes away under it: a connection killed while a write waits (what a
// failover or a server restart does to a busy connection), and every connection dropped at once. The verifier must
// answer with a typed error, leave no half-written session, and work again on the next call.

const { tenantId, endUsers } = createDemoData();
const actor = { tenantId, technicianId: 'tech-1', technicianName: 'Sam Rivera' };

describe('PostgreSQL failing mid-verification', () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let database: ReturnType<typeof createPgDatabase>;
  let admin: pg.Client;
  let stores: PostgresStores;
  let verifier: Verifier;
  const sms = createOutboxChannel('sms');
  const lastCode = () => {
    const message = sms.last()!.message;
    return message.route === 'sms' && 'code' in message.context ? message.context.code : '';
  };
  /** Kills every connection of the verifier's pool (all but the admin's own), as a server restart does. */
  const dropConnections = async (filter = 'true') => {
    const { rows } = await admin.query(
      `SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity
       WHERE datname = current_database() AND pid <> pg_backend_pid() AND ${filter}`,
    );
    return rows.length;
  };

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    database = createPgDatabase({ connectionString: scratch.url });
    await migrate(database);
    stores = createPostgresStores(database);
    await stores.directory.putMany(endUsers);
    verifier = createVerifier({
      secret: 'a-server-key-of-at-least-32-characters',
      directory: stores.directory,
      store: stores.sessions,
      counters: stores.counters,
      audit: stores.audit,
      policies: stores.policies,
      channels: { sms },
    });
    admin = new pg.Client({ connectionString: scratch.url });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    await database?.close();
    await scratch?.drop();
  });

  it('a connection killed while the code check writes: a typed error, the session as it was, then the check succeeds', async () => {
    const { session } = await verifier.startForEndUser({ actor, endUserId: 'eu-ana' });
    await verifier.send({ actor, sessionId: session.id, method: 'sms' });
    const before = await stores.sessions.get(tenantId, session.id);
    const code = lastCode();

    // Another connection holds the session's row, so the check's write waits on it; then that wait is killed.
    const holder = new pg.Client({ connectionString: scratch.url });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM qdesk_sessions WHERE id = $1 FOR UPDATE', [session.id]);
    const checking = verifier.checkCode({ actor, sessionId: session.id, code }).then(
      () => null,
      (error: unknown) => error,
    );
    await expect
      .poll(
        async () =>
          (
            await admin.query(
              "SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()",
            )
          ).rowCount,
      )
      .toBe(1);
    expect(await dropConnections("wait_event_type = 'Lock'")).toBe(1);
    const failure = await checking;
    expect(isQdeskError(failure) && failure.code).toBe('adapter_failed');
    expect((failure as Error).message).toMatch(/PostgreSQL failed .*: .*the connection was lost .*retry/);
    await holder.query('ROLLBACK');
    await holder.end();

    // Nothing half-written: the stored session is exactly what it was before the failed call.
    expect(await stores.sessions.get(tenantId, session.id)).toEqual(before);
    const retried = await verifier.checkCode({ actor, sessionId: session.id, code });
    expect(retried.session.status).toBe('approved');
  });

  it('after every connection is dropped at once, the next calls reconnect and the verification completes', async () => {
    const { session } = await verifier.startForEndUser({ actor, endUserId: 'eu-ben' });
    expect(await dropConnections()).toBeGreaterThan(0);
    // The pool learns of each dead connection asynchronously: a call may still meet one and fail, typed; the call
    // after it runs on a new connection.
    const send = () => verifier.send({ actor, sessionId: session.id, method: 'sms' });
    const first = await send().catch((error: unknown) => error);
    if (first instanceof Error) {
      expect(isQdeskError(first) && first.code).toBe('adapter_failed');
      await send();
    }
    const result = await verifier.checkCode({ actor, sessionId: session.id, code: lastCode() });
    expect(result.session.status).toBe('approved');
    const trail = await stores.audit.query(tenantId, { sessionId: session.id, actions: ['outcome'] });
    expect(trail).toHaveLength(1);
  });
});
