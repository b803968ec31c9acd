import type { VerifierEvent } from '@qdesk/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDatabase } from '../_databases.test-helpers.js';
import type { EventBus } from '../event-bus.js';
import { createPgEventBus } from './event-bus.js';

const approved = (sessionId: string): VerifierEvent =>
  ({
    name: 'session.approved',
    payload: {
      sessionId,
      tenantId: 'tenant-1',
      endUserId: 'eu-1',
      technicianId: 'tech-1',
      ticketId: 't-1',
      method: 'push',
      at: 1,
    } as VerifierEvent['payload'],
  }) as VerifierEvent;

/** Resolves with the next event a bus delivers (or rejects after `ms`). */
const nextEvent = (bus: EventBus, ms = 5_000) =>
  new Promise<VerifierEvent>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no event arrived')), ms);
    const off = bus.subscribe((event) => {
      clearTimeout(timer);
      off();
      resolve(event);
    });
  });

describe('createPgEventBus (LISTEN/NOTIFY between instances)', () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let a: EventBus;
  let b: EventBus;
  beforeAll(async () => {
    scratch = await createScratchDatabase();
    a = await createPgEventBus({ connectionString: scratch.url, maxReconnectDelayMs: 200 });
    b = await createPgEventBus({ connectionString: scratch.url, maxReconnectDelayMs: 200 });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await scratch?.drop();
  });

  it("delivers an event published on one instance to the other's subscribers, and once to its own", async () => {
    const seenOnA: string[] = [];
    const off = a.subscribe((e) => seenOnA.push(e.payload.sessionId));
    const arriving = nextEvent(b);
    await a.publish(approved('sess-1'));
    const event = await arriving;
    expect(event).toEqual(approved('sess-1'));
    await new Promise((r) => setTimeout(r, 100)); // time for A's own NOTIFY to come back, which it must ignore
    off();
    expect(seenOnA).toEqual(['sess-1']);
  });

  it('ignores notifications on its channel that are not its envelopes', async () => {
    const seen: VerifierEvent[] = [];
    const off = b.subscribe((e) => seen.push(e));
    const client = new pg.Client({ connectionString: scratch.url });
    await client.connect();
    await client.query(
      "SELECT pg_notify('qdesk_events', 'not json'), pg_notify('qdesk_events', '{\"x\":1}')",
    );
    await client.end();
    const arriving = nextEvent(b);
    await a.publish(approved('sess-after-noise'));
    expect((await arriving).payload.sessionId).toBe('sess-after-noise');
    off();
    expect(seen.map((e) => e.payload.sessionId)).toEqual(['sess-after-noise']);
  });

  it('reconnects after its connection is killed, says so, and then hears events again', async () => {
    const reconnected = new Promise<void>((resolve) => {
      const off = b.onReconnect(() => {
        off();
        resolve();
      });
    });
    const admin = new pg.Client({ connectionString: scratch.url });
    await admin.connect();
    const { rowCount } = await admin.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'",
    );
    await admin.end();
    expect(rowCount).toBeGreaterThanOrEqual(2);
    await reconnected;
    const arriving = nextEvent(b);
    await a.publish(approved('sess-after-restart'));
    expect((await arriving).payload.sessionId).toBe('sess-after-restart');
  });

  it('refuses a channel name that is not a plain identifier', async () => {
    await expect(
      createPgEventBus({ connectionString: scratch.url, channel: 'x; DROP TABLE y' }),
    ).rejects.toThrow(/lowercase letters/);
  });
});
