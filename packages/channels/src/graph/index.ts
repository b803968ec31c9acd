/**
 * `@qdesk/channels/graph`: email codes through Microsoft Graph's `sendMail`, as a Microsoft 365 mailbox, with an
 * app-only token from Microsoft Entra ID (client credentials). Needs no Microsoft SDK: `fetch` only.
 *
 * @packageDocumentation
 */

export type { GraphEmailChannel, GraphEmailSettings } from './graph-email.js';
export { createGraphEmail } from './graph-email.js';
