import { InputError } from '../errors.js';
import { freezeCopy } from '../internal/immutable.js';
import type { Channel, DeliveryResult, OutboundMessage } from '../ports/channel.js';
import type { Route } from '../types.js';

/** A message the outbox channel accepted, with when. @public */
export interface OutboxEntry {
  /** Epoch milliseconds. */
  at: number;
  /** The message as sent (includes the code: an outbox is for demos and tests only). */
  message: OutboundMessage;
}

/** A {@link Channel} that keeps what it sends so you can read it. @public */
export interface OutboxChannel extends Channel {
  /** Everything sent, oldest first. */
  messages(): OutboxEntry[];
  /** The newest message to `to` (phone, email, or device id for push), or `undefined`. */
  last(to?: string): OutboxEntry | undefined;
  /** Makes sends to `address` (phone, email or device id) answer `result` from now on. */
  failFor(address: string, result: Exclude<DeliveryResult, { status: 'accepted' }>): void;
  /** Forgets every message and failure rule. */
  clear(): void;
}

const addressOf = (m: OutboundMessage) => (m.route === 'push' ? m.device.id : m.to);

/**
 * A recording channel for demos and tests: accepts every message (unless told to fail for an address) and keeps it
 * in an outbox. Never use it in production: it holds codes in memory.
 * @public
 */
export function createOutboxChannel(
  route: Route,
  options: { name?: string; now?: () => number } = {},
): OutboxChannel {
  const sent: OutboxEntry[] = [];
  const failures = new Map<string, Exclude<DeliveryResult, { status: 'accepted' }>>();
  const now = options.now ?? Date.now;
  return {
    specificationVersion: 'v1',
    route,
    name: options.name ?? `outbox-${route}`,
    ...(route === 'push' ? { platforms: ['ios', 'android', 'web'] as const } : {}),
    async send(message) {
      if (message.route !== route) {
        throw new InputError(
          `The ${route} outbox channel cannot send a ${message.route} message; give it to a ${message.route} channel.`,
          { issues: [{ path: 'route', message: `expected ${route}` }] },
        );
      }
      const failure = failures.get(addressOf(message));
      if (failure) return { ...failure };
      sent.push({ at: now(), message: freezeCopy(message) });
      return { status: 'accepted', providerMessageId: `outbox-${sent.length}` };
    },
    messages: () => [...sent],
    last: (to) => [...sent].reverse().find((e) => to === undefined || addressOf(e.message) === to),
    failFor(address, result) {
      failures.set(address, result);
    },
    clear() {
      sent.length = 0;
      failures.clear();
    },
  };
}
