import { createVerifier, type Verifier } from '@qdesk/core';
import { createManualClock, createMemoryDirectory, createOutboxChannel } from '@qdesk/core/memory';
import { describe, expect, it, vi } from 'vitest';
import { expiredSignIns } from './compose.js';
import { memoryStores } from './stores.js';
import { startSweeper } from './sweeper.js';

const actor = { tenantId: 't1', technicianId: 'tech-1', technicianName: 'Sam' };

function setup() {
  const clock = createManualClock(Date.UTC(2026, 10, 24, 9, 0, 0));
  const directory = createMemoryDirectory([
    {
      id: 'u1',
      tenantId: 't1',
      email: 'u1@x.example',
      displayName: 'U One',
      mobilePhone: '+15550100001',
      devices: [],
    },
  ]);
  const verifier = createVerifier({
    secret: 'a-test-secret-of-at-least-32-characters!',
    directory,
    clock,
    channels: { sms: createOutboxChannel('sms') },
  });
  return { clock, verifier };
}

async function sentSession(verifier: Verifier) {
  const { session } = await verifier.startForEndUser({ actor, endUserId: 'u1' });
  await verifier.send({ actor, sessionId: session.id, method: 'sms' });
  return session.id;
}

describe('the app sweeper', () => {
  it('gives a session past its deadline its expired outcome without anyone reading it, once', async () => {
    const { clock, verifier } = setup();
    const expired = vi.fn();
    verifier.events.on('session.expired', expired);
    const id = await sentSession(verifier);
    const sweeper = startSweeper(verifier, { intervalMs: 10 });
    await new Promise((r) => setTimeout(r, 50));
    expect(expired).not.toHaveBeenCalled(); // not due yet
    clock.advance(10 * 60_000 + 1);
    await vi.waitFor(() => expect(expired).toHaveBeenCalledTimes(1));
    await new Promise((r) => setTimeout(r, 50)); // more sweeps: still once
    await sweeper.stop();
    expect(expired).toHaveBeenCalledTimes(1);
    expect(expired.mock.calls[0]![0]).toMatchObject({ sessionId: id });
  });

  it('stops sweeping when stopped, and reports a failing sweep without throwing', async () => {
    const { verifier } = setup();
    const sweep = vi.spyOn(verifier, 'sweep').mockRejectedValue(new Error('store down'));
    const onError = vi.fn();
    const sweeper = startSweeper(verifier, { intervalMs: 5, onError });
    await vi.waitFor(() => expect(onError).toHaveBeenCalled());
    expect((onError.mock.calls[0]![0] as Error).message).toBe('store down');
    await sweeper.stop();
    const calls = sweep.mock.calls.length;
    await new Promise((r) => setTimeout(r, 30));
    expect(sweep.mock.calls.length).toBe(calls);
  });

  it('deletes expired sign-ins after its sweeps, at most once a minute', async () => {
    const { clock, verifier } = setup();
    const stores = memoryStores(() => clock.now());
    const now = clock.now();
    const signIn = (id: string, absoluteExpiresAt: number) =>
      stores.signIns.create({
        id,
        tenantId: 't1',
        kind: 'technician',
        subject: 'tech-1',
        name: 'Sam',
        role: 'technician',
        createdAt: now,
        lastSeenAt: now,
        idleExpiresAt: absoluteExpiresAt,
        absoluteExpiresAt,
      });
    await signIn('gone', now + 1_000);
    await signIn('kept', now + 3_600_000);
    const purge = vi.spyOn(stores.signIns, 'purge');
    clock.advance(2_000);
    const sweeper = startSweeper(verifier, { intervalMs: 5, upkeep: expiredSignIns(stores, clock) });
    await vi.waitFor(() => expect(purge).toHaveBeenCalledTimes(1));
    await new Promise((r) => setTimeout(r, 30)); // more ticks within the minute: no more purges
    await sweeper.stop();
    expect(purge).toHaveBeenCalledTimes(1);
    expect(await stores.signIns.revokeAll('t1', 'technician', 'tech-1')).toBe(1); // only "kept" was left
  });
});
