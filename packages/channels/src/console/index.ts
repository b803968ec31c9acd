/**
 * `@qdesk/channels/console`: a development channel that prints what it sends and keeps an outbox (demo mode).
 *
 * @packageDocumentation
 */

export type { ConsoleChannelOptions, ConsolePrinter } from './console-channel.js';
export { createConsoleChannel } from './console-channel.js';
