import { VERIFIER_EVENT_NAMES, type VerifierEventName } from '@qdesk/core';
import type { EventBus } from '@qdesk/store-postgres';

export interface LiveUpdate {
  /** A verifier event, or `resync`: the bus lost events while it reconnected, so re-read the session. */
  event: VerifierEventName | 'resync';
  sessionId: string;
  at: number;
}

/**
 * Fans verifier events out to the Server-Sent Events streams watching each session. It hears the bus, not one
 * verifier, so an Approve handled by another instance reaches a technician watching here.
 */
export function createLiveHub(bus: EventBus, now: () => number = Date.now) {
  const watchers = new Map<string, Set<(update: LiveUpdate) => void>>();
  // Every event but creation concerns a session someone may be watching.
  const names = new Set<string>(VERIFIER_EVENT_NAMES.filter((name) => name !== 'session.created'));
  const tell = (sessionId: string, update: LiveUpdate) => {
    for (const watcher of watchers.get(sessionId) ?? []) watcher(update);
  };
  const offEvents = bus.subscribe(({ name, payload }) => {
    if (names.has(name))
      tell(payload.sessionId, { event: name, sessionId: payload.sessionId, at: payload.at });
  });
  // Events published while this instance was not listening are lost; every page watching re-reads its session.
  const offReconnect = bus.onReconnect(() => {
    const at = now();
    for (const sessionId of watchers.keys()) tell(sessionId, { event: 'resync', sessionId, at });
  });
  return {
    watch(sessionId: string, listener: (update: LiveUpdate) => void): () => void {
      const set = watchers.get(sessionId) ?? new Set();
      set.add(listener);
      watchers.set(sessionId, set);
      return () => {
        set.delete(listener);
        if (set.size === 0) watchers.delete(sessionId);
      };
    },
    watcherCount: () => [...watchers.values()].reduce((n, s) => n + s.size, 0),
    close() {
      offEvents();
      offReconnect();
    },
  };
}
export type LiveHub = ReturnType<typeof createLiveHub>;
