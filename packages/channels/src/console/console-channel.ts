import type { Route } from '@qdesk/core';
import { createOutboxChannel, type OutboxChannel } from '@qdesk/core/memory';
import { formatMessage } from './format-message.js';

/** Where the console channel prints: `console` by default, or any object with an `info(text)` method. @public */
export interface ConsolePrinter {
  /** Receives one multi-line block per message. */
  info(text: string): void;
}

/** Options for {@link createConsoleChannel}. @public */
export interface ConsoleChannelOptions {
  /** Channel name in logs and in the printed header (default `console-<route>`). */
  name?: string;
  /** Where to print (default `console`). */
  logger?: ConsolePrinter;
  /** Time source for outbox entries (default `Date.now`). */
  now?: () => number;
}

/**
 * A development channel: prints every message it is asked to send, code included, and keeps it in an outbox you
 * can read (`messages()`, `last(to)`) or make fail (`failFor`). It wraps `createOutboxChannel` from
 * `@qdesk/core/memory`, so it behaves exactly like the outbox the conformance suite checks. The reference app's
 * demo mode uses it.
 *
 * Note: never use it in production: it prints and keeps codes.
 * @example
 * ```ts
 * const sms = createConsoleChannel('sms');
 * await sms.send(message);          // prints "[console-sms] SMS to +1555... (session s1) accepted" and the text
 * sms.last('+15550100001')?.message; // what was sent
 * ```
 * @public
 */
export function createConsoleChannel(route: Route, options: ConsoleChannelOptions = {}): OutboxChannel {
  const name = options.name ?? `console-${route}`;
  const printer = options.logger ?? console;
  const outbox = createOutboxChannel(route, { name, ...(options.now ? { now: options.now } : {}) });
  return {
    ...outbox,
    async send(message) {
      // The outbox refuses a message of another route by throwing; nothing is printed for it.
      const result = await outbox.send(message);
      printer.info(formatMessage(name, message, result));
      return result;
    },
  };
}
