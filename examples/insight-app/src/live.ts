import { VERIFIER_EVENT_NAMES, type Verifier, type VerifierEventName } from '@qdesk/core';

export interface LiveUpdate {
  event: VerifierEventName;
  sessionId: string;
  at: number;
}

/** Fans verifier events out to the Server-Sent Events streams watching each session. */
export function createLiveHub(verifier: Verifier) {
  const watchers = new Map<string, Set<(update: LiveUpdate) => void>>();
  // Every event but creation concerns a session someone may be watching.
  const names = VERIFIER_EVENT_NAMES.filter((name) => name !== 'session.created');
  for (const name of names) {
    verifier.events.on(name, (e: { sessionId: string; at: number }) => {
      for (const watcher of watchers.get(e.sessionId) ?? [])
        watcher({ event: name, sessionId: e.sessionId, at: e.at });
    });
  }
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
  };
}
export type LiveHub = ReturnType<typeof createLiveHub>;
