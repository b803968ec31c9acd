import type { VerifierEvent } from '@qdesk/core';
import { createLocalEventBus, type EventBus } from '@qdesk/store-postgres';
import { describe, expect, it } from 'vitest';
import { createLiveHub, type LiveUpdate } from './live.js';

const event = (name: VerifierEvent['name'], sessionId: string): VerifierEvent =>
  ({
    name,
    payload: {
      sessionId,
      tenantId: 't',
      endUserId: 'u',
      technicianId: 'x',
      ticketId: null,
      method: null,
      at: 7,
    },
  }) as VerifierEvent;

/** A bus whose reconnection the test triggers, as the PostgreSQL bus fires it after a dropped connection. */
function reconnectableBus(): EventBus & { reconnect(): void } {
  const local = createLocalEventBus();
  const listeners = new Set<() => void>();
  return {
    ...local,
    onReconnect(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    reconnect: () => {
      for (const listener of listeners) listener();
    },
  };
}

describe('the live hub', () => {
  it("tells a session's watchers of its events from the bus, and nobody else", async () => {
    const bus = reconnectableBus();
    const hub = createLiveHub(bus, () => 42);
    const heard: LiveUpdate[] = [];
    const stop = hub.watch('s1', (u) => heard.push(u));
    await bus.publish(event('session.approved', 's1'));
    await bus.publish(event('session.approved', 's2'));
    await bus.publish(event('session.created', 's1')); // nobody watches a session before it exists
    expect(heard).toEqual([{ event: 'session.approved', sessionId: 's1', at: 7 }]);
    stop();
    expect(hub.watcherCount()).toBe(0);
  });

  it('asks every watcher to re-read its session after the bus reconnects (events may have been missed)', () => {
    const bus = reconnectableBus();
    const hub = createLiveHub(bus, () => 42);
    const heard: LiveUpdate[] = [];
    hub.watch('s1', (u) => heard.push(u));
    hub.watch('s2', (u) => heard.push(u));
    bus.reconnect();
    expect(heard).toEqual([
      { event: 'resync', sessionId: 's1', at: 42 },
      { event: 'resync', sessionId: 's2', at: 42 },
    ]);
    hub.close();
    bus.reconnect();
    expect(heard).toHaveLength(2);
  });
});
