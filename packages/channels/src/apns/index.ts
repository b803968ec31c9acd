/**
 * `@qdesk/channels/apns`: push challenges to iOS devices through APNs with token authentication over HTTP/2,
 * using node:http2 and node:crypto only.
 *
 * @packageDocumentation
 */

export type { ApnsChannel, ApnsSettings } from './apns-channel.js';
export { APNS_HOSTS, createApns } from './apns-channel.js';
