/**
 * `@qdesk/channels/fcm`: push challenges through Firebase Cloud Messaging HTTP v1, with a service-account
 * access token minted with node:crypto. Needs no Firebase SDK.
 *
 * @packageDocumentation
 */

export type { FcmChannel, FcmSettings } from './fcm-channel.js';
export { createFcm } from './fcm-channel.js';
export type { FcmServiceAccount } from './service-account.js';
