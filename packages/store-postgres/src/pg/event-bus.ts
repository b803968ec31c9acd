import { randomUUID } from 'node:crypto';
import type { VerifierEvent } from '@qdesk/core';
import pg from 'pg';
import { createFanout, type EventBus } from '../event-bus.js';

/** Settings for {@link createPgEventBus}. @public */
export interface PgEventBusSettings {
  /** The database every instance shares (DATABASE_URL). The bus opens one connection of its own to LISTEN. */
  connectionString: string;
  /** The NOTIFY channel (default `qdesk_events`); instances of one deployment must use the same. */
  channel?: string;
  /** Longest wait between reconnection attempts, in ms (default 5,000; the first is 100 ms). */
  maxReconnectDelayMs?: number;
  /** Called when the listening connection fails or a reconnection attempt does (for logs). Never given secrets. */
  onError?: (error: Error) => void;
}

/** The NOTIFY payload limit is 8,000 bytes; verifier events are far smaller, but a bigger one is sent with its texts cut. */
const MAX_PAYLOAD = 7_900;

/** What travels in one NOTIFY: the publishing instance, so it does not deliver its own event twice. */
interface Envelope {
  from: string;
  event: VerifierEvent;
}

/**
 * An {@link EventBus} across app instances on PostgreSQL's LISTEN/NOTIFY. `publish` delivers to this instance's
 * subscribers at once and sends a NOTIFY; every other instance LISTENing on the channel delivers it to its own.
 *
 * Note: the listening connection is a plain client outside any pool (a pooled connection would drop LISTEN when it
 * is handed back). When it breaks (the server restarted, a proxy dropped it) the bus reconnects with backoff and
 * then fires `onReconnect`, so live views re-read their sessions: nothing an instance missed stays missed.
 * @example
 * ```ts
 * const bus = await createPgEventBus({ connectionString: process.env.DATABASE_URL! });
 * forwardVerifierEvents(verifier.events, bus);
 * ```
 * @public
 */
export async function createPgEventBus(settings: PgEventBusSettings): Promise<
  EventBus & {
    /** This instance's id in the envelopes it sends. */
    readonly instanceId: string;
  }
> {
  const channel = settings.channel ?? 'qdesk_events';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) {
    throw new TypeError(
      `channel ${JSON.stringify(channel)}: use lowercase letters, digits and _ (a Postgres identifier).`,
    );
  }
  const maxDelay = settings.maxReconnectDelayMs ?? 5_000;
  const instanceId = randomUUID();
  const fanout = createFanout();
  const publisher = new pg.Pool({
    connectionString: settings.connectionString,
    max: 2,
    connectionTimeoutMillis: 5_000,
  });
  publisher.on('error', () => undefined);
  let listener: pg.Client | null = null;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  const receive = (message: pg.Notification) => {
    if (message.channel !== channel || !message.payload) return;
    let envelope: Envelope;
    try {
      envelope = JSON.parse(message.payload) as Envelope;
    } catch {
      return; // Not ours: someone else NOTIFYs on the channel.
    }
    if (envelope.from === instanceId || typeof envelope.event?.name !== 'string') return;
    fanout.deliver(envelope.event);
  };

  const connect = async () => {
    const client = new pg.Client({
      connectionString: settings.connectionString,
      connectionTimeoutMillis: 5_000,
    });
    client.on('notification', receive);
    client.on('error', (error) => {
      settings.onError?.(error);
      reconnectSoon(client, 100);
    });
    client.on('end', () => reconnectSoon(client, 100));
    await client.connect();
    await client.query(`LISTEN ${channel}`);
    listener = client;
  };

  const reconnectSoon = (broken: pg.Client, delay: number) => {
    if (closed || listener !== broken) return;
    listener = null;
    broken.removeAllListeners('end');
    broken.end().catch(() => undefined);
    const attempt = (wait: number) => {
      retry = setTimeout(async () => {
        if (closed) return;
        try {
          await connect();
          fanout.reconnected();
        } catch (error) {
          settings.onError?.(error as Error);
          attempt(Math.min(wait * 2, maxDelay));
        }
      }, wait);
      retry.unref?.();
    };
    attempt(delay);
  };

  await connect();

  return {
    instanceId,
    async publish(event) {
      fanout.deliver(event);
      let payload = JSON.stringify({ from: instanceId, event } satisfies Envelope);
      if (Buffer.byteLength(payload) > MAX_PAYLOAD) {
        // Only a provider's long reason text can get here; the other instances get it cut short.
        const cut = Object.fromEntries(
          Object.entries(event.payload).map(([k, v]) => [k, typeof v === 'string' ? v.slice(0, 200) : v]),
        );
        payload = JSON.stringify({ from: instanceId, event: { name: event.name, payload: cut } });
      }
      await publisher.query('SELECT pg_notify($1, $2)', [channel, payload]);
    },
    subscribe: fanout.subscribe,
    onReconnect: fanout.onReconnect,
    async close() {
      closed = true;
      clearTimeout(retry);
      const client = listener;
      listener = null;
      if (client) {
        client.removeAllListeners('end');
        await client.end().catch(() => undefined);
      }
      await publisher.end();
    },
  };
}
