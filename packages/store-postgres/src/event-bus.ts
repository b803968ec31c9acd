import {
  VERIFIER_EVENT_NAMES,
  type VerifierEvent,
  type VerifierEventName,
  type VerifierEvents,
} from '@qdesk/core';

/**
 * Carries verifier events to every app instance, so a live view on instance A hears an Approve that instance B
 * handled. `createLocalEventBus` serves one process (PGlite, tests); `createPgEventBus` from
 * `@qdesk/store-postgres/pg` crosses instances with PostgreSQL's LISTEN/NOTIFY.
 *
 * Delivery is at most once: an event published while an instance's listening connection is down never reaches it.
 * So a listener treats an event as a hint to re-read the session, and re-reads what it watches when
 * {@link EventBus.onReconnect} fires; the session store, not the bus, is the truth.
 * @public
 */
export interface EventBus {
  /** Sends the event to every subscriber of every instance, this one included (synchronously here). */
  publish(event: VerifierEvent): Promise<void>;
  /** Calls `listener` for every event from any instance; returns the unsubscribe function. */
  subscribe(listener: (event: VerifierEvent) => void): () => void;
  /**
   * Calls `listener` after the bus lost its connection and listens again: events published in between were missed,
   * so re-read what you watch. Returns the unsubscribe function.
   */
  onReconnect(listener: () => void): () => void;
  /** Stops listening and releases the connection. */
  close(): Promise<void>;
}

/** The subscriber lists a bus keeps, and safe delivery to them. @internal */
export function createFanout() {
  const listeners = new Set<(event: VerifierEvent) => void>();
  const reconnects = new Set<() => void>();
  const each = <A extends unknown[]>(set: Set<(...args: A) => void>, ...args: A) => {
    for (const listener of [...set]) {
      try {
        listener(...args);
      } catch {
        // One listener's failure must not keep the event from the others (as with the verifier's own emitter).
      }
    }
  };
  return {
    deliver: (event: VerifierEvent) => each(listeners, event),
    reconnected: () => each(reconnects),
    subscribe(listener: (event: VerifierEvent) => void) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    onReconnect(listener: () => void) {
      reconnects.add(listener);
      return () => void reconnects.delete(listener);
    },
  };
}

/**
 * An {@link EventBus} inside one process: what a single instance on PGlite needs (one process owns a PGlite
 * folder, so there is no other instance to tell).
 * @public
 */
export function createLocalEventBus(): EventBus {
  const fanout = createFanout();
  return {
    async publish(event) {
      fanout.deliver(event);
    },
    subscribe: fanout.subscribe,
    onReconnect: fanout.onReconnect,
    async close() {},
  };
}

/**
 * Publishes every event of a verifier on the bus; returns the function that stops it. Subscribe to the bus, not to
 * `verifier.events`, and you hear every instance.
 * @example
 * ```ts
 * const bus = await createPgEventBus({ connectionString: process.env.DATABASE_URL! });
 * forwardVerifierEvents(verifier.events, bus);
 * bus.subscribe((event) => console.log(event.name, event.payload.sessionId));
 * ```
 * @public
 */
export function forwardVerifierEvents(
  events: VerifierEvents,
  bus: EventBus,
  names: readonly VerifierEventName[] = VERIFIER_EVENT_NAMES,
): () => void {
  const offs = names.map((name) => {
    const listener = (payload: unknown) => {
      // A failed publish (the database is down) must not break the operation that emitted the event; the live views
      // re-read sessions when the bus reconnects.
      bus.publish({ name, payload } as VerifierEvent).catch(() => undefined);
    };
    events.on(name, listener);
    return () => events.off(name, listener);
  });
  return () => {
    for (const off of offs) off();
  };
}
